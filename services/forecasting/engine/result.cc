#include "services/forecasting/engine/result.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "services/forecasting/engine/intervals.h"

namespace salesops::forecast {

double Finite(double v) {
  if (std::isnan(v)) return 0;
  if (v == std::numeric_limits<double>::infinity()) return std::numeric_limits<double>::max();
  if (v == -std::numeric_limits<double>::infinity()) return std::numeric_limits<double>::lowest();
  return v;
}

bool AllFinite(const std::vector<double>& v) {
  for (double x : v) {
    if (!std::isfinite(x)) return false;
  }
  return true;
}

ForecastResult AssembleWithIntervals(ModelKind kind, std::string name, int season_length,
                                     std::vector<std::pair<std::string, double>> parameters,
                                     double aicc, const std::vector<double>& mean,
                                     std::vector<Interval> intervals) {
  ForecastResult r;
  r.model = kind;
  r.model_name = std::move(name);
  r.season_length = season_length;
  r.aicc = Finite(aicc);
  r.parameters = std::move(parameters);
  for (auto& [key, value] : r.parameters) value = Finite(value);
  r.mean.reserve(mean.size());
  for (double v : mean) r.mean.push_back(Finite(v));
  r.intervals = std::move(intervals);
  for (Interval& interval : r.intervals) {
    // Every interval contains its point forecast. (For a skewed distribution, such as intermittent
    // demand that is zero most of the time, the central interval may not contain the mean; it is
    // widened to it, which only adds coverage.)
    for (size_t h = 0; h < interval.lower.size() && h < r.mean.size(); ++h) {
      interval.lower[h] = std::min(Finite(interval.lower[h]), r.mean[h]);
      interval.upper[h] = std::max(Finite(interval.upper[h]), r.mean[h]);
    }
  }
  return r;
}

ForecastResult Assemble(ModelKind kind, std::string name, int season_length,
                        std::vector<std::pair<std::string, double>> parameters, double aicc,
                        const std::vector<double>& mean, const std::vector<double>& sd,
                        const ForecastOptions& options) {
  std::vector<double> finite_mean;
  finite_mean.reserve(mean.size());
  for (double v : mean) finite_mean.push_back(Finite(v));
  return AssembleWithIntervals(kind, std::move(name), season_length, std::move(parameters), aicc,
                               finite_mean, NormalIntervals(finite_mean, sd, options.levels));
}

}  // namespace salesops::forecast
