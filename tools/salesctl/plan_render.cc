#include "tools/salesctl/plan_render.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <numeric>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/salesctl/crm_csv.h"
#include "tools/salesctl/demo_data.h"

namespace salesops::salesctl {
namespace {

std::string Money(const v1::Money& m) { return FormatMoneyShort(m); }

// A ratio as a percentage: 0.153 -> "15.3%".
std::string Pct(double ratio) { return absl::StrFormat("%.1f%%", 100 * ratio); }

// "+1,000", "-1,000", "0".
std::string SignedMoney(const v1::Money& m) {
  std::string text = Money(m);
  return text != "0" && text[0] != '-' ? "+" + text : text;
}

// Depth of each node id in a parents-first listing; a row's depth is its parent's plus one.
class Depths {
 public:
  int Of(const std::string& id, const std::string& parent_id, bool is_node) {
    int d = 0;
    if (!parent_id.empty()) {
      auto it = depth_.find(parent_id);
      d = it == depth_.end() ? 1 : it->second + 1;
    }
    if (is_node) depth_[id] = d;
    return d;
  }

 private:
  std::map<std::string, int> depth_;
};

std::string SeasonalityName(v1::SeasonalitySource source) {
  switch (source) {
    case v1::SEASONALITY_SOURCE_LAST_YEAR: return "last year";
    case v1::SEASONALITY_SOURCE_FORECAST: return "forecast";
    default: return "even";
  }
}

// "blended (equal 20%, historical 40%, forecast 40%)".
std::string MethodText(v1::AllocationMethod method, const v1::CreatePlanRequest& inputs) {
  std::string text = MethodName(method);
  if (method == v1::ALLOCATION_METHOD_BLENDED && inputs.has_blend()) {
    const auto& b = inputs.blend();
    absl::StrAppendFormat(&text, " (equal %g%%, historical %g%%, forecast %g%%)", 100 * b.equal_split(),
                          100 * b.historical_share(), 100 * b.forecast_share());
  }
  return text;
}

// "(full quota 1,200,000; ramp 25/50/75%; attrition 12.0%; 2 planned hires)".
std::string CapacityText(const v1::CapacitySettings& c) {
  std::vector<std::string> parts;
  if (c.has_full_annual_quota()) parts.push_back("full quota " + Money(c.full_annual_quota()));
  if (c.ramp_size() > 0) {
    std::vector<std::string> steps;
    for (double r : c.ramp()) steps.push_back(absl::StrFormat("%g", 100 * r));
    parts.push_back(absl::StrCat("ramp ", absl::StrJoin(steps, "/"), "%"));
  }
  if (c.annual_attrition() != 0) parts.push_back("attrition " + Pct(c.annual_attrition()));
  if (c.planned_hires_size() > 0)
    parts.push_back(absl::StrCat(c.planned_hires_size(), " planned hire", c.planned_hires_size() == 1 ? "" : "s"));
  return parts.empty() ? "" : " (" + absl::StrJoin(parts, "; ") + ")";
}

// "version 3: updated by alice, 2026-05-01 14:03 UTC: "raise EMEA"" (`label` is "version 3").
std::string ChangeText(const std::string& label, const v1::PlanChange& change) {
  std::string text = absl::StrCat(label, ": ", change.action().empty() ? "made" : change.action());
  if (!change.author().empty()) absl::StrAppend(&text, " by ", change.author());
  if (std::string when = FormatTimestamp(change.time()); !when.empty()) absl::StrAppend(&text, ", ", when);
  if (!change.reason().empty()) absl::StrAppend(&text, ": \"", change.reason(), "\"");
  return text;
}

}  // namespace

std::string MethodName(v1::AllocationMethod method) {
  switch (method) {
    case v1::ALLOCATION_METHOD_EQUAL_SPLIT: return "equal";
    case v1::ALLOCATION_METHOD_HISTORICAL_SHARE: return "historical";
    case v1::ALLOCATION_METHOD_FORECAST_SHARE: return "forecast";
    case v1::ALLOCATION_METHOD_BLENDED: return "blended";
    case v1::ALLOCATION_METHOD_CAPACITY: return "capacity";
    default: return "unspecified";
  }
}

std::string StatusName(v1::PlanStatus status) {
  switch (status) {
    case v1::PLAN_STATUS_DRAFT: return "DRAFT";
    case v1::PLAN_STATUS_APPROVED: return "APPROVED";
    case v1::PLAN_STATUS_ARCHIVED: return "ARCHIVED";
    default: return "UNSPECIFIED";
  }
}

std::string FormatTimestamp(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "";
  std::time_t seconds = static_cast<std::time_t>(time.seconds());
  std::tm tm{};
  if (gmtime_r(&seconds, &tm) == nullptr) return "";
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &tm);
  return buffer;
}

Table PlanTable(const v1::Plan& plan) {
  // A full-year plan shows its quarters; a quarter plan the quarter's three months.
  const int quarter = plan.fiscal_quarter();
  std::vector<std::string> headers = {"node / rep", quarter == 0 ? "annual" : absl::StrCat("Q", quarter)};
  std::vector<int> parts;  // indexes into quarterly_quota, or monthly_quota for a quarter plan
  if (quarter == 0) {
    for (int i = 0; i < 4; ++i) {
      headers.push_back(absl::StrCat("Q", i + 1));
      parts.push_back(i);
    }
  } else {
    for (int m = 3 * quarter - 3; m < 3 * quarter; ++m) {
      headers.push_back(absl::StrFormat("M%02d", m + 1));
      parts.push_back(m);
    }
  }
  headers.push_back("share");
  Table table(headers);

  std::set<std::string> overridden;
  for (const v1::QuotaOverride& o : plan.inputs().overrides()) overridden.insert(o.id());
  Depths depths;
  int reps = 0;
  int64_t rep_total = 0;
  std::vector<int64_t> rep_parts(parts.size(), 0);
  for (const v1::Allocation& a : plan.allocations()) {
    const bool is_rep = a.kind() == v1::ALLOCATION_KIND_REP;
    int d = depths.Of(a.id(), a.parent_id(), !is_rep);
    std::string label = std::string(2 * d, ' ') + (a.name().empty() ? a.id() : a.name());
    if (is_rep && !a.name().empty()) label += " (" + a.id() + ")";
    if (overridden.count(a.id())) label += " *";
    std::vector<std::string> row = {label, Money(a.annual_quota())};
    const auto& split = quarter == 0 ? a.quarterly_quota() : a.monthly_quota();
    for (size_t k = 0; k < parts.size(); ++k) {
      bool known = parts[k] >= 0 && parts[k] < split.size();
      row.push_back(known ? Money(split[parts[k]]) : "");
      if (is_rep && known) rep_parts[k] += split[parts[k]].minor_units();
    }
    row.push_back(Pct(a.share_of_parent()));
    table.AddRow(std::move(row));
    if (is_rep) {
      ++reps;
      rep_total += a.annual_quota().minor_units();
    }
  }
  if (reps > 0) {
    const int digits = CurrencyMinorDigits(plan.target().currency_code());
    std::vector<std::string> row = {absl::StrCat("total of ", reps, " rep", reps == 1 ? "" : "s"),
                                    FormatMoneyShort(rep_total, digits)};
    for (int64_t v : rep_parts) row.push_back(FormatMoneyShort(v, digits));
    const int64_t target = plan.target().minor_units();
    row.push_back(target > 0 ? Pct(static_cast<double>(rep_total) / static_cast<double>(target)) : "");
    table.AddRow(std::move(row));
  }
  return table;
}

std::string PlanText(const v1::Plan& plan) {
  const v1::CreatePlanRequest& inputs = plan.inputs();
  std::string out = absl::StrCat("plan ", plan.plan_id(), " \"", plan.name(), "\" version ", plan.version(),
                                 ", ", StatusName(plan.status()), "\n");

  absl::StrAppend(&out, "FY", plan.fiscal_year(),
                  plan.fiscal_quarter() == 0 ? " (full year)" : absl::StrCat(" Q", plan.fiscal_quarter(), " only"),
                  "; method ", MethodText(plan.method(), inputs), "; seasonality ",
                  SeasonalityName(inputs.seasonality()));
  if (inputs.rounding_unit() > 1) {
    const int digits = CurrencyMinorDigits(plan.target().currency_code());
    int64_t scale = 1;
    for (int i = 0; i < digits; ++i) scale *= 10;
    const int64_t unit = inputs.rounding_unit();
    absl::StrAppend(&out, "; rounded to ", unit % scale == 0 ? FormatMoneyShort(unit, digits) : FormatAmount(unit, digits));
  }
  absl::StrAppend(&out, "; amounts in ", plan.target().currency_code(), "\n");

  int64_t rep_total = plan.rep_quota_total().minor_units();
  if (!plan.has_rep_quota_total()) {
    for (const v1::Allocation& a : plan.allocations())
      if (a.kind() == v1::ALLOCATION_KIND_REP) rep_total += a.annual_quota().minor_units();
  }
  const int64_t target = plan.target().minor_units();
  absl::StrAppend(&out, "target ", Money(plan.target()), "; rep quotas ",
                  FormatMoneyShort(rep_total, CurrencyMinorDigits(plan.target().currency_code())));
  if (target > 0) absl::StrAppend(&out, ", ", Pct(static_cast<double>(rep_total) / static_cast<double>(target)), " of target");
  absl::StrAppend(&out, inputs.over_assignment() > 0 ? absl::StrCat(" (over-assignment ", Pct(inputs.over_assignment()), ")")
                                                      : " (no over-assignment)", "\n");

  if (plan.has_capacity_total()) {
    absl::StrAppend(&out, "capacity ", Money(plan.capacity_total()), ", ", Pct(plan.capacity_coverage()),
                    " of target", CapacityText(inputs.capacity()));
    if (plan.capacity_coverage() < 1) absl::StrAppend(&out, "; short: the target needs more people than the plan has");
    out += "\n";
  }

  v1::PlanChange change = plan.change();
  if (change.author().empty()) change.set_author(plan.created_by());
  if (!change.has_time()) *change.mutable_time() = plan.created_at();
  absl::StrAppend(&out, ChangeText(absl::StrCat("version ", plan.version()), change), "\n\n");

  out += PlanTable(plan).ToText();
  if (inputs.overrides_size() > 0)
    absl::StrAppend(&out, "\n* manual override (", inputs.overrides_size(),
                    "), locked: rebalancing never changes it\n");
  return out;
}

Table PlanListTable(const v1::ListPlansResponse& plans) {
  Table table({"plan_id", "version", "status", "name", "fiscal year", "target", "method", "created by"},
              {0, 2, 3, 6, 7});
  for (const auto& p : plans.plans()) {
    table.AddRow({p.plan_id(), absl::StrCat(p.version()), StatusName(p.status()), p.name(),
                  absl::StrCat("FY", p.fiscal_year()), Money(p.target()), MethodName(p.method()), p.created_by()});
  }
  return table;
}

Table PlanVersionsTable(const v1::ListPlanVersionsResponse& versions) {
  Table table({"version", "status", "action", "author", "time", "target", "method", "reason"}, {0, 1, 2, 3, 4, 6, 7});
  for (const v1::PlanVersionSummary& v : versions.versions()) {
    table.AddRow({absl::StrCat(v.version()), StatusName(v.status()), v.change().action(), v.change().author(),
                  FormatTimestamp(v.change().time()), Money(v.target()), MethodName(v.method()),
                  v.change().reason()});
  }
  return table;
}

std::string StalePlanText(const std::string& plan_id, int read_version,
                          const v1::ListPlanVersionsResponse& versions) {
  std::string out = absl::StrCat("plan ", plan_id, " was changed by someone else since you read version ",
                                 read_version, ":\n");
  int newer = 0;
  for (const v1::PlanVersionSummary& v : versions.versions()) {
    if (v.version() <= read_version) continue;
    ++newer;
    std::string label = absl::StrCat("version ", v.version(), " (", StatusName(v.status()), ")");
    absl::StrAppend(&out, "  ", ChangeText(label, v.change()), "\n");
  }
  if (newer == 0) absl::StrAppend(&out, "  (the newer versions could not be listed)\n");
  out += "Nothing was written. Run the command again to apply your change to the latest version.\n";
  return out;
}

Table PlanDiffTable(const v1::ComparePlansResponse& diff) {
  Table table({"id", "name", "base", "other", "change", "change %"}, {0, 1});
  Depths depths;
  for (const v1::QuotaComparison& r : diff.rows()) {
    int d = depths.Of(r.id(), r.parent_id(), r.kind() != v1::ALLOCATION_KIND_REP);
    std::string ratio;
    if (!r.in_base()) ratio = "new";
    else if (!r.in_other()) ratio = "removed";
    else if (r.base_quota().minor_units() == 0) ratio = "-";
    else if (r.change().minor_units() == 0) ratio = "0.0%";
    else ratio = absl::StrFormat("%+.1f%%", 100 * r.change_ratio());
    table.AddRow({r.id(), std::string(2 * d, ' ') + r.name(), r.in_base() ? Money(r.base_quota()) : "-",
                  r.in_other() ? Money(r.other_quota()) : "-", SignedMoney(r.change()), ratio});
  }
  return table;
}

std::string PlanDiffText(const v1::ComparePlansResponse& diff) {
  std::string out;
  if (diff.base().plan_id() == diff.other().plan_id()) {
    out = absl::StrCat("plan ", diff.base().plan_id(), ": version ", diff.base().version(), " (base) -> version ",
                       diff.other().version());
  } else {
    out = absl::StrCat("plan ", diff.base().plan_id(), " version ", diff.base().version(), " (base) -> plan ",
                       diff.other().plan_id(), " version ", diff.other().version());
  }
  if (diff.rows_size() > 0) {
    const auto& r = diff.rows(0);
    absl::StrAppend(&out, "; amounts in ", r.in_base() ? r.base_quota().currency_code() : r.other_quota().currency_code());
  }
  out += "\n\n" + PlanDiffTable(diff).ToText() + "\n";
  if (diff.input_changes_size() == 0) return out + "inputs: no change\n";
  out += "inputs changed:\n";
  for (const std::string& line : diff.input_changes()) absl::StrAppend(&out, "  ", line, "\n");
  return out;
}

Table SimulationTable(const v1::SimulatePlanResponse& simulation) {
  Table table({"rep", "name", "territory", "quota", "P50 bookings", "P(quota)", "median attain"}, {0, 1, 2});
  std::vector<int> order(simulation.reps_size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return simulation.reps(a).probability_of_quota() < simulation.reps(b).probability_of_quota();
  });
  for (int i : order) {
    const v1::RepOutlook& r = simulation.reps(i);
    table.AddRow({r.rep_id(), r.name(), r.territory_id(), Money(r.quota()), Money(r.expected_bookings()),
                  Pct(r.probability_of_quota()), r.quota().minor_units() == 0 ? "-" : Pct(r.median_attainment())});
  }
  return table;
}

std::string SimulationText(const v1::SimulatePlanResponse& s) {
  std::string out = absl::StrCat("simulation of plan ", s.plan().plan_id(), " version ", s.plan().version(), ": ",
                                 FormatMoneyShort(s.paths(), 0), " paths; amounts in ",
                                 s.company_p50().currency_code(), "\n");
  absl::StrAppend(&out, "probability the company reaches its target: ", Pct(s.probability_target_reached()), "\n");
  absl::StrAppend(&out, "company bookings: P10 ", Money(s.company_p10()), ", P50 ", Money(s.company_p50()), ", P90 ",
                  Money(s.company_p90()), "\n");
  const double share = s.expected_share_of_reps_at_quota();
  const double shown = std::round(1000 * share) / 10;  // the percentage as printed
  std::string verdict = shown < 60   ? "below the 60-65% sales leaders aim for: quotas may be too high"
                        : shown > 65 ? "above the 60-65% sales leaders aim for: quotas may be too low"
                                     : "within the 60-65% sales leaders aim for";
  absl::StrAppend(&out, "expected share of reps at or above quota: ", Pct(share), " (P10 ",
                  Pct(s.share_of_reps_at_quota_p10()), ", P90 ", Pct(s.share_of_reps_at_quota_p90()), "), ",
                  verdict, "\n");
  absl::StrAppend(&out, absl::StrFormat("rep variability: %.2f (log scale), ", s.rep_variability()),
                  s.rep_years_observed() > 0 ? absl::StrCat("learned from ", s.rep_years_observed(), " rep-years")
                                             : std::string("a default (too little history to learn from)"),
                  "\n\nreps, least likely to make quota first:\n");
  out += SimulationTable(s).ToText();
  return out;
}

}  // namespace salesops::salesctl
