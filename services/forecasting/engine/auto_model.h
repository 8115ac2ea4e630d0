// AUTO: what the engine does when the caller names no model.
//
//   one observation                      -> NAIVE
//   constant (all zero included)         -> the constant, with zero-width intervals
//   leading zeros, then regular demand   -> the zeros are dropped (data before the series began,
//                                           such as months before a rep was hired)
//   intermittent (many zeros)            -> the combination of intermittent_members
//   everything else                      -> the combination of members
//
// Members that cannot fit the series (too short for them) are left out; with none left, NAIVE.
// The members and the combination were chosen by their accuracy on the M3 competition's 3003
// series (bench/m3_accuracy, see the README) and, for intermittent demand, on the demo company's
// rep x product series.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_AUTO_MODEL_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_AUTO_MODEL_H_

#include <span>
#include <vector>

#include "services/forecasting/engine/combination.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {

struct AutoPolicy {
  std::vector<ModelKind> members = {ModelKind::kEts, ModelKind::kTheta, ModelKind::kOptimizedTheta};
  std::vector<ModelKind> intermittent_members = {ModelKind::kTsb};
  CombineBy combine_by = CombineBy::kMean;
  // A series is intermittent when its average interval between non-zero values exceeds this
  // (Syntetos & Boylan's 1.32) and it has no negative values.
  double intermittent_interval = 1.32;
};

ForecastResult ForecastAuto(std::span<const double> y, const ForecastOptions& options,
                            const AutoPolicy& policy = {});

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_AUTO_MODEL_H_
