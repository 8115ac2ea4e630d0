// The report bench/m3_accuracy prints: markdown tables of sMAPE (next to the reference rows of
// issue 3), MASE, interval coverage, wall and CPU seconds, ours against R, and issue 3's targets;
// and the files --dump writes for offline analysis.
#ifndef SALESOPS_BENCH_M3_REPORT_H_
#define SALESOPS_BENCH_M3_REPORT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bench/m3_data.h"
#include "bench/model_run.h"

namespace salesops::bench {

// The tables for `series` (a sample when every > 1), with our models' runs, R's runs (keys r_*)
// and combinations, then `notes` and the notes the runs call for (unavailable models, failures).
std::string RenderM3Report(const std::vector<M3Series>& series, int every,
                           const std::vector<ModelRun>& ours, const std::vector<ModelRun>& r_runs,
                           const std::vector<ModelRun>& combos,
                           const std::vector<std::string>& notes);

// Writes into `dir` (created): <key>.csv per run (kForecastCsvHeader), actuals.csv
// (series_id,step,value), series.csv (series_id,subset,period,horizon,n,mase_scale) and scores.csv
// (model,subset,series,missing,smape,mase,coverage80,coverage95,seconds).
absl::Status WriteDump(const std::string& dir, const std::vector<M3Series>& series,
                       const std::vector<const ModelRun*>& runs);

}  // namespace salesops::bench

#endif  // SALESOPS_BENCH_M3_REPORT_H_
