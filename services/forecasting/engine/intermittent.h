// Forecasts for intermittent demand: rep x product series that are mostly zeros.
//
//   Croston (1972)      demand sizes and inter-demand intervals smoothed separately (SES, updated
//                       only when a demand occurs); forecast = size / interval per period.
//   SBA                 Syntetos & Boylan's approximation: Croston * (1 - alpha / 2), which removes
//                       most of Croston's upward bias.
//   TSB                 Teunter, Syntetos & Babai (2011): the probability of a demand is smoothed
//                       every period (so it decays through long runs of zeros, where Croston's
//                       forecast stays put), the size only when a demand occurs;
//                       forecast = probability * size.
//
// A "demand" is a non-zero value (for non-negative data, R's forecast::croston's x > 0).
// Point forecasts are flat over the horizon, as in every implementation of these methods.
//
// Smoothing parameters.
//   Croston and SBA use alpha = 0.1 for both sizes and intervals, fixed: the classic value and the
//   default of R's forecast::croston and statsforecast's CrostonClassic, with sizes and intervals
//   started at their first values, so results match theirs. Fixed rather than optimised, on
//   evidence: on 6,000 simulated series (60 periods, 12 ahead; demand in a period with
//   probability 0.05-0.5, gamma-distributed sizes; stationary, dying down to a third, or rising,
//   at a random point), alpha chosen by in-sample MSE changed the mean scaled MSE
//   (MSE / mean(y)^2) by under 1% (60.3 against 60.7): it helped where demand died down (TSB's
//   case, better served by TSB) and hurt where it rose or was frequent. Not worth losing
//   agreement with R and statsforecast, nor the stability of a fixed alpha on series with a
//   handful of demands.
//   TSB optimises alpha_d (size) and alpha_p (probability) in [0.01, 1] by in-sample one-step MSE
//   (grid, then coordinate-wise golden section); sizes start at the mean non-zero demand and the
//   probability at the fraction of periods with a demand.
//
// Prediction intervals. None of these methods has an accepted analytic distribution, so the
// intervals are empirical, from how the method's own flat forecasts f[t] (made at every origin t
// from the first demand on, as it forecasts out of sample) fared on the data h periods later:
//   - non-negative data: the quantiles of the ratios y[t + h] / f[t], times the forecast. A period
//     without demand is a ratio of 0, so the lower bound is 0 whenever such periods are common
//     enough, as it should be. (Differences y - f[t] would shift the zeros by f - f[t] and leave
//     them outside the interval whenever the forecast is above its usual level.) Croston and SBA
//     therefore share their intervals: SBA scales f and every f[t] alike.
//   - data with negative values (returns): the quantiles of y[t + h] - f[t], plus the forecast.
// Horizons with fewer than 8 such errors borrow the quantiles of the nearest shorter horizon that
// has them (the forecasts are flat, so the error distribution changes little with h), and
// horizons beyond 52 those of horizon 52. When no horizon has 8 errors, all in-sample errors are
// pooled; when there is none at all (a single demand at the very end), the data's own spread
// around the forecast is used. Quantiles are R's type 7; bounds of non-negative data are clipped
// at 0. Deterministic: no simulation. On simulated stationary demand (demand in 5-60% of
// periods) the 95% intervals held 95-97% of future periods and the 80% ones 88-96% (an interval
// from 0 holds every period without demand).
//
// Edge cases: an all-zero series forecasts 0 with zero-width intervals; a single demand gives
// size / position of that demand (R and statsforecast agree); a series without zeros reduces
// Croston to SES of the values with interval 1.
// Fails (InvalidArgument) only on invalid input: empty y, non-finite values, horizon outside
// [1, kMaxHorizon], levels outside (0, 100).
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_INTERMITTENT_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_INTERMITTENT_H_

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {

// model_name "CROSTON"; parameters alpha, demand (smoothed size), interval (smoothed
// inter-demand interval).
absl::StatusOr<ForecastResult> ForecastCroston(std::span<const double> y,
                                               const ForecastOptions& options);

// model_name "SBA"; parameters as Croston's.
absl::StatusOr<ForecastResult> ForecastSba(std::span<const double> y,
                                           const ForecastOptions& options);

// model_name "TSB"; parameters alpha_d, alpha_p, demand (smoothed size), probability.
absl::StatusOr<ForecastResult> ForecastTsb(std::span<const double> y,
                                           const ForecastOptions& options);

// ---- The pieces, for tests and evidence ----------------------------------------------------------

inline constexpr double kCrostonAlpha = 0.1;

// Croston's in-sample forecasts: f[t] is the forecast made after observing y[0..t] (0 before the
// first demand); f.back() is the out-of-sample forecast. `debias` multiplies by 1 - alpha / 2
// (SBA).
std::vector<double> CrostonForecasts(std::span<const double> y, double alpha, bool debias);

struct TsbParameters {
  double alpha_d = 0.1;
  double alpha_p = 0.1;
  double size0 = 0;         // initial smoothed size
  double probability0 = 0;  // initial smoothed probability
};

// TSB's in-sample forecasts, defined as CrostonForecasts'.
std::vector<double> TsbForecasts(std::span<const double> y, const TsbParameters& p);

// The initial states described above and alpha_d, alpha_p minimising the in-sample one-step MSE
// (the error of y[t] against the forecast made before it, for every t, the first against
// size0 * probability0).
TsbParameters FitTsb(std::span<const double> y);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_INTERMITTENT_H_
