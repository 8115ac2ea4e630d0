#include "absl/strings/string_view.h"
#include "services/quota/plan_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/calendar.h"
#include "common/hierarchy.h"
#include "common/proto_convert.h"
#include "services/quota/allocation.h"

namespace salesops::quota {
namespace {

constexpr int64_t kMaxTarget = int64_t{1} << 53;  // far above any company, exact in a double

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// Monthly bookings of every rep on one month axis [first_month, first_month + months).
struct History {
  int first_month = 0;  // MonthNumber
  int months = 0;
  std::vector<std::vector<double>> by_rep;  // indexed like Hierarchy reps; empty: no history

  bool empty() const { return months == 0; }
};

History AlignHistory(const v1::CreatePlanRequest& request, const Hierarchy& h) {
  History out;
  int first = std::numeric_limits<int>::max(), end = std::numeric_limits<int>::min();
  for (const v1::TimeSeries& s : request.history()) {
    if (s.values_size() == 0) continue;
    int start = MonthNumber(*FromProto(s.start()));
    first = std::min(first, start);
    end = std::max(end, start + s.values_size());
  }
  out.by_rep.resize(h.rep_count());
  if (first >= end) return out;
  out.first_month = first;
  out.months = end - first;
  for (const v1::TimeSeries& s : request.history()) {
    int r = h.FindRep(s.id());
    int offset = MonthNumber(*FromProto(s.start())) - first;
    auto& row = out.by_rep[r];
    row.assign(out.months, 0.0);
    for (int i = 0; i < s.values_size(); ++i) row[offset + i] += s.values(i);
  }
  return out;
}

// Sum of the history of every rep below (and at) each node, month by month.
std::vector<std::vector<double>> NodeHistories(const Hierarchy& h, const History& history) {
  std::vector<std::vector<double>> nodes(h.node_count(), std::vector<double>(history.months, 0.0));
  for (int r = 0; r < h.rep_count(); ++r) {
    if (history.by_rep[r].empty()) continue;
    for (int v = h.node_of_rep(r); v >= 0; v = h.parent(v)) {
      for (int m = 0; m < history.months; ++m) nodes[v][m] += history.by_rep[r][m];
    }
  }
  return nodes;
}

double SumLast(const std::vector<double>& values, int window) {
  double total = 0;
  int from = std::max(0, static_cast<int>(values.size()) - window);
  for (int i = from; i < static_cast<int>(values.size()); ++i) total += values[i];
  return std::max(0.0, total);
}

v1::TimeSeries MonthlySeries(std::string id, int first_month, const std::vector<double>& values) {
  v1::TimeSeries s;
  s.set_id(std::move(id));
  *s.mutable_start() = ToProto(FirstDayOfMonthNumber(first_month));
  s.set_granularity(v1::GRANULARITY_MONTH);
  s.mutable_values()->Assign(values.begin(), values.end());
  return s;
}

// Expected bookings of every node and rep over the plan's fiscal year: the months of the year
// already in the history as they were, the rest as forecast.
absl::Status ForecastWeights(const v1::CreatePlanRequest& request, const Hierarchy& h,
                             const History& history, const ForecastFn& forecast,
                             AllocationInput& input) {
  const int fy_first = FirstMonthNumberOfFiscalYear(request.fiscal_year(),
                                                    request.calendar().start_month());
  const int fy_end = fy_first + 12;                                 // first month after the year
  const int history_end = history.first_month + history.months;  // first month after history
  auto actual_in_year = [&](const std::vector<double>& values) {
    double total = 0;
    for (int m = std::max(fy_first, history.first_month); m < std::min(fy_end, history_end); ++m)
      total += values[m - history.first_month];
    return total;
  };
  auto nodes = NodeHistories(h, history);
  input.node_weight.assign(h.node_count(), 0.0);
  input.rep_weight.assign(h.rep_count(), 0.0);
  for (int v = 0; v < h.node_count(); ++v) input.node_weight[v] = actual_in_year(nodes[v]);
  for (int r = 0; r < h.rep_count(); ++r) {
    if (!history.by_rep[r].empty()) input.rep_weight[r] = actual_in_year(history.by_rep[r]);
  }
  const int horizon = fy_end - history_end;
  if (horizon < 1) return absl::OkStatus();  // the year is all history
  if (horizon > 1000) return Invalid("history", "ends more than 1000 months before the plan year");
  const int first_step = std::max(0, fy_first - history_end);  // forecast steps before the year

  v1::ForecastRequest forecast_request;
  forecast_request.set_horizon(horizon);
  forecast_request.set_model(v1::MODEL_TYPE_AUTO);
  for (int v = 0; v < h.node_count(); ++v)
    *forecast_request.add_series() = MonthlySeries("node:" + h.node(v).id(), history.first_month, nodes[v]);
  std::vector<int> reps_asked;
  for (int r = 0; r < h.rep_count(); ++r) {
    if (history.by_rep[r].empty()) continue;
    reps_asked.push_back(r);
    *forecast_request.add_series() =
        MonthlySeries("rep:" + h.rep(r).id(), history.first_month, history.by_rep[r]);
  }
  auto response = forecast(forecast_request);
  if (!response.ok()) return response.status();
  if (response->forecasts_size() != forecast_request.series_size())
    return absl::InternalError("forecast service returned the wrong number of forecasts");

  auto forecast_in_year = [&](const v1::SeriesForecast& f) {
    double total = 0;
    for (int step = first_step; step < f.mean_size(); ++step) total += f.mean(step);
    return total;
  };
  // A negative expectation earns no share.
  for (int v = 0; v < h.node_count(); ++v)
    input.node_weight[v] = std::max(0.0, input.node_weight[v] + forecast_in_year(response->forecasts(v)));
  for (size_t k = 0; k < reps_asked.size(); ++k) {
    double& w = input.rep_weight[reps_asked[k]];
    w = std::max(0.0, w + forecast_in_year(response->forecasts(h.node_count() + static_cast<int>(k))));
  }
  return absl::OkStatus();
}

void FillAllocation(v1::Allocation* out, const std::string& id, const std::string& name,
                    v1::AllocationKind kind, const std::string& parent_id, const Quota& q,
                    const std::string& currency) {
  out->set_id(id);
  out->set_name(name);
  out->set_kind(kind);
  out->set_parent_id(parent_id);
  *out->mutable_annual_quota() = MakeMoney(currency, q.annual);
  for (int quarter = 1; quarter <= 4; ++quarter)
    *out->add_quarterly_quota() = MakeMoney(currency, q.Quarter(quarter));
  for (int m = 0; m < 12; ++m) *out->add_monthly_quota() = MakeMoney(currency, q.monthly[m]);
  out->set_share_of_parent(q.share_of_parent);
}

}  // namespace

absl::Status ValidateCreatePlanRequest(const v1::CreatePlanRequest& request) {
  if (request.name().empty()) return Invalid("name", "required");
  if (request.name().size() > 200) return Invalid("name", "at most 200 characters");
  if (request.fiscal_year() < 1900 || request.fiscal_year() > 2200)
    return Invalid("fiscal_year", absl::StrCat("must be 1900..2200, got ", request.fiscal_year()));
  if (auto s = ValidateCalendar(request.calendar(), "calendar"); !s.ok()) return s;
  if (!request.has_target()) return Invalid("target", "required");
  if (auto s = ValidateCurrencyCode(request.target().currency_code(), "target.currency_code"); !s.ok())
    return s;
  if (request.target().minor_units() <= 0)
    return Invalid("target.minor_units",
                   absl::StrCat("must be positive, got ", request.target().minor_units()));
  if (request.target().minor_units() > kMaxTarget)
    return Invalid("target.minor_units", "too large");
  switch (request.method()) {
    case v1::ALLOCATION_METHOD_EQUAL_SPLIT:
    case v1::ALLOCATION_METHOD_HISTORICAL_SHARE:
    case v1::ALLOCATION_METHOD_FORECAST_SHARE: break;
    default:
      return Invalid("method", absl::StrCat("must be EQUAL_SPLIT, HISTORICAL_SHARE or "
                                            "FORECAST_SHARE, got ", request.method()));
  }
  auto hierarchy = Hierarchy::Build(request.territories(), request.reps());
  if (!hierarchy.ok()) return hierarchy.status();
  for (int i = 0; i < request.reps_size(); ++i) {
    const v1::Rep& rep = request.reps(i);
    if (rep.has_hire_date() && !IsUnset(rep.hire_date())) {
      if (auto s = ValidateDate(rep.hire_date(), absl::StrCat("reps[", i, "].hire_date")); !s.ok())
        return s;
    }
    if (rep.has_end_date() && !IsUnset(rep.end_date())) {
      if (auto s = ValidateDate(rep.end_date(), absl::StrCat("reps[", i, "].end_date")); !s.ok())
        return s;
    }
  }
  if (request.history_window_months() < 0 || request.history_window_months() > 120)
    return Invalid("history_window_months",
                   absl::StrCat("must be 0..120, got ", request.history_window_months()));
  std::vector<bool> seen(hierarchy->rep_count(), false);
  for (int i = 0; i < request.history_size(); ++i) {
    const v1::TimeSeries& s = request.history(i);
    std::string field = absl::StrCat("history[", i, "]");
    int r = hierarchy->FindRep(s.id());
    if (r < 0) return Invalid(field + ".id", absl::StrCat("unknown rep \"", s.id(), "\""));
    if (seen[r]) return Invalid(field + ".id", absl::StrCat("a second series for rep \"", s.id(), "\""));
    seen[r] = true;
    if (s.granularity() != v1::GRANULARITY_MONTH)
      return Invalid(field + ".granularity", "must be MONTH");
    if (!s.has_start()) return Invalid(field + ".start", "required");
    if (auto st = ValidateDate(s.start(), field + ".start"); !st.ok()) return st;
    if (s.start().day() != 1) return Invalid(field + ".start", "must be the first day of a month");
    if (s.values_size() > 1200) return Invalid(field + ".values", "at most 1200 months");
    for (int k = 0; k < s.values_size(); ++k) {
      if (!std::isfinite(s.values(k)))
        return Invalid(absl::StrCat(field, ".values[", k, "]"), "not a finite number");
    }
  }
  if (request.method() != v1::ALLOCATION_METHOD_EQUAL_SPLIT) {
    bool any = false;
    for (const auto& s : request.history()) any = any || s.values_size() > 0;
    if (!any)
      return Invalid("history", absl::StrCat("required for ",
                                             v1::AllocationMethod_Name(request.method())));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Plan> BuildPlan(const v1::CreatePlanRequest& request, const ForecastFn& forecast) {
  if (auto s = ValidateCreatePlanRequest(request); !s.ok()) return s;
  auto built = Hierarchy::Build(request.territories(), request.reps());
  if (!built.ok()) return built.status();
  const Hierarchy& h = *built;
  const int start_month = request.calendar().start_month();
  const Date fy_first_day =
      FirstDayOfMonthNumber(FirstMonthNumberOfFiscalYear(request.fiscal_year(), start_month));

  AllocationInput input;
  input.target = request.target().minor_units();
  input.rep_active.assign(h.rep_count(), true);
  for (int r = 0; r < h.rep_count(); ++r) {
    // A rep who left before the year starts carries no quota.
    const v1::Rep& rep = h.rep(r);
    if (rep.has_end_date() && !IsUnset(rep.end_date()) && *FromProto(rep.end_date()) < fy_first_day)
      input.rep_active[r] = false;
  }
  const History history = AlignHistory(request, h);
  switch (request.method()) {
    case v1::ALLOCATION_METHOD_HISTORICAL_SHARE: {
      input.equal_split = false;
      int window = request.history_window_months() > 0 ? request.history_window_months() : 12;
      auto nodes = NodeHistories(h, history);
      input.node_weight.resize(h.node_count());
      input.rep_weight.assign(h.rep_count(), 0.0);
      for (int v = 0; v < h.node_count(); ++v) input.node_weight[v] = SumLast(nodes[v], window);
      for (int r = 0; r < h.rep_count(); ++r) input.rep_weight[r] = SumLast(history.by_rep[r], window);
      break;
    }
    case v1::ALLOCATION_METHOD_FORECAST_SHARE: {
      input.equal_split = false;
      if (auto s = ForecastWeights(request, h, history, forecast, input); !s.ok()) return s;
      break;
    }
    default: break;
  }
  const AllocationResult result = AllocateTopDown(h, input);

  v1::Plan plan;
  plan.set_name(request.name());
  plan.set_fiscal_year(request.fiscal_year());
  *plan.mutable_calendar() = request.calendar();
  *plan.mutable_target() = request.target();
  plan.set_method(request.method());
  *plan.mutable_territories() = request.territories();
  *plan.mutable_reps() = request.reps();
  plan.set_created_by(request.created_by());
  plan.set_engine_version(SALESOPS_ENGINE_VERSION);
  const std::string& currency = request.target().currency_code();
  for (int v : h.Subtree(h.root())) {
    const v1::TerritoryNode& node = h.node(v);
    FillAllocation(plan.add_allocations(), node.id(), node.name(), v1::ALLOCATION_KIND_NODE,
                   node.parent_id(), result.nodes[v], currency);
    for (int r : h.reps_of(v)) {
      if (!input.rep_active[r]) continue;
      FillAllocation(plan.add_allocations(), h.rep(r).id(), h.rep(r).name(),
                     v1::ALLOCATION_KIND_REP, node.id(), result.reps[r], currency);
    }
  }
  return plan;
}

}  // namespace salesops::quota
