// Accuracy scores of forecasts against held-out data, with the convention of
// bench/data/m3/README.md (the one the M3 literature uses):
//   - sMAPE of a series = mean over steps of 200 |y - f| / (|y| + |f|)  (a step with y = f = 0
//     counts 0); a subset's sMAPE is the mean over its series, in percent;
//   - MASE of a series = mean |y - f| / (mean absolute seasonal difference of the training data at
//     lag = period; lag 1 when the series is not longer than a period); averaged over series.
//     A series whose scale is 0 (constant history) has no MASE and is left out of that mean;
//   - interval coverage = share of all forecast points (not series) inside [lo, hi], in percent.
#ifndef SALESOPS_BENCH_SCORING_H_
#define SALESOPS_BENCH_SCORING_H_

#include <span>
#include <vector>

namespace salesops::bench {

// One model's forecast of one series. The bounds are empty when the model gives no intervals.
struct SeriesForecast {
  std::vector<double> mean;
  std::vector<double> lo80, hi80, lo95, hi95;

  bool has_intervals() const { return !lo80.empty(); }
};

// sMAPE of one series in percent. `actual` and `forecast` have the same length (> 0).
double SeriesSmape(std::span<const double> actual, std::span<const double> forecast);

// Mean absolute difference of `train` at lag `period` (lag 1 if train.size() <= period); 0 when
// the series is too short or constant.
double MaseScale(std::span<const double> train, int period);

// Mean absolute error divided by `scale`; NaN when scale is 0.
double SeriesMase(std::span<const double> actual, std::span<const double> forecast, double scale);

// Number of `actual` values inside [lower, upper] (inclusive).
int PointsCovered(std::span<const double> actual, std::span<const double> lower,
                  std::span<const double> upper);

// The scores of a set of series (one subset, or all).
struct Scores {
  int series = 0;        // series scored
  int missing = 0;       // series the model gave no forecast for (not scored)
  double smape = 0;      // mean sMAPE, percent
  double mase = 0;       // mean MASE over series with a scale
  int mase_series = 0;
  long points = 0;            // forecast points with intervals
  double coverage80 = 0;      // percent of `points`
  double coverage95 = 0;
  int series_without_intervals = 0;

  // All series scored (nothing missing) and at least one.
  bool complete() const { return series > 0 && missing == 0; }
  bool has_coverage() const { return points > 0 && series_without_intervals == 0; }
};

// Accumulates per-series scores into Scores.
class ScoreAccumulator {
 public:
  // `forecast` must have actual.size() means.
  void Add(std::span<const double> train, std::span<const double> actual, int period,
           const SeriesForecast& forecast);
  void AddMissing() { ++missing_; }
  Scores Result() const;

 private:
  int series_ = 0;
  int missing_ = 0;
  double smape_sum_ = 0;
  double mase_sum_ = 0;
  int mase_series_ = 0;
  long points_ = 0;
  long covered80_ = 0;
  long covered95_ = 0;
  int without_intervals_ = 0;
};

}  // namespace salesops::bench

#endif  // SALESOPS_BENCH_SCORING_H_
