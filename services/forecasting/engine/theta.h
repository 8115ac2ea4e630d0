// The Theta method of the M3 competition (Assimakopoulos & Nikolopoulos 2000) as R's
// forecast::thetaf computes it, and the optimised Theta models of Fiorucci et al. (2016).
//
// Both adjust for seasonality as thetaf does (seasonality.h: R's ACF test at lag m when m > 1 and
// n > 2m, classical multiplicative decomposition, forecasts multiplied back by the last season's
// indices). Where the data has a zero or negative value the decomposition is additive instead:
// ratios to a trend near or below zero mean nothing (thetaf would divide anyway).
//
// Deterministic, thread-safe, and every returned number is finite.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_THETA_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_THETA_H_

#include <span>

#include "absl/status/statusor.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {

// R's forecast::thetaf(y, h = options.horizon, level = options.levels) on a series of frequency
// options.season_length, model_name "THETA":
//   - x = y seasonally adjusted (see above) or y itself;
//   - SES fitted by maximum likelihood to x (R: ses(x) = ets(x, "ANN"); for n <= 6, as R's ets
//     falls back to HoltWinters: level started at x_1, alpha in [0, 1] minimising the SSE);
//   - forecast_h = SES level + b/2 * (h - 1 + (1 - (1 - alpha)^n) / alpha), b the slope of the
//     least-squares line of x on time, alpha floored at 1e-10;
//   - reseasonalised by the indices of the matching seasons;
//   - intervals mean -/+ z * sigma * sqrt(1 + (h - 1) alpha^2), sigma^2 the SES residual variance
//     (R's ets sigma2, SSE / (n - 2)); like thetaf, the spread is not rescaled by the seasonal
//     indices.
// Parameters: alpha, theta (2), drift (b/2), l0, sigma.
// A constant series forecasts its value with zero-width intervals; a single observation is
// carried forward with zero-width intervals (thetaf itself fails there: lsfit needs two points).
// Fails (InvalidArgument) only on invalid input: empty y, non-finite values, horizon outside
// [1, kMaxHorizon], levels outside (0, 100).
absl::StatusOr<ForecastResult> ForecastTheta(std::span<const double> y,
                                             const ForecastOptions& options);

// The optimised Theta model of Fiorucci et al. (2016) in its state-space form, as statsforecast's
// OptimizedTheta / DynamicOptimizedTheta (and R's forecTheta::otm / dotm):
//   mu_t = l_{t-1} + (1 - 1/theta) (A_{t-1} (1 - alpha)^t + B_{t-1} (1 - (1 - alpha)^{t+1}) / alpha)
//   l_t = alpha y_t + (1 - alpha) l_{t-1}
// with A, B the intercept and slope of the least-squares line through the data: fixed over the
// whole sample in the static model (OTM), updated with every observation in the dynamic model
// (DOTM). alpha in [0.1, 0.99], theta >= 1 and the initial level l0 minimise the in-sample MSE of
// the one-step forecasts from the 4th observation on (statsforecast's criterion). Given alpha the
// forecasts are linear in (l0, 1 - 1/theta), so those two are solved exactly (a box-constrained
// least-squares problem) and only alpha is searched (a grid refined by golden section): the global
// optimum, where statsforecast runs one Nelder-Mead from (y_1 / 2, 0.5, 2).
//
// Which variant: the dynamic one (DOTM), by evidence on M3 (sMAPE, scored as in the M3 README,
// both variants with the same seasonal adjustment and the same exact optimiser):
//                      yearly  quarterly  monthly  other   all 3003
//   static  (OTM)      16.96     9.36      14.67    4.83    13.26
//   dynamic (DOTM)     16.08     9.34      13.73    4.54    12.60
//   lower in-sample MSE 16.89    9.35      14.71    4.78    13.25   (statsforecast's AutoTheta)
//   thetaf (above)     16.75     9.21      13.86    4.92    12.79
// Choosing by in-sample MSE mostly picks the static model, because its line has seen the whole
// sample; the static model then extrapolates that line too eagerly. model_name "DOTM".
//
// Intervals: normal, with the exact forecast variance of the linear state-space model
// (var_h = sigma^2 + the propagated variance of the states, for the dynamic model including how
// future errors move A and B; for the static one this is sigma^2 (1 + (h - 1) alpha^2)), sigma^2
// the in-sample MSE with a degrees-of-freedom correction for the three estimated parameters; the
// spread is rescaled by the seasonal indices. Like every one-step-error interval (thetaf's cover
// 88.9%), they are too narrow on M3: the 95% intervals held 87.1% of the outcomes, the 80% ones
// 72.4%.
// Parameters: alpha, theta, l0, drift (the long-run slope of the forecasts, (1 - 1/theta) B_n),
// sigma.
// Series too short to estimate three parameters from the MSE of n - 3 one-step errors (n < 8)
// get ForecastTheta's result instead (model_name "THETA"), and so do series that are constant
// after seasonal adjustment (their value, zero-width intervals). Fails only on invalid input, as
// ForecastTheta.
absl::StatusOr<ForecastResult> ForecastOptimizedTheta(std::span<const double> y,
                                                      const ForecastOptions& options);

// The pieces of ForecastOptimizedTheta, for tests and for callers that want one variant.
enum class ThetaDynamics { kStatic, kDynamic };  // OTM, DOTM

struct ThetaModelFit {
  ThetaDynamics dynamics = ThetaDynamics::kStatic;
  double alpha = 0.5;
  double theta = 2;
  double l0 = 0;       // statsforecast's initial_smoothed
  double mse = 0;      // mean squared one-step error from the 4th observation on
  double sigma = 0;    // residual standard deviation behind the intervals
  int n = 0;
  // States after the last observation: level, running mean, A and B.
  double level = 0, mean_y = 0, a = 0, b = 0;
};

// Fits one variant to `x` (already seasonally adjusted; finite; at least 4 observations, else
// InvalidArgument naming y). alpha and theta are searched within statsforecast's bounds; the
// initial level, an SES level, within the range of the data (unbounded, it runs off to absurd
// values whenever alpha is high enough for it to barely matter).
absl::StatusOr<ThetaModelFit> FitThetaModel(std::span<const double> x, ThetaDynamics dynamics);

// The same model with given parameters, not optimised (its mse, sigma and final states).
ThetaModelFit EvaluateThetaModel(std::span<const double> x, ThetaDynamics dynamics, double alpha,
                                 double theta, double l0);

// Point forecasts and their standard errors for h = 1..horizon after the data of `fit`.
void ForecastThetaModel(const ThetaModelFit& fit, int horizon, std::span<double> mean,
                        std::span<double> sd);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_THETA_H_
