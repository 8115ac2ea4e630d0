// Estimation of one ARIMA model of fixed orders, as R's stats::arima does it for forecast's
// Arima()/auto.arima: conditional sum of squares (CSS), exact maximum likelihood (ML), or CSS
// for starting values and then ML (CSS-ML, R's default). The constant is an intercept when the
// model has no differencing and a drift (a regression on time 1..n) when it has exactly one
// difference, as in forecast's myarima; with more differencing there is no constant.
//
// Estimation follows R's definitions — the same objective functions, the same PACF
// reparameterisation keeping the AR parts stationary during ML, CSS-ML's refusal of a
// non-stationary CSS estimate, MA roots flipped inside the invertible region afterwards — so
// likelihoods and information criteria are on R's scale. The optimiser differs: both objectives
// are sums of squares (the exact likelihood after scaling the standardised innovations by the
// geometric mean of the gains), so Levenberg-Marquardt (Eigen's MINPACK port) solves them in a
// handful of iterations where R's BFGS takes dozens, and the mean/drift is profiled out of the
// exact likelihood by generalised least squares rather than searched for.
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
// when the series is too short for the differencing, and (FailedPrecondition) where R's arima
// stops: a non-stationary AR part from CSS under CSS-ML, or no finite likelihood.
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
