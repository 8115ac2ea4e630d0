#include "bench/naive2.h"

#include <cmath>

namespace salesops::bench {

bool IsSeasonal(std::span<const double> y, int m) {
  const size_t n = y.size();
  if (m <= 1 || n <= static_cast<size_t>(2 * m)) return false;
  double mean = 0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(n);
  double denominator = 0;
  for (double v : y) denominator += (v - mean) * (v - mean);
  if (!(denominator > 0)) return false;
  std::vector<double> r(m + 1, 0.0);
  for (int k = 1; k <= m; ++k) {
    double sum = 0;
    for (size_t t = 0; t + k < n; ++t) sum += (y[t] - mean) * (y[t + k] - mean);
    r[k] = sum / denominator;
  }
  double sum_squares = 0;
  for (int k = 1; k < m; ++k) sum_squares += r[k] * r[k];
  const double stat = std::sqrt((1 + 2 * sum_squares) / static_cast<double>(n));
  return std::fabs(r[m]) / stat > 1.6448536269514722;  // qnorm(0.95)
}

std::vector<double> MultiplicativeSeasonalIndices(std::span<const double> y, int m) {
  const size_t n = y.size();
  std::vector<double> sum(m, 0.0);
  std::vector<int> count(m, 0);
  // Centred moving average of order m (2 x m when m is even), as R's filter in decompose.
  const size_t half = static_cast<size_t>(m / 2);
  for (size_t t = half; t + half < n; ++t) {
    double trend = 0;
    if (m % 2 == 0) {
      trend = 0.5 * (y[t - half] + y[t + half]);
      for (size_t j = t - half + 1; j < t + half; ++j) trend += y[j];
    } else {
      for (size_t j = t - half; j <= t + half; ++j) trend += y[j];
    }
    trend /= static_cast<double>(m);
    if (trend == 0) continue;
    sum[t % m] += y[t] / trend;
    ++count[t % m];
  }
  std::vector<double> index(m, 1.0);
  double mean = 0;
  for (int j = 0; j < m; ++j) {
    index[j] = count[j] > 0 ? sum[j] / count[j] : 1.0;
    mean += index[j] / m;
  }
  if (mean > 0) {
    for (double& v : index) v /= mean;
  }
  return index;
}

std::vector<double> Naive2Forecast(std::span<const double> y, int m, int horizon) {
  const size_t n = y.size();
  std::vector<double> f(horizon, y[n - 1]);
  if (!IsSeasonal(y, m)) return f;
  const std::vector<double> index = MultiplicativeSeasonalIndices(y, m);
  const double last_index = index[(n - 1) % m];
  if (!(last_index > 0) || !std::isfinite(last_index)) return f;
  const double level = y[n - 1] / last_index;
  for (int h = 0; h < horizon; ++h) f[h] = level * index[(n + h) % m];
  return f;
}

}  // namespace salesops::bench
