// What several benchmarks share: process figures read from /proc, and the synthetic sales series
// the throughput and batch benchmarks forecast.
#ifndef SALESOPS_BENCH_BENCH_SUPPORT_H_
#define SALESOPS_BENCH_BENCH_SUPPORT_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace salesops::bench {

// User + system CPU seconds of process `pid` so far (/proc/<pid>/stat); -1 if unreadable.
double CpuSeconds(pid_t pid);

// A "VmHWM" / "VmRSS" line of /proc/<pid>/status in MB; -1 if unreadable.
double ProcStatusMb(pid_t pid, const std::string& field);

// Monthly bookings-like series: a level, a trend, a yearly pattern with quarter-end peaks and
// noise; one in five is a sparse rep x product series (mostly zeros). Lengths 24..72 months.
// Deterministic for a seed.
std::vector<std::vector<double>> SyntheticSalesSeries(int count, uint64_t seed);

}  // namespace salesops::bench

#endif  // SALESOPS_BENCH_BENCH_SUPPORT_H_
