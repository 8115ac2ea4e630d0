#include "services/forecasting/engine/intervals.h"

#include <cstddef>

#include "services/forecasting/engine/normal_quantile.h"

namespace salesops::forecast {

std::vector<Interval> NormalIntervals(std::span<const double> mean, std::span<const double> sd,
                                      std::span<const double> levels) {
  std::vector<Interval> intervals;
  intervals.reserve(levels.size());
  for (double level : levels) {
    Interval interval;
    interval.level = level;
    const double z = NormalQuantile(0.5 + level / 200);
    interval.lower.resize(mean.size());
    interval.upper.resize(mean.size());
    for (std::size_t i = 0; i < mean.size(); ++i) {
      const double margin = z * sd[i];
      interval.lower[i] = mean[i] - margin;
      interval.upper[i] = mean[i] + margin;
    }
    intervals.push_back(std::move(interval));
  }
  return intervals;
}

}  // namespace salesops::forecast
