// m3_accuracy: the forecasting engine on the 3003 series of the M3 competition, scored as the M3
// literature does (bench/data/m3/README.md), next to the published reference rows and, with --r,
// to R's forecast package run on the same series in the same run. Prints markdown tables.
//
//   m3_accuracy                                  every model, all 3003 series, one thread
//   m3_accuracy --models auto,ets --threads 0    two models; also timed on every core
//   m3_accuracy --every 10 --subset monthly      a quick sample
//   m3_accuracy --r                              also R's ets, thetaf and auto.arima (cached)
//   m3_accuracy --combine ets+theta+arima:median --dump /tmp/m3
//
// Models the engine does not offer yet (UNIMPLEMENTED) are reported as not available and skipped.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/m3_data.h"
#include "bench/m3_report.h"
#include "bench/model_run.h"
#include "bench/naive2.h"
#include "bench/r_reference.h"
#include "bench/scoring.h"
#include "common/thread_pool.h"
#include "services/forecasting/engine/ets_auto.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::bench {
namespace {

using forecast::ModelKind;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU seconds used by the calling thread so far.
double ThreadCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// --models names, in the order the tables list them.
enum class Runner {
  kEngine,   // ForecastSeries with `kind`
  kNaive2,   // computed by the benchmark itself
  kEtsAsR,   // the ETS family with R's full optimiser budget (EtsFamilyOptions::R())
};
struct ModelDef {
  const char* key;
  const char* label;
  ModelKind kind;
  Runner runner = Runner::kEngine;
};
constexpr ModelDef kModels[] = {
    {"naive2", "NAIVE2 (bench)", ModelKind::kNaive, Runner::kNaive2},
    {"naive", "NAIVE", ModelKind::kNaive},
    {"snaive", "SNAIVE", ModelKind::kSeasonalNaive},
    {"drift", "DRIFT", ModelKind::kDrift},
    {"ses", "SES", ModelKind::kSes},
    {"holt", "HOLT", ModelKind::kHolt},
    {"damped", "DAMPED", ModelKind::kDampedHolt},
    {"hw", "HW (A,A,A)", ModelKind::kHoltWintersAdditive},
    {"ets", "ETS", ModelKind::kEts},
    {"ets_r", "ETS, R's optimiser budget", ModelKind::kEts, Runner::kEtsAsR},
    {"theta", "THETA", ModelKind::kTheta},
    {"otm", "OTM (optimised theta)", ModelKind::kOptimizedTheta},
    {"arima", "ARIMA", ModelKind::kArima},
    {"croston", "CROSTON", ModelKind::kCroston},
    {"sba", "SBA", ModelKind::kSba},
    {"tsb", "TSB", ModelKind::kTsb},
    {"auto", "AUTO", ModelKind::kAuto},
};

const ModelDef* FindModel(const std::string& key) {
  for (const ModelDef& m : kModels) {
    if (key == m.key) return &m;
  }
  return nullptr;
}

// R's functions, their keys in the tables and combinations.
struct RDef {
  const char* function;
  const char* key;
  const char* label;
};
constexpr RDef kRDefs[] = {
    {"ets", "r_ets", "R forecast::ets"},
    {"thetaf", "r_theta", "R forecast::thetaf"},
    {"auto.arima", "r_arima", "R forecast::auto.arima"},
};

struct Config {
  std::string data;
  std::vector<std::string> subsets;
  int every = 1;
  std::string models = "all";
  int threads = 1;
  std::string dump;
  std::vector<std::string> combine;
  bool r = false;
  bool r_fresh = false;
  std::string r_models = "ets,thetaf,auto.arima";
  std::string r_cache;
  std::string rscript = "Rscript";
  std::string r_script;
  int r_timeout = 0;
  int r_jobs = 1;
  std::string markdown;
  bool quiet = false;
  bool holdout = false;
};

// ---------------------------------------------------------------------------------------------
// Running models

std::optional<SeriesForecast> ToSeriesForecast(const forecast::ForecastResult& r) {
  SeriesForecast f;
  f.mean = r.mean;
  for (const auto& interval : r.intervals) {
    if (interval.level == 80.0) {
      f.lo80 = interval.lower;
      f.hi80 = interval.upper;
    } else if (interval.level == 95.0) {
      f.lo95 = interval.lower;
      f.hi95 = interval.upper;
    }
  }
  if (f.lo80.empty() || f.lo95.empty()) {
    f.lo80.clear();
    f.hi80.clear();
    f.lo95.clear();
    f.hi95.clear();
  }
  return f;
}

// The outcome of one model on one series.
struct Outcome {
  std::optional<SeriesForecast> forecast;
  absl::Status status;
};

Outcome RunOne(const ModelDef& def, const M3Series& s) {
  Outcome out;
  if (def.runner == Runner::kNaive2) {
    SeriesForecast f;
    f.mean = Naive2Forecast(s.train, s.period, s.horizon);
    out.forecast = std::move(f);
  } else {
    forecast::ForecastOptions options;
    options.horizon = s.horizon;
    options.levels = {80.0, 95.0};
    options.model = def.kind;
    options.season_length = s.period;
    auto result = def.runner == Runner::kEtsAsR
                      ? forecast::ForecastEtsFamily(s.train, options,
                                                    forecast::ets::EtsFamilyOptions::R())
                      : forecast::ForecastSeries(s.train, options);
    if (!result.ok()) {
      out.status = result.status();
      return out;
    }
    out.forecast = ToSeriesForecast(*result);
  }
  out.status = CheckForecast(*out.forecast, s.horizon);
  if (!out.status.ok()) out.forecast.reset();
  return out;
}

bool SameForecast(const std::optional<SeriesForecast>& a, const std::optional<SeriesForecast>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a.has_value()) return true;
  return a->mean == b->mean && a->lo80 == b->lo80 && a->hi80 == b->hi80 && a->lo95 == b->lo95 &&
         a->hi95 == b->hi95;
}

ModelRun RunModel(const ModelDef& def, const std::vector<M3Series>& series, int threads,
                  bool quiet) {
  ModelRun run;
  run.key = def.key;
  run.label = def.label;
  run.forecasts.assign(series.size(), std::nullopt);
  // Single-threaded, timed per subset.
  for (int subset = 0; subset < kM3SubsetCount && run.available; ++subset) {
    bool any = false;
    const auto started = Clock::now();
    const double cpu_started = ThreadCpuSeconds();
    for (size_t i = 0; i < series.size(); ++i) {
      if (series[i].subset != subset) continue;
      any = true;
      Outcome out = RunOne(def, series[i]);
      if (out.status.code() == absl::StatusCode::kUnimplemented) {
        run.available = false;
        run.note = std::string(out.status.message());
        break;
      }
      if (!out.status.ok()) {
        if (run.failed++ == 0) run.first_error = absl::StrCat(series[i].id, ": ", out.status.message());
        continue;
      }
      run.forecasts[i] = std::move(out.forecast);
    }
    if (any && run.available) {
      run.seconds[subset] = Seconds(started);
      run.cpu_seconds[subset] = ThreadCpuSeconds() - cpu_started;
      if (!quiet) {
        std::fprintf(stderr, "m3: %-8s %-9s %.3f s (CPU %.3f s)\n", def.key,
                     std::string(kM3Subsets[subset]).c_str(), run.seconds[subset],
                     run.cpu_seconds[subset]);
      }
    }
  }
  if (!run.available) {
    run.forecasts.assign(series.size(), std::nullopt);
    run.seconds = {-1, -1, -1, -1};
    run.cpu_seconds = {-1, -1, -1, -1};
    run.failed = 0;
    if (!quiet) std::fprintf(stderr, "m3: %-8s not available: %s\n", def.key, run.note.c_str());
    return run;
  }
  // The same series again on `threads` threads (the pool's plus this one), timed over all.
  if (threads > 1) {
    std::vector<Outcome> parallel(series.size());
    ThreadPool pool(threads - 1);
    const auto started = Clock::now();
    pool.ParallelFor(series.size(), [&](size_t i) { parallel[i] = RunOne(def, series[i]); });
    run.parallel_seconds = Seconds(started);
    run.parallel_threads = threads;
    for (size_t i = 0; i < series.size(); ++i) {
      if (!SameForecast(parallel[i].forecast, run.forecasts[i])) ++run.parallel_mismatches;
    }
    if (!quiet) {
      std::fprintf(stderr, "m3: %-8s all, %d threads: %.2f s\n", def.key, threads,
                   run.parallel_seconds);
    }
  }
  return run;
}

// R's results for one function, over the selected subsets.
ModelRun CollectR(const RDef& def, const std::vector<RTaskResult>& results,
                  const std::vector<M3Series>& series, std::vector<std::string>* notes) {
  ModelRun run;
  run.key = def.key;
  run.label = def.label;
  run.forecasts.assign(series.size(), std::nullopt);
  bool any = false;
  std::vector<std::string> versions;
  for (const RTaskResult& r : results) {
    if (r.task.model != def.function) continue;
    if (!r.status.ok()) {
      notes->push_back(absl::StrCat(def.label, " on ", std::string(kM3Subsets[r.task.subset]),
                                    ": ", r.status.message()));
      continue;
    }
    std::vector<std::optional<SeriesForecast>> read;
    absl::Status st = ReadForecastCsv(r.forecasts_csv, def.function, series, &read);
    if (!st.ok()) {
      notes->push_back(absl::StrCat(def.label, ": ", st.message()));
      continue;
    }
    any = true;
    for (size_t i = 0; i < series.size(); ++i) {
      if (series[i].subset == r.task.subset) run.forecasts[i] = std::move(read[i]);
    }
    run.seconds[r.task.subset] = r.seconds;
    run.cpu_seconds[r.task.subset] = r.cpu_seconds;
    if (std::find(versions.begin(), versions.end(), r.versions) == versions.end()) {
      versions.push_back(r.versions);
    }
  }
  for (size_t i = 0; i < series.size(); ++i) {
    if (run.seconds[series[i].subset] >= 0 && !run.forecasts[i].has_value()) {
      if (run.failed++ == 0) run.first_error = absl::StrCat(series[i].id, ": no forecast from R");
    }
  }
  run.available = any;
  run.note = absl::StrJoin(versions, "; ");
  return run;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    out.emplace_back(part);
  }
  return out;
}

int Main(int argc, char** argv) {
  Config config;
  config.data = std::string(SALESOPS_SOURCE_DIR) + "/bench/data/m3";
  config.r_cache = std::string(SALESOPS_SOURCE_DIR) + "/bench/.cache/r";
  config.r_script = std::string(SALESOPS_SOURCE_DIR) + "/bench/r/m3_reference.R";
  std::string subsets;
  std::vector<std::string> model_keys;
  for (const ModelDef& m : kModels) model_keys.push_back(m.key);

  CLI::App app{"M3 accuracy and speed of the forecasting engine, next to R's forecast package"};
  app.add_option("--data", config.data, "M3 root (yearly/ quarterly/ monthly/ other/)")
      ->capture_default_str();
  app.add_option("--subset", subsets, "comma-separated subsets (default: all four)");
  app.add_option("--every", config.every, "keep every Nth series of each subset")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--models", config.models,
                 absl::StrCat("comma-separated models or \"all\": ", absl::StrJoin(model_keys, ",")))
      ->capture_default_str();
  app.add_option("--threads", config.threads,
                 "also time every model on N threads (0: every core; 1: single-threaded only)")
      ->check(CLI::Range(0, 1024))->capture_default_str();
  app.add_option("--dump", config.dump,
                 "write forecasts (<model>.csv), actuals.csv, series.csv and scores.csv here");
  app.add_option("--combine", config.combine,
                 "score a combination, e.g. ets+theta+arima:median (mean by default); R's are "
                 "r_ets, r_theta, r_arima; repeat or separate with commas");
  app.add_flag("--r", config.r, "also run R's forecast package on the same series (cached)");
  app.add_flag("--r-fresh", config.r_fresh, "with --r: ignore cached R results and run R again");
  app.add_option("--r-models", config.r_models, "R functions: ets,thetaf,auto.arima")
      ->capture_default_str();
  app.add_option("--r-cache", config.r_cache, "where R's results are cached")->capture_default_str();
  app.add_option("--r-timeout", config.r_timeout,
                 "seconds one R process (one function, one subset) may take; 0: no limit")
      ->capture_default_str();
  app.add_option("--r-jobs", config.r_jobs,
                 "R processes at once (each single-threaded; more than 1 skews R's seconds)")
      ->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--rscript", config.rscript, "the Rscript binary")->capture_default_str();
  app.add_option("--r-script", config.r_script, "the R script")->capture_default_str();
  app.add_option("--markdown", config.markdown, "also write the tables to this file");
  app.add_flag("--quiet", config.quiet, "no progress on stderr");
  app.add_flag("--holdout", config.holdout,
               "score on each series' training data, its last horizon held out (for choosing "
               "settings without looking at the test data)");
  CLI11_PARSE(app, argc, argv);
  if (config.threads == 0) config.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  config.subsets = SplitList(subsets);

  auto loaded = LoadM3(config.data, config.subsets, config.every);
  if (!loaded.ok()) {
    std::fprintf(stderr, "m3_accuracy: %s\n", std::string(loaded.status().message()).c_str());
    return 2;
  }
  if (config.holdout) {
    // Tune on the training data alone: its last `horizon` values become the test.
    if (config.r) {
      std::fprintf(stderr, "m3_accuracy: --holdout cannot be combined with --r\n");
      return 2;
    }
    // Series too short to keep at least 3 values for fitting are left out.
    std::erase_if(*loaded, [](const M3Series& s) {
      return s.train.size() < static_cast<size_t>(s.horizon) + 3;
    });
    for (M3Series& s : *loaded) {
      const size_t h = static_cast<size_t>(s.horizon);
      s.test.assign(s.train.end() - static_cast<std::ptrdiff_t>(h), s.train.end());
      s.train.resize(s.train.size() - h);
    }
    if (!config.quiet) {
      std::fprintf(stderr, "m3_accuracy: --holdout: %zu series, scored on their training data's "
                           "last horizon (the reference rows do not apply)\n", loaded->size());
    }
  }
  const std::vector<M3Series>& series = *loaded;

  // Models to run: the list, plus the members of every combination.
  std::vector<CombinationSpec> combos;
  for (const auto& text : config.combine) {
    for (const auto& one : SplitList(text)) {
      auto spec = ParseCombination(one);
      if (!spec.ok()) {
        std::fprintf(stderr, "m3_accuracy: %s\n", std::string(spec.status().message()).c_str());
        return 2;
      }
      combos.push_back(*spec);
    }
  }
  std::vector<std::string> wanted =
      config.models == "all" ? model_keys : SplitList(config.models);
  std::vector<std::string> r_wanted = config.r ? SplitList(config.r_models) : std::vector<std::string>{};
  for (const auto& c : combos) {
    for (const auto& m : c.members) {
      if (m.rfind("r_", 0) == 0) {
        bool known = false;
        for (const RDef& r : kRDefs) {
          if (m == r.key) {
            known = true;
            if (!config.r) {
              std::fprintf(stderr, "m3_accuracy: --combine %s needs --r\n", c.key.c_str());
              return 2;
            }
            if (std::find(r_wanted.begin(), r_wanted.end(), r.function) == r_wanted.end()) {
              r_wanted.push_back(r.function);
            }
          }
        }
        if (!known) {
          std::fprintf(stderr, "m3_accuracy: --combine: unknown R model %s\n", m.c_str());
          return 2;
        }
      } else if (std::find(wanted.begin(), wanted.end(), m) == wanted.end()) {
        wanted.push_back(m);
      }
    }
  }
  std::vector<const ModelDef*> defs;
  for (const ModelDef& m : kModels) {  // table order
    if (std::find(wanted.begin(), wanted.end(), m.key) != wanted.end()) defs.push_back(&m);
  }
  for (const auto& key : wanted) {
    if (FindModel(key) == nullptr) {
      std::fprintf(stderr, "m3_accuracy: unknown model \"%s\" (%s)\n", key.c_str(),
                   absl::StrJoin(model_keys, ",").c_str());
      return 2;
    }
  }
  for (const auto& f : r_wanted) {
    if (std::none_of(std::begin(kRDefs), std::end(kRDefs),
                     [&](const RDef& r) { return f == r.function; })) {
      std::fprintf(stderr, "m3_accuracy: unknown R function \"%s\" (ets,thetaf,auto.arima)\n",
                   f.c_str());
      return 2;
    }
  }

  std::vector<ModelRun> ours;
  for (const ModelDef* def : defs) ours.push_back(RunModel(*def, series, config.threads, config.quiet));

  std::vector<ModelRun> r_runs;
  std::vector<std::string> notes;
  if (!r_wanted.empty()) {
    RReferenceOptions options;
    options.rscript = config.rscript;
    options.script = config.r_script;
    options.data_root = config.data;
    options.cache_dir = config.r_cache;
    options.every = config.every;
    options.fresh = config.r_fresh;
    options.timeout_seconds = config.r_timeout;
    options.jobs = config.r_jobs;
    std::vector<RTask> tasks;
    for (const RDef& r : kRDefs) {  // table order
      if (std::find(r_wanted.begin(), r_wanted.end(), r.function) == r_wanted.end()) continue;
      for (int s = 0; s < kM3SubsetCount; ++s) {
        if (std::any_of(series.begin(), series.end(), [s](const M3Series& x) { return x.subset == s; })) {
          tasks.push_back({r.function, s});
        }
      }
    }
    std::vector<RTaskResult> results = RunRReference(options, tasks);
    for (const RDef& r : kRDefs) {
      if (std::find(r_wanted.begin(), r_wanted.end(), r.function) == r_wanted.end()) continue;
      r_runs.push_back(CollectR(r, results, series, &notes));
    }
  }

  std::vector<ModelRun> combo_runs;
  for (const CombinationSpec& spec : combos) {
    std::vector<const ModelRun*> members;
    std::string missing;
    for (const auto& m : spec.members) {
      const ModelRun* found = nullptr;
      for (const auto* group : {&ours, &r_runs}) {
        for (const ModelRun& run : *group) {
          if (run.key == m && run.available) found = &run;
        }
      }
      if (found == nullptr) {
        missing = m;
        break;
      }
      members.push_back(found);
    }
    if (!missing.empty()) {
      notes.push_back(absl::StrCat("combination ", spec.key, ": skipped, ", missing,
                                   " is not available"));
      continue;
    }
    combo_runs.push_back(Combine(spec, members));
  }

  if (!config.dump.empty()) {
    std::vector<const ModelRun*> runs;
    for (const auto* group : {&ours, &r_runs, &combo_runs}) {
      for (const ModelRun& run : *group) {
        if (run.available) runs.push_back(&run);
      }
    }
    if (auto st = WriteDump(config.dump, series, runs); !st.ok()) {
      std::fprintf(stderr, "m3_accuracy: --dump: %s\n", std::string(st.message()).c_str());
      return 1;
    }
  }

  const std::string text = RenderM3Report(series, config.every, ours, r_runs, combo_runs, notes);
  std::cout << text << std::flush;
  if (!config.markdown.empty()) {
    std::ofstream md(config.markdown);
    md << text;
  }
  return 0;
}

}  // namespace
}  // namespace salesops::bench

int main(int argc, char** argv) { return salesops::bench::Main(argc, argv); }
