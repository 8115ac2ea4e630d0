// The attainment report: for one period and one node of the hierarchy, every node and rep below
// it with quota, closed-won, attainment, gap, open and weighted pipeline, coverage, and where the
// period is expected to land.
//
// Attribution: a node counts the opportunities booked to its territory subtree; a rep counts the
// opportunities it owns. Closed-won counts deals won with a close date in the period up to the
// as-of date. Open pipeline counts deals not closed and not OMITTED whose close date is in the
// period (including slipped ones dated before the as-of date).
//
// Landing: closed-won to date plus the forecast of the rest of the period. Each row's monthly
// closed-won history (up to the last complete month) is forecast by ForecastService; the months
// left in the period are added, the current month pro rata by the days left. The interval adds the
// monthly 80% bounds, i.e. assumes the months' errors move together, which is the cautious choice.
#ifndef SALESOPS_SERVICES_REPORTING_ATTAINMENT_H_
#define SALESOPS_SERVICES_REPORTING_ATTAINMENT_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "salesops/v1/forecasting.pb.h"
#include "salesops/v1/quota.pb.h"
#include "salesops/v1/reporting.pb.h"
#include "services/reporting/snapshot.h"

namespace salesops::reporting {

using ForecastFn =
    std::function<absl::StatusOr<v1::ForecastResponse>(const v1::ForecastRequest& request)>;

// The level of the landing interval, in percent (P10..P90).
inline constexpr double kLandingLevel = 80.0;

// NotFound for an unknown node; FailedPrecondition when the plan's fiscal year or currency does
// not match. `forecast` is called once, with one series per row.
absl::StatusOr<v1::AttainmentReportResponse> BuildAttainmentReport(const Snapshot& snapshot,
                                                                   const v1::Plan& plan,
                                                                   const FiscalPeriod& period,
                                                                   const std::string& node_id,
                                                                   const ForecastFn& forecast);

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_ATTAINMENT_H_
