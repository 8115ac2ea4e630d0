// Forecast combinations: several models' forecasts of one series merged into one. Combining is
// what wins forecasting competitions: errors of different models partly cancel.
//
// Point forecasts are the mean or the median of the members'. Interval bounds are combined the same
// way, bound by bound ("quantile averaging"), which keeps the members' calibration better than
// any single-model interval in practice.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_COMBINATION_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_COMBINATION_H_

#include <string>
#include <vector>

#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {

enum class CombineBy { kMean, kMedian };

// Members must share horizon and levels. `weights` (one per member, positive) weigh the mean;
// empty means equal weights; the median ignores them. The result is named
// "COMBO(<m1>, <m2>, ...)" with `kind`, the parameters of no member, AICc 0, and the members'
// residuals averaged (with the same weights) where all have them.
ForecastResult Combine(const std::vector<ForecastResult>& members, CombineBy by, ModelKind kind,
                       const std::vector<double>& weights = {});

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_COMBINATION_H_
