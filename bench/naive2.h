// NAIVE2, the M3 competition's benchmark: the naive forecast of the seasonally adjusted series,
// reseasonalised. The series counts as seasonal when its autocorrelation at lag m is significant
// at 90% (|r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n), as in R's forecast::thetaf, with
// n > 2m); the seasonal indices are those of a classical multiplicative decomposition (R's
// decompose(type = "multiplicative")). Computed by the benchmark itself, so the scoring can be
// checked against the published NAIVE2 row; no intervals.
#ifndef SALESOPS_BENCH_NAIVE2_H_
#define SALESOPS_BENCH_NAIVE2_H_

#include <span>
#include <vector>

namespace salesops::bench {

// True when `y` passes the 90% seasonality test at lag m (false for m <= 1 or n <= 2m).
bool IsSeasonal(std::span<const double> y, int m);

// The m multiplicative seasonal indices of `y` (mean 1), index t % m applying to y[t].
std::vector<double> MultiplicativeSeasonalIndices(std::span<const double> y, int m);

// NAIVE2 point forecasts, `horizon` steps. `y` non-empty.
std::vector<double> Naive2Forecast(std::span<const double> y, int m, int horizon);

}  // namespace salesops::bench

#endif  // SALESOPS_BENCH_NAIVE2_H_
