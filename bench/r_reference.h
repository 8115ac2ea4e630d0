// Runs R's forecast package (bench/r/m3_reference.R through Rscript) on the M3 series, one R
// process per (model, subset), each single-threaded, and caches what it wrote.
//
// Cache: <cache_dir>/<model>-<subset>-every<N>-<key>/ holding forecasts.csv and timing.csv, where
// <key> is a SHA-256 over the R script, the model, the subset, `every` and the subset's three data
// files. A later run with the same script and data reuses the entry instead of running R again;
// `fresh` ignores (and replaces) it. An entry is only written once its R process finished cleanly.
#ifndef SALESOPS_BENCH_R_REFERENCE_H_
#define SALESOPS_BENCH_R_REFERENCE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace salesops::bench {

// The R functions the benchmark knows: forecast::ets, forecast::thetaf, forecast::auto.arima.
inline constexpr const char* kRModels[] = {"ets", "thetaf", "auto.arima"};

struct RReferenceOptions {
  std::string rscript = "Rscript";
  std::string script;      // path of m3_reference.R
  std::string data_root;   // the M3 root (subset folders below)
  std::string cache_dir;   // created if missing
  int every = 1;
  bool fresh = false;      // ignore cached results
  int timeout_seconds = 0; // per R process; 0: none
  int jobs = 1;            // R processes at once (timings are per process, single-threaded)
};

struct RTask {
  std::string model;  // one of kRModels
  int subset = 0;     // index into kM3Subsets
};

struct RTaskResult {
  RTask task;
  absl::Status status;        // not OK: R failed, timed out, or was not found
  bool cached = false;        // reused from the cache
  std::string forecasts_csv;  // path, forecast CSV layout (model column = the R function)
  double seconds = -1;        // wall seconds of the fitting loop, measured inside R
  double cpu_seconds = -1;
  std::string versions;       // "R 4.2.2, forecast 8.20"
};

// Runs (or reuses) every task; results in the order of `tasks`. Progress and R's own messages go
// to stderr.
std::vector<RTaskResult> RunRReference(const RReferenceOptions& options,
                                       const std::vector<RTask>& tasks);

}  // namespace salesops::bench

#endif  // SALESOPS_BENCH_R_REFERENCE_H_
