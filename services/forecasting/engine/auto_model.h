// AUTO: what the engine does when the caller names no model.
//
//   one observation                      -> NAIVE
//   constant (all zero included)         -> the constant, with zero-width intervals
//   leading zeros, then regular demand   -> the zeros are dropped (data before the series began,
//                                           such as months before a rep was hired)
//   intermittent (many zeros)            -> the combination of intermittent_members
//   long and non-seasonal                -> the combination of long_nonseasonal_members
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

// A model in a combination and its weight.
struct AutoMember {
  ModelKind kind;
  double weight = 1;
};

struct AutoPolicy {
  std::vector<AutoMember> members = {{ModelKind::kEts, 1}, {ModelKind::kTheta, 1},
                                     {ModelKind::kOptimizedTheta, 1}};
  // Long non-seasonal series (period 1, at least long_series observations) weight the ETS family
  // double. On M3's training data with its last horizon held out (bench/m3_accuracy --holdout),
  // equal weights do best on the short non-seasonal series (yearly, 14-41 values: sMAPE 19.40
  // against 19.71) and ETS doubled on the long ones ("other", 55-96 values: 3.86 against 3.88);
  // 50 lies between the two groups.
  std::vector<AutoMember> long_nonseasonal_members = {
      {ModelKind::kEts, 2}, {ModelKind::kTheta, 1}, {ModelKind::kOptimizedTheta, 1}};
  size_t long_series = 50;
  std::vector<AutoMember> intermittent_members = {{ModelKind::kTsb, 1}};
  CombineBy combine_by = CombineBy::kMean;
  // A series is intermittent when its average interval between non-zero values exceeds this
  // (Syntetos & Boylan's 1.32) and it has no negative values.
  double intermittent_interval = 1.32;
  // The members' intervals come from one-step errors and ignore that their parameters are only
  // estimated, which matters more the further ahead and the shorter the series: the combination's
  // interval at step h around its forecast is widened by sqrt(1 + c * h / n). c was chosen on M3's
  // training data alone (the last horizon of each training series held out): c = 6 brings the
  // 95% intervals' coverage there to 95%. 0 turns it off.
  double interval_inflation = 6.0;
};

ForecastResult ForecastAuto(std::span<const double> y, const ForecastOptions& options,
                            const AutoPolicy& policy = {});

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_AUTO_MODEL_H_
