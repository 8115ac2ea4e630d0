// The attainment report: for one period and one node of the hierarchy, every node and rep below
// it with quota, closed-won, attainment, gap, open and weighted pipeline, coverage, and where the
// period is expected to land.
//
// Attribution: a node counts the opportunities booked to its territory subtree; a rep counts the
// opportunities it owns. Closed-won counts deals won with a close date in the period up to the
// as-of date. Open pipeline counts deals not closed and not OMITTED whose close date is in the
// period (including slipped ones dated before the as-of date).
//
// Landing: ForecastService.ForecastLanding for every row (landing_rows.h), calibrated on the
// company's earlier snapshots, next to the row's forecast categories rolled up cumulatively.
#ifndef SALESOPS_SERVICES_REPORTING_ATTAINMENT_H_
#define SALESOPS_SERVICES_REPORTING_ATTAINMENT_H_

#include <memory>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "salesops/v1/quota.pb.h"
#include "salesops/v1/reporting.pb.h"
#include "services/reporting/landing_rows.h"
#include "services/reporting/snapshot.h"

namespace salesops::reporting {

// NotFound for an unknown node; FailedPrecondition when the plan's fiscal year or currency does
// not match. `landing` is called once, with one request per row; `past` are the company's earlier
// snapshots (see BuildRowLandingRequests). When `landing` fails with UNAVAILABLE or
// DEADLINE_EXCEEDED (the forecast service is down or too slow) the report is built without the
// landing, with landing_unavailable saying why; any other failure of `landing` fails the report.
absl::StatusOr<v1::AttainmentReportResponse> BuildAttainmentReport(
    const Snapshot& snapshot, std::span<const std::shared_ptr<const Snapshot>> past,
    const v1::Plan& plan, const FiscalPeriod& period, const std::string& node_id,
    const LandingBatchFn& landing, const LandingRowsOptions& options = {});

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_ATTAINMENT_H_
