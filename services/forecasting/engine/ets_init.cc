#include "services/forecasting/engine/ets_init.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#include <Eigen/Dense>

namespace salesops::forecast::ets {
namespace {

// Least-squares line through (1, v[0]), (2, v[1]), ...: returns {intercept, slope} (R's lsfit on
// 1:n, so the intercept is the value at time 0).
std::pair<double, double> FitLine(std::span<const double> v) {
  const double n = static_cast<double>(v.size());
  double mean_t = (n + 1) / 2;
  double mean_v = 0;
  for (double x : v) mean_v += x;
  mean_v /= n;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double dt = static_cast<double>(i + 1) - mean_t;
    sxy += dt * (v[i] - mean_v);
    sxx += dt * dt;
  }
  const double slope = sxx > 0 ? sxy / sxx : 0.0;
  return {mean_v - slope * mean_t, slope};
}

// R's decompose(): the seasonal figure (one value per position in the period, relative to the
// first observation) from a centred moving average. Needs y.size() >= 2m.
std::vector<double> ClassicalSeasonalFigure(std::span<const double> y, int m, bool multiplicative) {
  const std::size_t n = y.size();
  // Centred moving average: 2xm for even m, m for odd m.
  std::vector<double> weights;
  if (m % 2 == 0) {
    weights.assign(m + 1, 1.0 / m);
    weights.front() = weights.back() = 0.5 / m;
  } else {
    weights.assign(m, 1.0 / m);
  }
  const std::size_t half = weights.size() / 2;
  std::vector<double> sum(m, 0.0);
  std::vector<int> count(m, 0);
  for (std::size_t t = half; t + half < n; ++t) {
    double trend = 0;
    for (std::size_t j = 0; j < weights.size(); ++j) trend += weights[j] * y[t - half + j];
    const double detrended = multiplicative ? y[t] / trend : y[t] - trend;
    sum[t % m] += detrended;
    ++count[t % m];
  }
  std::vector<double> figure(m);
  double mean = 0;
  for (int i = 0; i < m; ++i) {
    figure[i] = sum[i] / count[i];
    mean += figure[i];
  }
  mean /= m;
  for (double& f : figure) f = multiplicative ? f / mean : f - mean;
  return figure;
}

// For short series (fewer than 3 seasons), R regresses y on a linear trend and one Fourier pair
// and uses the detrended series itself as the "seasonal" component. Returns that component, one
// value per observation.
std::vector<double> FourierSeasonalComponent(std::span<const double> y, int m,
                                             bool multiplicative) {
  const int n = static_cast<int>(y.size());
  // The sine column vanishes for m == 2 (R drops it).
  const bool with_sine = m != 2;
  const int cols = with_sine ? 4 : 3;
  Eigen::MatrixXd x(n, cols);
  Eigen::VectorXd v(n);
  for (int t = 0; t < n; ++t) {
    const double time = t + 1;
    const double angle = 2 * std::numbers::pi * time / m;
    int c = 0;
    x(t, c++) = 1;
    x(t, c++) = time;
    if (with_sine) x(t, c++) = std::sin(angle);
    x(t, c++) = std::cos(angle);
    v(t) = y[t];
  }
  const Eigen::VectorXd coef = x.colPivHouseholderQr().solve(v);
  std::vector<double> seasonal(n);
  for (int t = 0; t < n; ++t) {
    const double trend = coef(0) + coef(1) * (t + 1);
    seasonal[t] = multiplicative ? y[t] / trend : y[t] - trend;
  }
  return seasonal;
}

}  // namespace

std::vector<double> HeuristicInitialStates(std::span<const double> y, const EtsSpec& spec) {
  const std::size_t n = y.size();
  const bool seasonal = spec.has_season();
  const bool mult_season = spec.season == SeasonType::kMultiplicative;
  const int m = seasonal ? spec.m : 1;

  std::vector<double> init_season;  // s_0 .. s_{m-2}
  std::vector<double> adjusted(y.begin(), y.end());
  if (seasonal) {
    std::vector<double> component(n);  // the seasonal value for each observation
    if (n < 3 * static_cast<std::size_t>(m)) {
      component = FourierSeasonalComponent(y, m, mult_season);
    } else {
      const std::vector<double> figure = ClassicalSeasonalFigure(y, m, mult_season);
      for (std::size_t t = 0; t < n; ++t) component[t] = figure[t % m];
    }
    // s_j is the seasonal value of observation m - j (1-based), j = 0 .. m-2.
    for (int j = 0; j < m - 1; ++j) init_season.push_back(component[m - 1 - j]);
    if (mult_season) {
      double total = 0;
      for (double& s : init_season) {
        s = std::max(s, 1e-2);
        total += s;
      }
      if (total > m) {
        const double denom = total + 1e-2 * init_season.size();
        for (double& s : init_season) s /= denom;
      }
      for (std::size_t t = 0; t < n; ++t) adjusted[t] = y[t] / std::max(component[t], 1e-2);
    } else {
      for (std::size_t t = 0; t < n; ++t) adjusted[t] = y[t] - component[t];
    }
  }

  const std::size_t max_n = std::min<std::size_t>(std::max(10, 2 * m), n);
  const std::span<const double> head(adjusted.data(), max_n);
  std::vector<double> states;
  if (spec.trend == TrendType::kNone) {
    double mean = 0;
    for (double v : head) mean += v;
    states.push_back(mean / static_cast<double>(max_n));
  } else {
    const auto [intercept, slope] = FitLine(head);
    double l0 = intercept, b0 = slope;
    if (spec.trend == TrendType::kAdditive) {
      // R perturbs so that l0 + b0 != 0 (the first forecast of a multiplicative-error model).
      if (std::fabs(l0 + b0) < 1e-8) {
        l0 *= 1 + 1e-3;
        b0 *= 1 - 1e-3;
      }
    } else {
      l0 = intercept + slope;  // first fitted value
      if (std::fabs(l0) < 1e-8) l0 = 1e-7;
      b0 = (intercept + 2 * slope) / l0;  // ratio of the first two fitted values
      l0 = l0 / b0;
      if (std::fabs(b0) > 1e10) b0 = std::copysign(1e10, b0);
      if (l0 < 1e-8 || b0 < 1e-8) {
        l0 = std::max(adjusted[0], 1e-3);
        b0 = std::max(adjusted[1] / adjusted[0], 1e-3);
      }
    }
    states.push_back(l0);
    states.push_back(b0);
  }
  states.insert(states.end(), init_season.begin(), init_season.end());
  return states;
}

double ImpliedLastSeasonalState(const EtsSpec& spec, std::span<const double> free_states) {
  const std::size_t offset = spec.has_trend() ? 2 : 1;
  double sum = 0;
  for (std::size_t i = offset; i < free_states.size(); ++i) sum += free_states[i];
  return (spec.season == SeasonType::kMultiplicative ? spec.m : 0) - sum;
}

EtsParams HeuristicSmoothingParameters(const EtsSpec& spec, const EtsBounds& b) {
  const double m = spec.has_season() ? spec.m : 1;
  EtsParams p;
  p.alpha = b.alpha_lower + 0.2 * (b.alpha_upper - b.alpha_lower) / m;
  if (p.alpha > 1 || p.alpha < 0) p.alpha = b.alpha_lower + 2e-3;
  if (spec.has_trend()) {
    const double upper = std::min(b.beta_upper, p.alpha);
    p.beta = b.beta_lower + 0.1 * (upper - b.beta_lower);
    if (p.beta < 0 || p.beta > p.alpha) p.beta = p.alpha - 1e-3;
  }
  if (spec.has_season()) {
    const double upper = std::min(b.gamma_upper, 1 - p.alpha);
    p.gamma = b.gamma_lower + 0.05 * (upper - b.gamma_lower);
    if (p.gamma < 0 || p.gamma > 1 - p.alpha) p.gamma = 1 - p.alpha - 1e-3;
  }
  if (spec.damped && spec.has_trend()) {
    p.phi = b.phi_lower + 0.99 * (b.phi_upper - b.phi_lower);
    if (p.phi < 0 || p.phi > 1) p.phi = b.phi_upper - 1e-3;
  }
  return p;
}

}  // namespace salesops::forecast::ets
