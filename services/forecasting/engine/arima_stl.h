// STL, the seasonal-trend decomposition by loess of Cleveland et al. (1990), computed exactly as
// R's stats::stl (the netlib Fortran) for the non-robust case. forecast::auto.arima's default
// seasonal-differencing test measures seasonal strength on this decomposition (via mstl, which for
// one seasonal period is stl(x, s.window = 11)).
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_STL_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_STL_H_

#include <span>
#include <vector>

namespace salesops::forecast::arima {

struct StlDecomposition {
  std::vector<double> seasonal;
  std::vector<double> trend;
  std::vector<double> remainder;
};

// R's stl(x, s.window) with its defaults otherwise (s.degree 0, t.window
// nextodd(ceiling(1.5 period / (1 - 1.5 / s.window))), t.degree 1, l.window nextodd(period),
// jumps ceiling(window / 10), 2 inner and 0 robustness iterations). Requires period >= 2 and
// x.size() > 2 * period (R's stl refuses shorter series); returns empty vectors otherwise.
StlDecomposition Stl(std::span<const double> x, int period, int s_window);

}  // namespace salesops::forecast::arima

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_STL_H_
