// Checks the landing forecast against history: at dates inside past fiscal quarters, forecast where
// the quarter would land from what the CRM showed then (and the snapshots before), and compare with
// what it actually booked. A calibrated forecast has about 80% of outcomes inside its P10..P90.
#ifndef SALESOPS_TOOLS_SALESCTL_LANDING_BACKTEST_H_
#define SALESOPS_TOOLS_SALESCTL_LANDING_BACKTEST_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "salesops/v1/forecasting.pb.h"
#include "tools/salesctl/demo_data.h"
#include "tools/salesctl/landing_history.h"

namespace salesops::salesctl {

// ForecastService.ForecastLanding, over gRPC or in-process.
using LandingFn = std::function<absl::StatusOr<v1::ForecastLandingResponse>(
    const v1::ForecastLandingRequest& request)>;

struct LandingBacktestOptions {
  // The last `quarters` fiscal quarters that ended before the company's as-of date.
  int quarters = 6;
  // Observation dates inside each quarter: its first day, then every `step_days`, while at least
  // `min_days_left` days of the quarter remain.
  int step_days = 14;
  int min_days_left = 7;
  // Territory nodes forecast at each date ("" = the company).
  std::vector<std::string> node_ids = {""};
  // History depth and Monte Carlo settings of each request.
  LandingRequestOptions request;
};

struct LandingBacktestOutcome {
  Date observed_on;
  std::string node_id;
  double p10 = 0, p50 = 0, p90 = 0;
  double actual = 0;  // booked in the quarter (minor units)
};

struct LandingBacktestResult {
  std::vector<LandingBacktestOutcome> outcomes;
  // Share of outcomes with P10 <= actual <= P90, below P10, above P90.
  double inside = 0, below = 0, above = 0;
  // Mean |P50 - actual| / actual, in percent.
  double p50_error_pct = 0;
};

// `company` must carry its generated history (GenerateDemoCompany). Errors: FailedPrecondition
// when the history is too short for the quarters asked.
absl::StatusOr<LandingBacktestResult> BacktestLanding(const DemoCompany& company,
                                                      const LandingBacktestOptions& options,
                                                      const LandingFn& landing);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_LANDING_BACKTEST_H_
