// Building a ForecastResult the same way for every model: every number finite (overflow clamps to
// the largest double, NaN becomes 0), intervals in the order of the requested levels, each
// containing its point forecast.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_RESULT_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_RESULT_H_

#include <string>
#include <utility>
#include <vector>

#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {

// v, or the nearest finite double (NaN -> 0).
double Finite(double v);
bool AllFinite(const std::vector<double>& v);

// A result with normal prediction intervals: mean +- z * sd for each of options.levels.
ForecastResult Assemble(ModelKind kind, std::string name, int season_length,
                        std::vector<std::pair<std::string, double>> parameters, double aicc,
                        const std::vector<double>& mean, const std::vector<double>& sd,
                        const ForecastOptions& options);

// A result with intervals computed by the model itself (simulated or empirical), one per level in
// the order of options.levels.
ForecastResult AssembleWithIntervals(ModelKind kind, std::string name, int season_length,
                                     std::vector<std::pair<std::string, double>> parameters,
                                     double aicc, const std::vector<double>& mean,
                                     std::vector<Interval> intervals);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_RESULT_H_
