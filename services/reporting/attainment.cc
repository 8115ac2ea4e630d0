#include "services/reporting/attainment.h"

#include <algorithm>
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
};

}  // namespace

absl::StatusOr<v1::AttainmentReportResponse> BuildAttainmentReport(
    const Snapshot& snapshot, std::span<const std::shared_ptr<const Snapshot>> past,
    const v1::Plan& plan, const FiscalPeriod& period, const std::string& node_id,
    const LandingBatchFn& landing, const LandingRowsOptions& options) {
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

  // One pass over the deals, adding each to its rep's row and to every node row above it.
  for (const Deal& d : snapshot.deals) {
    const bool won_in_period = days.WonIn(d);
    const bool open_in_period = days.OpenIn(d);
    if (!won_in_period && !open_in_period) continue;
    layout->ForEachRowOf(d, [&](int i) {
      Row& row = rows[i];
      if (won_in_period) row.closed_won += d.amount;
      if (open_in_period) {
        row.open_pipeline += d.amount;
        row.weighted_pipeline += d.amount * d.probability;
      }
    });
  }
  const std::vector<CategoryTotals> categories = RowCategoryTotals(snapshot, *layout, period);

  // The landing of every row, from ForecastService. A period already over has landed. Without
  // the forecast service (down or too slow) the report still answers, without the landing.
  std::vector<v1::ForecastLandingResponse> landings;
  std::string landing_unavailable;
  const std::vector<std::string> history_ids = ObservationIds(snapshot, past, period);
  const int history = static_cast<int>(history_ids.size());
  if (days.last >= as_of) {
    auto requests = BuildRowLandingRequests(snapshot, past, *layout, period, quotas, options);
    auto answered = landing(requests);
    if (absl::IsUnavailable(answered.status()) || absl::IsDeadlineExceeded(answered.status())) {
      landing_unavailable = absl::StrCat(answered.status().message(), " (",
                                         absl::StatusCodeToString(answered.status().code()), ")");
    } else if (!answered.ok()) {
      return answered.status();
    } else if (answered->size() != requests.size()) {
      return absl::InternalError("forecast service returned the wrong number of landings");
    } else {
      landings = std::move(*answered);
    }
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

    v1::CategoryRollup* rollup = out->mutable_categories();
    *rollup->mutable_closed() = MakeMoney(currency, categories[i].closed);
    *rollup->mutable_commit() = MakeMoney(currency, categories[i].commit);
    *rollup->mutable_best_case() = MakeMoney(currency, categories[i].best_case);
    *rollup->mutable_pipeline() = MakeMoney(currency, categories[i].pipeline);
    if (i < landings.size()) {
      *out->mutable_landing() = ToLandingForecast(landings[i], row.quota, history);
    } else if (landing_unavailable.empty()) {  // the period is over: it landed where it closed
      v1::ForecastLandingResponse landed;
      for (v1::Money* m : {landed.mutable_expected(), landed.mutable_p10(), landed.mutable_p50(),
                           landed.mutable_p90()})
        *m = MakeMoney(currency, row.closed_won);
      landed.set_probability_of_quota(row.quota > 0 && row.closed_won >= row.quota ? 1.0 : 0.0);
      *out->mutable_landing() = ToLandingForecast(landed, row.quota, 0);
    }
  }
  report.set_landing_unavailable(landing_unavailable);
  if (!landings.empty()) {
    // Newest first, as the proto says.
    for (auto it = history_ids.rbegin(); it != history_ids.rend(); ++it) report.add_history_snapshot_ids(*it);
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
