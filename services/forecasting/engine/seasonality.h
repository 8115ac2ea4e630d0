// Seasonality tools shared by the models that adjust a series for seasonality before forecasting
// it (Theta first): R's seasonality test from forecast::thetaf, classical decomposition as R's
// stats::decompose, and seasonal adjustment / reseasonalisation of forecasts.
//
// Positions are 0-based from the first observation: observation t belongs to season t mod m, and
// the seasonal index of a future step h >= 1 (position n - 1 + h) is the one of season
// (n - 1 + h) mod m, which is what R gets with rep(tail(decomp$seasonal, m), ...).
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_SEASONALITY_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_SEASONALITY_H_

#include <cstddef>
#include <span>
#include <vector>

#include "absl/status/statusor.h"

namespace salesops::forecast {

// R's is.constant: every value all.equal to the first (mean relative difference below 1.5e-8),
// made scale-free (an all-zero series is constant; a tiny but varying one is not).
bool IsConstantSeries(std::span<const double> y);

// Sample autocorrelations r_1 .. r_max_lag as R's acf: mean-centred, each lag's sum of products
// divided by the lag-0 sum (denominator n for every lag). Lags at or beyond n, and every lag of a
// constant series, are 0.
std::vector<double> Autocorrelations(std::span<const double> y, int max_lag);

// The seasonality test of R's forecast::thetaf: with r the autocorrelations of y,
//   |r_m| / sqrt((1 + 2 * sum_{k=1}^{m-1} r_k^2) / n) > qnorm(0.95) = 1.645,
// applied only when m > 1, y is not constant and n > 2m (thetaf's condition; shorter series are
// treated as non-seasonal).
bool PassesSeasonalityTest(std::span<const double> y, int m);

enum class DecompositionType { kAdditive, kMultiplicative };

// R's stats::decompose(y, type): trend by a centred moving average of order m (for even m the
// 2 x m average, weights 1/(2m), 1/m, ..., 1/m, 1/(2m)); the seasonal figure of season j is the
// mean of the detrended values (y - trend, or y / trend) of that season where the trend exists,
// normalised to sum 0 (additive) or to average 1 (multiplicative).
struct Decomposition {
  DecompositionType type = DecompositionType::kMultiplicative;
  int m = 1;
  // figure[j] is the seasonal index of the observations at positions j, j + m, j + 2m, ...
  std::vector<double> figure;
  // The centred moving average, defined at positions trend_offset .. n - 1 - trend_offset
  // (trend_offset = m / 2); R's decompose has NA at the other positions.
  std::vector<double> trend;
  int trend_offset = 0;

  // The seasonal index at `position` (0-based; positions past the data continue the cycle).
  double IndexAt(long long position) const { return figure[static_cast<std::size_t>(position % m)]; }
};

// Fails with InvalidArgument when m < 2, when y has fewer than 2m observations (R's "time series
// has no or less than 2 periods"), or when a multiplicative decomposition is asked of data that is
// not strictly positive (its ratios to the trend would be meaningless).
absl::StatusOr<Decomposition> Decompose(std::span<const double> y, int m, DecompositionType type);

// y / index (multiplicative) or y - index (additive), position by position from position 0.
std::vector<double> SeasonallyAdjust(std::span<const double> y, const Decomposition& d);

// Puts the season back into values that start at position `first_position`: v * index or
// v + index. Forecasts for h = 1.. of a series of n observations start at position n.
void Reseasonalise(std::span<double> values, long long first_position, const Decomposition& d);

// Scales forecast standard errors into the original units: sd * index for a multiplicative
// decomposition (a ratio scales the spread too), unchanged for an additive one.
void ReseasonaliseSpread(std::span<double> sd, long long first_position, const Decomposition& d);

// The seasonal adjustment forecast::thetaf makes, for any model that wants it:
//   - when PassesSeasonalityTest(y, m): the classical multiplicative decomposition, y divided by
//     its seasonal indices; thetaf skips the adjustment when some index is within 1e-4 of zero.
//   - Departure from thetaf: multiplicative decomposition needs strictly positive data (thetaf
//     would divide by trends near zero or of either sign), so for data with a zero or negative
//     value the additive decomposition is used instead (as statsforecast's Theta models do).
// When no adjustment applies, `adjusted` is y itself and `applied` is false.
struct SeasonalAdjustment {
  bool applied = false;
  Decomposition decomposition;  // meaningful when applied
  std::vector<double> adjusted;
};
SeasonalAdjustment AdjustForSeasonality(std::span<const double> y, int m);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_SEASONALITY_H_
