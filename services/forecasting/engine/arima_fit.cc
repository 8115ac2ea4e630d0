#include "services/forecasting/engine/arima_fit.h"

#include <nlopt.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include <Eigen/Dense>
#include <unsupported/Eigen/NonLinearOptimization>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/arima_likelihood.h"
#include "services/forecasting/engine/arima_state_space.h"

namespace salesops::forecast::arima {
namespace {

constexpr double kLog2Pi = 1.8378770664093454836;
// Residual returned for parameters where the objective is undefined: large enough that the
// optimiser always rejects the step, small enough that its square stays finite.
constexpr double kRejectResidual = 1e100;
// Levenberg-Marquardt settings: relative tolerance on the sum of squares and on the step (in
// log-likelihood terms about nobs * 5e-7, far below what separates models), and evaluations
// allowed per unknown (+1).
constexpr double kCssTolerance = 1e-6;
constexpr double kMlTolerance = 1e-6;
constexpr int kCssEvaluationsPerInput = 50;
constexpr int kMlEvaluationsPerInput = 40;
// ML stops once an iterate has a root within this of the unit circle (see MinimiseLeastSquares).
constexpr double kBoundaryMargin = 1e-3;
// The CSS estimate is pulled this far inside the admissible region before ML starts from it:
// partial autocorrelations at most 0.9 in magnitude.
constexpr double kPullLimit = 0.9;

// How optimiser variables map to R's coefficients: as they are (what our optimisers search, with
// stationarity and invertibility enforced by rejecting steps), or with the AR blocks through the
// PACF transformation (R's ML coordinates, in which R's coefficient covariance is computed).
enum class Transform { kNone, kAr };

struct Block {
  int offset, length;
};

// The blocks of R's coefficient vector a transformation applies to.
int TransformedBlocks(const ArimaOrder& o, Transform t, Block* blocks) {
  int n = 0;
  if (t == Transform::kNone) return 0;
  if (o.p > 0) blocks[n++] = {0, o.p};
  if (o.P > 0) blocks[n++] = {o.p + o.q, o.P};
  return n;
}

// Optimiser variables -> R's coefficients (the first NumArma() of each).
void ToCoefficients(const ArimaOrder& o, const double* x, Transform t, double* coef) {
  const int k = o.NumArma();
  std::copy(x, x + k, coef);
  Block blocks[4];
  const int nb = TransformedBlocks(o, t, blocks);
  for (int b = 0; b < nb; ++b) {
    const Block& bl = blocks[b];
    ArFromUnconstrained({x + bl.offset, static_cast<std::size_t>(bl.length)},
                        {coef + bl.offset, static_cast<std::size_t>(bl.length)});
  }
}

// R's coefficients -> optimiser variables; the AR blocks must be stationary.
void FromCoefficients(const ArimaOrder& o, const double* coef, Transform t, double* x) {
  const int k = o.NumArma();
  std::copy(coef, coef + k, x);
  Block blocks[4];
  const int nb = TransformedBlocks(o, t, blocks);
  for (int b = 0; b < nb; ++b) {
    const Block& bl = blocks[b];
    UnconstrainedFromAr({coef + bl.offset, static_cast<std::size_t>(bl.length)},
                        {x + bl.offset, static_cast<std::size_t>(bl.length)});
  }
}

bool AllFinite(const Eigen::VectorXd& v) { return v.allFinite(); }

// Moves each AR and MA block of `coef` strictly inside the admissible region: partial
// autocorrelations (of the MA polynomial read as an AR one) beyond +-limit are pulled back to it.
// A start on the boundary would leave a trust-region method no admissible step.
void PullInside(const ArimaOrder& o, double* coef, double limit) {
  const int offsets[4] = {0, o.p, o.p + o.q, o.p + o.q + o.P};
  const int lengths[4] = {o.p, o.q, o.P, o.Q};
  for (int b = 0; b < 4; ++b) {
    const int len = lengths[b];
    if (len == 0) continue;
    const double sign = (b == 1 || b == 3) ? -1.0 : 1.0;
    double a[16], raw[16];
    for (int i = 0; i < len; ++i) a[i] = sign * coef[offsets[b] + i];
    // Step down to the partial autocorrelations, clamp, step up again.
    double pacf[16], work[16], cur[16];
    std::copy(a, a + len, cur);
    bool ok = true;
    for (int j = len - 1; j >= 0; --j) {
      const double r = cur[j];
      pacf[j] = r;
      if (!(std::abs(r) < 1.0)) {
        ok = false;
        pacf[j] = r > 0 ? limit : -limit;
      }
      const double denom = 1 - r * r;
      if (!(std::abs(denom) > 1e-12)) {
        for (int i = 0; i < j; ++i) cur[i] = 0;
        continue;
      }
      for (int i = 0; i < j; ++i) work[i] = (cur[i] + r * cur[j - i - 1]) / denom;
      for (int i = 0; i < j; ++i) cur[i] = work[i];
    }
    bool clamp = !ok;
    for (int j = 0; j < len; ++j) {
      if (!std::isfinite(pacf[j])) pacf[j] = 0;
      if (std::abs(pacf[j]) > limit) {
        pacf[j] = pacf[j] > 0 ? limit : -limit;
        clamp = true;
      }
    }
    if (!clamp) continue;
    for (int j = 0; j < len; ++j) raw[j] = std::atanh(pacf[j]);
    ArFromUnconstrained({raw, static_cast<std::size_t>(len)}, {a, static_cast<std::size_t>(len)});
    for (int i = 0; i < len; ++i) coef[offsets[b] + i] = sign * a[i];
  }
}

// Schur-Cohn test by the step-down (inverse Durbin-Levinson) recursion: true when every root of
// 1 - sign * (c_1 z + ... + c_k z^k) lies outside the unit circle (sign +1 for AR, -1 for MA).
bool RootsOutsideUnitCircle(const double* c, int k, double sign) {
  double a[16], work[16];
  for (int i = 0; i < k; ++i) a[i] = sign * c[i];
  for (int j = k - 1; j >= 0; --j) {
    const double r = a[j];
    if (!(std::abs(r) < 1.0)) return false;
    const double denom = 1 - r * r;
    for (int i = 0; i < j; ++i) work[i] = (a[i] + r * a[j - i - 1]) / denom;
    for (int i = 0; i < j; ++i) a[i] = work[i];
  }
  return true;
}

// The coefficients are in the region the optimisers search: stationary AR and invertible MA
// parts.
bool Admissible(const ArimaOrder& o, const double* coef) {
  return RootsOutsideUnitCircle(coef, o.p, 1.0) &&
         RootsOutsideUnitCircle(coef + o.p, o.q, -1.0) &&
         RootsOutsideUnitCircle(coef + o.p + o.q, o.P, 1.0) &&
         RootsOutsideUnitCircle(coef + o.p + o.q + o.P, o.Q, -1.0);
}

// Conditional sum of squares, as a least-squares problem over (ARMA coefficients, mean), the
// coefficients confined to the admissible region.
class CssProblem {
 public:
  CssProblem(const ArimaOrder& order, std::span<const double> w, bool estimate_mean, double mean)
      : order_(order), w_(w), estimate_mean_(estimate_mean), mean_(mean), k_(order.NumArma()),
        coef_(order.NumArma()), phi_(order.FullAr()), theta_(order.FullMa()),
        resid_(w.size()) {}

  int inputs() const { return k_ + (estimate_mean_ ? 1 : 0); }
  int values() const { return static_cast<int>(w_.size()) - order_.FullAr(); }
  int evaluations() const { return evaluations_; }

  // Residuals at x; false when they are not finite.
  bool Evaluate(const double* x, double* ssq) {
    ++evaluations_;
    std::copy(x, x + k_, coef_.begin());
    if (!Admissible(order_, coef_.data())) return false;
    ExpandArma(order_, coef_, phi_, theta_);
    const double mean = estimate_mean_ ? x[k_] : mean_;
    *ssq = CssResiduals(phi_, theta_, w_, mean, resid_);
    return std::isfinite(*ssq);
  }

  int operator()(const Eigen::VectorXd& x, Eigen::VectorXd& fvec) {
    double ssq;
    const int pf = order_.FullAr();
    if (!AllFinite(x) || !Evaluate(x.data(), &ssq)) {
      fvec.setConstant(values(), kRejectResidual);
      return 0;
    }
    for (int i = 0; i < values(); ++i) fvec[i] = resid_[pf + i];
    return 0;
  }

  int df(const Eigen::VectorXd& x, Eigen::MatrixXd& fjac) {
    double ssq;
    if (!AllFinite(x) || !Evaluate(x.data(), &ssq)) {
      fjac.setZero(values(), inputs());
      return 0;
    }
    const double mean = estimate_mean_ ? x[k_] : mean_;
    CssJacobian(order_, coef_, phi_, theta_, w_, mean, resid_, estimate_mean_, fjac);
    return 0;
  }

  bool NearBoundary(const Eigen::VectorXd& x) {
    std::copy(x.data(), x.data() + k_, coef_.begin());
    return MinRootModulusOfModel(order_, coef_) < 1 + kBoundaryMargin;
  }

  // R's armaCSS: 0.5 * log(ssq / nu); +inf where undefined.
  double Objective(const double* x) {
    double ssq;
    if (!Evaluate(x, &ssq) || values() <= 0) return HUGE_VAL;
    // A perfect fit (a series that differencing makes constant, with nothing to estimate) has
    // no finite log: the sentinel ExactLikelihood::Objective uses too.
    if (ssq == 0) return -1e300;
    return 0.5 * std::log(ssq / values());
  }

  const std::vector<double>& coefficients() const { return coef_; }

 private:
  const ArimaOrder& order_;
  std::span<const double> w_;
  bool estimate_mean_;
  double mean_;
  int k_;
  std::vector<double> coef_, phi_, theta_, resid_;
  int evaluations_ = 0;
};

// The exact likelihood over the ARMA coefficients (confined to the admissible region), the mean
// profiled out or fixed, as a least-squares problem: residuals e_t / sqrt(f_t) *
// exp(sumlog / (2 nu)), whose sum of squares is nu * exp(2 * armafn).
class MlProblem {
 public:
  MlProblem(const ArimaOrder& order, std::span<const double> w, bool profile_mean, double mean)
      : order_(order), w_(w), profile_mean_(profile_mean), mean_(mean), k_(order.NumArma()),
        coef_(order.NumArma()), phi_(order.FullAr()), theta_(order.FullMa()),
        resid_(w.size()) {}

  int inputs() const { return k_; }
  int values() const { return static_cast<int>(w_.size()); }
  int evaluations() const { return evaluations_; }

  bool Evaluate(const double* x, ExactLikelihood* lik) {
    ++evaluations_;
    std::copy(x, x + k_, coef_.begin());
    if (!Admissible(order_, coef_.data())) return false;
    ExpandArma(order_, coef_, phi_, theta_);
    if (!filter_.Run(phi_, theta_, w_, profile_mean_, mean_, lik, resid_)) return false;
    // (ssq == 0 is a perfect fit, Objective() -1e300.)
    return lik->nu > 0 && lik->ssq >= 0 && std::isfinite(lik->Objective());
  }

  int operator()(const Eigen::VectorXd& x, Eigen::VectorXd& fvec) {
    ExactLikelihood lik;
    if (!AllFinite(x) || !Evaluate(x.data(), &lik)) {
      fvec.setConstant(values(), kRejectResidual);
    } else {
      const double scale = std::exp(lik.sumlog / (2.0 * lik.nu));
      for (int i = 0; i < values(); ++i) fvec[i] = resid_[i] * scale;
    }
    last_x_ = x;
    last_f_ = fvec;
    return 0;
  }

  // Forward differences, reusing the evaluation at x the optimiser has just made.
  int df(const Eigen::VectorXd& x, Eigen::MatrixXd& fjac) {
    if (last_x_.size() != x.size() || last_x_ != x) (*this)(x, last_f_);
    const Eigen::VectorXd f0 = last_f_;
    Eigen::VectorXd xh = x, fh(values());
    for (int j = 0; j < k_; ++j) {
      const double h = 1e-7 * std::max(1.0, std::abs(x[j]));
      xh[j] = x[j] + h;
      (*this)(xh, fh);
      fjac.col(j) = (fh - f0) / h;
      xh[j] = x[j];
    }
    last_x_ = x;
    last_f_ = f0;
    return k_;
  }

  bool NearBoundary(const Eigen::VectorXd& x) {
    std::copy(x.data(), x.data() + k_, coef_.begin());
    return MinRootModulusOfModel(order_, coef_) < 1 + kBoundaryMargin;
  }

  // R's armafn at x; +inf where undefined.
  double Objective(const double* x, double* mean = nullptr) {
    ExactLikelihood lik;
    if (!Evaluate(x, &lik)) return HUGE_VAL;
    if (mean != nullptr) *mean = lik.mean;
    return lik.Objective();
  }

 private:
  const ArimaOrder& order_;
  std::span<const double> w_;
  bool profile_mean_;
  double mean_;
  int k_;
  std::vector<double> coef_, phi_, theta_, resid_;
  ArmaKalmanFilter filter_;
  Eigen::VectorXd last_x_, last_f_;
  int evaluations_ = 0;
};

// Hannan-Rissanen estimates of the ARMA coefficients of z = w - mean: a long autoregression
// (Yule-Walker) estimates the innovations, then least squares of z_t on its own lags and the
// estimated innovations' lags (1..p and m..Pm, 1..q and m..Qm; the multiplicative cross terms
// are left out). A second, independent starting point for CSS: LM from zero can settle in a
// poor local optimum of models with both AR and MA parts. False when the series is too short.
bool HannanRissanen(const ArimaOrder& o, std::span<const double> w, double mean,
                    std::vector<double>* coef) {
  const int n = static_cast<int>(w.size());
  const int pf = o.FullAr(), qf = o.FullMa(), k = o.NumArma();
  const int long_order = std::min(n / 3, std::max({10, pf + qf + 1, 2 * qf + 2}));
  const int first_row = long_order + std::max(pf, qf);
  if (long_order < 1 || n - first_row < k + 3) return false;
  std::vector<double> z(n);
  for (int t = 0; t < n; ++t) z[t] = w[t] - mean;
  // Sample autocovariances and Durbin-Levinson for the long autoregression.
  std::vector<double> acov(long_order + 1, 0.0);
  for (int h = 0; h <= long_order; ++h) {
    double s = 0;
    for (int t = h; t < n; ++t) s += z[t] * z[t - h];
    acov[h] = s / n;
  }
  if (!(acov[0] > 0)) return false;
  std::vector<double> a(long_order + 1, 0.0), prev(long_order + 1, 0.0);
  double v = acov[0];
  for (int j = 1; j <= long_order; ++j) {
    double num = acov[j];
    for (int i = 1; i < j; ++i) num -= prev[i] * acov[j - i];
    const double kappa = num / v;
    if (!(std::abs(kappa) < 1)) return false;
    a[j] = kappa;
    for (int i = 1; i < j; ++i) a[i] = prev[i] - kappa * prev[j - i];
    v *= 1 - kappa * kappa;
    prev = a;
  }
  std::vector<double> e(n, 0.0);
  for (int t = long_order; t < n; ++t) {
    double s = z[t];
    for (int i = 1; i <= long_order; ++i) s -= a[i] * z[t - i];
    e[t] = s;
  }
  // Regression columns in R's coefficient order.
  std::vector<std::pair<bool, int>> columns;  // (innovation lag?, lag)
  for (int i = 1; i <= o.p; ++i) columns.push_back({false, i});
  for (int i = 1; i <= o.q; ++i) columns.push_back({true, i});
  for (int j = 1; j <= o.P; ++j) columns.push_back({false, j * o.m});
  for (int j = 1; j <= o.Q; ++j) columns.push_back({true, j * o.m});
  const int rows = n - first_row;
  Eigen::MatrixXd X(rows, k);
  Eigen::VectorXd y(rows);
  for (int r = 0; r < rows; ++r) {
    const int t = first_row + r;
    y[r] = z[t];
    for (int c = 0; c < k; ++c) {
      const auto [innovation, lag] = columns[c];
      X(r, c) = innovation ? e[t - lag] : z[t - lag];
    }
  }
  const Eigen::VectorXd b = X.colPivHouseholderQr().solve(y);
  if (!b.allFinite()) return false;
  coef->assign(b.data(), b.data() + k);
  return true;
}

template <class Problem>
double NloptObjective(unsigned n, const double* x, double* grad, void* data) {
  return static_cast<Problem*>(data)->Objective(x);
}

// Minimises problem.Objective by Nelder-Mead (NLopt): for problems with fewer residuals than
// unknowns, where Levenberg-Marquardt does not apply.
template <class Problem>
void MinimiseDirect(Problem& problem, Eigen::VectorXd& x) {
  const int n = static_cast<int>(x.size());
  nlopt_opt opt = nlopt_create(NLOPT_LN_NELDERMEAD, n);
  nlopt_set_min_objective(opt, &NloptObjective<Problem>, &problem);
  nlopt_set_ftol_abs(opt, 1e-10);
  nlopt_set_maxeval(opt, 200 * (n + 1));
  std::vector<double> step(n, 0.1), v(x.data(), x.data() + n);
  for (int i = 0; i < n; ++i) step[i] = std::max(0.1, 0.1 * std::abs(v[i]));
  nlopt_set_initial_step(opt, step.data());
  double value = 0;
  const nlopt_result result = nlopt_optimize(opt, v.data(), &value);
  nlopt_destroy(opt);
  if (result > 0 && std::isfinite(value)) x = Eigen::Map<Eigen::VectorXd>(v.data(), n);
}

// Least squares by Levenberg-Marquardt from x.
template <class Problem>
void MinimiseLeastSquares(Problem& problem, Eigen::VectorXd& x, double tolerance, int max_evals) {
  if (problem.inputs() == 0) return;
  if (problem.values() < problem.inputs()) {
    MinimiseDirect(problem, x);
    return;
  }
  Eigen::LevenbergMarquardt<Problem> lm(problem);
  lm.parameters.ftol = tolerance;
  lm.parameters.xtol = tolerance;
  lm.parameters.maxfev = max_evals;
  int status = lm.minimizeInit(x);
  if (status != Eigen::LevenbergMarquardtSpace::ImproperInputParameters) {
    do {
      status = lm.minimizeOneStep(x);
      // An iterate heading for the boundary of the admissible region (a root of an AR or MA
      // polynomial on the unit circle, where the likelihood of an over-differenced or
      // non-stationary fit peaks) converges ever more slowly; such a model is discarded by
      // auto.arima's root check anyway, so stop as soon as it is clearly on its way there.
      if (status == Eigen::LevenbergMarquardtSpace::Running && problem.NearBoundary(x)) break;
    } while (status == Eigen::LevenbergMarquardtSpace::Running);
  }
}

// The mean of the differenced series implied by the constant: the intercept itself, or the
// drift times the change differencing makes to t (1 for d = 1, m for D = 1).
double DriftScale(const ArimaOrder& o) { return o.D == 1 ? static_cast<double>(o.m) : 1.0; }

}  // namespace

absl::StatusOr<ArimaFit> FitArima(std::span<const double> x, const ArimaOrder& order,
                                  bool constant, const ArimaFitOptions& options) {
  const int n = static_cast<int>(x.size());
  const int lost = order.NumLost();
  if (n <= lost) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "y: %d observations are too few for %s", n, order.Name()));
  }
  const int nd = order.d + order.D;
  const bool has_constant = constant && nd <= 1;
  const bool estimate_constant = has_constant && !options.fixed_constant.has_value();
  const std::vector<double> w = Difference(x, order.d, order.D, order.m);
  const int N = static_cast<int>(w.size());
  const int k = order.NumArma();
  const double scale = nd == 0 ? 1.0 : DriftScale(order);
  double mean = 0;
  if (has_constant) {
    mean = options.fixed_constant.has_value()
               ? *options.fixed_constant * scale
               : std::accumulate(w.begin(), w.end(), 0.0) / N;
  }

  ArimaFit fit;
  fit.order = order;
  fit.constant = has_constant;
  fit.constant_fixed = has_constant && !estimate_constant;
  fit.method = options.method;
  fit.n = n;
  fit.nobs = N;
  fit.num_estimated = k + (estimate_constant ? 1 : 0);
  fit.coef.assign(k, 0.0);

  // CSS, from zero coefficients and the sample mean (R's init0 and lm() starting values), over
  // stationary AR and invertible MA parts. (R's CSS is unconstrained and CSS-ML then gives up on
  // a non-stationary estimate; searching the admissible region instead avoids the divergent
  // conditional residuals of a non-invertible MA part and fits every model R can fit.)
  Eigen::VectorXd css_x = Eigen::VectorXd::Zero(k + (estimate_constant ? 1 : 0));
  if (estimate_constant) css_x[k] = mean;
  int evaluations = 0;
  std::vector<double> css_coef(k, 0.0);
  if (options.method != FitMethod::kMl) {
    CssProblem css(order, w, estimate_constant, mean);
    if (css.values() <= 0) {
      return absl::FailedPreconditionError(
          absl::StrFormat("y: too few observations for CSS estimation of %s", order.Name()));
    }
    MinimiseLeastSquares(css, css_x, kCssTolerance, kCssEvaluationsPerInput * (css.inputs() + 1));
    double value = css.Objective(css_x.data());
    // A second CSS run from the Hannan-Rissanen estimates, for models with an MA part; the
    // better of the two wins.
    std::vector<double> hr;
    if (order.q + order.Q > 0 && HannanRissanen(order, w, mean, &hr)) {
      PullInside(order, hr.data(), kPullLimit);
      Eigen::VectorXd hr_x(css_x.size());
      for (int i = 0; i < k; ++i) hr_x[i] = hr[i];
      if (estimate_constant) hr_x[k] = mean;
      MinimiseLeastSquares(css, hr_x, kCssTolerance,
                           kCssEvaluationsPerInput * (css.inputs() + 1));
      const double hr_value = css.Objective(hr_x.data());
      if (hr_value < value || !std::isfinite(value)) {
        css_x = hr_x;
        value = hr_value;
      }
      css.Objective(css_x.data());  // leaves css.coefficients() at the chosen estimate
    }
    evaluations += css.evaluations();
    if (!std::isfinite(value) || !css_x.allFinite()) {
      return absl::FailedPreconditionError("y: no finite conditional sum of squares");
    }
    css_coef = css.coefficients();
    if (options.method == FitMethod::kCss) {
      fit.coef = css_coef;
      if (has_constant) fit.coef.push_back(estimate_constant ? css_x[k] / scale : *options.fixed_constant);
      fit.sigma2 = std::exp(2 * value);
      fit.objective = value;
      fit.loglik = -0.5 * (2 * N * value + N + N * kLog2Pi);
      fit.aic = std::numeric_limits<double>::quiet_NaN();
      fit.optimizer_par = css_coef;
      if (estimate_constant) fit.optimizer_par.push_back(css_x[k]);
      fit.evaluations = evaluations;
      return fit;
    }
  }

  // ML from the CSS estimate (pulled inside the admissible region), or from the caller's
  // starting point when the likelihood is higher there.
  PullInside(order, css_coef.data(), kPullLimit);
  Eigen::VectorXd ml_x = Eigen::Map<const Eigen::VectorXd>(css_coef.data(), k);
  MlProblem ml(order, w, estimate_constant, mean);
  if (ml.values() <= 0) {
    return absl::FailedPreconditionError("y: too few observations for maximum likelihood");
  }
  if (k > 0) {
    const double from_css = ml.Objective(ml_x.data());
    if (options.start.size() == static_cast<std::size_t>(k)) {
      std::vector<double> start = options.start;
      PullInside(order, start.data(), kPullLimit);
      if (ml.Objective(start.data()) < from_css) {
        ml_x = Eigen::Map<const Eigen::VectorXd>(start.data(), k);
      }
    }
  }
  MinimiseLeastSquares(ml, ml_x, kMlTolerance, kMlEvaluationsPerInput * (k + 1));
  evaluations += ml.evaluations();

  for (int i = 0; i < k; ++i) fit.coef[i] = ml_x[i];
  double fitted_mean = mean;
  const double value = ml.Objective(ml_x.data(), &fitted_mean);
  evaluations = evaluations + 1;
  if (!std::isfinite(value) || !ml_x.allFinite()) {
    return absl::FailedPreconditionError("y: no finite likelihood");
  }
  if (has_constant) {
    fit.coef.push_back(estimate_constant ? fitted_mean / scale : *options.fixed_constant);
  }
  fit.objective = value;
  fit.loglik = -0.5 * (2 * N * value + N + N * kLog2Pi);
  fit.aic = -2 * fit.loglik + 2 * fit.num_estimated + 2;
  fit.sigma2 = std::exp(2 * value);  // placeholder, replaced below by ssq / n.used
  {
    ExactLikelihood lik;
    std::vector<double> phi(order.FullAr()), theta(order.FullMa());
    ExpandArma(order, fit.coef, phi, theta);
    ArmaKalmanFilter filter;
    if (filter.Run(phi, theta, w, false, has_constant ? fitted_mean : 0.0, &lik)) {
      fit.sigma2 = lik.ssq / N;
    }
  }
  // R's optimiser coordinates (AR parts transformed), for the covariance check.
  fit.optimizer_par.assign(k, 0.0);
  FromCoefficients(order, fit.coef.data(), Transform::kAr, fit.optimizer_par.data());
  if (estimate_constant) fit.optimizer_par.push_back(fitted_mean);
  fit.evaluations = evaluations;
  return fit;
}

bool CoefficientCovarianceInvalid(std::span<const double> x, const ArimaFit& fit) {
  const ArimaOrder& order = fit.order;
  const int k = order.NumArma();
  const bool with_mean = fit.constant && !fit.constant_fixed;
  const int K = k + (with_mean ? 1 : 0);
  if (K == 0) return false;
  const std::vector<double> w = Difference(x, order.d, order.D, order.m);
  const int N = static_cast<int>(w.size());
  if (N < 2) return true;
  const bool ml = fit.method != FitMethod::kCss;
  const double nd_scale = (order.d + order.D == 0) ? 1.0 : DriftScale(order);
  const double fixed_mean = fit.constant ? fit.coef[k] * nd_scale : 0.0;

  // The objective with every estimated coefficient explicit (no profiling), in optim's
  // coordinates: ARMA coefficients (AR parts transformed for ML), then the mean of w.
  std::vector<double> coef(k), phi(order.FullAr()), theta(order.FullMa()), resid(w.size());
  ArmaKalmanFilter filter;
  auto objective = [&](const std::vector<double>& par) -> double {
    ToCoefficients(order, par.data(), ml ? Transform::kAr : Transform::kNone, coef.data());
    ExpandArma(order, coef, phi, theta);
    const double mean = with_mean ? par[k] : fixed_mean;
    if (ml) {
      ExactLikelihood lik;
      if (!filter.Run(phi, theta, w, false, mean, &lik)) return HUGE_VAL;
      return lik.Objective();
    }
    const double ssq = CssResiduals(phi, theta, w, mean, resid);
    const int nu = N - order.FullAr();
    if (nu <= 0) return HUGE_VAL;
    return 0.5 * std::log(ssq / nu);
  };

  std::vector<double> par(fit.optimizer_par.begin(), fit.optimizer_par.end());
  par.resize(K, fixed_mean);
  // optim's steps: ndeps = 1e-3 times parscale (1 for ARMA coefficients, 10 standard errors of
  // the regression coefficient for the mean).
  std::vector<double> h(K, 1e-3);
  if (with_mean) {
    double m = std::accumulate(w.begin(), w.end(), 0.0) / N, ss = 0;
    for (double v : w) ss += (v - m) * (v - m);
    const double se = std::sqrt(ss / (N - 1)) / std::sqrt(static_cast<double>(N));
    h[k] = 1e-3 * 10 * (se > 0 ? se : 1.0);
  }
  Eigen::MatrixXd H(K, K);
  auto at = [&](int i, double si, int j, double sj) {
    std::vector<double> v = par;
    v[i] += si * h[i];
    v[j] += sj * h[j];
    return objective(v);
  };
  const double f0 = objective(par);
  for (int i = 0; i < K; ++i) {
    // optimHess: central differences of central-difference gradients.
    H(i, i) = (at(i, 1, i, 1) - 2 * f0 + at(i, -1, i, -1)) / (4 * h[i] * h[i]);
    for (int j = i + 1; j < K; ++j) {
      const double v = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) /
                       (4 * h[i] * h[j]);
      H(i, j) = H(j, i) = v;
    }
  }
  if (!H.allFinite()) return true;
  H *= N;
  // R's solve() refuses a computationally singular matrix.
  Eigen::FullPivLU<Eigen::MatrixXd> lu(H);
  if (!lu.isInvertible() || lu.rcond() < std::numeric_limits<double>::epsilon()) return true;
  Eigen::MatrixXd var;
  if (ml) {
    // A = d partrans / d raw by forward differences of 1e-3 (R's ARIMA_Gradtrans).
    Eigen::MatrixXd A = Eigen::MatrixXd::Identity(K, K);
    auto block = [&](int offset, int len) {
      std::vector<double> w1(par.begin() + offset, par.begin() + offset + len), w2(len), w3(len);
      ArFromUnconstrained(w1, w2);
      for (int i = 0; i < len; ++i) {
        w1[i] += 1e-3;
        ArFromUnconstrained(w1, w3);
        for (int j = 0; j < len; ++j) A(offset + i, offset + j) = (w3[j] - w2[j]) / 1e-3;
        w1[i] -= 1e-3;
      }
    };
    if (order.p > 0) block(0, order.p);
    if (order.P > 0) block(order.p + order.q, order.P);
    var = A.transpose() * lu.solve(A);
  } else {
    var = lu.inverse();
  }
  for (int i = 0; i < K; ++i) {
    if (!(var(i, i) >= 0)) return true;
  }
  return false;
}

ArimaPrediction PredictArima(std::span<const double> x, const ArimaFit& fit, int horizon) {
  const ArimaOrder& order = fit.order;
  const int k = order.NumArma();
  const int n = static_cast<int>(x.size());
  std::vector<double> phi(order.FullAr()), theta(order.FullMa());
  ExpandArma(order, std::span(fit.coef).subspan(0, k), phi, theta);
  const std::vector<double> delta = DifferencingPolynomial(order.d, order.D, order.m);
  // The regression part: intercept, or drift * t with t = 1..n (and n+1.. ahead).
  const bool drift = fit.constant && order.d + order.D == 1;
  const double c = fit.constant ? fit.coef[k] : 0.0;
  std::vector<double> z(x.begin(), x.end());
  for (int t = 0; t < n; ++t) z[t] -= drift ? c * (t + 1) : c;
  ArimaStateSpace model(phi, theta, delta);
  ArimaPrediction out;
  model.Filter(z, &out.residuals);
  model.Forecast(horizon, &out.mean, &out.variance);
  for (int h = 0; h < horizon; ++h) out.mean[h] += drift ? c * (n + h + 1) : c;
  return out;
}

std::vector<double> ArimaResiduals(std::span<const double> x, const ArimaFit& fit) {
  return PredictArima(x, fit, 0).residuals;
}

}  // namespace salesops::forecast::arima
