#include "services/forecasting/engine/benchmark_models.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace salesops::forecast {
namespace {

// sqrt(sum(v_i^2) / denominator) without overflow or underflow for extreme magnitudes.
double RootMeanSquare(std::span<const double> v, double denominator) {
  double scale = 0;
  for (double x : v) scale = std::max(scale, std::fabs(x));
  if (scale == 0 || denominator <= 0) return 0;
  double ss = 0;
  for (double x : v) ss += (x / scale) * (x / scale);
  return scale * std::sqrt(ss / denominator);
}

// Differences y_t - y_{t-lag}.
std::vector<double> LagDifferences(std::span<const double> y, std::size_t lag) {
  std::vector<double> d;
  for (std::size_t t = lag; t < y.size(); ++t) d.push_back(y[t] - y[t - lag]);
  return d;
}

}  // namespace

absl::StatusOr<BenchmarkForecast> NaiveForecast(std::span<const double> y, int horizon) {
  if (y.empty()) return absl::InvalidArgumentError("NAIVE needs at least 1 observation");
  BenchmarkForecast f;
  const std::vector<double> d = LagDifferences(y, 1);
  f.sigma = RootMeanSquare(d, static_cast<double>(d.size()));
  for (int h = 1; h <= horizon; ++h) {
    f.mean.push_back(y.back());
    f.sd.push_back(f.sigma * std::sqrt(static_cast<double>(h)));
  }
  return f;
}

absl::StatusOr<BenchmarkForecast> SeasonalNaiveForecast(std::span<const double> y, int m,
                                                        int horizon) {
  if (m < 1 || y.size() <= static_cast<std::size_t>(m)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "SNAIVE with season_length %d needs at least %d observations, got %d", m,
        static_cast<long long>(m) + 1, y.size()));
  }
  BenchmarkForecast f;
  const std::vector<double> d = LagDifferences(y, static_cast<std::size_t>(m));
  f.sigma = RootMeanSquare(d, static_cast<double>(d.size()));
  const std::size_t n = y.size();
  for (int h = 1; h <= horizon; ++h) {
    // The last observed value in the same position of the cycle.
    const std::size_t back = static_cast<std::size_t>(m - (h - 1) % m);
    f.mean.push_back(y[n - back]);
    const int full_periods = (h - 1) / m + 1;
    f.sd.push_back(f.sigma * std::sqrt(static_cast<double>(full_periods)));
  }
  return f;
}

absl::StatusOr<BenchmarkForecast> DriftForecast(std::span<const double> y, int horizon) {
  if (y.size() < 3) {
    return absl::InvalidArgumentError(
        absl::StrFormat("DRIFT needs at least 3 observations, got %d", y.size()));
  }
  BenchmarkForecast f;
  std::vector<double> d = LagDifferences(y, 1);
  const double t_minus_1 = static_cast<double>(d.size());
  double mean = 0;
  for (double x : d) mean += x / t_minus_1;  // divided inside to avoid overflow
  for (double& x : d) x -= mean;
  f.drift = mean;
  f.sigma = RootMeanSquare(d, t_minus_1 - 1);
  for (int h = 1; h <= horizon; ++h) {
    const double dh = h;
    f.mean.push_back(y.back() + dh * mean);
    f.sd.push_back(f.sigma * std::sqrt(dh * (1 + dh / t_minus_1)));
  }
  return f;
}

}  // namespace salesops::forecast
