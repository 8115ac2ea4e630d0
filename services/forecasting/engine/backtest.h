// Rolling-origin evaluation of forecasting models on one series: forecasts are made from several
// origins in the past and scored against what happened (sMAPE, MASE, bias, interval coverage).
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_BACKTEST_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_BACKTEST_H_

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {

struct BacktestOptions {
  int horizon = 1;
  // Number of origins; the last leaves `horizon` observations after it.
  int windows = 1;
  // Observations between consecutive origins (>= 1).
  int step = 1;
  std::vector<ModelKind> models;
  int season_length = 1;
  std::vector<double> levels = {80.0, 95.0};
  std::string ets_spec = "ZZZ";
};

// Sums behind the accuracy figures, so that series can be pooled before dividing.
struct AccuracySums {
  double smape_sum = 0;        // sum over points of 200|y-f|/(|y|+|f|)
  double scaled_error_sum = 0; // sum over points of |y-f| / scale
  int scaled_points = 0;       // points with a usable (non-zero) scale
  double error_sum = 0;        // sum of f - y
  double abs_actual_sum = 0;   // sum of |y|
  std::vector<int> covered;    // per level: points inside the interval
  int points = 0;
  int origins_skipped = 0;

  void Add(const AccuracySums& other);
  double Smape() const { return points ? smape_sum / points : 0; }
  double Mase() const { return scaled_points ? scaled_error_sum / scaled_points : 0; }
  double Bias() const { return points ? error_sum / points : 0; }
  double BiasPct() const { return abs_actual_sum > 0 ? 100 * error_sum / abs_actual_sum : 0; }
  double Coverage(size_t level) const {
    return points && level < covered.size() ? static_cast<double>(covered[level]) / points : 0;
  }
};

struct SeriesBacktest {
  // One per options.models, same order.
  std::vector<AccuracySums> models;
  // Index into options.models of the lowest MASE among models scored on every origin (sMAPE when
  // no model has a usable MASE scale); -1 when none was.
  int best = -1;
};

// The origins of a rolling-origin evaluation on n observations: the number of observations before
// each origin, oldest first. InvalidArgument (naming `windows`) when the series is too short to
// leave at least 2 observations before the first origin.
absl::StatusOr<std::vector<int>> BacktestOrigins(int n, const BacktestOptions& options);

// Evaluates every model. A model that cannot forecast from an origin (too little data) skips it;
// see origins_skipped.
absl::StatusOr<SeriesBacktest> BacktestSeries(std::span<const double> y,
                                              const BacktestOptions& options);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_BACKTEST_H_
