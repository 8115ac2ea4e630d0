// throughput: how many series per second the engine forecasts, on one thread and on every core,
// and the peak memory of the process.
//
//   throughput                                   AUTO over the 3003 M3 series, 1 thread and all
//   throughput --models auto,ets --threads 1,2,4
//   throughput --synthetic 20000                 sales-like monthly series instead of M3
//
// Every pass runs every series once; --repeat N keeps the fastest of N passes.
#include <sys/resource.h>

#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/bench_support.h"
#include "bench/m3_data.h"
#include "bench/markdown_table.h"
#include "common/thread_pool.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::bench {
namespace {

using forecast::ModelKind;
using Clock = std::chrono::steady_clock;

struct Job {
  std::vector<double> y;
  int period = 1;
  int horizon = 1;
};

struct NamedKind {
  const char* key;
  ModelKind kind;
};
constexpr NamedKind kKinds[] = {
    {"auto", ModelKind::kAuto},       {"naive", ModelKind::kNaive},
    {"snaive", ModelKind::kSeasonalNaive}, {"drift", ModelKind::kDrift},
    {"ses", ModelKind::kSes},         {"holt", ModelKind::kHolt},
    {"damped", ModelKind::kDampedHolt}, {"hw", ModelKind::kHoltWintersAdditive},
    {"ets", ModelKind::kEts},         {"theta", ModelKind::kTheta},
    {"otm", ModelKind::kOptimizedTheta}, {"arima", ModelKind::kArima},
    {"croston", ModelKind::kCroston}, {"sba", ModelKind::kSba},
    {"tsb", ModelKind::kTsb},
};

double ProcessCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double PeakRssMb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// The shared synthetic series (bench_support.h) as engine jobs.
std::vector<Job> SyntheticJobs(int count, uint64_t seed) {
  std::vector<Job> jobs;
  for (auto& y : bench::SyntheticSalesSeries(count, seed)) {
    Job& job = jobs.emplace_back();
    job.period = 12;
    job.horizon = 12;
    job.y = std::move(y);
  }
  return jobs;
}

// Wall seconds for one pass over `jobs` on `threads` threads (*cpu: the CPU seconds it used);
// counts the failures.
double Pass(const std::vector<Job>& jobs, ModelKind kind, int threads, int* failed,
            bool* unimplemented, double* cpu) {
  std::atomic<int> failures{0};
  std::atomic<bool> not_built{false};
  auto one = [&](size_t i) {
    forecast::ForecastOptions options;
    options.horizon = jobs[i].horizon;
    options.season_length = jobs[i].period;
    options.model = kind;
    auto r = forecast::ForecastSeries(jobs[i].y, options);
    if (!r.ok()) {
      failures.fetch_add(1, std::memory_order_relaxed);
      if (r.status().code() == absl::StatusCode::kUnimplemented) not_built = true;
    }
  };
  const auto started = Clock::now();
  const double cpu_started = ProcessCpuSeconds();
  if (threads <= 1) {
    for (size_t i = 0; i < jobs.size() && !not_built; ++i) one(i);
  } else {
    ThreadPool pool(threads - 1);
    pool.ParallelFor(jobs.size(), one);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  *cpu = ProcessCpuSeconds() - cpu_started;
  *failed = failures.load();
  *unimplemented = not_built.load();
  return seconds;
}

int Main(int argc, char** argv) {
  std::string data = std::string(SALESOPS_SOURCE_DIR) + "/bench/data/m3";
  std::string models = "auto";
  std::string thread_list;
  int synthetic = 0;
  int repeat = 1;
  int every = 1;
  CLI::App app{"Series per second of the forecasting engine, one thread and every core"};
  app.add_option("--data", data, "M3 root")->capture_default_str();
  app.add_option("--models", models, "comma-separated: auto,naive,snaive,drift,ses,holt,damped,"
                                     "hw,ets,theta,otm,arima,croston,sba,tsb")
      ->capture_default_str();
  app.add_option("--threads", thread_list,
                 "comma-separated thread counts (default: 1 and every core)");
  app.add_option("--synthetic", synthetic,
                 "use N synthetic sales-like monthly series instead of M3")
      ->check(CLI::Range(0, 10000000));
  app.add_option("--every", every, "M3: keep every Nth series")->check(CLI::PositiveNumber);
  app.add_option("--repeat", repeat, "passes per measurement; the fastest counts")
      ->check(CLI::Range(1, 100))->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int> threads;
  if (thread_list.empty()) {
    threads = {1};
    if (cores > 1) threads.push_back(cores);
  } else {
    for (absl::string_view t : absl::StrSplit(thread_list, ',', absl::SkipWhitespace())) {
      int n = 0;
      if (!absl::SimpleAtoi(t, &n) || n < 0) {
        std::fprintf(stderr, "throughput: bad --threads\n");
        return 2;
      }
      threads.push_back(n == 0 ? cores : n);
    }
  }

  std::vector<Job> jobs;
  std::string source;
  if (synthetic > 0) {
    jobs = SyntheticJobs(synthetic, 20240611);
    source = absl::StrCat(synthetic, " synthetic monthly sales series (24-72 months, 1 in 5 sparse), "
                          "horizon 12");
  } else {
    auto loaded = LoadM3(data, {}, every);
    if (!loaded.ok()) {
      std::fprintf(stderr, "throughput: %s\n", std::string(loaded.status().message()).c_str());
      return 2;
    }
    for (auto& s : *loaded) jobs.push_back({std::move(s.train), s.period, s.horizon});
    source = absl::StrCat(jobs.size(), " M3 series, their own periods and horizons");
  }
  const double rss_before = PeakRssMb();

  MarkdownTable table({"model", "threads", "series", "seconds", "series/s", "speed-up",
                       "CPU s", "series per CPU s", "failed", "peak RSS (MB)"});
  std::vector<std::string> notes;
  for (absl::string_view key : absl::StrSplit(models, ',', absl::SkipWhitespace())) {
    const NamedKind* kind = nullptr;
    for (const NamedKind& k : kKinds) {
      if (key == k.key) kind = &k;
    }
    if (kind == nullptr) {
      std::fprintf(stderr, "throughput: unknown model %s\n", std::string(key).c_str());
      return 2;
    }
    double single = -1;
    for (int t : threads) {
      double best = -1, best_cpu = -1;
      int failed = 0;
      bool unimplemented = false;
      for (int r = 0; r < repeat; ++r) {
        double cpu = 0;
        const double s = Pass(jobs, kind->kind, t, &failed, &unimplemented, &cpu);
        if (unimplemented) break;
        if (best < 0 || s < best) {
          best = s;
          best_cpu = cpu;
        }
      }
      if (unimplemented) {
        notes.push_back(absl::StrCat(kind->key, ": not available yet (UNIMPLEMENTED)"));
        break;
      }
      if (t == 1) single = best;
      std::fprintf(stderr, "throughput: %s, %d threads: %.2f s\n", kind->key, t, best);
      table.AddRow({kind->key, std::to_string(t), std::to_string(jobs.size()), Fixed(best, 2),
                    Fixed(static_cast<double>(jobs.size()) / best, 0),
                    single > 0 ? Fixed(single / best, 2) : "—", Fixed(best_cpu, 2),
                    Fixed(static_cast<double>(jobs.size()) / best_cpu, 0), std::to_string(failed),
                    Fixed(PeakRssMb(), 0)});
    }
  }

  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  std::cout << "# Throughput\n\n"
            << source << "; " << cores << " hardware threads; fastest of " << repeat
            << absl::StrFormat(" pass(es); load average %.1f at the end (other work on the "
                               "machine slows the wall clock, not the CPU seconds).\n\n",
                               load[0])
            << table.Render() << "\n"
            << absl::StrFormat("Peak RSS: %.0f MB after loading the data, %.0f MB at the end "
                               "(getrusage ru_maxrss).\n",
                               rss_before, PeakRssMb());
  for (const auto& n : notes) std::cout << "- " << n << "\n";
  return 0;
}

}  // namespace
}  // namespace salesops::bench

int main(int argc, char** argv) { return salesops::bench::Main(argc, argv); }
