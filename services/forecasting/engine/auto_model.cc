#include "services/forecasting/engine/auto_model.h"

#include <algorithm>
#include <cmath>

#include "services/forecasting/engine/result.h"
#include "services/forecasting/engine/seasonality.h"

namespace salesops::forecast {
namespace {

// What R's ets returns for a constant series: SES with alpha = 0.99999 started at y[0]; for a
// truly constant series the forecast is that value with zero-width intervals.
constexpr double kConstantSeriesAlpha = 0.99999;

ForecastResult ConstantSeries(std::span<const double> y, const ForecastOptions& options) {
  const double alpha = kConstantSeriesAlpha;
  double level = y[0];
  double max_error = 0;
  for (size_t t = 1; t < y.size(); ++t) max_error = std::max(max_error, std::fabs(y[t] - level));
  double ss = 0;
  for (size_t t = 1; t < y.size(); ++t) {
    const double e = y[t] - level;
    if (max_error > 0) ss += (e / max_error) * (e / max_error);
    level += alpha * e;
  }
  const double sigma =
      y.size() > 1 ? max_error * std::sqrt(ss / static_cast<double>(y.size() - 1)) : 0.0;
  std::vector<double> mean(options.horizon, level), sd(options.horizon);
  for (int h = 1; h <= options.horizon; ++h) sd[h - 1] = sigma * std::sqrt(1 + alpha * alpha * (h - 1));
  return Assemble(ModelKind::kAuto, "CONSTANT", 1, {{"level", level}, {"sigma", sigma}}, 0, mean, sd,
                  options);
}

// The average number of periods between non-zero values (infinite without any).
double AverageDemandInterval(std::span<const double> y) {
  int demands = 0;
  for (double v : y) demands += v != 0;
  return demands ? static_cast<double>(y.size()) / demands : INFINITY;
}

bool HasNegative(std::span<const double> y) {
  return std::any_of(y.begin(), y.end(), [](double v) { return v < 0; });
}

// Widens every interval at step h by sqrt(1 + c h / n) around the forecast (see AutoPolicy).
void Inflate(ForecastResult& result, size_t n, double c) {
  if (c <= 0 || n == 0) return;
  for (Interval& interval : result.intervals) {
    for (size_t h = 0; h < interval.lower.size(); ++h) {
      const double k = std::sqrt(1 + c * static_cast<double>(h + 1) / static_cast<double>(n));
      const double mean = result.mean[h];
      interval.lower[h] = Finite(mean - k * (mean - interval.lower[h]));
      interval.upper[h] = Finite(mean + k * (interval.upper[h] - mean));
    }
  }
}

ForecastResult Combination(std::span<const double> y, const ForecastOptions& options,
                           const std::vector<AutoMember>& members, CombineBy by) {
  std::vector<ForecastResult> fitted;
  std::vector<double> weights;
  for (const AutoMember& m : members) {
    ForecastOptions member = options;
    member.model = m.kind;
    auto result = ForecastSeries(y, member);
    if (!result.ok()) continue;
    fitted.push_back(std::move(*result));
    weights.push_back(m.weight);
  }
  if (fitted.empty()) {
    ForecastOptions naive = options;
    naive.model = ModelKind::kNaive;
    return *ForecastSeries(y, naive);  // cannot fail on a non-empty series
  }
  if (fitted.size() == 1) return std::move(fitted.front());
  return Combine(fitted, by, ModelKind::kAuto, weights);
}

}  // namespace

ForecastResult ForecastAuto(std::span<const double> y, const ForecastOptions& options,
                            const AutoPolicy& policy) {
  if (IsConstantSeries(y)) return ConstantSeries(y, options);
  // Leading zeros followed by regular (not intermittent) values are the time before the series
  // began: drop them, so the models see its real history.
  size_t lead = 0;
  while (lead < y.size() && y[lead] == 0) ++lead;
  std::span<const double> rest = y.subspan(lead);
  const bool negative = HasNegative(y);
  if (lead > 0 && rest.size() >= 2 && AverageDemandInterval(rest) <= policy.intermittent_interval) {
    y = rest;
    if (IsConstantSeries(y)) return ConstantSeries(y, options);
  }
  if (y.size() == 1) {
    ForecastOptions naive = options;
    naive.model = ModelKind::kNaive;
    return *ForecastSeries(y, naive);
  }
  if (!negative && AverageDemandInterval(y) > policy.intermittent_interval)
    return Combination(y, options, policy.intermittent_members, policy.combine_by);
  const bool long_nonseasonal = options.season_length == 1 && y.size() >= policy.long_series;
  ForecastResult result = Combination(
      y, options, long_nonseasonal ? policy.long_nonseasonal_members : policy.members,
      policy.combine_by);
  Inflate(result, y.size(), policy.interval_inflation);
  return result;
}

}  // namespace salesops::forecast
