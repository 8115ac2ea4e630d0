// The M3 competition series (bench/data/m3, as in ../shared/data/m3): loading and sampling.
//
//   auto series = LoadM3("bench/data/m3", {"yearly", "monthly"}, /*every=*/10);
//
// Series come out grouped by subset in the order yearly, quarterly, monthly, other, and within a
// subset in the order of its meta.csv. `every` keeps the 1st, (every+1)th, ... series of each
// subset, the same rule bench/r/m3_reference.R applies, so both sides see the same sample.
#ifndef SALESOPS_BENCH_M3_DATA_H_
#define SALESOPS_BENCH_M3_DATA_H_

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace salesops::bench {

inline constexpr int kM3SubsetCount = 4;
inline constexpr std::array<std::string_view, kM3SubsetCount> kM3Subsets = {
    "yearly", "quarterly", "monthly", "other"};

// Index of a subset name in kM3Subsets, or -1.
int M3SubsetIndex(std::string_view name);

struct M3Series {
  std::string id;
  int subset = 0;   // index into kM3Subsets
  int period = 1;   // seasonal period: 1, 4 or 12
  int horizon = 1;  // number of test values
  std::string type; // MICRO, INDUSTRY, ...
  std::vector<double> train;
  std::vector<double> test;
};

// Loads the named subsets (all four when empty) from `root`/<subset>/{meta,train,test}.csv.
// InvalidArgument / NotFound naming the file and line on malformed or missing data.
absl::StatusOr<std::vector<M3Series>> LoadM3(const std::string& root,
                                             const std::vector<std::string>& subsets, int every);

// Splits one CSV line on commas (the M3 files have no quoting).
std::vector<std::string> SplitCsvLine(std::string_view line);

}  // namespace salesops::bench

#endif  // SALESOPS_BENCH_M3_DATA_H_
