// How many differences an ARIMA model needs, decided as forecast::auto.arima decides by default
// (forecast 8.x): ndiffs with the KPSS test (urca::ur.kpss, level stationarity, lag
// trunc(3 sqrt(n) / 13), 5% level) for d, and nsdiffs with the "seas" heuristic for D — seasonal
// differencing when the seasonal strength of an STL decomposition (mstl, s.window = 11) exceeds
// 0.64. (R's default seasonal.test is "seas"; OCSB is the older default and not used here.)
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_UNIT_ROOT_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_UNIT_ROOT_H_

#include <span>

namespace salesops::forecast::arima {

// forecast's is.constant: all values equal to the first within all.equal's tolerance (mean
// relative difference <= 1.5e-8).
bool IsConstant(std::span<const double> x);

// urca::ur.kpss(x, type = "mu", use.lag = trunc(3 * sqrt(n) / 13))@teststat; NaN when undefined.
double KpssStatistic(std::span<const double> x);

// forecast::ndiffs(x, test = "kpss", alpha = 0.05, max.d): differences while the KPSS test rejects
// level stationarity (statistic above the 5% critical value 0.463).
int NumDifferences(std::span<const double> x, int max_d = 2);

// forecast's seas.heuristic: max(0, min(1, 1 - var(remainder) / var(remainder + seasonal))) of
// mstl(x) with period m. Requires m >= 2 and x.size() > 2 m; NaN otherwise.
double SeasonalStrength(std::span<const double> x, int m);

// forecast::nsdiffs(x, test = "seas", max.D = 1) for period m: 1 when the seasonal strength
// exceeds 0.64, else 0 (also 0 for constant series, m < 2, and series too short for STL,
// x.size() <= 2 m, where R's nsdiffs warns and uses no seasonal difference).
int NumSeasonalDifferences(std::span<const double> x, int m);

}  // namespace salesops::forecast::arima

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_UNIT_ROOT_H_
