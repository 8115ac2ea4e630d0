// Forecasts from a fitted ETS model exactly as R's forecast.ets computes them (forecast 8.x):
//
//   class 1  additive error, trend N/A/Ad, season N/A: point forecasts of the linear recursions,
//            var_h = sigma^2 (1 + sum_{j<h} c_j^2) (Hyndman et al. 2008, ch. 6; R's `class1`).
//   class 2  multiplicative error, trend N/A/Ad, season N/A: the same means, and
//            var_h = (1 + sigma^2) theta_h - mu_h^2 with theta_h = mu_h^2 + sigma^2 sum c_j^2
//            theta_{h-j} (R's `class2`).
//   class 3  multiplicative error and season, trend N/A/Ad: means and variances of R's `class3`,
//            the matrix recursion of Hyndman et al. (2008, ch. 6) for the level/trend x season
//            outer product; beyond one season the means gain a sigma^2 term.
//   other    a multiplicative trend: R's C `etsforecast` means and intervals from quantiles of
//            simulated future paths (R's `pegelsfcast.C`, 5000 paths, quantile type 8).
//
// Two details of R's code are followed deliberately, so that our numbers are R's:
//   - R's `class1` places gamma in the third state even without a trend, so for ETS(A,N,A) and
//     ETS(M,N,A) the seasonal term of c_j enters at j = m-1, 2m-1, ... instead of j = m, 2m, ...
//   - R's `class3` uses the transition [1 1; 0 phi] with measurement [1 1] for a damped trend, so
//     its h-step level + trend is l + (1 + phi + ... + phi^(h-1)) b rather than l + (phi + ... +
//     phi^h) b; and R's `etsforecast` accumulates a damped multiplicative trend's exponent as
//     phi, phi + phi, phi + phi + phi^2, ...
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_FORECAST_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_FORECAST_H_

#include <cstdint>
#include <span>
#include <vector>

#include "services/forecasting/engine/ets_fit.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast::ets {

enum class ForecastClass { kClass1, kClass2, kClass3, kSimulated };

// Which of R's forecast.ets branches applies to `spec`.
ForecastClass ForecastClassOf(const EtsSpec& spec);

// True for the models whose forecast variance has the class-1 closed form.
bool HasAnalyticVariance(const EtsSpec& spec);

struct EtsForecast {
  std::vector<double> mean;  // h point forecasts (R's forecast.ets means)
  std::vector<double> sd;    // h standard errors; empty for simulated models
};

// Point forecasts for every model and analytic standard errors for classes 1-3. Uses the fit's
// spec, params, final_state and sigma2 only.
EtsForecast ForecastEts(const EtsFit& fit, int horizon);

// Prediction intervals from `paths` simulated future paths (R's pegelsfcast.C): Gaussian errors
// with variance sigma2 (truncated at -1 for multiplicative errors), run through the model's
// recursions from the final state; the bounds are R's type-8 quantiles of the paths at
// 0.5 -/+ level/200, one interval per level in the order given. Deterministic: the random stream
// is seeded by `seed` alone.
std::vector<Interval> SimulatedIntervals(const EtsFit& fit, int horizon,
                                         std::span<const double> levels, int paths,
                                         std::uint64_t seed);

// R's quantile(x, p, type = 8) of the finite values of `x` (reordered in place); NaN when none.
// Linear time (selection, not sorting).
double QuantileType8(std::span<double> x, double p);

}  // namespace salesops::forecast::ets

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_FORECAST_H_
