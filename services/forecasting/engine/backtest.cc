#include "services/forecasting/engine/backtest.h"

#include <cmath>

#include "absl/strings/str_format.h"

namespace salesops::forecast {
namespace {

// The in-sample mean absolute seasonal difference (lag m, or 1 when the sample is too short):
// MASE's scale. 0 when the sample is flat.
double MaseScale(std::span<const double> train, int m) {
  int lag = (m > 1 && static_cast<int>(train.size()) > m) ? m : 1;
  if (static_cast<int>(train.size()) <= lag) return 0;
  double sum = 0;
  for (size_t t = lag; t < train.size(); ++t) sum += std::fabs(train[t] - train[t - lag]);
  return sum / static_cast<double>(train.size() - lag);
}

}  // namespace

void AccuracySums::Add(const AccuracySums& o) {
  smape_sum += o.smape_sum;
  scaled_error_sum += o.scaled_error_sum;
  scaled_points += o.scaled_points;
  error_sum += o.error_sum;
  abs_actual_sum += o.abs_actual_sum;
  if (covered.size() < o.covered.size()) covered.resize(o.covered.size(), 0);
  for (size_t i = 0; i < o.covered.size(); ++i) covered[i] += o.covered[i];
  points += o.points;
  origins_skipped += o.origins_skipped;
}

absl::StatusOr<std::vector<int>> BacktestOrigins(int n, const BacktestOptions& options) {
  if (options.horizon < 1) return absl::InvalidArgumentError("horizon: must be >= 1");
  if (options.windows < 1) return absl::InvalidArgumentError("windows: must be >= 1");
  if (options.step < 1) return absl::InvalidArgumentError("step: must be >= 1");
  const long long first = static_cast<long long>(n) - options.horizon -
                          static_cast<long long>(options.windows - 1) * options.step;
  if (first < 2) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "windows: %d windows of horizon %d, %d apart, need at least %lld observations, the "
        "series has %d",
        options.windows, options.horizon, options.step,
        2 + options.horizon + static_cast<long long>(options.windows - 1) * options.step, n));
  }
  std::vector<int> origins;
  for (int k = 0; k < options.windows; ++k) origins.push_back(static_cast<int>(first) + k * options.step);
  return origins;
}

absl::StatusOr<SeriesBacktest> BacktestSeries(std::span<const double> y,
                                              const BacktestOptions& options) {
  auto origins = BacktestOrigins(static_cast<int>(y.size()), options);
  if (!origins.ok()) return origins.status();
  SeriesBacktest result;
  result.models.resize(options.models.size());
  for (auto& m : result.models) m.covered.assign(options.levels.size(), 0);

  for (size_t k = 0; k < options.models.size(); ++k) {
    AccuracySums& acc = result.models[k];
    ForecastOptions forecast_options;
    forecast_options.horizon = options.horizon;
    forecast_options.levels = options.levels;
    forecast_options.model = options.models[k];
    forecast_options.season_length = options.season_length;
    forecast_options.ets_spec = options.ets_spec;
    for (int origin : *origins) {
      std::span<const double> train = y.subspan(0, origin);
      auto forecast = ForecastSeries(train, forecast_options);
      if (!forecast.ok()) {
        if (forecast.status().code() != absl::StatusCode::kInvalidArgument) return forecast.status();
        ++acc.origins_skipped;
        continue;
      }
      const double scale = MaseScale(train, options.season_length);
      for (int h = 0; h < options.horizon; ++h) {
        const double actual = y[origin + h], f = forecast->mean[h];
        const double denominator = std::fabs(actual) + std::fabs(f);
        acc.smape_sum += denominator > 0 ? 200 * std::fabs(actual - f) / denominator : 0;
        if (scale > 0) {
          acc.scaled_error_sum += std::fabs(actual - f) / scale;
          ++acc.scaled_points;
        }
        acc.error_sum += f - actual;
        acc.abs_actual_sum += std::fabs(actual);
        for (size_t l = 0; l < forecast->intervals.size() && l < acc.covered.size(); ++l) {
          const Interval& interval = forecast->intervals[l];
          if (interval.lower[h] <= actual && actual <= interval.upper[h]) ++acc.covered[l];
        }
        ++acc.points;
      }
    }
  }

  // Best: lowest MASE among models scored on every origin; sMAPE when MASE is unusable.
  bool use_mase = false;
  for (const auto& acc : result.models) use_mase = use_mase || (acc.origins_skipped == 0 && acc.scaled_points > 0);
  for (size_t k = 0; k < result.models.size(); ++k) {
    const AccuracySums& acc = result.models[k];
    if (acc.origins_skipped > 0 || acc.points == 0) continue;
    if (use_mase && acc.scaled_points == 0) continue;
    auto score = [&](const AccuracySums& a) { return use_mase ? a.Mase() : a.Smape(); };
    if (result.best < 0 || score(acc) < score(result.models[result.best])) result.best = static_cast<int>(k);
  }
  return result;
}

}  // namespace salesops::forecast
