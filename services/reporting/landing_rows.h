// The landing of every row of a report: one ForecastService.ForecastLanding request per row, built
// from the snapshot and the company's earlier snapshots, and the cumulative forecast categories.
//
// A row's request: closed-won in the period up to the as-of date; the open deals in play (not
// closed, not OMITTED) that could close in the period (expected close on or before its end, past-due
// ones included; for a period after the as-of date's, on or after its start); the row's quota.
//
// History (calibration): each past snapshot (taken before the as-of date) is an observation of the
// period of the report's kind containing its as-of date, moved as many periods on as the report's
// period is from the as-of date's (0 for the current period). Only observations whose period ended
// by the as-of date are used, and their outcomes are read from the current snapshot (deals matched
// by OpportunityKey; a deal no longer there counts as lost), so nothing after the as-of date is
// looked at. An example counts in the rows of its owner and territory *as the past snapshot had
// them*, mapped into the current hierarchy by id (a rep or territory gone since counts in no row).
// New business of an observation: won in its period, per the current snapshot, by deals created
// after the observation date, counted in the rows of their current owner and territory.
#ifndef SALESOPS_SERVICES_REPORTING_LANDING_ROWS_H_
#define SALESOPS_SERVICES_REPORTING_LANDING_ROWS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "salesops/v1/forecasting.pb.h"
#include "salesops/v1/reporting.pb.h"
#include "services/reporting/report_common.h"
#include "services/reporting/snapshot.h"

namespace salesops::reporting {

struct LandingRowsOptions {
  // Monte Carlo draws per row (ForecastLanding's bounds: 1,000..1,000,000). 3,000 keeps a
  // 250-row report on a 100k-deal snapshot under a second on two cores; P(quota) is then within
  // about 1 point (one standard error) and the percentiles within about 1% of their position.
  int32_t simulations = 3000;
  // The seed of every row's draws; the same inputs give the same landing.
  uint64_t seed = 1;
  // Only the report's top row (the first request): for reports that need no more.
  bool top_row_only = false;
};

// One request per row of `rows` (same order). `quotas`: each row's quota in the period (0: none).
// `past`: earlier snapshots of the same company (any order; those not before now's as-of date,
// or of another currency, are ignored).
std::vector<v1::ForecastLandingRequest> BuildRowLandingRequests(
    const Snapshot& now, std::span<const std::shared_ptr<const Snapshot>> past,
    const ReportRows& rows, const FiscalPeriod& period, const std::vector<int64_t>& quotas,
    const LandingRowsOptions& options = {});

// The ids of the past snapshots BuildRowLandingRequests uses as observations, oldest first.
std::vector<std::string> ObservationIds(const Snapshot& now,
                                        std::span<const std::shared_ptr<const Snapshot>> past,
                                        const FiscalPeriod& period);

// The cumulative categories of every row (see CategoryRollup in reporting.proto), minor units.
struct CategoryTotals {
  int64_t closed = 0;     // closed-won to date in the period
  int64_t commit = 0;     // closed + open COMMIT
  int64_t best_case = 0;  // commit + open BEST_CASE
  int64_t pipeline = 0;   // best case + open PIPELINE
};
std::vector<CategoryTotals> RowCategoryTotals(const Snapshot& snapshot, const ReportRows& rows,
                                              const FiscalPeriod& period);

// The LandingForecast message of a row from ForecastLanding's answer.
v1::LandingForecast ToLandingForecast(const v1::ForecastLandingResponse& response, int64_t quota,
                                      int history_snapshots);

// Answers landing requests (ForecastService.ForecastLanding): one response per request, in order.
using LandingBatchFn = std::function<absl::StatusOr<std::vector<v1::ForecastLandingResponse>>(
    std::span<const v1::ForecastLandingRequest> requests)>;

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_LANDING_ROWS_H_
