// Normal prediction intervals from point forecasts and forecast standard errors.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_INTERVALS_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_INTERVALS_H_

#include <span>
#include <vector>

#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {

// One interval per level (percent, in (0, 100)), in the order given: mean -/+ z * sd with
// z = Phi^{-1}(0.5 + level/200). A zero sd gives a zero-width interval.
std::vector<Interval> NormalIntervals(std::span<const double> mean, std::span<const double> sd,
                                      std::span<const double> levels);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_INTERVALS_H_
