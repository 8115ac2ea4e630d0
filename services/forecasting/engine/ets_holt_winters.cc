#include "services/forecasting/engine/ets_holt_winters.h"

#include <nlopt.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace salesops::forecast::ets {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Smoothing {
  double alpha = 0;
  double beta = 0;   // Holt's beta*
  double gamma = 0;
};

// One pass of R's zzhw. `season` (size n + m) receives the starting seasonal values followed by
// the updated ones; level and trend receive n + 1 values (the start first). Returns the SSE.
struct Pass {
  std::vector<double> level, trend, season, fitted, residuals;
};

double RunZzhw(std::span<const double> x, bool trend, bool exponential, bool seasonal,
               bool multiplicative, int m, double l_start, double b_start,
               std::span<const double> s_start, const Smoothing& p, Pass* out) {
  const std::size_t n = x.size();
  const double alpha = p.alpha;
  const double beta = trend ? p.beta : 0.0;
  const double gamma = seasonal ? p.gamma : 0.0;
  const double neutral = multiplicative ? 1.0 : 0.0;
  double level = l_start, b = trend ? b_start : 0.0;
  std::vector<double> local_season;
  std::vector<double>& season = out != nullptr ? out->season : local_season;
  season.assign(static_cast<std::size_t>(m) + n, neutral);
  if (seasonal) {
    for (int i = 0; i < m; ++i) season[i] = s_start[i];
  }
  if (out != nullptr) {
    out->level.assign(n + 1, 0.0);
    out->trend.assign(n + 1, 0.0);
    out->fitted.assign(n, 0.0);
    out->residuals.assign(n, 0.0);
    out->level[0] = level;
    out->trend[0] = trend ? b_start : 0.0;
  }
  double sse = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double s = season[i];  // season[i - m] of R, or season0[i]
    // R: lasttrend^phi with phi = 1 (an exponential trend always has a trend state).
    const double q = exponential ? level * b : level + b;
    const double xhat = multiplicative ? q * s : q + s;
    const double res = x[i] - xhat;
    sse += res * res;
    const double new_level = multiplicative ? alpha * (x[i] / s) + (1 - alpha) * q
                                            : alpha * (x[i] - s) + (1 - alpha) * q;
    double new_b = 0;
    if (trend) {
      new_b = exponential ? beta * (new_level / level) + (1 - beta) * b
                          : beta * (new_level - level) + (1 - beta) * b;
    }
    season[i + m] = multiplicative ? gamma * (x[i] / q) + (1 - gamma) * s
                                   : gamma * (x[i] - q) + (1 - gamma) * s;
    level = new_level;
    b = new_b;
    if (out != nullptr) {
      out->level[i + 1] = level;
      out->trend[i + 1] = b;
      out->fitted[i] = xhat;
      out->residuals[i] = res;
    }
  }
  return sse;
}

struct Problem {
  std::span<const double> x;
  bool trend, exponential, seasonal, multiplicative;
  int m;
  double l_start, b_start;
  std::vector<double> s_start;
  bool fit_alpha, fit_beta, fit_gamma;
  Smoothing fixed;

  Smoothing Unpack(const double* v) const {
    Smoothing p = fixed;
    int j = 0;
    if (fit_alpha) p.alpha = v[j++];
    if (fit_beta) p.beta = v[j++];
    if (fit_gamma) p.gamma = v[j++];
    return p;
  }
};

double Objective(unsigned /*n*/, const double* v, double* /*grad*/, void* data) {
  const Problem& pr = *static_cast<const Problem*>(data);
  const double sse = RunZzhw(pr.x, pr.trend, pr.exponential, pr.seasonal, pr.multiplicative, pr.m,
                             pr.l_start, pr.b_start, pr.s_start, pr.Unpack(v), nullptr);
  return std::isfinite(sse) ? sse : HUGE_VAL;
}

}  // namespace

absl::StatusOr<EtsFit> FitHoltWinters(std::span<const double> x, const HoltWintersRequest& req) {
  const int m = std::max(1, req.frequency);
  const std::size_t n = x.size();
  if (n == 0) return absl::InvalidArgumentError("Holt-Winters needs at least one observation");
  const bool seasonal = m > 1 && req.season != SeasonType::kNone;
  const bool multiplicative = seasonal && req.season == SeasonType::kMultiplicative;
  const bool trend = req.trend != TrendType::kNone;
  const bool exponential = req.trend == TrendType::kMultiplicative;
  if (multiplicative) {
    for (double v : x) {
      if (!(v > 0)) {
        return absl::InvalidArgumentError(
            "multiplicative Holt-Winters needs strictly positive data");
      }
    }
  }

  Problem pr;
  pr.x = x;
  pr.trend = trend;
  pr.exponential = exponential;
  pr.seasonal = seasonal;
  pr.multiplicative = multiplicative;
  pr.m = seasonal ? m : 1;
  if (!seasonal) {
    pr.l_start = x[0];
    pr.b_start = 0;
    if (trend) {
      if (n < 2) return absl::InvalidArgumentError("Holt's method needs two observations");
      pr.b_start = exponential ? x[1] / x[0] : x[1] - x[0];
    }
  } else {
    if (n < 2 * static_cast<std::size_t>(m)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "Holt-Winters needs two seasons of data (%d observations, period %d)", n, m));
    }
    double first = 0, second = 0;
    for (int i = 0; i < m; ++i) {
      first += x[i];
      second += x[m + i];
    }
    first /= m;
    second /= m;
    pr.l_start = first;
    pr.b_start = (second - first) / m;
    pr.s_start.resize(m);
    for (int i = 0; i < m; ++i) pr.s_start[i] = multiplicative ? x[i] / first : x[i] - first;
  }
  if (!std::isfinite(pr.l_start) || !std::isfinite(pr.b_start)) {
    return absl::InvalidArgumentError("Holt-Winters starting states are not finite");
  }

  // R's starting values: initparam with bounds [0, 1] and R's frequency.
  const double alpha0 = req.alpha.has_value() ? *req.alpha : 0.2 / m;
  pr.fit_alpha = !req.alpha.has_value();
  pr.fit_beta = trend;
  pr.fit_gamma = seasonal;
  pr.fixed.alpha = alpha0;
  pr.fixed.beta = 0.1 * std::min(1.0, alpha0);
  pr.fixed.gamma = 0.05 * (1 - alpha0);
  std::vector<double> v;
  if (pr.fit_alpha) v.push_back(pr.fixed.alpha);
  if (pr.fit_beta) v.push_back(pr.fixed.beta);
  if (pr.fit_gamma) v.push_back(pr.fixed.gamma);

  Smoothing best = pr.fixed;
  if (!v.empty()) {
    double start_value = Objective(0, v.data(), nullptr, &pr);
    if (!std::isfinite(start_value) || start_value == HUGE_VAL) {
      return absl::InvalidArgumentError("Holt-Winters errors are not finite");
    }
    const unsigned dim = static_cast<unsigned>(v.size());
    // R uses L-BFGS-B from the same start; a bounded local search finds the same local minimum.
    nlopt_opt opt = nlopt_create(dim >= 2 ? NLOPT_LN_BOBYQA : NLOPT_LN_NELDERMEAD, dim);
    if (opt == nullptr) return absl::InternalError("cannot create the NLopt optimiser");
    std::vector<double> lower(dim, 0.0), upper(dim, 1.0), step(dim);
    for (unsigned i = 0; i < dim; ++i) step[i] = v[i] + 0.05 <= 1 ? 0.05 : -0.05;
    nlopt_set_lower_bounds(opt, lower.data());
    nlopt_set_upper_bounds(opt, upper.data());
    nlopt_set_initial_step(opt, step.data());
    nlopt_set_min_objective(opt, Objective, &pr);
    nlopt_set_xtol_abs1(opt, 1e-9);
    nlopt_set_ftol_rel(opt, 1e-12);
    nlopt_set_maxeval(opt, 2000);
    std::vector<double> w = v;
    double value = HUGE_VAL;
    const nlopt_result result = nlopt_optimize(opt, w.data(), &value);
    nlopt_destroy(opt);
    if (result >= 0 && value < start_value) v = w;
    best = pr.Unpack(v.data());
  }

  Pass pass;
  RunZzhw(x, trend, exponential, seasonal, multiplicative, pr.m, pr.l_start, pr.b_start,
          pr.s_start, best, &pass);

  EtsFit fit;
  EtsSpec& spec = fit.spec;
  spec.trend = req.trend;
  spec.season = seasonal ? req.season : SeasonType::kNone;
  spec.m = seasonal ? m : 1;
  spec.damped = false;
  spec.error = (multiplicative || (!seasonal && exponential)) ? ErrorType::kMultiplicative
                                                              : ErrorType::kAdditive;
  fit.params.alpha = best.alpha;
  fit.params.beta = trend ? best.beta : 0.0;
  fit.params.gamma = seasonal ? best.gamma : 0.0;
  fit.params.phi = 1;
  const int states = spec.NumStates();
  fit.initial_state.assign(states, 0.0);
  fit.final_state.assign(states, 0.0);
  fit.initial_state[0] = pass.level[0];
  fit.final_state[0] = pass.level[n];
  std::size_t offset = 1;
  if (trend) {
    fit.initial_state[1] = pass.trend[0];
    fit.final_state[1] = pass.trend[n];
    offset = 2;
  }
  if (seasonal) {
    // R's s_j (j = 1..m) is the seasonal value j - 1 steps before the end (or the start).
    for (int j = 0; j < m; ++j) {
      fit.initial_state[offset + j] = pass.season[m - 1 - j];
      fit.final_state[offset + j] = pass.season[n + m - 1 - j];
    }
  }
  fit.n = static_cast<int>(n);
  fit.residuals = pass.residuals;
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double e = pass.residuals[i];
    if (spec.error == ErrorType::kMultiplicative) e /= pass.fitted[i];
    ss += e * e;
  }
  fit.sigma2 = ss / static_cast<double>(n);
  fit.sigma = std::sqrt(fit.sigma2);
  if (!std::isfinite(fit.sigma2) || !std::isfinite(fit.final_state[0])) {
    return absl::InvalidArgumentError("Holt-Winters fit is not finite");
  }
  fit.num_parameters = (pr.fit_alpha ? 1 : 0) + (trend ? 1 : 0) + (seasonal ? 1 : 0);
  fit.lik = fit.loglik = fit.aic = fit.aicc = fit.bic = kNaN;
  return fit;
}

}  // namespace salesops::forecast::ets
