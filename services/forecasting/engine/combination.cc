#include "services/forecasting/engine/combination.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "services/forecasting/engine/normal_quantile.h"
#include "services/forecasting/engine/result.h"

namespace salesops::forecast {
namespace {

double Merge(std::vector<double>& values, CombineBy by, const std::vector<double>& weights) {
  if (by == CombineBy::kMean) {
    double sum = 0;
    for (size_t k = 0; k < values.size(); ++k) sum += weights[k] * values[k];
    return sum;
  }
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

ForecastResult Combine(const std::vector<ForecastResult>& members, CombineBy by, ModelKind kind,
                       const std::vector<double>& weights) {
  const ForecastResult& first = members.front();
  // Normalised weights.
  std::vector<double> w(members.size(), 1.0);
  if (weights.size() == members.size()) w = weights;
  double total = 0;
  for (double x : w) total += x;
  for (double& x : w) x /= total;
  const size_t horizon = first.mean.size();
  std::vector<double> scratch(members.size());
  auto merged = [&](auto get) {
    for (size_t k = 0; k < members.size(); ++k) scratch[k] = get(members[k]);
    return Merge(scratch, by, w);
  };
  std::vector<double> mean(horizon);
  for (size_t h = 0; h < horizon; ++h) mean[h] = merged([&](const ForecastResult& m) { return m.mean[h]; });
  std::vector<Interval> intervals(first.intervals.size());
  for (size_t l = 0; l < intervals.size(); ++l) {
    intervals[l].level = first.intervals[l].level;
    intervals[l].lower.resize(horizon);
    intervals[l].upper.resize(horizon);
    for (size_t h = 0; h < horizon; ++h) {
      intervals[l].lower[h] = std::min(mean[h], merged([&](const ForecastResult& m) { return m.intervals[l].lower[h]; }));
      intervals[l].upper[h] = std::max(mean[h], merged([&](const ForecastResult& m) { return m.intervals[l].upper[h]; }));
    }
  }
  std::vector<std::string> names;
  for (const ForecastResult& m : members) names.push_back(m.model_name);
  ForecastResult result = AssembleWithIntervals(
      kind, "COMBO(" + absl::StrJoin(names, ", ") + ")", first.season_length, {}, 0, mean,
      std::move(intervals));
  bool all_residuals = true;
  for (const ForecastResult& m : members) all_residuals = all_residuals && m.residuals.size() == first.residuals.size() && !m.residuals.empty();
  if (all_residuals) {
    result.residuals.assign(first.residuals.size(), 0.0);
    for (const ForecastResult& m : members)
      for (size_t t = 0; t < m.residuals.size(); ++t) result.residuals[t] += w[&m - members.data()] * m.residuals[t];
  }
  // The combination's one-step standard deviation, as its first interval implies it.
  if (!result.intervals.empty() && horizon > 0) {
    const Interval& interval = result.intervals.front();
    const double z = NormalQuantile(0.5 + interval.level / 200);
    if (z > 0) result.parameters.emplace_back("sigma", (interval.upper[0] - interval.lower[0]) / (2 * z));
  }
  for (const ForecastResult& m : members) result.season_length = std::max(result.season_length, m.season_length);
  return result;
}

}  // namespace salesops::forecast
