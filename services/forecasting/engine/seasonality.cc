#include "services/forecasting/engine/seasonality.h"

#include <cmath>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/normal_quantile.h"

namespace salesops::forecast {

bool IsConstantSeries(std::span<const double> y) {
  if (y.empty()) return true;
  double mean_abs = 0, mean_diff = 0;
  const double n = static_cast<double>(y.size());
  for (double v : y) {
    mean_abs += std::fabs(v) / n;
    mean_diff += std::fabs(v - y[0]) / n;
  }
  if (mean_abs == 0) return true;
  return mean_diff / mean_abs < 1.5e-8;
}

std::vector<double> Autocorrelations(std::span<const double> y, int max_lag) {
  std::vector<double> r(max_lag > 0 ? static_cast<std::size_t>(max_lag) : 0, 0.0);
  const std::size_t n = y.size();
  if (n == 0) return r;
  double mean = 0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(n);
  double c0 = 0;
  for (double v : y) c0 += (v - mean) * (v - mean);
  if (!(c0 > 0) || !std::isfinite(c0)) return r;
  for (std::size_t k = 1; k <= r.size() && k < n; ++k) {
    double ck = 0;
    for (std::size_t t = 0; t + k < n; ++t) ck += (y[t] - mean) * (y[t + k] - mean);
    r[k - 1] = ck / c0;
  }
  return r;
}

bool PassesSeasonalityTest(std::span<const double> y, int m) {
  const std::size_t n = y.size();
  if (m <= 1 || n <= 2 * static_cast<std::size_t>(m) || IsConstantSeries(y)) return false;
  const std::vector<double> r = Autocorrelations(y, m);
  double sum = 0;
  for (int k = 0; k < m - 1; ++k) sum += r[k] * r[k];
  const double stat = std::sqrt((1 + 2 * sum) / static_cast<double>(n));
  static const double kCritical = NormalQuantile(0.95);
  return std::fabs(r[m - 1]) / stat > kCritical;
}

absl::StatusOr<Decomposition> Decompose(std::span<const double> y, int m, DecompositionType type) {
  const std::size_t n = y.size();
  if (m < 2) {
    return absl::InvalidArgumentError(
        absl::StrFormat("season_length: decomposition needs a period of 2 or more, got %d", m));
  }
  if (n < 2 * static_cast<std::size_t>(m)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "y: decomposition needs at least two full periods (%d observations), got %d", 2 * m, n));
  }
  if (type == DecompositionType::kMultiplicative) {
    for (std::size_t t = 0; t < n; ++t) {
      if (!(y[t] > 0)) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "y[%d]: multiplicative decomposition needs positive data, got %g", t, y[t]));
      }
    }
  }
  Decomposition d;
  d.type = type;
  d.m = m;
  const std::size_t half = static_cast<std::size_t>(m / 2);
  d.trend_offset = static_cast<int>(half);
  // Centred moving average: R's filter(x, c(0.5, rep(1, m - 1), 0.5) / m) for even m,
  // filter(x, rep(1, m) / m) for odd m.
  const bool even = m % 2 == 0;
  d.trend.reserve(n - 2 * half);
  for (std::size_t t = half; t + half < n; ++t) {
    double sum = 0;
    for (std::size_t j = t - half; j <= t + half; ++j) {
      const bool end = even && (j == t - half || j == t + half);
      sum += end ? 0.5 * y[j] : y[j];
    }
    d.trend.push_back(sum / m);
  }
  std::vector<double> total(m, 0.0);
  std::vector<int> count(m, 0);
  for (std::size_t t = half; t + half < n; ++t) {
    const double trend = d.trend[t - half];
    const double detrended = type == DecompositionType::kAdditive ? y[t] - trend : y[t] / trend;
    total[t % m] += detrended;
    ++count[t % m];
  }
  d.figure.resize(m);
  double mean = 0;
  for (int j = 0; j < m; ++j) {
    d.figure[j] = count[j] > 0 ? total[j] / count[j] : 0.0;
    mean += d.figure[j] / m;
  }
  for (double& f : d.figure) {
    if (type == DecompositionType::kAdditive) {
      f -= mean;
    } else {
      f /= mean;
    }
  }
  return d;
}

std::vector<double> SeasonallyAdjust(std::span<const double> y, const Decomposition& d) {
  std::vector<double> out(y.begin(), y.end());
  for (std::size_t t = 0; t < out.size(); ++t) {
    const double index = d.IndexAt(static_cast<long long>(t));
    out[t] = d.type == DecompositionType::kAdditive ? out[t] - index : out[t] / index;
  }
  return out;
}

void Reseasonalise(std::span<double> values, long long first_position, const Decomposition& d) {
  for (std::size_t k = 0; k < values.size(); ++k) {
    const double index = d.IndexAt(first_position + static_cast<long long>(k));
    values[k] = d.type == DecompositionType::kAdditive ? values[k] + index : values[k] * index;
  }
}

void ReseasonaliseSpread(std::span<double> sd, long long first_position, const Decomposition& d) {
  if (d.type == DecompositionType::kAdditive) return;
  for (std::size_t k = 0; k < sd.size(); ++k) {
    sd[k] *= d.IndexAt(first_position + static_cast<long long>(k));
  }
}

SeasonalAdjustment AdjustForSeasonality(std::span<const double> y, int m) {
  SeasonalAdjustment result;
  result.adjusted.assign(y.begin(), y.end());
  if (!PassesSeasonalityTest(y, m)) return result;
  bool positive = true;
  for (double v : y) positive = positive && v > 0;
  const DecompositionType type =
      positive ? DecompositionType::kMultiplicative : DecompositionType::kAdditive;
  absl::StatusOr<Decomposition> d = Decompose(y, m, type);
  if (!d.ok()) return result;  // cannot happen: the test asked for n > 2m
  if (type == DecompositionType::kMultiplicative) {
    // thetaf: "Seasonal indexes close to zero. Using non-seasonal Theta method".
    for (double f : d->figure) {
      if (std::fabs(f) < 1e-4 || !std::isfinite(f)) return result;
    }
  }
  result.applied = true;
  result.decomposition = *std::move(d);
  result.adjusted = SeasonallyAdjust(y, result.decomposition);
  return result;
}

}  // namespace salesops::forecast
