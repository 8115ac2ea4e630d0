#include "services/reporting/attainment.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_convert.h"
#include "services/reporting/report_common.h"

namespace salesops::reporting {
namespace {

// The figures of one report row (ReportRows says which node or rep).
struct Row {
  int64_t quota = 0;
  int64_t closed_won = 0;
  int64_t open_pipeline = 0;
  double weighted_pipeline = 0;
  std::vector<double> history;  // monthly closed-won, minor units
};

}  // namespace

absl::StatusOr<v1::AttainmentReportResponse> BuildAttainmentReport(const Snapshot& snapshot,
                                                                   const v1::Plan& plan,
                                                                   const FiscalPeriod& period,
                                                                   const std::string& node_id,
                                                                   const ForecastFn& forecast) {
  const std::string& currency = snapshot.header.currency_code();
  const int start_month = snapshot.header.calendar().start_month();
  auto layout = ReportRows::Build(snapshot.hierarchy, node_id);
  if (!layout.ok()) return layout.status();
  if (auto s = CheckPlanFits(plan, period, snapshot); !s.ok()) return s;

  const DateRange range = RangeOf(period, start_month);
  const PeriodDays days(range, snapshot.as_of_day);
  const int first_day = days.first;
  const int as_of = snapshot.as_of_day;

  // Rows in report order (see ReportRows).
  std::vector<Row> rows(layout->size());
  const std::vector<int64_t> quotas = RowQuotas(plan, period, *layout);
  for (size_t i = 0; i < rows.size(); ++i) rows[i].quota = quotas[i];

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
    bool won_in_period = days.WonIn(d);
    bool open_in_period = days.OpenIn(d);
    int month = -1;
    if (d.won && d.close_day <= as_of) {
      int m = MonthNumber(FromDayNumber(d.close_day)) - history_first;
      if (m >= 0 && m < history_months) month = m;
    }
    if (!won_in_period && !open_in_period && month < 0) continue;
    layout->ForEachRowOf(d, [&](int row) { add(row, d, won_in_period, open_in_period, month); });
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
      const RowRef& ref = layout->row(static_cast<int>(i));
      // Leading months without bookings (before a rep was hired) are not history.
      size_t lead = 0;
      while (lead + 1 < row.history.size() && row.history[lead] == 0) ++lead;
      v1::TimeSeries* s = request.add_series();
      s->set_id(absl::StrCat(ref.is_rep ? "rep:" : "node:", layout->id(static_cast<int>(i))));
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
  const std::vector<double> due =
      RowQuotasDueBy(plan, period, *layout, as_of, snapshot.header.calendar().start_month());
  // Attainment buckets of the reps with quota, in percent: [0, 50), [50, 75), ... [125, inf).
  const double kBucketEdges[] = {0, 50, 75, 100, 125};
  std::vector<int> bucket_reps(std::size(kBucketEdges), 0);
  int reps_with_quota = 0, reps_at_quota = 0;

  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    v1::AttainmentRow* out = report.add_rows();
    layout->Describe(static_cast<int>(i), out);
    *out->mutable_quota() = MakeMoney(currency, row.quota);
    *out->mutable_closed_won() = MakeMoney(currency, row.closed_won);
    out->set_attainment_pct(row.quota > 0 ? 100.0 * row.closed_won / row.quota : 0.0);
    int64_t gap = std::max<int64_t>(0, row.quota - row.closed_won);
    *out->mutable_gap() = MakeMoney(currency, gap);
    *out->mutable_open_pipeline() = MakeMoney(currency, row.open_pipeline);
    *out->mutable_weighted_pipeline() = MakeMoney(currency, RoundMinor(row.weighted_pipeline));
    out->set_coverage(gap > 0 ? static_cast<double>(row.open_pipeline) / gap : 0.0);
    const double attained = row.quota > 0 ? static_cast<double>(row.closed_won) / row.quota : 0.0;
    out->set_pacing_elapsed(elapsed > 0 ? attained / elapsed : 0.0);
    out->set_seasonal_expected_pct(row.quota > 0 ? 100.0 * due[i] / row.quota : 0.0);
    out->set_pacing_seasonal(due[i] > 0 ? static_cast<double>(row.closed_won) / due[i] : 0.0);
    if (out->kind() == v1::ROW_KIND_REP && row.quota > 0) {
      ++reps_with_quota;
      reps_at_quota += row.closed_won >= row.quota;
      int b = static_cast<int>(std::size(kBucketEdges)) - 1;
      while (b > 0 && 100 * attained < kBucketEdges[b]) --b;
      ++bucket_reps[b];
    }

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
    *landing->mutable_expected() = MakeMoney(currency, RoundMinor(expected));
    *landing->mutable_lower() = MakeMoney(currency, RoundMinor(std::min(lower, expected)));
    *landing->mutable_upper() = MakeMoney(currency, RoundMinor(std::max(upper, expected)));
    landing->set_level(kLandingLevel);
    landing->set_model(model);
    landing->set_expected_attainment_pct(row.quota > 0 ? 100.0 * expected / row.quota : 0.0);
  }
  report.set_reps_with_quota(reps_with_quota);
  report.set_reps_at_quota(reps_at_quota);
  report.set_share_of_reps_at_quota(reps_with_quota ? static_cast<double>(reps_at_quota) / reps_with_quota : 0.0);
  for (size_t b = 0; b < std::size(kBucketEdges); ++b) {
    v1::AttainmentBucket* bucket = report.add_distribution();
    bucket->set_from_pct(kBucketEdges[b]);
    bucket->set_to_pct(b + 1 < std::size(kBucketEdges) ? kBucketEdges[b + 1] : 0.0);
    bucket->set_reps(bucket_reps[b]);
  }
  return report;
}

}  // namespace salesops::reporting
