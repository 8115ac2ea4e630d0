// BacktestRequest <-> the engine's rolling-origin evaluation.
#ifndef SALESOPS_SERVICES_FORECASTING_BACKTEST_REQUEST_H_
#define SALESOPS_SERVICES_FORECASTING_BACKTEST_REQUEST_H_

#include "absl/status/statusor.h"
#include "common/thread_pool.h"
#include "salesops/v1/forecasting.pb.h"
#include "services/forecasting/forecast_request.h"

namespace salesops::forecast {

// OK, or InvalidArgument naming the field (series too short for the windows asked included).
absl::Status ValidateBacktestRequest(const v1::BacktestRequest& request, const ForecastLimits& limits);

// Runs every (series, model) pair on `pool`.
absl::StatusOr<v1::BacktestResponse> ComputeBacktest(const v1::BacktestRequest& request, ThreadPool& pool);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_BACKTEST_REQUEST_H_
