#include "services/forecasting/engine/unit_root.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "services/forecasting/engine/arima_stl.h"

namespace salesops::forecast::arima {
namespace {

constexpr double kKpssCritical5 = 0.463;   // ur.kpss "mu" 5% critical value
constexpr double kSeasonalThreshold = 0.64;  // nsdiffs' threshold on seas.heuristic
constexpr int kMstlSeasonalWindow = 11;    // mstl's s.window for the first (only) period

double Variance(std::span<const double> x) {
  const int n = static_cast<int>(x.size());
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  double mean = 0;
  for (double v : x) mean += v;
  mean /= n;
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return ss / (n - 1);
}

std::vector<double> Diff(std::span<const double> x, int lag) {
  if (x.size() <= static_cast<std::size_t>(lag)) return {};
  std::vector<double> out(x.size() - lag);
  for (std::size_t t = 0; t < out.size(); ++t) out[t] = x[t + lag] - x[t];
  return out;
}

}  // namespace

bool IsConstant(std::span<const double> x) {
  if (x.empty()) return true;
  // all.equal(x, rep(x[1], n)): over the elements that differ, mean |x - x1| relative to
  // mean |x| (absolute when that mean is below the tolerance).
  const double tol = 1.5e-8;
  const double x1 = x[0];
  double sum_abs = 0, sum_diff = 0;
  int count = 0;
  for (double v : x) {
    if (v == x1) continue;
    sum_abs += std::abs(v);
    sum_diff += std::abs(v - x1);
    ++count;
  }
  if (count == 0) return true;
  double scale = sum_abs / count;
  if (!(std::isfinite(scale) && scale > tol)) scale = 1;
  return sum_diff / (count * scale) <= tol;
}

double KpssStatistic(std::span<const double> x) {
  const int n = static_cast<int>(x.size());
  if (n < 1) return std::numeric_limits<double>::quiet_NaN();
  const int lmax = static_cast<int>(std::trunc(3.0 * std::sqrt(static_cast<double>(n)) / 13.0));
  double mean = 0;
  for (double v : x) mean += v;
  mean /= n;
  std::vector<double> res(n);
  for (int t = 0; t < n; ++t) res[t] = x[t] - mean;
  double s = 0, numerator = 0, s2 = 0;
  for (int t = 0; t < n; ++t) {
    s += res[t];
    numerator += s * s;
    s2 += res[t] * res[t];
  }
  numerator /= static_cast<double>(n) * n;
  s2 /= n;
  double denominator = s2;
  for (int i = 1; i <= lmax && i < n; ++i) {
    double cov = 0;
    for (int t = i; t < n; ++t) cov += res[t] * res[t - i];
    denominator += 2.0 / n * (1.0 - static_cast<double>(i) / (lmax + 1)) * cov;
  }
  return numerator / denominator;
}

int NumDifferences(std::span<const double> x, int max_d) {
  std::vector<double> v(x.begin(), x.end());
  int d = 0;
  if (IsConstant(v)) return d;
  // The KPSS p-value interpolated in R's table is below 5% exactly when the statistic exceeds
  // the 5% critical value; an undefined statistic (NaN) stops the differencing.
  auto reject = [](double stat, bool* undefined) {
    *undefined = std::isnan(stat);
    return !*undefined && stat > kKpssCritical5;
  };
  bool undefined = false;
  bool dodiff = reject(KpssStatistic(v), &undefined);
  if (undefined) return d;
  while (dodiff && d < max_d) {
    ++d;
    v = Diff(v, 1);
    if (IsConstant(v)) return d;
    dodiff = reject(KpssStatistic(v), &undefined);
    if (undefined) return d - 1;
  }
  return d;
}

double SeasonalStrength(std::span<const double> x, int m) {
  const StlDecomposition stl = Stl(x, m, kMstlSeasonalWindow);
  if (stl.remainder.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> sum(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) sum[i] = stl.remainder[i] + stl.seasonal[i];
  const double strength = 1.0 - Variance(stl.remainder) / Variance(sum);
  if (std::isnan(strength)) return strength;
  return std::max(0.0, std::min(1.0, strength));
}

int NumSeasonalDifferences(std::span<const double> x, int m) {
  if (IsConstant(x)) return 0;
  if (m <= 1 || static_cast<std::size_t>(m) >= x.size()) return 0;
  // R's stl fails on two periods or fewer; nsdiffs then warns and uses no seasonal difference.
  const double strength = SeasonalStrength(x, m);
  return strength > kSeasonalThreshold ? 1 : 0;
}

}  // namespace salesops::forecast::arima
