// Estimation of one ARIMA model of fixed orders, as R's stats::arima does it for forecast's
// Arima()/auto.arima: conditional sum of squares (CSS), exact maximum likelihood (ML), or CSS
// for starting values and then ML (CSS-ML, R's default). The constant is an intercept when the
// model has no differencing and a drift (a regression on time 1..n) when it has exactly one
// difference, as in forecast's myarima; with more differencing there is no constant.
//
// The objective functions are R's (arima_likelihood.h), so likelihoods and information criteria
// are on R's scale, except that the exact likelihood is the exact diffuse one where R
// approximates it with kappa = 1e6 (a few 1e-3 apart on some series). How they are optimised is
// not R's:
//   - both objectives are sums of squares (the exact likelihood after scaling the standardised
//     innovations by the geometric mean of the gains), minimised by Levenberg-Marquardt (Eigen's
//     MINPACK port; Nelder-Mead when there are fewer residuals than unknowns) where R uses BFGS;
//   - both search only stationary AR and invertible MA parts, rejecting steps that leave that
//     region, where R's CSS is unconstrained and its ML keeps the AR parts stationary by the PACF
//     transformation and leaves the MA parts free. So the MA parts come out invertible without
//     R's flipping of roots afterwards, and CSS-ML never fails, as R's does, on a non-stationary
//     CSS estimate;
//   - CSS of a model with MA terms runs twice, from zero (R's start) and from Hannan-Rissanen
//     estimates (when the series is long enough for them), and keeps the better; ML starts from
//     the CSS estimate (from zero for ML alone) pulled inside the region (partial
//     autocorrelations at most 0.9), or from ArimaFitOptions::start when the likelihood is higher
//     there;
//   - a CSS or ML run stops early once a root comes within 1e-3 of the unit circle (auto.arima
//     discards such a model anyway);
//   - the mean/drift is profiled out of the exact likelihood by generalised least squares rather
//     than searched for.
// The result can be a different local optimum from R's (e.g. ARIMA(2,1,1)(0,1,0)[12] on
// AirPassengers, see tests/unit/forecast_arima_test.cc). Deterministic; no global state.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_FIT_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_FIT_H_

#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "services/forecasting/engine/arima_model.h"

namespace salesops::forecast::arima {

enum class FitMethod { kCss, kCssMl, kMl };

struct ArimaFitOptions {
  FitMethod method = FitMethod::kCssMl;
  // A fixed value for the constant (intercept, or drift per time step) instead of estimating it,
  // as Arima(..., fixed = ...) in auto.arima's special cases.
  std::optional<double> fixed_constant;
  // A further starting point for ML (NumArma() coefficients, R's layout), e.g. the estimates of a
  // neighbouring model: ML starts from whichever of it and the CSS estimate has the higher
  // likelihood. A model that nests another then never ends below the other's likelihood for
  // want of a good start.
  std::vector<double> start;
};

// A fitted model. Information criteria are left to the caller (forecast's myarima, see
// auto_arima.h); the values here are stats::arima's.
struct ArimaFit {
  ArimaOrder order;
  // The model has an intercept (d + D == 0) or a drift (d + D == 1).
  bool constant = false;
  bool constant_fixed = false;
  // R's coef(): NumArma() ARMA coefficients (MA parts invertible), then the intercept or the
  // drift when `constant`.
  std::vector<double> coef;
  FitMethod method = FitMethod::kCssMl;
  int n = 0;     // observations
  int nobs = 0;  // R's n.used: n - d - m*D
  // Estimated coefficients (R's sum(mask)); forecast's npar is this + 1.
  int num_estimated = 0;
  // stats::arima's log-likelihood (for CSS the conditional one) and sigma2 (ML: ssq / n.used;
  // CSS: the conditional mean square).
  double loglik = 0;
  double sigma2 = 0;
  // stats::arima's aic (ML only; NaN for CSS, as R's NA).
  double aic = 0;
  // Optimiser's view, for the Hessian check: the objective's variables at the estimate (AR
  // parts transformed for ML) and the objective value (R's res$value).
  std::vector<double> optimizer_par;
  double objective = 0;
  int evaluations = 0;
};

// Fits `order` (with a constant when `constant` and d + D <= 1) to x. Errors (InvalidArgument)
// when the series is too short for the differencing, and (FailedPrecondition) when too few
// differenced observations remain for CSS or ML, or no finite conditional sum of squares or
// likelihood is found.
absl::StatusOr<ArimaFit> FitArima(std::span<const double> x, const ArimaOrder& order,
                                  bool constant, const ArimaFitOptions& options = {});

// forecast's checkarima: true when R's coefficient covariance (the inverse of optim's numerical
// Hessian of the objective, through the PACF transformation for ML) is singular or has a
// negative variance, which makes auto.arima discard the model. Costs 2K^2 objective
// evaluations for K estimated coefficients.
bool CoefficientCovarianceInvalid(std::span<const double> x, const ArimaFit& fit);

// Forecasts as forecast.Arima/predict.Arima: the Kalman filter of the full model (with R's
// diffuse prior on the differencing states) run over x, then KalmanForecast. Forecast variances
// are in units of the innovation variance: the caller scales them by its sigma2 (forecast's is
// sum(residuals^2) / (nobs - npar + 1)).
struct ArimaPrediction {
  std::vector<double> mean;
  std::vector<double> variance;
  std::vector<double> residuals;  // R's residuals(fit), one per observation
};
ArimaPrediction PredictArima(std::span<const double> x, const ArimaFit& fit, int horizon);

// The residuals R reports for `fit` on x (innovations / sqrt(gain) of the full state-space
// filter; the first d + m*D of them come from the diffuse prior).
std::vector<double> ArimaResiduals(std::span<const double> x, const ArimaFit& fit);

}  // namespace salesops::forecast::arima

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_FIT_H_
