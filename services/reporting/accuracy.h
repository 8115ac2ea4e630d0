// The forecast accuracy report: for the complete periods before the latest snapshot's current one,
// what each stored snapshot taken during a period forecast for it, against what closed.
//
// The periods: the `periods` fiscal months or quarters just before the one containing the latest
// snapshot's as-of date (the latest snapshot's fiscal calendar), oldest first.
//
// Actual of a period: closed-won with a close date in it, as the latest snapshot records it,
// counted in the report node's subtree (the latest snapshot's hierarchy; see ReportRows).
//
// Points of a period: each earlier snapshot whose as-of date lies in the period, oldest first, at
// most one per day (of several taken on one day, the smallest id). An earlier snapshot is ignored
// when it is not before the latest's as-of date, or has another currency or fiscal calendar; it
// gives no point when its hierarchy has no such node. What snapshot S forecast, for the report
// node's row as S's hierarchy had it:
//   COMMIT             closed-won to date + open COMMIT         (RowCategoryTotals)
//   BEST_CASE          commit + open BEST_CASE                  (RowCategoryTotals)
//   WEIGHTED_PIPELINE  closed-won to date + sum of amount x CRM probability of the deals open in
//                      the period (PeriodDays::OpenIn, as the attainment and pipeline reports),
//                      rounded once to a minor unit
//   LANDING_P50        ForecastLanding's P50 for the row (BuildRowLandingRequests, no quota), with
//                      only the snapshots taken before S as calibration history: nothing S could
//                      not have known is looked at. Its P10 and P90 are reported with the point.
// error_pct = (forecast - actual) / actual x 100; 0 when the actual is 0.
//
// Accuracy of a method (per period, and overall over every point of every period): the mean
// absolute and the mean signed error (bias) over the forecasts scored. A period whose actual is 0
// has no percentage error to score: its points are listed but not scored (`forecasts` counts the
// scored ones). The landing interval hit rate of a period is the share of its points whose actual
// lies within [P10, P90]. Periods without points are left out.
#ifndef SALESOPS_SERVICES_REPORTING_ACCURACY_H_
#define SALESOPS_SERVICES_REPORTING_ACCURACY_H_

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "salesops/v1/forecasting.pb.h"
#include "salesops/v1/reporting.pb.h"
#include "services/reporting/landing_rows.h"
#include "services/reporting/snapshot.h"

namespace salesops::reporting {

// `latest` supplies the actuals; `earlier`: the company's other stored snapshots (any order; those
// not before latest's as-of date, or in another currency or fiscal calendar, are ignored).
// `periods`: 1..12, 0 means 4 (else InvalidArgument naming "periods"); `kind`: month or quarter
// (else InvalidArgument naming "period_type"). NotFound for a node not in `latest`; an error of
// `landing` (called once, with every point's request) is returned as is.
absl::StatusOr<v1::ForecastAccuracyResponse> BuildForecastAccuracyReport(
    const Snapshot& latest, std::span<const std::shared_ptr<const Snapshot>> earlier,
    const std::string& node_id, PeriodKind kind, int periods, const LandingBatchFn& landing);

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_ACCURACY_H_
