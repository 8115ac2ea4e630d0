// The benchmark forecasters of R's forecast package: naive (rwf), seasonal naive (snaive) and
// random walk with drift (rwf(drift = TRUE)), with their analytic forecast standard errors.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_BENCHMARK_MODELS_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_BENCHMARK_MODELS_H_

#include <span>
#include <vector>

#include "absl/status/statusor.h"

namespace salesops::forecast {

struct BenchmarkForecast {
  std::vector<double> mean;  // h point forecasts
  std::vector<double> sd;    // h forecast standard errors
  double sigma = 0;          // residual standard deviation, as R computes it
  double drift = 0;          // drift per step (drift model only)
};

// Last value carried forward. sigma^2 = mean of squared first differences; var_h = h sigma^2.
// Needs one observation (sigma is then 0 and the intervals have zero width).
absl::StatusOr<BenchmarkForecast> NaiveForecast(std::span<const double> y, int horizon);

// Value of the same season last year. sigma^2 = mean of squared lag-m differences;
// var_h = (floor((h-1)/m) + 1) sigma^2. Needs more than m observations.
absl::StatusOr<BenchmarkForecast> SeasonalNaiveForecast(std::span<const double> y, int m,
                                                        int horizon);

// Last value plus h times the mean first difference. sigma^2 = variance of the first differences
// (denominator T-2); var_h = sigma^2 h (1 + h/(T-1)), which includes the drift's estimation
// error as in R's rwf. Needs three observations.
absl::StatusOr<BenchmarkForecast> DriftForecast(std::span<const double> y, int horizon);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_BENCHMARK_MODELS_H_
