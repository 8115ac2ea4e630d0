#include "services/forecasting/engine/ets_fit.h"

#include <nlopt.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/ets_init.h"
#include "services/forecasting/engine/ets_nelder_mead.h"

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

  // The last smoothing parameters tested for admissibility and the answer: Nelder-Mead often
  // moves only the initial states (building the simplex, contracting along state axes), and the
  // seasonal test is the costliest part of an evaluation after the recursions.
  EtsParams last_tested{-1, -1, -1, -1};
  bool last_admissible = false;

  bool Acceptable(const EtsParams& p) {
    if (!WithinUsualBounds(spec, p, bounds)) return false;
    if (p.alpha != last_tested.alpha || p.beta != last_tested.beta ||
        p.gamma != last_tested.gamma || p.phi != last_tested.phi) {
      last_tested = p;
      last_admissible = Admissible(spec, p);
    }
    return last_admissible;
  }

  double operator()(const double* x) {
    ++evaluations;
    const EtsParams p = ParamsFromVector(spec, x);
    if (!Acceptable(p)) return HUGE_VAL;
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

// The box bounds of the smoothing parameters in the optimiser's vector (states are free).
void SmoothingBoxBounds(const EtsSpec& spec, const EtsBounds& b, std::vector<double>& lower,
                        std::vector<double>& upper) {
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

// NLopt's Nelder-Mead, run repeatedly from the best point so far with a fresh simplex. The runs
// alternate between two ways of meeting the bounds, because each fails where the other does not:
// with NLopt's box bounds, points are pinned to the bounds, which finds optima on a bound (common:
// alpha = 0.9999, beta = alpha, phi = 0.8) but can collapse the simplex onto a bound face;
// without them (R's way) the objective's +inf pushes the simplex back inside, which finds
// interior optima near a bound but approaches corners slowly. The first two runs use one way
// each; later runs continue while they still improve the likelihood noticeably.
class SimplexSearch {
 public:
  SimplexSearch(Objective& objective, const EtsFitOptions& options, double spread, std::size_t dim)
      : objective_(objective),
        options_(options),
        spread_(spread),
        opt_(nlopt_create(NLOPT_LN_NELDERMEAD, static_cast<unsigned>(dim))),
        lower_(dim, -HUGE_VAL),
        upper_(dim, HUGE_VAL),
        unbounded_lower_(dim, -HUGE_VAL),
        unbounded_upper_(dim, HUGE_VAL),
        candidate_(dim) {
    SmoothingBoxBounds(objective.spec, options.bounds, lower_, upper_);
    if (opt_ != nullptr) {
      nlopt_set_min_objective(opt_, NloptObjective, &objective_);
      nlopt_set_ftol_abs(opt_, options.ftol_abs);
      nlopt_set_maxeval(opt_, options.max_evaluations_per_run);
    }
  }
  ~SimplexSearch() {
    if (opt_ != nullptr) nlopt_destroy(opt_);
  }
  SimplexSearch(const SimplexSearch&) = delete;
  SimplexSearch& operator=(const SimplexSearch&) = delete;

  bool ok() const { return opt_ != nullptr; }

  // Improves `x` (objective value `f`) in place.
  void Improve(std::vector<double>& x, double& f) {
    for (int run = 0; run <= options_.max_restarts; ++run) {
      const bool boxed = run % 2 == 0;
      nlopt_set_lower_bounds(opt_, boxed ? lower_.data() : unbounded_lower_.data());
      nlopt_set_upper_bounds(opt_, boxed ? upper_.data() : unbounded_upper_.data());
      const std::vector<double> step = InitialSteps(objective_.spec, x, options_.bounds, spread_);
      nlopt_set_initial_step(opt_, step.data());
      candidate_ = x;
      double value = HUGE_VAL;
      const nlopt_result result = nlopt_optimize(opt_, candidate_.data(), &value);
      const double gain = (result >= 0 && value < f) ? f - value : 0.0;
      if (gain > 0) {
        x = candidate_;
        f = value;
      }
      if (run >= 1 && gain < options_.restart_min_gain) break;
    }
  }

 private:
  Objective& objective_;
  const EtsFitOptions& options_;
  const double spread_;
  nlopt_opt opt_;
  std::vector<double> lower_, upper_, unbounded_lower_, unbounded_upper_;
  std::vector<double> candidate_;
};

// The likelihood is often multimodal in the smoothing parameters (e.g. beta small vs beta = alpha
// for Holt's method on a seasonal series), and which mode Nelder-Mead finds depends on its start.
// This evaluates a coarse grid of smoothing parameters, each with every one of `state_sources`'
// initial states, and returns the best point if it beats `threshold`.
std::vector<double> ProbeGrid(Objective& objective, const EtsBounds& b,
                              std::initializer_list<const std::vector<double>*> state_sources,
                              double threshold, double& best_value) {
  const EtsSpec& spec = objective.spec;
  std::vector<double> best;
  best_value = threshold;
  for (const std::vector<double>* states : state_sources) {
    std::vector<double> probe = *states;
    for (double alpha : {b.alpha_lower, 0.1, 0.3, 0.6, 0.9, b.alpha_upper}) {
      for (double beta_frac : {0.0, 0.3, 1.0}) {
        if (!spec.has_trend() && beta_frac != 0.0) continue;
        for (double gamma_frac : {0.0, 0.3, 1.0}) {
          if (!spec.has_season() && gamma_frac != 0.0) continue;
          for (double phi : {b.phi_lower, 0.9, b.phi_upper}) {
            if (!spec.damped && phi != b.phi_lower) continue;
            std::size_t j = 0;
            probe[j++] = alpha;
            if (spec.has_trend()) {
              probe[j++] = std::max(b.beta_lower, std::min(beta_frac * alpha, b.beta_upper));
            }
            if (spec.has_season()) {
              probe[j++] = std::max(b.gamma_lower, gamma_frac * std::min(b.gamma_upper, 1 - alpha));
            }
            if (spec.damped) probe[j++] = phi;
            const double f = objective(probe.data());
            if (f < best_value) {
              best_value = f;
              best = probe;
            }
          }
        }
      }
    }
  }
  return best;
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

// Everything one fit needs: the scaled data, the objective and R's starting point.
struct EtsOptimisation::State {
  EtsSpec spec;
  double scale = 1;
  std::vector<double> y;  // y / scale
  Objective objective;
  std::vector<double> start;      // R's starting point (optimiser layout)
  std::vector<double> heuristic;  // zero smoothing parameters, heuristic states (grid probes)
  double start_value = 0;         // objective at the start (scaled data)
  std::vector<double> units;      // coordinate units relative to R's
  double shift = 0;               // 2 n log(scale): from the scaled criterion to R's
  std::optional<NelderMeadR> nm;

  // The criterion on R's scale, as R's target function computes it.
  double RObjective(const double* v) {
    const double lik = objective(v);
    if (!std::isfinite(lik)) return lik;
    return lik <= kMinLikelihood ? kMinLikelihood : std::max(lik + shift, kMinLikelihood);
  }

  EtsFit FitAt(std::span<const double> x) const {
    EtsFit fit;
    fit.spec = spec;
    fit.params = ParamsFromVector(spec, x.data());
    fit.initial_state.assign(spec.NumStates(), 0.0);
    FullState(spec, x.subspan(spec.NumSmoothingParameters()), fit.initial_state);
    fit.evaluations = objective.evaluations;
    Finish(y, scale, fit);
    return fit;
  }
};

namespace {

absl::StatusOr<std::unique_ptr<EtsOptimisation::State>> Setup(std::span<const double> y_raw,
                                                               const EtsSpec& raw_spec,
                                                               const EtsBounds& bounds) {
  const EtsSpec spec = Normalise(raw_spec);
  if (absl::Status s = CheckEstimable(y_raw, spec); !s.ok()) return s;
  auto st = std::make_unique<EtsOptimisation::State>();
  st->spec = spec;
  st->scale = PowerOfTwoScale(y_raw);
  st->y.assign(y_raw.begin(), y_raw.end());
  for (double& v : st->y) v /= st->scale;

  Objective& objective = st->objective;
  objective.spec = spec;
  objective.bounds = bounds;
  objective.y = st->y;
  objective.num_smoothing = spec.NumSmoothingParameters();
  objective.num_free_states = spec.NumFreeInitialStates();
  objective.state.assign(spec.NumStates(), 0.0);
  objective.ring.assign(spec.m, 0.0);

  // R's starting point: heuristic smoothing parameters and initial states.
  const EtsParams p0 = HeuristicSmoothingParameters(spec, bounds);
  const std::vector<double> s0 = HeuristicInitialStates(st->y, spec);
  std::vector<double>& x = st->start;
  x = {p0.alpha};
  if (spec.has_trend()) x.push_back(p0.beta);
  if (spec.has_season()) x.push_back(p0.gamma);
  if (spec.damped) x.push_back(p0.phi);
  const std::size_t num_smoothing = x.size();
  st->heuristic.assign(num_smoothing, 0.0);
  st->heuristic.insert(st->heuristic.end(), s0.begin(), s0.end());
  x.insert(x.end(), s0.begin(), s0.end());
  st->start_value = objective(x.data());
  if (!std::isfinite(st->start_value)) {
    return absl::InternalError(absl::StrFormat(
        "%s: R's starting values are not admissible for this series", spec.Name()));
  }
  // R works in the data's units: its simplex steps are a tenth of the largest |parameter| and
  // its tolerance is relative to the criterion on R's scale. Coordinates stay scaled here (the
  // scale is a power of two, so this is exact) and are converted for those two purposes.
  st->units.assign(x.size(), 1.0);
  for (std::size_t i = num_smoothing; i < x.size(); ++i) {
    const std::size_t k = i - num_smoothing;  // index in the free-state layout
    const bool unitless =
        (k == 1 && spec.trend == TrendType::kMultiplicative) ||
        (k >= (spec.has_trend() ? 2u : 1u) && spec.season == SeasonType::kMultiplicative);
    st->units[i] = unitless ? 1.0 : st->scale;
  }
  st->shift = 2.0 * static_cast<double>(st->y.size()) * std::log(st->scale);
  return st;
}

}  // namespace

EtsOptimisation::EtsOptimisation(std::unique_ptr<State> state) : state_(std::move(state)) {}
EtsOptimisation::EtsOptimisation(EtsOptimisation&&) noexcept = default;
EtsOptimisation& EtsOptimisation::operator=(EtsOptimisation&&) noexcept = default;
EtsOptimisation::~EtsOptimisation() = default;

absl::StatusOr<EtsOptimisation> EtsOptimisation::Start(std::span<const double> y,
                                                       const EtsSpec& spec,
                                                       const EtsBounds& bounds) {
  absl::StatusOr<std::unique_ptr<State>> st = Setup(y, spec, bounds);
  if (!st.ok()) return st.status();
  State& s = **st;
  s.nm.emplace(s.start, s.units);
  auto f = [&s](const double* v) { return s.RObjective(v); };
  if (!s.nm->Start(f)) {
    return absl::InternalError(absl::StrFormat(
        "%s: R's starting values are not admissible for this series", s.spec.Name()));
  }
  return EtsOptimisation(*std::move(st));
}

void EtsOptimisation::Run(int max_evaluations) {
  State& s = *state_;
  auto f = [&s](const double* v) { return s.RObjective(v); };
  s.nm->Run(f, max_evaluations);
}

bool EtsOptimisation::finished() const { return state_->nm->finished(); }
int EtsOptimisation::evaluations() const { return state_->nm->evaluations(); }
const EtsSpec& EtsOptimisation::spec() const { return state_->spec; }
double EtsOptimisation::lik() const { return state_->nm->best_value(); }

double EtsOptimisation::aicc() const {
  const double n = static_cast<double>(state_->y.size());
  const double np = state_->spec.NumFreeParameters() + 1;
  if (np >= n - 1) return std::numeric_limits<double>::infinity();
  return lik() + 2 * np + 2 * np * (np + 1) / (n - np - 1);
}

EtsFit EtsOptimisation::Result() const {
  EtsFit fit = state_->FitAt(state_->nm->best());
  fit.evaluations = state_->nm->evaluations();
  return fit;
}

absl::StatusOr<EtsFit> FitEts(std::span<const double> y, const EtsSpec& spec,
                              const EtsFitOptions& options) {
  if (options.search == EtsSearch::kNelderMeadR) {
    absl::StatusOr<EtsOptimisation> run = EtsOptimisation::Start(y, spec, options.bounds);
    if (!run.ok()) return run.status();
    run->Run(options.max_evaluations);
    return run->Result();
  }
  absl::StatusOr<std::unique_ptr<EtsOptimisation::State>> setup = Setup(y, spec, options.bounds);
  if (!setup.ok()) return setup.status();
  EtsOptimisation::State& st = **setup;
  Objective& objective = st.objective;
  std::vector<double> x = st.start;
  double best_f = st.start_value;
  SimplexSearch search(objective, options, StandardDeviation(st.y), x.size());
  if (!search.ok()) return absl::InternalError("cannot create the NLopt optimiser");
  search.Improve(x, best_f);
  if (options.probe_grid) {
    // Grid points take the fitted initial states or R's heuristic ones (the better states
    // differ between modes, e.g. the overall mean as level when alpha is tiny).
    double probe_f = 0;
    std::vector<double> probe = ProbeGrid(objective, options.bounds, {&x, &st.heuristic},
                                          best_f - options.restart_min_gain, probe_f);
    if (!probe.empty()) {
      search.Improve(probe, probe_f);
      if (probe_f < best_f) {
        x = std::move(probe);
        best_f = probe_f;
      }
    }
  }
  return st.FitAt(x);
}

EtsFit EvaluateEts(std::span<const double> y_raw, const EtsSpec& raw_spec,
                   const EtsParams& params, std::span<const double> initial_state) {
  EtsFit fit;
  fit.spec = Normalise(raw_spec);
  fit.params = params;
  fit.initial_state.assign(fit.spec.NumStates(), 0.0);
  if (static_cast<int>(initial_state.size()) == fit.spec.NumStates()) {
    std::copy(initial_state.begin(), initial_state.end(), fit.initial_state.begin());
  } else {
    FullState(fit.spec, initial_state, fit.initial_state);
  }
  // As in FitEts, the recursions run on data scaled to magnitude ~1 (exactly: a power of two),
  // so that R's absolute guards and the sums of squares behave the same for any units.
  const double scale = PowerOfTwoScale(y_raw);
  std::vector<double> y(y_raw.begin(), y_raw.end());
  for (double& v : y) v /= scale;
  const EtsSpec& spec = fit.spec;
  fit.initial_state[0] /= scale;
  std::size_t j = 1;
  if (spec.has_trend()) {
    if (spec.trend == TrendType::kAdditive) fit.initial_state[1] /= scale;
    j = 2;
  }
  if (spec.season == SeasonType::kAdditive) {
    for (; j < fit.initial_state.size(); ++j) fit.initial_state[j] /= scale;
  }
  Finish(y, scale, fit);
  return fit;
}

}  // namespace salesops::forecast::ets
