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
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/m3_data.h"
#include "bench/markdown_table.h"
#include "bench/model_run.h"
#include "bench/naive2.h"
#include "bench/r_reference.h"
#include "bench/scoring.h"
#include "common/thread_pool.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::bench {
namespace {

namespace fs = std::filesystem;
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
struct ModelDef {
  const char* key;
  const char* label;
  ModelKind kind;
  bool engine;  // false: computed by the benchmark itself (NAIVE2)
};
constexpr ModelDef kModels[] = {
    {"naive2", "NAIVE2 (bench)", ModelKind::kNaive, false},
    {"naive", "NAIVE", ModelKind::kNaive, true},
    {"snaive", "SNAIVE", ModelKind::kSeasonalNaive, true},
    {"drift", "DRIFT", ModelKind::kDrift, true},
    {"ses", "SES", ModelKind::kSes, true},
    {"holt", "HOLT", ModelKind::kHolt, true},
    {"damped", "DAMPED", ModelKind::kDampedHolt, true},
    {"hw", "HW (A,A,A)", ModelKind::kHoltWintersAdditive, true},
    {"ets", "ETS", ModelKind::kEts, true},
    {"theta", "THETA", ModelKind::kTheta, true},
    {"otm", "OTM (optimised theta)", ModelKind::kOptimizedTheta, true},
    {"arima", "ARIMA", ModelKind::kArima, true},
    {"croston", "CROSTON", ModelKind::kCroston, true},
    {"sba", "SBA", ModelKind::kSba, true},
    {"tsb", "TSB", ModelKind::kTsb, true},
    {"auto", "AUTO", ModelKind::kAuto, true},
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

// The reference rows of issue 3 (sMAPE on all of M3, this machine, the README's scoring).
struct ReferenceRow {
  const char* label;
  double smape[kM3SubsetCount + 1];
};
constexpr ReferenceRow kReference[] = {
    {"THETA (M3 winner, original submission)", {16.97, 8.96, 13.89, 4.41, 12.76}},
    {"ForecastPro (original submission)", {17.27, 9.82, 13.90, 4.60, 13.06}},
    {"R forecast::thetaf (issue 3)", {16.76, 9.20, 13.86, 4.92, 12.79}},
    {"R forecast::ets (issue 3)", {17.00, 9.68, 14.14, 4.37, 13.07}},
    {"R forecast::auto.arima (issue 3)", {17.10, 10.01, 15.02, 4.51, 13.60}},
    {"NAIVE2", {17.88, 9.95, 16.89, 6.30, 14.74}},
};
// R's seconds quoted by issue 3 (one core; auto.arima: two cores, monthly only).
constexpr double kRefEtsSecondsAll = 750;
constexpr double kRefEtsSecondsMonthly = 671;
constexpr double kRefThetafSecondsAll = 10;
constexpr double kRefArimaSecondsMonthly = 2000;

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
  if (!def.engine) {
    SeriesForecast f;
    f.mean = Naive2Forecast(s.train, s.period, s.horizon);
    out.forecast = std::move(f);
  } else {
    forecast::ForecastOptions options;
    options.horizon = s.horizon;
    options.levels = {80.0, 95.0};
    options.model = def.kind;
    options.season_length = s.period;
    auto result = forecast::ForecastSeries(s.train, options);
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

// ---------------------------------------------------------------------------------------------
// Tables

struct Scored {
  const ModelRun* run;
  SubsetScores scores;
};

class Report {
 public:
  Report(const Config& config, const std::vector<M3Series>& series) : config_(config), series_(series) {
    for (const M3Series& s : series) {
      present_[s.subset] = true;
      ++count_[s.subset];
    }
    full_ = config.every == 1 && std::all_of(present_, present_ + kM3SubsetCount, [](bool b) { return b; });
  }

  std::vector<std::string> Header(const std::string& first) const {
    std::vector<std::string> h = {first};
    for (int s = 0; s < kM3SubsetCount; ++s) {
      if (present_[s]) h.push_back(std::string(kM3Subsets[s]));
    }
    h.push_back(absl::StrCat("all ", series_.size()));
    return h;
  }

  // One cell per present subset plus "all".
  template <typename F>
  std::vector<std::string> Cells(const std::string& label, F cell) const {
    std::vector<std::string> row = {label};
    for (int s = 0; s <= kM3SubsetCount; ++s) {
      if (s < kM3SubsetCount && !present_[s]) continue;
      row.push_back(cell(s));
    }
    return row;
  }

  bool full() const { return full_; }
  bool present(int subset) const { return present_[subset]; }
  int count(int subset) const { return count_[subset]; }

 private:
  const Config& config_;
  const std::vector<M3Series>& series_;
  bool present_[kM3SubsetCount] = {false, false, false, false};
  int count_[kM3SubsetCount] = {0, 0, 0, 0};
  bool full_ = false;
};

// Seconds with three decimals below 10 s (fast models), two above; "—" when not timed.
std::string SecondsCell(double seconds) {
  return Fixed(seconds, seconds >= 0 && seconds < 10 ? 3 : 2, true);
}

std::string ScoreCell(const Scores& s, double value, int decimals) {
  if (!s.complete()) return "—";
  return Fixed(value, decimals);
}

const Scored* FindScored(const std::vector<Scored>& scored, const std::string& key) {
  for (const Scored& s : scored) {
    if (s.run->key == key) return &s;
  }
  return nullptr;
}

std::string Ratio(double numerator, double denominator, int decimals) {
  if (!(numerator > 0) || !(denominator > 0)) return "—";
  return Fixed(numerator / denominator, decimals);
}

std::string HostLine() {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M", std::localtime(&now));
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  return absl::StrFormat("%s, %u hardware threads, load average %.1f (15 min) at the end, %s", host,
                         std::thread::hardware_concurrency(), load[2], date);
}

std::string Render(const Config& config, const std::vector<M3Series>& series,
                   const std::vector<ModelRun>& ours, const std::vector<ModelRun>& r_runs,
                   const std::vector<ModelRun>& combos, const std::vector<std::string>& extra_notes) {
  Report report(config, series);
  std::ostringstream out;
  std::vector<Scored> scored_r, scored_ours, scored_combos;
  for (const ModelRun& run : r_runs) {
    if (run.available) scored_r.push_back({&run, ScoreRun(series, run)});
  }
  for (const ModelRun& run : ours) {
    if (run.available) scored_ours.push_back({&run, ScoreRun(series, run)});
  }
  for (const ModelRun& run : combos) scored_combos.push_back({&run, ScoreRun(series, run)});
  std::vector<Scored> all;
  for (auto* group : {&scored_r, &scored_ours, &scored_combos}) {
    all.insert(all.end(), group->begin(), group->end());
  }

  std::vector<std::string> subset_counts;
  for (int s = 0; s < kM3SubsetCount; ++s) {
    if (report.present(s)) {
      subset_counts.push_back(absl::StrCat(std::string(kM3Subsets[s]), " ", report.count(s)));
    }
  }
  out << "# M3 accuracy\n\n";
  out << absl::StrFormat("%d series (%s)%s; horizons and seasonal periods from meta.csv; "
                         "intervals at 80%% and 95%%. %s.\n\n",
                         series.size(), absl::StrJoin(subset_counts, ", "),
                         config.every > 1 ? absl::StrCat(", every ", config.every, "th") : "",
                         HostLine());
  if (!report.full()) {
    out << "_A sample: the reference rows are for all of M3 and are not directly comparable._\n\n";
  }

  // sMAPE, with the reference rows.
  out << "## sMAPE (%)\n\n";
  {
    MarkdownTable t(report.Header("method"));
    for (const ReferenceRow& ref : kReference) {
      t.AddRow(report.Cells(absl::StrCat(ref.label, " †"), [&](int s) {
        if (s == kM3SubsetCount && !report.full()) return std::string("—");
        return Fixed(ref.smape[s], 2);
      }));
    }
    for (const Scored& sc : all) {
      const std::string label =
          sc.run->key.rfind("r_", 0) == 0 ? absl::StrCat(sc.run->label, " (this run)") : sc.run->label;
      t.AddRow(report.Cells(label, [&](int s) {
        return ScoreCell(sc.scores[s], sc.scores[s].smape, 2);
      }));
    }
    out << t.Render() << "\n† reference figures quoted in issue 3 (all of M3).\n\n";
  }

  out << "## MASE\n\n";
  {
    MarkdownTable t(report.Header("method"));
    for (const Scored& sc : all) {
      t.AddRow(report.Cells(sc.run->label, [&](int s) {
        return ScoreCell(sc.scores[s], sc.scores[s].mase, 3);
      }));
    }
    out << t.Render() << "\n";
  }

  for (int level : {80, 95}) {
    out << "## Coverage of the " << level << "% intervals (% of forecast points)\n\n";
    MarkdownTable t(report.Header("method"));
    for (const Scored& sc : all) {
      if (!sc.scores[kM3SubsetCount].has_coverage() && sc.scores[kM3SubsetCount].points == 0) continue;
      t.AddRow(report.Cells(sc.run->label, [&](int s) {
        const Scores& x = sc.scores[s];
        if (!x.complete() || !x.has_coverage()) return std::string("—");
        return Fixed(level == 80 ? x.coverage80 : x.coverage95, 1);
      }));
    }
    out << t.Render() << "\n";
  }

  // Seconds.
  int threads = 0;
  for (const ModelRun& run : ours) threads = std::max(threads, run.parallel_threads);
  out << "## Seconds (wall clock; fitting and forecasting every series)\n\n";
  {
    std::vector<std::string> header = report.Header("method");
    header.back() = "all, 1 thread";
    if (threads > 1) {
      header.push_back(absl::StrCat("all, ", threads, " threads"));
      header.push_back("speed-up");
    }
    header.push_back("series/s, 1 thread");
    MarkdownTable t(header);
    auto add = [&](const ModelRun& run, const std::string& label) {
      std::vector<std::string> row = report.Cells(label, [&](int s) {
        if (s == kM3SubsetCount) return SecondsCell(run.TotalSeconds());
        return SecondsCell(run.seconds[s]);
      });
      if (threads > 1) {
        row.push_back(SecondsCell(run.parallel_seconds));
        row.push_back(run.parallel_seconds > 0 ? Ratio(run.TotalSeconds(), run.parallel_seconds, 2)
                                               : "—");
      }
      row.push_back(run.TotalSeconds() > 0
                        ? Fixed(static_cast<double>(series.size()) / run.TotalSeconds(), 0)
                        : "—");
      t.AddRow(row);
    };
    if (report.full()) {
      auto ref = [&](const std::string& label, double monthly, double all) {
        std::vector<std::string> row = report.Cells(label, [&](int s) {
          if (s == 2) return Fixed(monthly, 0, true);
          if (s == kM3SubsetCount) return Fixed(all, 0, true);
          return std::string("—");
        });
        if (threads > 1) {
          row.push_back("—");
          row.push_back("—");
        }
        row.push_back("—");
        t.AddRow(row);
      };
      ref("R forecast::ets (issue 3, 1 core) †", kRefEtsSecondsMonthly, kRefEtsSecondsAll);
      ref("R forecast::thetaf (issue 3, 1 core) †", -1, kRefThetafSecondsAll);
      ref("R forecast::auto.arima (issue 3, 2 cores) †", kRefArimaSecondsMonthly, -1);
    }
    for (const Scored& sc : scored_r) add(*sc.run, absl::StrCat(sc.run->label, " (this run, 1 core)"));
    for (const Scored& sc : scored_ours) add(*sc.run, sc.run->label);
    out << t.Render() << "\n";
  }
  out << "## CPU seconds (one thread; what the model costs whatever else the machine runs)\n\n";
  {
    std::vector<std::string> header = report.Header("method");
    header.back() = "all";
    MarkdownTable t(header);
    auto add = [&](const ModelRun& run, const std::string& label) {
      t.AddRow(report.Cells(label, [&](int s) {
        return SecondsCell(s == kM3SubsetCount ? run.TotalCpuSeconds() : run.cpu_seconds[s]);
      }));
    };
    for (const Scored& sc : scored_r) add(*sc.run, absl::StrCat(sc.run->label, " (this run)"));
    for (const Scored& sc : scored_ours) add(*sc.run, sc.run->label);
    out << t.Render() << "\n";
  }

  // Ours against R, same run.
  if (!scored_r.empty()) {
    struct Pair {
      std::string ours, r;
    };
    std::vector<Pair> pairs = {{"ets", "r_ets"},    {"theta", "r_theta"}, {"otm", "r_theta"},
                               {"arima", "r_arima"}, {"auto", "r_ets"},    {"auto", "r_theta"}};
    for (const ModelRun& c : combos) pairs.push_back({c.key, "r_theta"});
    std::vector<std::pair<const Scored*, const Scored*>> found;
    for (const Pair& p : pairs) {
      const Scored* a = FindScored(scored_ours, p.ours);
      if (a == nullptr) a = FindScored(scored_combos, p.ours);
      const Scored* b = FindScored(scored_r, p.r);
      if (a != nullptr && b != nullptr) found.push_back({a, b});
    }
    if (!found.empty()) {
      out << "## Ours vs R, same run: sMAPE ratio (ours / R; below 1: we are more accurate)\n\n";
      MarkdownTable t(report.Header("ours / R"));
      for (auto [a, b] : found) {
        t.AddRow(report.Cells(absl::StrCat(a->run->label, " / ", b->run->label), [&](int s) {
          if (!a->scores[s].complete() || !b->scores[s].complete()) return std::string("—");
          return Ratio(a->scores[s].smape, b->scores[s].smape, 3);
        }));
      }
      out << t.Render() << "\n";
      for (bool cpu : {false, true}) {
        out << "## Ours vs R, same run: speed ratio by " << (cpu ? "CPU" : "wall-clock")
            << " seconds (R / ours, one thread each; above 1: we are faster)\n\n";
        MarkdownTable u(report.Header("R / ours"));
        for (auto [a, b] : found) {
          if (a->run->TotalSeconds() < 0) continue;  // combinations are not timed
          const auto& ours_s = cpu ? a->run->cpu_seconds : a->run->seconds;
          const auto& r_s = cpu ? b->run->cpu_seconds : b->run->seconds;
          u.AddRow(report.Cells(absl::StrCat(b->run->label, " / ", a->run->label), [&](int s) {
            if (s == kM3SubsetCount) {
              return cpu ? Ratio(b->run->TotalCpuSeconds(), a->run->TotalCpuSeconds(), 1)
                         : Ratio(b->run->TotalSeconds(), a->run->TotalSeconds(), 1);
            }
            return Ratio(r_s[s], ours_s[s], 1);
          }));
        }
        out << u.Render() << "\n";
      }
    }
  }

  // Targets of issue 3.
  out << "## Targets (issue 3)\n\n";
  if (!report.full()) {
    out << "Not checked: the targets are for all 3003 series (run without --every and --subset).\n\n";
  } else {
    MarkdownTable t({"target", "measured", "holds"});
    const Scored* autos = FindScored(scored_ours, "auto");
    const Scored* ets = FindScored(scored_ours, "ets");
    const Scored* r_ets = FindScored(scored_r, "r_ets");
    const char* r_source = r_ets != nullptr ? "R ets this run" : "R ets of issue 3";
    auto r_ets_smape = [&](int s) {
      if (r_ets != nullptr) return r_ets->scores[s].complete() ? r_ets->scores[s].smape : -1.0;
      return kReference[3].smape[s];
    };
    auto yes = [](bool b) { return std::string(b ? "yes" : "**no**"); };
    if (autos != nullptr && autos->scores[kM3SubsetCount].complete()) {
      const Scores& all = autos->scores[kM3SubsetCount];
      t.AddRow({"AUTO overall sMAPE ≤ 12.5", Fixed(all.smape, 2), yes(all.smape <= 12.5)});
      std::string worst;
      double worst_gap = -1e9;
      bool ok = true;
      for (int s = 0; s < kM3SubsetCount; ++s) {
        const double r = r_ets_smape(s);
        if (r < 0) continue;
        const double gap = autos->scores[s].smape - r;
        if (gap > worst_gap) {
          worst_gap = gap;
          worst = absl::StrFormat("%s %.2f vs %.2f", std::string(kM3Subsets[s]),
                                  autos->scores[s].smape, r);
        }
        ok = ok && gap <= 0;
      }
      t.AddRow({absl::StrCat("AUTO no subset worse than R ets (", r_source, ")"),
                absl::StrCat(ok ? "closest: " : "worst: ", worst), yes(ok)});
      t.AddRow({"AUTO overall MASE ≤ 1.36", Fixed(all.mase, 3), yes(all.mase <= 1.36)});
      if (all.has_coverage()) {
        t.AddRow({"AUTO 95% intervals cover 93–97%", Fixed(all.coverage95, 1) + "%",
                  yes(all.coverage95 >= 93 && all.coverage95 <= 97)});
      }
      if (r_ets != nullptr) {
        // Same run: judged by CPU seconds (other load on the machine slows both sides' wall
        // clocks differently); the wall-clock ratio is shown too.
        const double cpu = r_ets->run->TotalCpuSeconds() / autos->run->TotalCpuSeconds();
        const double wall = r_ets->run->TotalSeconds() / autos->run->TotalSeconds();
        t.AddRow({"AUTO ≥ 50x faster than R ets, 1 thread (this run)",
                  absl::StrFormat("%.0fx by CPU (%.1f s vs %.0f s), %.0fx by wall clock (%.1f s "
                                  "vs %.0f s)",
                                  cpu, autos->run->TotalCpuSeconds(), r_ets->run->TotalCpuSeconds(),
                                  wall, autos->run->TotalSeconds(), r_ets->run->TotalSeconds()),
                  yes(cpu >= 50)});
      } else {
        const double speed = kRefEtsSecondsAll / autos->run->TotalSeconds();
        t.AddRow({"AUTO ≥ 50x faster than R ets, 1 thread (R's 750 s of issue 3)",
                  absl::StrFormat("%.0fx (%.1f s wall vs %.0f s)", speed,
                                  autos->run->TotalSeconds(), kRefEtsSecondsAll),
                  yes(speed >= 50)});
      }
      if (autos->run->parallel_threads > 1) {
        const double speedup = autos->run->TotalSeconds() / autos->run->parallel_seconds;
        t.AddRow({absl::StrFormat("AUTO near-linear speed-up on %d threads",
                                  autos->run->parallel_threads),
                  absl::StrFormat("%.2fx (%.0f%% efficiency)", speedup,
                                  100 * speedup / autos->run->parallel_threads),
                  yes(speedup >= 0.8 * autos->run->parallel_threads)});
      }
    }
    if (ets != nullptr) {
      double worst = 0;
      std::string where;
      bool ok = true;
      for (int s = 0; s < kM3SubsetCount; ++s) {
        const double r = r_ets_smape(s);
        if (r <= 0 || !ets->scores[s].complete()) {
          ok = false;
          continue;
        }
        const double ratio = ets->scores[s].smape / r;
        if (ratio > worst) {
          worst = ratio;
          where = std::string(kM3Subsets[s]);
        }
        ok = ok && ratio <= 1.01;
      }
      t.AddRow({absl::StrCat("ETS within 1% of R ets sMAPE on every subset (", r_source, ")"),
                absl::StrFormat("worst ratio %.4f (%s)", worst, where), yes(ok)});
    } else {
      t.AddRow({"ETS within 1% of R ets sMAPE on every subset", "ETS not available", "—"});
    }
    out << t.Render() << "\n";
  }

  // Notes: what is missing and why.
  std::vector<std::string> notes = extra_notes;
  for (const ModelRun& run : ours) {
    if (!run.available) {
      notes.push_back(absl::StrCat(run.label, ": not available (", run.note, ")"));
      continue;
    }
    if (run.failed > 0) {
      std::vector<std::string> per;
      for (int s = 0; s < kM3SubsetCount; ++s) {
        int failed = 0;
        for (size_t i = 0; i < series.size(); ++i) {
          if (series[i].subset == s && !run.forecasts[i].has_value()) ++failed;
        }
        if (failed > 0) per.push_back(absl::StrCat(std::string(kM3Subsets[s]), " ", failed));
      }
      notes.push_back(absl::StrCat(run.label, ": no forecast for ", run.failed, " series (",
                                   absl::StrJoin(per, ", "), "), cells with failures show —; first: ",
                                   run.first_error));
    }
    if (run.parallel_mismatches > 0) {
      notes.push_back(absl::StrCat(run.label, ": the parallel run gave different forecasts for ",
                                   run.parallel_mismatches, " series (not deterministic)"));
    }
  }
  for (const ModelRun& run : r_runs) {
    if (run.available && !run.note.empty()) notes.push_back(absl::StrCat(run.label, ": ", run.note));
    if (run.failed > 0) {
      notes.push_back(absl::StrCat(run.label, ": no forecast for ", run.failed,
                                   " series; first: ", run.first_error));
    }
  }
  for (const ModelRun& run : combos) {
    if (run.failed > 0) {
      notes.push_back(absl::StrCat(run.label, ": ", run.failed,
                                   " series lack a member's forecast"));
    }
  }
  if (!notes.empty()) {
    out << "## Notes\n\n";
    for (const auto& n : notes) out << "- " << n << "\n";
    out << "\n";
  }
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  out << absl::StrFormat("Peak memory of the benchmark process: %.0f MB.\n",
                         static_cast<double>(usage.ru_maxrss) / 1024.0);
  return out.str();
}

// ---------------------------------------------------------------------------------------------
// Dump

absl::Status Dump(const std::string& dir, const std::vector<M3Series>& series,
                  const std::vector<const ModelRun*>& runs) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat(dir, ": ", ec.message()));
  {
    std::ofstream meta(dir + "/series.csv");
    meta << "series_id,subset,period,horizon,n,mase_scale\n";
    std::ofstream actuals(dir + "/actuals.csv");
    actuals << "series_id,step,value\n";
    for (const M3Series& s : series) {
      meta << s.id << "," << kM3Subsets[s.subset] << "," << s.period << "," << s.horizon << ","
           << s.train.size() << "," << absl::StrFormat("%.12g", MaseScale(s.train, s.period)) << "\n";
      for (size_t h = 0; h < s.test.size(); ++h) {
        actuals << s.id << "," << h + 1 << "," << absl::StrFormat("%.12g", s.test[h]) << "\n";
      }
    }
  }
  std::ofstream scores(dir + "/scores.csv");
  scores << "model,subset,series,missing,smape,mase,coverage80,coverage95,seconds\n";
  for (const ModelRun* run : runs) {
    const std::string path = absl::StrCat(dir, "/", run->key, ".csv");
    fs::remove(path, ec);
    if (auto st = WriteForecastCsv(path, series, *run); !st.ok()) return st;
    SubsetScores sc = ScoreRun(series, *run);
    for (int s = 0; s <= kM3SubsetCount; ++s) {
      if (sc[s].series + sc[s].missing == 0) continue;
      const double seconds = s == kM3SubsetCount ? run->TotalSeconds() : run->seconds[s];
      scores << run->key << "," << (s == kM3SubsetCount ? "all" : std::string(kM3Subsets[s])) << ","
             << sc[s].series << "," << sc[s].missing << ","
             << absl::StrFormat("%.6f,%.6f,%.4f,%.4f,%.4f", sc[s].smape, sc[s].mase,
                                sc[s].has_coverage() ? sc[s].coverage80 : NAN,
                                sc[s].has_coverage() ? sc[s].coverage95 : NAN, seconds)
             << "\n";
    }
  }
  return absl::OkStatus();
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
  CLI11_PARSE(app, argc, argv);
  if (config.threads == 0) config.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  config.subsets = SplitList(subsets);

  auto loaded = LoadM3(config.data, config.subsets, config.every);
  if (!loaded.ok()) {
    std::fprintf(stderr, "m3_accuracy: %s\n", std::string(loaded.status().message()).c_str());
    return 2;
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
    if (auto st = Dump(config.dump, series, runs); !st.ok()) {
      std::fprintf(stderr, "m3_accuracy: --dump: %s\n", std::string(st.message()).c_str());
      return 1;
    }
  }

  const std::string text = Render(config, series, ours, r_runs, combo_runs, notes);
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
