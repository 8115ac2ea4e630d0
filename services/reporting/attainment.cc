#include "services/reporting/attainment.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/proto_convert.h"

namespace salesops::reporting {
namespace {

// One report row: a node (with its subtree) or a rep.
struct Row {
  bool is_rep = false;
  int index = -1;  // Hierarchy node or rep index
  int depth = 0;
  std::string parent_id;
  int64_t quota = 0;
  int64_t closed_won = 0;
  int64_t open_pipeline = 0;
  double weighted_pipeline = 0;
  std::vector<double> history;  // monthly closed-won, minor units
};

int64_t PeriodQuota(const v1::Allocation& a, const FiscalPeriod& period) {
  switch (period.kind) {
    case PeriodKind::kMonth:
      return period.index <= a.monthly_quota_size() ? a.monthly_quota(period.index - 1).minor_units() : 0;
    case PeriodKind::kQuarter:
      return period.index <= a.quarterly_quota_size() ? a.quarterly_quota(period.index - 1).minor_units() : 0;
    case PeriodKind::kYear: return a.annual_quota().minor_units();
  }
  return 0;
}

int64_t Round(double v) { return static_cast<int64_t>(std::llround(v)); }

}  // namespace

absl::StatusOr<v1::AttainmentReportResponse> BuildAttainmentReport(const Snapshot& snapshot,
                                                                   const v1::Plan& plan,
                                                                   const FiscalPeriod& period,
                                                                   const std::string& node_id,
                                                                   const ForecastFn& forecast) {
  const Hierarchy& h = snapshot.hierarchy;
  const std::string& currency = snapshot.header.currency_code();
  const int start_month = snapshot.header.calendar().start_month();
  int top = node_id.empty() ? h.root() : h.FindNode(node_id);
  if (top < 0)
    return absl::NotFoundError(absl::StrCat("node_id: no node \"", node_id, "\" in the snapshot"));
  if (plan.fiscal_year() != period.fiscal_year)
    return absl::FailedPreconditionError(absl::StrCat("period: plan ", plan.plan_id(), " covers FY",
                                                      plan.fiscal_year(), ", the period is in FY",
                                                      period.fiscal_year));
  if (plan.target().currency_code() != currency)
    return absl::FailedPreconditionError(absl::StrCat("plan_id: the plan is in ",
                                                      plan.target().currency_code(),
                                                      ", the snapshot in ", currency));
  if (NormalizeStartMonth(plan.calendar().start_month()) != NormalizeStartMonth(start_month))
    return absl::FailedPreconditionError(
        "plan_id: the plan's fiscal calendar differs from the snapshot's");

  const DateRange range = RangeOf(period, start_month);
  const int first_day = DayNumber(range.first), last_day = DayNumber(range.last);
  const int as_of = snapshot.as_of_day;
  const int won_until = std::min(as_of, last_day);

  absl::flat_hash_map<std::string, const v1::Allocation*> allocations;
  for (const v1::Allocation& a : plan.allocations()) allocations[a.id()] = &a;
  auto quota_of = [&](const std::string& id) -> int64_t {
    auto it = allocations.find(id);
    return it == allocations.end() ? 0 : PeriodQuota(*it->second, period);
  };

  // Rows in report order: each node, its reps, then its child nodes' rows.
  std::vector<Row> rows;
  std::vector<int> node_row(h.node_count(), -1), rep_row(h.rep_count(), -1);
  std::vector<int> stack = {top};
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    Row row;
    row.index = v;
    row.depth = h.depth(v) - h.depth(top);
    row.parent_id = v == top ? "" : h.node(v).parent_id();
    row.quota = quota_of(h.node(v).id());
    node_row[v] = static_cast<int>(rows.size());
    rows.push_back(std::move(row));
    for (int r : h.reps_of(v)) {
      Row rep;
      rep.is_rep = true;
      rep.index = r;
      rep.depth = h.depth(v) - h.depth(top) + 1;
      rep.parent_id = h.node(v).id();
      rep.quota = quota_of(h.rep(r).id());
      rep_row[r] = static_cast<int>(rows.size());
      rows.push_back(std::move(rep));
    }
    const auto& children = h.child_nodes(v);
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
  }

  // History months for the landing forecast: from the first won deal to the last complete month.
  const int as_of_month = MonthNumber(FromDayNumber(as_of));
  int history_first = as_of_month;
  for (const Deal& d : snapshot.deals) {
    if (d.won && d.close_day <= as_of)
      history_first = std::min(history_first, MonthNumber(FromDayNumber(d.close_day)));
  }
  const int history_months = as_of_month - history_first;  // excludes the current month
  for (Row& row : rows) row.history.assign(history_months, 0.0);

  // One pass over the deals, adding each to its rep's row and to every node row above it.
  auto add = [&](int row_index, const Deal& d, bool won_in_period, bool open_in_period, int month) {
    Row& row = rows[row_index];
    if (won_in_period) row.closed_won += d.amount;
    if (open_in_period) {
      row.open_pipeline += d.amount;
      row.weighted_pipeline += d.amount * d.probability;
    }
    if (month >= 0) row.history[month] += static_cast<double>(d.amount);
  };
  for (const Deal& d : snapshot.deals) {
    bool won_in_period = d.won && d.close_day >= first_day && d.close_day <= won_until;
    bool open_in_period = !d.closed && d.category != v1::FORECAST_CATEGORY_OMITTED &&
                          d.close_day >= first_day && d.close_day <= last_day;
    int month = -1;
    if (d.won && d.close_day <= as_of) {
      int m = MonthNumber(FromDayNumber(d.close_day)) - history_first;
      if (m >= 0 && m < history_months) month = m;
    }
    if (!won_in_period && !open_in_period && month < 0) continue;
    if (rep_row[d.rep] >= 0) add(rep_row[d.rep], d, won_in_period, open_in_period, month);
    for (int v = d.node; v >= 0; v = h.parent(v)) {
      if (node_row[v] >= 0) add(node_row[v], d, won_in_period, open_in_period, month);
      if (v == top) break;
    }
  }

  // The months of the period still to come, with the share of each still ahead.
  struct Step {
    int step;       // forecast step, 0-based from the current month
    double weight;  // share of the month still ahead
  };
  std::vector<Step> steps;
  const int period_first_month = MonthNumber(range.first), period_last_month = MonthNumber(range.last);
  for (int m = std::max(as_of_month, period_first_month); m <= period_last_month; ++m) {
    double weight = 1.0;
    if (m == as_of_month) {
      Date as_of_date = FromDayNumber(as_of);
      int days = DaysInMonth(as_of_date);
      weight = static_cast<double>(days - static_cast<int>(static_cast<unsigned>(as_of_date.day()))) / days;
    }
    steps.push_back({m - as_of_month, weight});
  }

  std::vector<v1::SeriesForecast> forecasts(rows.size());
  if (!steps.empty() && history_months > 0) {
    v1::ForecastRequest request;
    request.set_horizon(steps.back().step + 1);
    request.add_levels(kLandingLevel);
    request.set_model(v1::MODEL_TYPE_AUTO);
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& row = rows[i];
      // Leading months without bookings (before a rep was hired) are not history.
      size_t lead = 0;
      while (lead + 1 < row.history.size() && row.history[lead] == 0) ++lead;
      v1::TimeSeries* s = request.add_series();
      s->set_id(absl::StrCat(row.is_rep ? "rep:" : "node:",
                             row.is_rep ? h.rep(row.index).id() : h.node(row.index).id()));
      *s->mutable_start() = ToProto(FirstDayOfMonthNumber(history_first + static_cast<int>(lead)));
      s->set_granularity(v1::GRANULARITY_MONTH);
      s->mutable_values()->Assign(row.history.begin() + lead, row.history.end());
    }
    auto response = forecast(request);
    if (!response.ok()) return response.status();
    if (response->forecasts_size() != static_cast<int>(rows.size()))
      return absl::InternalError("forecast service returned the wrong number of forecasts");
    for (size_t i = 0; i < rows.size(); ++i) forecasts[i] = response->forecasts(static_cast<int>(i));
  }

  v1::AttainmentReportResponse report;
  report.set_snapshot_id(snapshot.id);
  report.set_plan_id(plan.plan_id());
  report.set_plan_version(plan.version());
  report.set_engine_version(SALESOPS_ENGINE_VERSION);
  *report.mutable_period() = ToProto(period);
  *report.mutable_period_start() = ToProto(range.first);
  *report.mutable_period_end() = ToProto(range.last);
  *report.mutable_as_of() = snapshot.header.as_of();
  report.set_currency_code(currency);
  double elapsed = static_cast<double>(std::clamp(as_of - first_day + 1, 0, range.Days())) / range.Days();
  report.set_elapsed_fraction(elapsed);

  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    v1::AttainmentRow* out = report.add_rows();
    if (row.is_rep) {
      out->set_id(h.rep(row.index).id());
      out->set_name(h.rep(row.index).name());
      out->set_kind(v1::ROW_KIND_REP);
    } else {
      out->set_id(h.node(row.index).id());
      out->set_name(h.node(row.index).name());
      out->set_kind(v1::ROW_KIND_NODE);
    }
    out->set_parent_id(row.parent_id);
    out->set_depth(row.depth);
    *out->mutable_quota() = MakeMoney(currency, row.quota);
    *out->mutable_closed_won() = MakeMoney(currency, row.closed_won);
    out->set_attainment_pct(row.quota > 0 ? 100.0 * row.closed_won / row.quota : 0.0);
    int64_t gap = std::max<int64_t>(0, row.quota - row.closed_won);
    *out->mutable_gap() = MakeMoney(currency, gap);
    *out->mutable_open_pipeline() = MakeMoney(currency, row.open_pipeline);
    *out->mutable_weighted_pipeline() = MakeMoney(currency, Round(row.weighted_pipeline));
    out->set_coverage(gap > 0 ? static_cast<double>(row.open_pipeline) / gap : 0.0);

    double expected = static_cast<double>(row.closed_won), lower = expected, upper = expected;
    std::string model = "ACTUAL";
    const v1::SeriesForecast& f = forecasts[i];
    if (!steps.empty()) {
      model = f.model().empty() ? "NONE" : f.model();
      for (const Step& s : steps) {
        if (s.step >= f.mean_size() || f.intervals_size() == 0) continue;
        expected += s.weight * std::max(0.0, f.mean(s.step));
        lower += s.weight * std::max(0.0, f.intervals(0).lower(s.step));
        upper += s.weight * std::max(0.0, f.intervals(0).upper(s.step));
      }
    }
    v1::LandingForecast* landing = out->mutable_landing();
    *landing->mutable_expected() = MakeMoney(currency, Round(expected));
    *landing->mutable_lower() = MakeMoney(currency, Round(std::min(lower, expected)));
    *landing->mutable_upper() = MakeMoney(currency, Round(std::max(upper, expected)));
    landing->set_level(kLandingLevel);
    landing->set_model(model);
    landing->set_expected_attainment_pct(row.quota > 0 ? 100.0 * expected / row.quota : 0.0);
  }
  return report;
}

}  // namespace salesops::reporting
