#include "services/forecasting/engine/ets_fit.h"

#include <nlopt.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/ets_init.h"

namespace salesops::forecast::ets {
namespace {

constexpr int kMaxSeasonalPeriod = 24;  // R's ets refuses seasonal models beyond this

// Model specs are normalised so that unused fields cannot leak into the recursions.
EtsSpec Normalise(EtsSpec spec) {
  if (!spec.has_trend()) spec.damped = false;
  if (!spec.has_season()) spec.m = 1;
  return spec;
}

// The optimiser's vector: [alpha, beta?, gamma?, phi?, l0, b0?, s_0 .. s_{m-2}].
EtsParams ParamsFromVector(const EtsSpec& spec, const double* x) {
  EtsParams p;
  int j = 0;
  p.alpha = x[j++];
  if (spec.has_trend()) p.beta = x[j++];
  if (spec.has_season()) p.gamma = x[j++];
  if (spec.damped) p.phi = x[j++];
  return p;
}

// Completes the free initial states with the implied last seasonal state.
void FullState(const EtsSpec& spec, std::span<const double> free_states, std::span<double> full) {
  std::copy(free_states.begin(), free_states.end(), full.begin());
  if (spec.has_season()) full[free_states.size()] = ImpliedLastSeasonalState(spec, free_states);
}

bool SeasonalStatesNonNegative(const EtsSpec& spec, std::span<const double> full) {
  if (spec.season != SeasonType::kMultiplicative) return true;
  const std::size_t offset = spec.has_trend() ? 2 : 1;
  for (std::size_t i = offset; i < full.size(); ++i) {
    if (full[i] < 0) return false;
  }
  return true;
}

// Everything the objective needs, preallocated so that an evaluation allocates nothing.
struct Objective {
  EtsSpec spec;
  EtsBounds bounds;
  std::span<const double> y;
  int num_smoothing = 0;
  int num_free_states = 0;
  std::vector<double> state;  // full initial state
  std::vector<double> ring;   // seasonal scratch
  int evaluations = 0;

  double operator()(const double* x) {
    ++evaluations;
    const EtsParams p = ParamsFromVector(spec, x);
    if (!AcceptableParameters(spec, p, bounds)) return HUGE_VAL;
    FullState(spec, std::span<const double>(x + num_smoothing, num_free_states), state);
    if (!SeasonalStatesNonNegative(spec, state)) return HUGE_VAL;
    return EtsLikelihood(spec, p, y, state, ring);
  }
};

double NloptObjective(unsigned /*n*/, const double* x, double* /*grad*/, void* data) {
  return (*static_cast<Objective*>(data))(x);
}

// A step from x that stays within [lower, upper]: +step when that fits, else -step, else half
// the way to the farther bound.
double FeasibleStep(double x, double step, double lower, double upper) {
  if (x + step <= upper) return step;
  if (x - step >= lower) return -step;
  return (upper - x > x - lower) ? 0.5 * (upper - x) : -0.5 * (x - lower);
}

// Initial simplex steps: a tenth of each smoothing parameter's range (towards the feasible side:
// the optimiser knows no bounds, the objective rejects points outside them), and for the states a
// tenth of the series' spread or of the state itself when larger.
std::vector<double> InitialSteps(const EtsSpec& spec, const std::vector<double>& x,
                                 const EtsBounds& b, double spread) {
  std::vector<double> step(x.size());
  std::size_t j = 0;
  const double alpha = x[j];
  step[j++] = FeasibleStep(alpha, 0.1, b.alpha_lower, b.alpha_upper);
  if (spec.has_trend()) {
    const double upper = std::min(b.beta_upper, alpha);
    step[j] = FeasibleStep(x[j], 0.1 * (upper - b.beta_lower), b.beta_lower, upper);
    ++j;
  }
  if (spec.has_season()) {
    const double upper = std::min(b.gamma_upper, 1 - alpha);
    step[j] = FeasibleStep(x[j], 0.1 * (upper - b.gamma_lower), b.gamma_lower, upper);
    ++j;
  }
  if (spec.damped) {
    step[j] = FeasibleStep(x[j], 0.1 * (b.phi_upper - b.phi_lower), b.phi_lower, b.phi_upper);
    ++j;
  }
  for (; j < x.size(); ++j) {
    const double s = 0.1 * std::max(std::fabs(x[j]), spread);
    step[j] = s > 0 ? s : 1e-3;
  }
  return step;
}

// Power-of-two scale bringing the series to magnitude ~1: exact in floating point, and keeps the
// sum of squares away from overflow or underflow for huge or tiny data.
double PowerOfTwoScale(std::span<const double> y) {
  double max_abs = 0;
  for (double v : y) max_abs = std::max(max_abs, std::fabs(v));
  if (max_abs == 0 || !std::isfinite(max_abs)) return 1;
  return std::ldexp(1.0, std::ilogb(max_abs));
}

double StandardDeviation(std::span<const double> y) {
  double mean = 0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  double ss = 0;
  for (double v : y) ss += (v - mean) * (v - mean);
  return y.size() > 1 ? std::sqrt(ss / static_cast<double>(y.size() - 1)) : 0.0;
}

// Fills the statistics of `fit` (spec, params, initial_state set; data in `y` already scaled by
// `scale`), then converts states and residuals back to the original units.
void Finish(std::span<const double> y, double scale, EtsFit& fit) {
  const EtsSpec& spec = fit.spec;
  const std::size_t n = y.size();
  fit.n = static_cast<int>(n);
  fit.final_state.assign(spec.NumStates(), 0.0);
  fit.residuals.assign(n, 0.0);
  std::vector<double> ring(spec.m);
  double sse = 0;
  double lik = EtsLikelihood(spec, fit.params, y, fit.initial_state, ring, fit.residuals,
                             fit.final_state, &sse);
  // Back to original units: the criterion shifts by 2 n log(scale) for both error types.
  if (std::isfinite(lik) && lik > kMinLikelihood) {
    lik = std::max(lik + 2.0 * static_cast<double>(n) * std::log(scale), kMinLikelihood);
  }
  const int free_params = spec.NumFreeParameters();
  const double np = free_params + 1;
  const double dn = static_cast<double>(n);
  fit.num_parameters = free_params + 1;
  fit.lik = lik;
  fit.loglik = -0.5 * lik;
  fit.aic = lik + 2 * np;
  fit.bic = lik + std::log(dn) * np;
  fit.aicc = fit.aic + 2 * np * (np + 1) / (dn - np - 1);
  fit.sigma2 = sse / (dn - free_params);
  fit.sigma = std::sqrt(fit.sigma2);

  auto unscale_states = [&](std::vector<double>& s) {
    s[0] *= scale;
    std::size_t j = 1;
    if (spec.has_trend()) {
      if (spec.trend == TrendType::kAdditive) s[1] *= scale;
      j = 2;
    }
    if (spec.season == SeasonType::kAdditive) {
      for (; j < s.size(); ++j) s[j] *= scale;
    }
  };
  unscale_states(fit.initial_state);
  unscale_states(fit.final_state);
  if (spec.error == ErrorType::kAdditive) {
    for (double& e : fit.residuals) e *= scale;
    fit.sigma *= scale;
    fit.sigma2 = fit.sigma * fit.sigma;
  }
}

absl::Status CheckEstimable(std::span<const double> y, const EtsSpec& spec) {
  const int n = static_cast<int>(y.size());
  if (spec.has_season()) {
    if (spec.m < 2 || spec.m > kMaxSeasonalPeriod) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s needs a seasonal period between 2 and %d, got %d", spec.Name(),
          kMaxSeasonalPeriod, spec.m));
    }
    if (n <= spec.m || n < 4) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s needs more than one season of data (%d observations, period %d)", spec.Name(), n,
          spec.m));
    }
  }
  if (spec.NumFreeParameters() >= n - 1) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s has %d parameters to estimate, needs at least %d observations, got %d", spec.Name(),
        spec.NumFreeParameters(), spec.NumFreeParameters() + 2, n));
  }
  const bool multiplicative = spec.error == ErrorType::kMultiplicative ||
                              spec.trend == TrendType::kMultiplicative ||
                              spec.season == SeasonType::kMultiplicative;
  if (multiplicative) {
    for (double v : y) {
      if (!(v > 0)) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s needs strictly positive data", spec.Name()));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

int MinObservationsForNamedModel(const EtsSpec& raw) {
  const EtsSpec spec = Normalise(raw);
  int npars = 2;
  if (spec.has_trend()) npars += 2;
  if (spec.has_season()) npars += spec.m;
  if (spec.damped) npars += 1;
  return npars + 5;
}

bool HasFiniteAicc(const EtsSpec& raw, int n) {
  return Normalise(raw).NumFreeParameters() < n - 2;
}

absl::StatusOr<EtsFit> FitEts(std::span<const double> y_raw, const EtsSpec& raw_spec,
                              const EtsFitOptions& options) {
  const EtsSpec spec = Normalise(raw_spec);
  if (absl::Status s = CheckEstimable(y_raw, spec); !s.ok()) return s;

  const double scale = PowerOfTwoScale(y_raw);
  std::vector<double> y(y_raw.begin(), y_raw.end());
  for (double& v : y) v /= scale;

  Objective objective;
  objective.spec = spec;
  objective.bounds = options.bounds;
  objective.y = y;
  objective.num_smoothing = spec.NumSmoothingParameters();
  objective.num_free_states = spec.NumFreeInitialStates();
  objective.state.assign(spec.NumStates(), 0.0);
  objective.ring.assign(spec.m, 0.0);

  // Starting point. Like R, the optimiser itself is unconstrained: the objective is +inf outside
  // the bounds and the admissible region. (Letting NLopt pin points to box bounds instead makes
  // the simplex collapse onto a bound face and stop short of interior optima.)
  const EtsParams p0 = HeuristicSmoothingParameters(spec, options.bounds);
  const std::vector<double> s0 = HeuristicInitialStates(y, spec);
  std::vector<double> x = {p0.alpha};
  if (spec.has_trend()) x.push_back(p0.beta);
  if (spec.has_season()) x.push_back(p0.gamma);
  if (spec.damped) x.push_back(p0.phi);
  x.insert(x.end(), s0.begin(), s0.end());
  const EtsBounds& b = options.bounds;

  double best_f = objective(x.data());
  if (!std::isfinite(best_f)) {
    return absl::InternalError(absl::StrFormat(
        "%s: R's starting values are not admissible for this series", spec.Name()));
  }
  const double spread = StandardDeviation(y);

  // Box bounds for the smoothing parameters (the states are free).
  std::vector<double> lower(x.size(), -HUGE_VAL), upper(x.size(), HUGE_VAL);
  {
    std::size_t j = 0;
    lower[j] = b.alpha_lower;
    upper[j++] = b.alpha_upper;
    if (spec.has_trend()) {
      lower[j] = b.beta_lower;
      upper[j++] = b.beta_upper;
    }
    if (spec.has_season()) {
      lower[j] = b.gamma_lower;
      upper[j++] = b.gamma_upper;
    }
    if (spec.damped) {
      lower[j] = b.phi_lower;
      upper[j++] = b.phi_upper;
    }
  }
  const std::vector<double> no_lower(x.size(), -HUGE_VAL), no_upper(x.size(), HUGE_VAL);

  // Nelder-Mead runs, each restarted from the best point so far with a fresh simplex. They
  // alternate between two ways of meeting the bounds, because each fails where the other does
  // not: with NLopt's box bounds, points are pinned to the bounds, which finds optima on a bound
  // (common: alpha = 0.9999, beta = alpha, phi = 0.8) but can collapse the simplex onto a bound
  // face; without them (R's way) the objective's +inf pushes the simplex back inside, which finds
  // interior optima near a bound but approaches corners slowly. The first two runs use one way
  // each; later runs continue while they still improve the likelihood noticeably.
  nlopt_opt opt = nlopt_create(NLOPT_LN_NELDERMEAD, static_cast<unsigned>(x.size()));
  nlopt_set_min_objective(opt, NloptObjective, &objective);
  nlopt_set_ftol_abs(opt, options.ftol_abs);
  nlopt_set_maxeval(opt, options.max_evaluations_per_run);
  std::vector<double> candidate = x;
  for (int run = 0; run <= options.max_restarts; ++run) {
    const bool boxed = run % 2 == 0;
    nlopt_set_lower_bounds(opt, boxed ? lower.data() : no_lower.data());
    nlopt_set_upper_bounds(opt, boxed ? upper.data() : no_upper.data());
    const std::vector<double> step = InitialSteps(spec, x, b, spread);
    nlopt_set_initial_step(opt, step.data());
    candidate = x;
    double f = HUGE_VAL;
    const nlopt_result result = nlopt_optimize(opt, candidate.data(), &f);
    const double gain = (result >= 0 && f < best_f) ? best_f - f : 0.0;
    if (gain > 0) {
      x = candidate;
      best_f = f;
    }
    if (run >= 1 && gain < options.restart_min_gain) break;
  }
  nlopt_destroy(opt);

  EtsFit fit;
  fit.spec = spec;
  fit.params = ParamsFromVector(spec, x.data());
  fit.initial_state.assign(spec.NumStates(), 0.0);
  FullState(spec, std::span<const double>(x).subspan(spec.NumSmoothingParameters()),
            fit.initial_state);
  fit.evaluations = objective.evaluations;
  Finish(y, scale, fit);
  return fit;
}

EtsFit EvaluateEts(std::span<const double> y, const EtsSpec& raw_spec, const EtsParams& params,
                   std::span<const double> initial_state) {
  EtsFit fit;
  fit.spec = Normalise(raw_spec);
  fit.params = params;
  fit.initial_state.assign(fit.spec.NumStates(), 0.0);
  if (static_cast<int>(initial_state.size()) == fit.spec.NumStates()) {
    std::copy(initial_state.begin(), initial_state.end(), fit.initial_state.begin());
  } else {
    FullState(fit.spec, initial_state, fit.initial_state);
  }
  Finish(y, 1.0, fit);
  return fit;
}

}  // namespace salesops::forecast::ets
