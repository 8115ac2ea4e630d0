#include "bench/scoring.h"

#include <cmath>
#include <limits>

namespace salesops::bench {

double SeriesSmape(std::span<const double> actual, std::span<const double> forecast) {
  if (actual.empty()) return 0;
  double sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double denominator = std::fabs(actual[i]) + std::fabs(forecast[i]);
    if (denominator > 0) sum += 200.0 * std::fabs(actual[i] - forecast[i]) / denominator;
  }
  return sum / static_cast<double>(actual.size());
}

double MaseScale(std::span<const double> train, int period) {
  size_t lag = period >= 1 ? static_cast<size_t>(period) : 1;
  if (train.size() <= lag) lag = 1;
  if (train.size() <= lag) return 0;
  double sum = 0;
  for (size_t t = lag; t < train.size(); ++t) sum += std::fabs(train[t] - train[t - lag]);
  return sum / static_cast<double>(train.size() - lag);
}

double SeriesMase(std::span<const double> actual, std::span<const double> forecast, double scale) {
  if (!(scale > 0) || actual.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) sum += std::fabs(actual[i] - forecast[i]);
  return sum / static_cast<double>(actual.size()) / scale;
}

int PointsCovered(std::span<const double> actual, std::span<const double> lower,
                  std::span<const double> upper) {
  int covered = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (actual[i] >= lower[i] && actual[i] <= upper[i]) ++covered;
  }
  return covered;
}

void ScoreAccumulator::Add(std::span<const double> train, std::span<const double> actual,
                           int period, const SeriesForecast& forecast) {
  ++series_;
  smape_sum_ += SeriesSmape(actual, forecast.mean);
  const double mase = SeriesMase(actual, forecast.mean, MaseScale(train, period));
  if (std::isfinite(mase)) {
    mase_sum_ += mase;
    ++mase_series_;
  }
  if (forecast.has_intervals()) {
    points_ += static_cast<long>(actual.size());
    covered80_ += PointsCovered(actual, forecast.lo80, forecast.hi80);
    covered95_ += PointsCovered(actual, forecast.lo95, forecast.hi95);
  } else {
    ++without_intervals_;
  }
}

Scores ScoreAccumulator::Result() const {
  Scores s;
  s.series = series_;
  s.missing = missing_;
  s.smape = series_ > 0 ? smape_sum_ / series_ : 0;
  s.mase_series = mase_series_;
  s.mase = mase_series_ > 0 ? mase_sum_ / mase_series_ : 0;
  s.points = points_;
  s.coverage80 = points_ > 0 ? 100.0 * static_cast<double>(covered80_) / points_ : 0;
  s.coverage95 = points_ > 0 ? 100.0 * static_cast<double>(covered95_) / points_ : 0;
  s.series_without_intervals = without_intervals_;
  return s;
}

}  // namespace salesops::bench
