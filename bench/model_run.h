// One model's forecasts of a set of M3 series, and what the benchmark does with them: score per
// subset, write and read the forecasts as CSV (--dump, R's output), combine several models.
#ifndef SALESOPS_BENCH_MODEL_RUN_H_
#define SALESOPS_BENCH_MODEL_RUN_H_

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/m3_data.h"
#include "bench/scoring.h"

namespace salesops::bench {

// The forecast CSV of --dump and of bench/r/m3_reference.R.
inline constexpr char kForecastCsvHeader[] = "model,series_id,step,mean,lo80,hi80,lo95,hi95";

struct ModelRun {
  std::string key;    // "auto", "r_ets", "ets+theta:median"
  std::string label;  // row label in the tables
  bool available = true;
  std::string note;   // why unavailable, or a remark
  // One entry per series of the benchmark (same order); nullopt when the model failed on it.
  std::vector<std::optional<SeriesForecast>> forecasts;
  int failed = 0;
  std::string first_error;  // "N1402: ..." of the first failure
  // Wall seconds of the single-threaded run per subset (negative: not timed / not run).
  std::array<double, kM3SubsetCount> seconds = {-1, -1, -1, -1};
  // CPU seconds of the same runs (the thread's own time; for R, the process's user + system time):
  // what the model costs, robust to other load on the machine.
  std::array<double, kM3SubsetCount> cpu_seconds = {-1, -1, -1, -1};
  // Wall seconds of the parallel run over all series, and its thread count (0: not run).
  double parallel_seconds = -1;
  int parallel_threads = 0;
  int parallel_mismatches = 0;  // series whose parallel forecasts differ from the serial ones

  // Sum of `seconds` over the subsets that ran; negative if none did.
  double TotalSeconds() const;
  double TotalCpuSeconds() const;
};

// Scores per subset (indices 0..3, kM3Subsets) and over all series (index 4).
using SubsetScores = std::array<Scores, kM3SubsetCount + 1>;
SubsetScores ScoreRun(const std::vector<M3Series>& series, const ModelRun& run);

// Checks a forecast has `horizon` finite means and, if any, `horizon` finite bounds per level.
absl::Status CheckForecast(const SeriesForecast& forecast, int horizon);

// Appends `run`'s forecasts to `path` as CSV (writes the header when the file is new), the model
// column holding run.key.
absl::Status WriteForecastCsv(const std::string& path, const std::vector<M3Series>& series,
                              const ModelRun& run);

// Reads forecasts of `series` from a forecast CSV: the rows whose model column is `model`. Series
// absent from the file (or with the wrong number of steps) stay nullopt; "NA" bounds mean no
// intervals. Rows for series not in `series` are ignored.
absl::Status ReadForecastCsv(const std::string& path, const std::string& model,
                             const std::vector<M3Series>& series,
                             std::vector<std::optional<SeriesForecast>>* out);

// A combination of models' forecasts: "ets+theta+arima" or "ets+theta+arima:median" (":mean" is
// the default). The point forecast is the mean or median of the members' point forecasts per
// step; each interval bound is the mean of the members' bounds (intervals only when every member
// has them).
struct CombinationSpec {
  std::vector<std::string> members;
  bool median = false;
  std::string key;  // canonical "a+b+c:mean"
};
absl::StatusOr<CombinationSpec> ParseCombination(const std::string& text);

// The combination of `members` (runs of the same series); a series fails if any member failed.
ModelRun Combine(const CombinationSpec& spec, const std::vector<const ModelRun*>& members);

}  // namespace salesops::bench

#endif  // SALESOPS_BENCH_MODEL_RUN_H_
