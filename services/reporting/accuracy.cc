#include "services/reporting/accuracy.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_convert.h"
#include "services/reporting/landing_rows.h"
#include "services/reporting/report_common.h"

namespace salesops::reporting {
namespace {

constexpr int kDefaultPeriods = 4;
constexpr int kMaxPeriods = 12;

// The methods, in the order every response lists them.
constexpr std::array<v1::AccuracyMethod, 4> kMethods = {
    v1::ACCURACY_METHOD_LANDING_P50, v1::ACCURACY_METHOD_COMMIT, v1::ACCURACY_METHOD_BEST_CASE,
    v1::ACCURACY_METHOD_WEIGHTED_PIPELINE};

// Sums of the errors of one method's scored forecasts.
struct ErrorSums {
  int count = 0;
  double absolute = 0;
  double signed_ = 0;

  void Add(double error_pct) {
    ++count;
    absolute += std::abs(error_pct);
    signed_ += error_pct;
  }
};
using MethodSums = std::array<ErrorSums, kMethods.size()>;

void FillMethods(const MethodSums& sums, google::protobuf::RepeatedPtrField<v1::MethodAccuracy>* out) {
  for (size_t m = 0; m < kMethods.size(); ++m) {
    v1::MethodAccuracy* a = out->Add();
    a->set_method(kMethods[m]);
    a->set_forecasts(sums[m].count);
    if (sums[m].count > 0) {
      a->set_mean_absolute_error_pct(sums[m].absolute / sums[m].count);
      a->set_bias_pct(sums[m].signed_ / sums[m].count);
    }
  }
}

double ErrorPct(int64_t forecast, int64_t actual) {
  if (actual == 0) return 0;
  return static_cast<double>(forecast - actual) / static_cast<double>(actual) * 100.0;
}

// The open pipeline of the period in the report's top row, weighted by the CRM's probabilities
// (as the attainment and pipeline reports weigh it), minor units before rounding.
double TopRowWeightedOpen(const Snapshot& snapshot, const ReportRows& rows, const PeriodDays& days) {
  double weighted = 0;
  for (const Deal& d : snapshot.deals) {
    if (!days.OpenIn(d)) continue;
    rows.ForEachRowOf(d, [&](int i) {
      if (i == 0) weighted += d.amount * d.probability;
    });
  }
  return weighted;
}

}  // namespace

absl::StatusOr<v1::ForecastAccuracyResponse> BuildForecastAccuracyReport(
    const Snapshot& latest, std::span<const std::shared_ptr<const Snapshot>> earlier,
    const std::string& node_id, PeriodKind kind, int periods, const LandingBatchFn& landing) {
  if (periods == 0) periods = kDefaultPeriods;
  if (periods < 1 || periods > kMaxPeriods)
    return absl::InvalidArgumentError(absl::StrCat("periods: must be 1..", kMaxPeriods,
                                                   " (0 means ", kDefaultPeriods, "), got ", periods));
  if (kind != PeriodKind::kMonth && kind != PeriodKind::kQuarter)
    return absl::InvalidArgumentError("period_type: must be MONTH or QUARTER");
  auto latest_rows = ReportRows::Build(latest.hierarchy, node_id);
  if (!latest_rows.ok()) return latest_rows.status();

  const std::string& currency = latest.header.currency_code();
  const int start_month = NormalizeStartMonth(latest.header.calendar().start_month());

  // The earlier snapshots that count, oldest first, one per day (the smallest id of a day).
  std::vector<std::shared_ptr<const Snapshot>> past;
  for (const auto& s : earlier) {
    if (s == nullptr || s->as_of_day >= latest.as_of_day) continue;
    if (s->header.currency_code() != currency) continue;
    if (NormalizeStartMonth(s->header.calendar().start_month()) != start_month) continue;
    past.push_back(s);
  }
  std::sort(past.begin(), past.end(), [](const auto& a, const auto& b) {
    return a->as_of_day != b->as_of_day ? a->as_of_day < b->as_of_day : a->id < b->id;
  });
  past.erase(std::unique(past.begin(), past.end(),
                         [](const auto& a, const auto& b) { return a->as_of_day == b->as_of_day; }),
             past.end());

  // The complete periods before the current one, oldest first.
  const FiscalPeriod current = PeriodContaining(FromDayNumber(latest.as_of_day), kind, start_month);
  std::vector<FiscalPeriod> reported;
  for (int back = periods; back >= 1; --back) reported.push_back(ShiftPeriod(current, -back));

  v1::ForecastAccuracyResponse report;
  report.set_snapshot_id(latest.id);
  report.set_node_id(latest_rows->id(0));
  report.set_engine_version(SALESOPS_ENGINE_VERSION);
  report.set_currency_code(currency);
  MethodSums overall{};

  // First every point and its landing request, then all landings at once (they are
  // independent), then the report.
  struct Point {
    size_t period;  // index into `reported`
    const Snapshot* snapshot;
    CategoryTotals categories;
    int64_t weighted;
  };
  std::vector<Point> points;
  std::vector<v1::ForecastLandingRequest> requests;
  for (size_t p = 0; p < reported.size(); ++p) {
    const DateRange range = RangeOf(reported[p], start_month);
    const int first = DayNumber(range.first), last = DayNumber(range.last);
    // `past` is sorted: the snapshots before S are a prefix of it.
    for (size_t k = 0; k < past.size(); ++k) {
      const Snapshot& s = *past[k];
      if (s.as_of_day < first || s.as_of_day > last) continue;
      auto rows = ReportRows::Build(s.hierarchy, node_id);
      if (!rows.ok()) continue;  // the node did not exist yet (or no longer)
      const CategoryTotals categories = RowCategoryTotals(s, *rows, reported[p])[0];
      const PeriodDays days(range, s.as_of_day);
      points.push_back({p, &s, categories,
                        categories.closed + RoundMinor(TopRowWeightedOpen(s, *rows, days))});
      // No look-ahead: only the snapshots taken before S calibrate S's landing.
      const std::span<const std::shared_ptr<const Snapshot>> before(past.data(), k);
      LandingRowsOptions options;
      options.top_row_only = true;
      auto request = BuildRowLandingRequests(s, before, *rows, reported[p],
                                             std::vector<int64_t>(rows->size(), 0), options);
      if (request.empty()) return absl::InternalError("accuracy: no landing request for the top row");
      requests.push_back(std::move(request[0]));
    }
  }
  std::vector<v1::ForecastLandingResponse> landings;
  if (!requests.empty()) {
    auto answered = landing(requests);
    if (!answered.ok()) return answered.status();
    if (answered->size() != requests.size())
      return absl::InternalError("forecast service returned the wrong number of landings");
    landings = std::move(*answered);
  }

  size_t next = 0;  // the next point, in `points` order (by period)
  for (size_t p = 0; p < reported.size(); ++p) {
    const FiscalPeriod& period = reported[p];
    const DateRange range = RangeOf(period, start_month);
    const int last = DayNumber(range.last);
    // The period is complete: closed-won "to date" in the latest snapshot is all of it.
    const int64_t actual = RowCategoryTotals(latest, *latest_rows, period)[0].closed;

    v1::PeriodAccuracy out;
    *out.mutable_period() = ToProto(period);
    *out.mutable_period_start() = ToProto(range.first);
    *out.mutable_period_end() = ToProto(range.last);
    *out.mutable_actual() = MakeMoney(currency, actual);
    MethodSums sums{};
    int hits = 0;

    for (; next < points.size() && points[next].period == p; ++next) {
      const Point& pt = points[next];
      const Snapshot& s = *pt.snapshot;
      const v1::ForecastLandingResponse& landed = landings[next];
      v1::AccuracyPoint* point = out.add_points();
      point->set_snapshot_id(s.id);
      *point->mutable_as_of() = s.header.as_of();
      point->set_days_before_end(last - s.as_of_day);
      *point->mutable_closed_won_to_date() = MakeMoney(currency, pt.categories.closed);
      const std::array<int64_t, kMethods.size()> forecasts = {
          landed.p50().minor_units(), pt.categories.commit, pt.categories.best_case, pt.weighted};
      for (size_t m = 0; m < kMethods.size(); ++m) {
        v1::MethodForecast* f = point->add_forecasts();
        f->set_method(kMethods[m]);
        *f->mutable_forecast() = MakeMoney(currency, forecasts[m]);
        f->set_error_pct(ErrorPct(forecasts[m], actual));
        if (actual != 0) {
          sums[m].Add(f->error_pct());
          overall[m].Add(f->error_pct());
        }
      }
      *point->mutable_landing_p10() = MakeMoney(currency, landed.p10().minor_units());
      *point->mutable_landing_p90() = MakeMoney(currency, landed.p90().minor_units());
      const bool hit = landed.p10().minor_units() <= actual && actual <= landed.p90().minor_units();
      point->set_actual_within_p10_p90(hit);
      if (hit) ++hits;
    }

    if (out.points_size() == 0) continue;
    FillMethods(sums, out.mutable_methods());
    out.set_landing_interval_hit_rate(static_cast<double>(hits) / out.points_size());
    *report.add_periods() = std::move(out);
  }
  FillMethods(overall, report.mutable_overall());
  return report;
}

}  // namespace salesops::reporting
