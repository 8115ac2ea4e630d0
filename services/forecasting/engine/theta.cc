#include "services/forecasting/engine/theta.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/ets_fit.h"
#include "services/forecasting/engine/result.h"
#include "services/forecasting/engine/seasonality.h"

namespace salesops::forecast {
namespace {

// statsforecast's (and forecTheta's) bounds for the optimised Theta models.
constexpr double kAlphaLower = 0.1;
constexpr double kAlphaUpper = 0.99;
constexpr double kThetaUpper = 1e10;
// The in-sample criterion skips the first errors (statsforecast: e[3:]).
constexpr int kFirstScoredError = 3;
// Parameters estimated by the optimised models: alpha, theta, l0.
constexpr int kOptimizedThetaParameters = 3;
// Below this, three parameters from n - 3 one-step errors is not an estimate: use thetaf.
constexpr int kMinOptimizedThetaObservations = 8;
// R's ets estimates SES by likelihood only when n > npars + 4 = 6.
constexpr int kMinEtsSesObservations = 7;


// (1 - (1 - a)^n) / a for a in (0, 1], without cancellation for tiny a.
double GeometricSum(double a, double n) { return -std::expm1(n * std::log1p(-a)) / a; }

// Slope of the least-squares line of x on 0, 1, ..., n-1 (R's lsfit(0:(n-1), x)); 0 for n < 2.
double LeastSquaresSlope(std::span<const double> x) {
  const std::size_t n = x.size();
  if (n < 2) return 0;
  const double t_mean = (static_cast<double>(n) - 1) / 2;
  double x_mean = 0;
  for (double v : x) x_mean += v;
  x_mean /= static_cast<double>(n);
  double sxy = 0, sxx = 0;
  for (std::size_t t = 0; t < n; ++t) {
    const double dt = static_cast<double>(t) - t_mean;
    sxy += dt * (x[t] - x_mean);
    sxx += dt * dt;
  }
  return sxy / sxx;
}

// SES as thetaf gets it from ses(x).
struct SesFit {
  double alpha = 0;
  double l0 = 0;
  double level = 0;  // after the last observation
  double sigma = 0;
};

// SES with the level started at x_1, run at `alpha`: the sum of squared one-step errors (the
// first is 0) and the final level. R's HoltWintersZZ.
double SesSse(std::span<const double> x, double alpha, double* final_level) {
  double level = x[0], sse = 0;
  for (double v : x) {
    const double e = v - level;
    sse += e * e;
    level += alpha * e;
  }
  if (final_level != nullptr) *final_level = level;
  return sse;
}

// What R's ets(x, "ANN") does for n <= 6: HoltWinters SES, level started at x_1, alpha in [0, 1]
// minimising the SSE (R: L-BFGS-B from 0.2 / m; here a grid refined by golden section, which finds
// the same optimum where the SSE is unimodal), sigma^2 = SSE / n.
SesFit FitShortSes(std::span<const double> x, int m) {
  constexpr int kGrid = 100;
  double best_alpha = 0, best = SesSse(x, 0, nullptr), worst = best;
  for (int k = 1; k <= kGrid; ++k) {
    const double a = static_cast<double>(k) / kGrid;
    const double sse = SesSse(x, a, nullptr);
    worst = std::max(worst, sse);
    if (sse < best) {
      best = sse;
      best_alpha = a;
    }
  }
  SesFit fit;
  if (worst - best <= 1e-12 * std::max(1.0, worst)) {
    fit.alpha = 0.2 / m;  // flat (n <= 2): R's optimiser stays at its starting value
  } else {
    double lo = std::max(0.0, best_alpha - 1.0 / kGrid);
    double hi = std::min(1.0, best_alpha + 1.0 / kGrid);
    const double g = (std::sqrt(5.0) - 1) / 2;
    double c = hi - g * (hi - lo), d = lo + g * (hi - lo);
    double fc = SesSse(x, c, nullptr), fd = SesSse(x, d, nullptr);
    for (int it = 0; it < 40; ++it) {
      if (fc < fd) {
        hi = d;
        d = c;
        fd = fc;
        c = hi - g * (hi - lo);
        fc = SesSse(x, c, nullptr);
      } else {
        lo = c;
        c = d;
        fc = fd;
        d = lo + g * (hi - lo);
        fd = SesSse(x, d, nullptr);
      }
    }
    const double a = (lo + hi) / 2;
    fit.alpha = SesSse(x, a, nullptr) < best ? a : best_alpha;
  }
  fit.l0 = x[0];
  const double sse = SesSse(x, fit.alpha, &fit.level);
  fit.sigma = std::sqrt(sse / static_cast<double>(x.size()));
  return fit;
}

SesFit FitSes(std::span<const double> x, int m) {
  if (static_cast<int>(x.size()) >= kMinEtsSesObservations) {
    absl::StatusOr<ets::EtsFit> fit = ets::FitEts(x, ets::EtsSpec{});
    if (fit.ok() && std::isfinite(fit->final_state[0]) && std::isfinite(fit->sigma)) {
      SesFit ses;
      ses.alpha = fit->params.alpha;
      ses.l0 = fit->initial_state[0];
      ses.level = fit->final_state[0];
      ses.sigma = fit->sigma;
      return ses;
    }
  }
  return FitShortSes(x, m);
}

// A forecast of `value` at every step with zero-width intervals.
ForecastResult FlatResult(ModelKind kind, std::string name, int season_length,
                          std::vector<std::pair<std::string, double>> parameters, double value,
                          const ForecastOptions& options) {
  const std::vector<double> mean(options.horizon, value), sd(options.horizon, 0.0);
  return Assemble(kind, std::move(name), season_length, std::move(parameters), 0, mean, sd,
                  options);
}

ForecastResult ThetaResult(std::span<const double> y, const ForecastOptions& options) {
  const int n = static_cast<int>(y.size());
  const int h = options.horizon;
  if (n == 1) {
    return FlatResult(ModelKind::kTheta, "THETA", 1,
                      {{"alpha", 1}, {"theta", 2}, {"drift", 0}, {"l0", y[0]}, {"sigma", 0}}, y[0],
                      options);
  }
  const SeasonalAdjustment adjustment = AdjustForSeasonality(y, options.season_length);
  const std::vector<double>& x = adjustment.adjusted;
  const int season_length = adjustment.applied ? options.season_length : 1;
  std::vector<double> mean(h), sd(h);
  SesFit ses;
  double drift = 0;
  if (IsConstantSeries(x)) {
    ses.alpha = 1;
    ses.l0 = x[0];
    ses.level = x.back();
  } else {
    ses = FitSes(x, options.season_length);
    drift = LeastSquaresSlope(x) / 2;
  }
  const double alpha = std::max(1e-10, ses.alpha);
  const double offset = GeometricSum(alpha, n);
  for (int k = 0; k < h; ++k) {
    mean[k] = ses.level + drift * (k + offset);
    sd[k] = ses.sigma * std::sqrt(1 + k * alpha * alpha);
  }
  // thetaf reseasonalises the mean only: its standard errors stay on the adjusted scale.
  if (adjustment.applied) Reseasonalise(mean, n, adjustment.decomposition);
  return Assemble(ModelKind::kTheta, "THETA", season_length,
                  {{"alpha", alpha},
                   {"theta", 2},
                   {"drift", drift},
                   {"l0", ses.l0},
                   {"sigma", ses.sigma}},
                  0, mean, sd, options);
}

// ---- The optimised Theta models ----------------------------------------------------------------

// Intercept and slope of the least-squares line of x on 1..n (statsforecast's An, Bn).
std::pair<double, double> LeastSquaresLine(std::span<const double> x) {
  const double n = static_cast<double>(x.size());
  const double b = n > 1 ? LeastSquaresSlope(x) : 0.0;
  double mean = 0;
  for (double v : x) mean += v / n;
  return {mean - (n + 1) * b / 2, b};
}

// The in-sample squared errors as a quadratic in (l0, w), w = 1 - 1/theta:
//   sum (r - b l0 - c w)^2 = rr - 2 l0 br - 2 w cr + l0^2 bb + 2 l0 w bc + w^2 cc.
struct Quadratic {
  double bb = 0, bc = 0, cc = 0, br = 0, cr = 0, rr = 0;
  double Value(double l, double w) const {
    return rr - 2 * l * br - 2 * w * cr + l * l * bb + 2 * l * w * bc + w * w * cc;
  }
};

// Runs the recursions that do not depend on (l0, w) at this alpha and collects the quadratic:
// mu_i = L_{i-1} + (1 - alpha)^i l0 + w g_i, with L the level started from 0 and
// g_i = A_{i-1} (1 - alpha)^i + B_{i-1} (1 - (1 - alpha)^{i+1}) / alpha.
Quadratic CollectQuadratic(std::span<const double> x, ThetaDynamics dynamics, double alpha,
                           std::pair<double, double> line) {
  const bool dynamic = dynamics == ThetaDynamics::kDynamic;
  const std::size_t n = x.size();
  const double keep = 1 - alpha;
  double level = alpha * x[0];  // L_0
  double mean_y = x[0];
  double a = dynamic ? x[0] : line.first;
  double b = dynamic ? 0.0 : line.second;
  double power = keep;  // (1 - alpha)^i
  Quadratic q;
  for (std::size_t i = 1; i < n; ++i) {
    const double di = static_cast<double>(i);
    const double g = a * power + b * (1 - power * keep) / alpha;
    if (i >= kFirstScoredError) {
      const double r = x[i] - level;
      q.bb += power * power;
      q.bc += power * g;
      q.cc += g * g;
      q.br += power * r;
      q.cr += g * r;
      q.rr += r * r;
    }
    level = alpha * x[i] + keep * level;
    if (dynamic) {
      const double new_mean = (di * mean_y + x[i]) / (di + 1);
      b = ((di - 1) * b + 6 * (x[i] - mean_y) / (di + 1)) / (di + 2);
      mean_y = new_mean;
      a = mean_y - b * (di + 2) / 2;
    }
    power *= keep;
  }
  return q;
}

struct BoxMinimum {
  double l = 0, w = 0, value = HUGE_VAL;
};

// argmin over v in [lo, hi] of c2 v^2 - 2 c1 v (+ const): the clamped stationary point, or an end.
double MinimiseOnSegment(double c2, double c1, double lo, double hi) {
  if (c2 > 0) return std::clamp(c1 / c2, lo, hi);
  return (c2 * lo * lo - 2 * c1 * lo) <= (c2 * hi * hi - 2 * c1 * hi) ? lo : hi;
}

// The minimum of the convex quadratic over the box: the interior stationary point when it is
// inside, else the best of the four edges' minima.
BoxMinimum MinimiseOnBox(const Quadratic& q, double l_lo, double l_hi, double w_lo, double w_hi) {
  BoxMinimum best;
  auto consider = [&](double l, double w) {
    const double v = q.Value(l, w);
    if (v < best.value) best = {l, w, v};
  };
  const double det = q.bb * q.cc - q.bc * q.bc;
  if (q.bb > 0 && q.cc > 0 && det > 1e-12 * q.bb * q.cc) {
    const double l = (q.br * q.cc - q.cr * q.bc) / det;
    const double w = (q.cr * q.bb - q.br * q.bc) / det;
    if (l >= l_lo && l <= l_hi && w >= w_lo && w <= w_hi) {
      consider(l, w);
      return best;
    }
  }
  for (double w : {w_lo, w_hi}) consider(MinimiseOnSegment(q.bb, q.br - w * q.bc, l_lo, l_hi), w);
  for (double l : {l_lo, l_hi}) consider(l, MinimiseOnSegment(q.cc, q.cr - l * q.bc, w_lo, w_hi));
  return best;
}

// What the alpha search keeps: the profile value at alpha and its (l0, w).
struct Profile {
  double alpha = 0;
  BoxMinimum minimum;
};

// The state-space forecast works on 3 states: level, running mean and B.
using Vec3 = std::array<double, 3>;
using Mat3 = std::array<Vec3, 3>;

}  // namespace

ThetaModelFit EvaluateThetaModel(std::span<const double> x, ThetaDynamics dynamics, double alpha,
                                 double theta, double l0) {
  const bool dynamic = dynamics == ThetaDynamics::kDynamic;
  const std::size_t n = x.size();
  const double keep = 1 - alpha;
  const double w = 1 - 1 / theta;
  const std::pair<double, double> line = LeastSquaresLine(x);
  ThetaModelFit fit;
  fit.dynamics = dynamics;
  fit.alpha = alpha;
  fit.theta = theta;
  fit.l0 = l0;
  fit.n = static_cast<int>(n);
  double level = alpha * x[0] + keep * l0;
  double mean_y = x[0];
  double a = dynamic ? x[0] : line.first;
  double b = dynamic ? 0.0 : line.second;
  double power = keep;
  double sse = 0;
  int scored = 0;
  for (std::size_t i = 1; i < n; ++i) {
    const double di = static_cast<double>(i);
    const double mu = level + w * (a * power + b * (1 - power * keep) / alpha);
    if (i >= kFirstScoredError) {
      sse += (x[i] - mu) * (x[i] - mu);
      ++scored;
    }
    level = alpha * x[i] + keep * level;
    if (dynamic) {
      const double new_mean = (di * mean_y + x[i]) / (di + 1);
      b = ((di - 1) * b + 6 * (x[i] - mean_y) / (di + 1)) / (di + 2);
      mean_y = new_mean;
      a = mean_y - b * (di + 2) / 2;
    } else {
      mean_y = (di * mean_y + x[i]) / (di + 1);
    }
    power *= keep;
  }
  fit.mse = scored > 0 ? sse / scored : 0.0;
  const int dof = std::max(1, scored - kOptimizedThetaParameters);
  fit.sigma = std::sqrt(sse / dof);
  fit.level = level;
  fit.mean_y = mean_y;
  fit.a = a;
  fit.b = b;
  return fit;
}

absl::StatusOr<ThetaModelFit> FitThetaModel(std::span<const double> x, ThetaDynamics dynamics) {
  if (x.size() <= static_cast<std::size_t>(kFirstScoredError)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "y: the optimised Theta model needs at least %d observations, got %d",
        kFirstScoredError + 1, x.size()));
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      return absl::InvalidArgumentError(absl::StrFormat("y[%d]: value is not finite", i));
    }
  }
  // The initial level is an SES level: it stays within the data's range. (Unbounded, it runs off
  // to absurd values whenever alpha is high enough for it to barely matter.)
  const auto [lo_it, hi_it] = std::minmax_element(x.begin(), x.end());
  const double l_lo = *lo_it, l_hi = *hi_it;
  const double w_hi = 1 - 1 / kThetaUpper;
  const std::pair<double, double> line = LeastSquaresLine(x);
  auto profile = [&](double alpha) {
    return Profile{alpha,
                   MinimiseOnBox(CollectQuadratic(x, dynamics, alpha, line), l_lo, l_hi, 0, w_hi)};
  };
  // A grid over alpha (steps of 0.01), then golden section around the best grid point.
  constexpr double kStep = 0.01;
  Profile best = profile(kAlphaLower);
  const int steps = static_cast<int>(std::lround((kAlphaUpper - kAlphaLower) / kStep));
  for (int k = 1; k <= steps; ++k) {
    const Profile p = profile(kAlphaLower + k * kStep);
    if (p.minimum.value < best.minimum.value) best = p;
  }
  double lo = std::max(kAlphaLower, best.alpha - kStep);
  double hi = std::min(kAlphaUpper, best.alpha + kStep);
  const double g = (std::sqrt(5.0) - 1) / 2;
  Profile c = profile(hi - g * (hi - lo)), d = profile(lo + g * (hi - lo));
  for (int it = 0; it < 30; ++it) {
    if (c.minimum.value < d.minimum.value) {
      hi = d.alpha;
      d = c;
      c = profile(hi - g * (hi - lo));
    } else {
      lo = c.alpha;
      c = d;
      d = profile(lo + g * (hi - lo));
    }
  }
  for (const Profile& p : {c, d}) {
    if (p.minimum.value < best.minimum.value) best = p;
  }
  const double w = best.minimum.w;
  const double theta = w >= w_hi ? kThetaUpper : 1 / (1 - w);
  ThetaModelFit fit = EvaluateThetaModel(x, dynamics, best.alpha, theta, best.minimum.l);
  if (!std::isfinite(fit.mse) || !std::isfinite(fit.level)) {
    return absl::InvalidArgumentError("y: the optimised Theta model could not be fitted");
  }
  return fit;
}

void ForecastThetaModel(const ThetaModelFit& fit, int horizon, std::span<double> mean,
                        std::span<double> sd) {
  const bool dynamic = fit.dynamics == ThetaDynamics::kDynamic;
  const double alpha = fit.alpha, keep = 1 - alpha;
  const double w = 1 - 1 / fit.theta;
  const double sigma2 = fit.sigma * fit.sigma;
  // Deterministic states (future observations replaced by their forecasts) and the covariance of
  // the stochastic states s = (level, running mean, B) given the data.
  double level = fit.level, mean_y = fit.mean_y, b = fit.b, a = fit.a;
  Mat3 p{};
  for (int k = 0; k < horizon; ++k) {
    const double di = static_cast<double>(fit.n + k);
    const double power = std::pow(keep, di);
    const double weight_b = (1 - power * keep) / alpha;
    const double mu = level + w * (a * power + b * weight_b);
    mean[k] = mu;
    // mu = hv . s + const; A = mean - B (i + 1) / 2 in the dynamic model.
    Vec3 hv = {1, 0, 0};
    if (dynamic) hv = {1, w * power, w * (weight_b - power * (di + 1) / 2)};
    double var = sigma2;
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) var += hv[r] * p[r][c] * hv[c];
    }
    sd[k] = std::sqrt(std::max(0.0, var));
    // s' = M s + g y with y = hv . s + e:  s' = (M + g hv') s + g e.
    Mat3 m{};
    Vec3 gv{};
    m[0][0] = keep;
    gv[0] = alpha;
    if (dynamic) {
      m[1][1] = di / (di + 1);
      m[2][1] = -6 / ((di + 1) * (di + 2));
      m[2][2] = (di - 1) / (di + 2);
      gv[1] = 1 / (di + 1);
      gv[2] = 6 / ((di + 1) * (di + 2));
    } else {
      m[1][1] = 1;
      m[2][2] = 1;
    }
    Mat3 f{};
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) f[r][c] = m[r][c] + gv[r] * hv[c];
    }
    Mat3 fp{}, next{};
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) {
        for (int j = 0; j < 3; ++j) fp[r][c] += f[r][j] * p[j][c];
      }
    }
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) {
        for (int j = 0; j < 3; ++j) next[r][c] += fp[r][j] * f[c][j];
        next[r][c] += sigma2 * gv[r] * gv[c];
      }
    }
    p = next;
    // The deterministic recursion with the forecast as the observation.
    level = alpha * mu + keep * level;
    if (dynamic) {
      const double new_mean = (di * mean_y + mu) / (di + 1);
      b = ((di - 1) * b + 6 * (mu - mean_y) / (di + 1)) / (di + 2);
      mean_y = new_mean;
      a = mean_y - b * (di + 2) / 2;
    }
  }
}

absl::StatusOr<ForecastResult> ForecastTheta(std::span<const double> y,
                                             const ForecastOptions& options) {
  if (absl::Status status = ValidateSeriesAndOptions(y, options); !status.ok()) return status;
  return ThetaResult(y, options);
}

absl::StatusOr<ForecastResult> ForecastOptimizedTheta(std::span<const double> y,
                                                      const ForecastOptions& options) {
  if (absl::Status status = ValidateSeriesAndOptions(y, options); !status.ok()) return status;
  const int n = static_cast<int>(y.size());
  if (n < kMinOptimizedThetaObservations) return ThetaResult(y, options);
  const SeasonalAdjustment adjustment = AdjustForSeasonality(y, options.season_length);
  const std::vector<double>& x = adjustment.adjusted;
  if (IsConstantSeries(x)) return ThetaResult(y, options);

  // The dynamic model only: on M3 it beat the static one and the choice between the two by
  // in-sample MSE (which mostly picks the static model, whose fixed line has seen the whole
  // sample) in sMAPE overall and on every subset but quarterly (see theta.h).
  absl::StatusOr<ThetaModelFit> fit = FitThetaModel(x, ThetaDynamics::kDynamic);
  if (!fit.ok()) return ThetaResult(y, options);

  const int h = options.horizon;
  std::vector<double> mean(h), sd(h);
  ForecastThetaModel(*fit, h, mean, sd);
  if (!AllFinite(mean) || !AllFinite(sd)) return ThetaResult(y, options);
  if (adjustment.applied) {
    Reseasonalise(mean, n, adjustment.decomposition);
    ReseasonaliseSpread(sd, n, adjustment.decomposition);
  }
  return Assemble(ModelKind::kOptimizedTheta, "DOTM",
                  adjustment.applied ? options.season_length : 1,
                  {{"alpha", fit->alpha},
                   {"theta", fit->theta},
                   {"l0", fit->l0},
                   {"drift", (1 - 1 / fit->theta) * fit->b},
                   {"sigma", fit->sigma}},
                  0, mean, sd, options);
}

}  // namespace salesops::forecast
