#include "bench/m3_report.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/markdown_table.h"
#include "bench/scoring.h"

namespace salesops::bench {
namespace {

namespace fs = std::filesystem;

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


struct Scored {
  const ModelRun* run;
  SubsetScores scores;
};

class Report {
 public:
  Report(int every, const std::vector<M3Series>& series) : series_(series) {
    for (const M3Series& s : series) {
      present_[s.subset] = true;
      ++count_[s.subset];
    }
    full_ = every == 1 && std::all_of(present_, present_ + kM3SubsetCount, [](bool b) { return b; });
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

}  // namespace

std::string RenderM3Report(const std::vector<M3Series>& series, int every,
                           const std::vector<ModelRun>& ours, const std::vector<ModelRun>& r_runs,
                           const std::vector<ModelRun>& combos,
                           const std::vector<std::string>& extra_notes) {
  Report report(every, series);
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
                         every > 1 ? absl::StrCat(", every ", every, "th") : "",
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
      // Not `auto [a, b]`: the lambdas capture them, which clang before 16 cannot do with a
      // structured binding (scripts/test builds with clang 14).
      for (const auto& pair : found) {
        const Scored* a = pair.first;
        const Scored* b = pair.second;
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
        for (const auto& pair : found) {
          const Scored* a = pair.first;
          const Scored* b = pair.second;
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
    // Our ETS against R's ets, subset by subset: the default search must be no worse than 1% above
    // R; with R's optimiser budget (ets_r) it must land within 1% either way, which is the proof
    // that the implementation is R's.
    auto ets_row = [&](const Scored* row, bool both_ways) {
      if (row == nullptr) return;
      double worst = 1;
      std::string where;
      bool ok = true;
      for (int s = 0; s < kM3SubsetCount; ++s) {
        const double r = r_ets_smape(s);
        if (r <= 0 || !row->scores[s].complete()) {
          ok = false;
          continue;
        }
        const double ratio = row->scores[s].smape / r;
        const double off = both_ways ? std::fabs(ratio - 1) : ratio - 1;
        if (where.empty() || off > (both_ways ? std::fabs(worst - 1) : worst - 1)) {
          worst = ratio;
          where = std::string(kM3Subsets[s]);
        }
        ok = ok && off <= 0.01;
      }
      t.AddRow({absl::StrCat(row->run->label, both_ways ? " within 1% of" : " at most 1% above",
                             " R ets sMAPE on every subset (", r_source, ")"),
                absl::StrFormat("%s ratio %.4f (%s)", both_ways ? "furthest" : "worst", worst, where),
                yes(ok)});
    };
    if (ets == nullptr && FindScored(scored_ours, "ets_r") == nullptr) {
      t.AddRow({"ETS within 1% of R ets sMAPE on every subset", "ETS not available", "—"});
    }
    ets_row(ets, false);
    ets_row(FindScored(scored_ours, "ets_r"), true);
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

absl::Status WriteDump(const std::string& dir, const std::vector<M3Series>& series,
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

}  // namespace salesops::bench
