#include "services/forecasting/engine/reconcile.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "Eigen/Dense"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/result.h"

namespace salesops::forecast {
namespace {

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

// One-step in-sample errors for the covariance: the base model's when it has them, otherwise an
// ETS(A,*,*) fit's (the covariance of one-step errors is a property of the data far more than of
// the model).
std::vector<double> ResidualsFor(const std::vector<double>& y, const ForecastResult& base,
                                 const ForecastOptions& options) {
  if (base.residuals.size() == y.size()) return base.residuals;
  ForecastOptions ets = options;
  ets.model = ModelKind::kDampedHolt;
  auto fit = ForecastSeries(y, ets);
  if (!fit.ok() || fit->residuals.size() != y.size()) {
    ets.model = ModelKind::kSes;
    fit = ForecastSeries(y, ets);
  }
  if (fit.ok() && fit->residuals.size() == y.size()) return fit->residuals;
  // Too short for any smoothing model: first differences.
  std::vector<double> e(y.size(), 0.0);
  for (size_t t = 1; t < y.size(); ++t) e[t] = y[t] - y[t - 1];
  return e;
}

}  // namespace

std::vector<double> ShrinkageCovariance(const std::vector<std::vector<double>>& r, double* lambda) {
  const size_t k = r.size();
  const size_t n = k ? r[0].size() : 0;
  std::vector<double> cov(k * k, 0.0);
  *lambda = 1;
  if (k == 0 || n < 2) {
    for (size_t i = 0; i < k; ++i) cov[i * k + i] = 1;
    return cov;
  }
  for (size_t i = 0; i < k; ++i)
    for (size_t j = i; j < k; ++j) {
      double s = 0;
      for (size_t t = 0; t < n; ++t) s += r[i][t] * r[j][t];
      cov[i * k + j] = cov[j * k + i] = s / static_cast<double>(n);
    }
  // Standardised errors, then the estimated variance of each sample correlation (Schafer &
  // Strimmer 2005, target "D": the diagonal).
  std::vector<double> sd(k);
  for (size_t i = 0; i < k; ++i) sd[i] = std::sqrt(cov[i * k + i]);
  double numerator = 0, denominator = 0;
  for (size_t i = 0; i < k; ++i)
    for (size_t j = i + 1; j < k; ++j) {
      if (sd[i] == 0 || sd[j] == 0) continue;
      double sum_w = 0, sum_w2 = 0;
      for (size_t t = 0; t < n; ++t) {
        const double w = (r[i][t] / sd[i]) * (r[j][t] / sd[j]);
        sum_w += w;
        sum_w2 += w * w;
      }
      const double nn = static_cast<double>(n);
      const double var_r = (sum_w2 - sum_w * sum_w / nn) / (nn * (nn - 1));
      const double corr = cov[i * k + j] / (sd[i] * sd[j]);
      numerator += 2 * var_r;
      denominator += 2 * corr * corr;
    }
  double l = denominator > 0 ? numerator / denominator : 1.0;
  l = std::clamp(l, 0.0, 1.0);
  *lambda = l;
  for (size_t i = 0; i < k; ++i)
    for (size_t j = 0; j < k; ++j)
      if (i != j) cov[i * k + j] *= (1 - l);
  // Keep W positive definite when a series was fitted perfectly (zero error variance).
  double max_var = 0;
  for (size_t i = 0; i < k; ++i) max_var = std::max(max_var, cov[i * k + i]);
  const double floor = max_var > 0 ? max_var * 1e-9 : 1.0;
  for (size_t i = 0; i < k; ++i) cov[i * k + i] = std::max(cov[i * k + i], floor);
  return cov;
}

absl::StatusOr<ReconcileResult> ReconcileHierarchy(const std::vector<std::vector<double>>& series,
                                                   const std::vector<std::vector<int>>& members,
                                                   const ReconcileOptions& options,
                                                   const ParallelFor& parallel_for) {
  const int n = static_cast<int>(series.size());
  if (n == 0) return Invalid("series: at least one series is required");
  if (static_cast<int>(members.size()) != n) return Invalid("aggregates: one entry per series expected");
  const size_t length = series[0].size();
  for (int i = 0; i < n; ++i) {
    if (series[i].size() != length)
      return Invalid(absl::StrFormat("series[%d]: %d values, series[0] has %d; a hierarchy's series "
                                     "share one time axis", i, series[i].size(), length));
  }
  // Bottom level and the summing matrix S (n x b).
  std::vector<int> bottom;
  std::vector<int> bottom_index(n, -1);
  for (int i = 0; i < n; ++i) {
    if (members[i].empty()) {
      bottom_index[i] = static_cast<int>(bottom.size());
      bottom.push_back(i);
    }
  }
  const int b = static_cast<int>(bottom.size());
  if (b == 0) return Invalid("aggregates: every series is an aggregate; the bottom level is empty");
  Eigen::MatrixXd S = Eigen::MatrixXd::Zero(n, b);
  int total = -1;
  for (int i = 0; i < n; ++i) {
    if (members[i].empty()) {
      S(i, bottom_index[i]) = 1;
      continue;
    }
    std::vector<bool> seen(b, false);
    for (int m : members[i]) {
      if (m < 0 || m >= n || !members[m].empty())
        return Invalid(absl::StrFormat("aggregates: series[%d] lists a member that is not a "
                                       "bottom-level series", i));
      if (seen[bottom_index[m]])
        return Invalid(absl::StrFormat("aggregates: series[%d] lists a member twice", i));
      seen[bottom_index[m]] = true;
      S(i, bottom_index[m]) = 1;
    }
    if (static_cast<int>(members[i].size()) == b && total < 0) total = i;
  }
  if (options.method == ReconcileMethod::kTopDownProportions && total < 0)
    return Invalid("aggregates: top-down needs a total, an aggregate of every bottom-level series");

  // Base forecasts of every series.
  ReconcileResult result;
  result.base.resize(n);
  std::vector<absl::Status> errors(n);
  auto fit = [&](size_t i) {
    auto f = ForecastSeries(series[i], options.base);
    if (f.ok()) {
      result.base[i] = std::move(*f);
    } else {
      errors[i] = f.status();
    }
  };
  if (parallel_for) {
    parallel_for(n, fit);
  } else {
    for (int i = 0; i < n; ++i) fit(i);
  }
  for (int i = 0; i < n; ++i) {
    if (!errors[i].ok())
      return absl::Status(errors[i].code(), absl::StrFormat("series[%d]: %s", i, errors[i].message()));
  }

  const int h = options.base.horizon;
  Eigen::MatrixXd base(n, h);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < h; ++j) base(i, j) = result.base[i].mean[j];

  Eigen::MatrixXd bottom_forecast(b, h);
  switch (options.method) {
    case ReconcileMethod::kBottomUp:
      for (int k = 0; k < b; ++k) bottom_forecast.row(k) = base.row(bottom[k]);
      break;
    case ReconcileMethod::kTopDownProportions: {
      std::vector<double> averages(b);
      double sum = 0;
      for (int k = 0; k < b; ++k) {
        const auto& y = series[bottom[k]];
        averages[k] = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
        sum += averages[k];
      }
      for (int k = 0; k < b; ++k) {
        const double share = sum != 0 ? averages[k] / sum : 1.0 / b;
        bottom_forecast.row(k) = share * base.row(total);
      }
      break;
    }
    case ReconcileMethod::kMinTShrink: {
      std::vector<std::vector<double>> residuals(n);
      for (int i = 0; i < n; ++i) residuals[i] = ResidualsFor(series[i], result.base[i], options.base);
      const std::vector<double> w = ShrinkageCovariance(residuals, &result.shrinkage);
      const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> W(w.data(), n, n);
      const Eigen::LDLT<Eigen::MatrixXd> W_ldlt(W);
      const Eigen::MatrixXd Winv_S = W_ldlt.solve(S);                  // n x b
      const Eigen::MatrixXd StWinvS = S.transpose() * Winv_S;          // b x b
      const Eigen::MatrixXd Winv_base = W_ldlt.solve(base);            // n x h
      bottom_forecast = StWinvS.ldlt().solve(S.transpose() * Winv_base);
      break;
    }
  }
  const Eigen::MatrixXd coherent = S * bottom_forecast;

  result.reconciled = result.base;
  for (int i = 0; i < n; ++i) {
    ForecastResult& r = result.reconciled[i];
    for (int j = 0; j < h; ++j) {
      const double shift = Finite(coherent(i, j)) - r.mean[j];
      r.mean[j] = Finite(coherent(i, j));
      for (Interval& interval : r.intervals) {
        interval.lower[j] = Finite(interval.lower[j] + shift);
        interval.upper[j] = Finite(interval.upper[j] + shift);
      }
    }
  }
  return result;
}

}  // namespace salesops::forecast
