#include "bench/model_run.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace salesops::bench {
namespace {

bool AllFinite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

// "NA" (or empty) -> NaN; false on garbage.
bool ParseField(const std::string& s, double* out) {
  if (s == "NA" || s.empty() || s == "NaN") {
    *out = std::nan("");
    return true;
  }
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  if (ec == std::errc::result_out_of_range) {
    *out = std::strtod(s.c_str(), nullptr);
    return true;
  }
  return ec == std::errc() && ptr == end;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

namespace {
double Total(const std::array<double, kM3SubsetCount>& seconds) {
  double total = 0;
  bool any = false;
  for (double s : seconds) {
    if (s >= 0) {
      total += s;
      any = true;
    }
  }
  return any ? total : -1;
}
}  // namespace

double ModelRun::TotalSeconds() const { return Total(seconds); }
double ModelRun::TotalCpuSeconds() const { return Total(cpu_seconds); }

SubsetScores ScoreRun(const std::vector<M3Series>& series, const ModelRun& run) {
  std::array<ScoreAccumulator, kM3SubsetCount + 1> acc;
  for (size_t i = 0; i < series.size(); ++i) {
    const M3Series& s = series[i];
    const auto& f = i < run.forecasts.size() ? run.forecasts[i] : std::nullopt;
    for (int slot : {s.subset, kM3SubsetCount}) {
      if (f.has_value()) {
        acc[slot].Add(s.train, s.test, s.period, *f);
      } else {
        acc[slot].AddMissing();
      }
    }
  }
  SubsetScores out;
  for (int i = 0; i <= kM3SubsetCount; ++i) out[i] = acc[i].Result();
  return out;
}

absl::Status CheckForecast(const SeriesForecast& f, int horizon) {
  const size_t h = static_cast<size_t>(horizon);
  if (f.mean.size() != h) {
    return absl::InternalError(absl::StrCat(f.mean.size(), " point forecasts, expected ", h));
  }
  if (!AllFinite(f.mean)) return absl::InternalError("non-finite point forecast");
  if (f.has_intervals()) {
    for (const auto* bound : {&f.lo80, &f.hi80, &f.lo95, &f.hi95}) {
      if (bound->size() != h) return absl::InternalError("interval of the wrong length");
      if (!AllFinite(*bound)) return absl::InternalError("non-finite interval bound");
    }
  }
  return absl::OkStatus();
}

absl::Status WriteForecastCsv(const std::string& path, const std::vector<M3Series>& series,
                              const ModelRun& run) {
  const bool fresh = !std::filesystem::exists(path);
  FILE* out = std::fopen(path.c_str(), "a");
  if (out == nullptr) return absl::InternalError(absl::StrCat(path, ": cannot write"));
  if (fresh) std::fprintf(out, "%s\n", kForecastCsvHeader);
  for (size_t i = 0; i < series.size() && i < run.forecasts.size(); ++i) {
    if (!run.forecasts[i].has_value()) continue;
    const SeriesForecast& f = *run.forecasts[i];
    for (size_t h = 0; h < f.mean.size(); ++h) {
      if (f.has_intervals()) {
        std::fprintf(out, "%s,%s,%zu,%.12g,%.12g,%.12g,%.12g,%.12g\n", run.key.c_str(),
                     series[i].id.c_str(), h + 1, f.mean[h], f.lo80[h], f.hi80[h], f.lo95[h],
                     f.hi95[h]);
      } else {
        std::fprintf(out, "%s,%s,%zu,%.12g,NA,NA,NA,NA\n", run.key.c_str(), series[i].id.c_str(),
                     h + 1, f.mean[h]);
      }
    }
  }
  const bool ok = std::fclose(out) == 0;
  return ok ? absl::OkStatus() : absl::InternalError(absl::StrCat(path, ": write failed"));
}

absl::Status ReadForecastCsv(const std::string& path, const std::string& model,
                             const std::vector<M3Series>& series,
                             std::vector<std::optional<SeriesForecast>>* out) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < series.size(); ++i) index[series[i].id] = i;
  std::vector<SeriesForecast> partial(series.size());
  std::vector<bool> seen(series.size(), false), bad(series.size(), false);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1) {
      if (line != kForecastCsvHeader) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": unexpected header \"", line, "\""));
      }
      continue;
    }
    if (line.empty()) continue;
    auto fields = SplitCsvLine(line);
    if (fields.size() != 8) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": expected 8 fields"));
    }
    if (fields[0] != model) continue;
    auto it = index.find(fields[1]);
    if (it == index.end()) continue;
    const size_t i = it->second;
    double v[6];  // step, mean, lo80, hi80, lo95, hi95
    for (int k = 0; k < 6; ++k) {
      if (!ParseField(fields[k + 2], &v[k])) {
        return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": bad number"));
      }
    }
    SeriesForecast& f = partial[i];
    seen[i] = true;
    if (!(v[0] >= 1) || static_cast<size_t>(v[0]) != f.mean.size() + 1) bad[i] = true;  // order
    f.mean.push_back(v[1]);
    f.lo80.push_back(v[2]);
    f.hi80.push_back(v[3]);
    f.lo95.push_back(v[4]);
    f.hi95.push_back(v[5]);
  }
  out->assign(series.size(), std::nullopt);
  for (size_t i = 0; i < series.size(); ++i) {
    if (!seen[i] || bad[i]) continue;
    SeriesForecast f = std::move(partial[i]);
    if (!AllFinite(f.lo80) || !AllFinite(f.hi80) || !AllFinite(f.lo95) || !AllFinite(f.hi95)) {
      f.lo80.clear();
      f.hi80.clear();
      f.lo95.clear();
      f.hi95.clear();
    }
    if (CheckForecast(f, series[i].horizon).ok()) (*out)[i] = std::move(f);
  }
  return absl::OkStatus();
}

absl::StatusOr<CombinationSpec> ParseCombination(const std::string& text) {
  CombinationSpec spec;
  std::string members = text;
  const size_t colon = text.find(':');
  if (colon != std::string::npos) {
    members = text.substr(0, colon);
    const std::string method = text.substr(colon + 1);
    if (method == "median") {
      spec.median = true;
    } else if (method != "mean") {
      return absl::InvalidArgumentError(
          absl::StrCat("combine: \"", text, "\": method must be mean or median"));
    }
  }
  for (absl::string_view m : absl::StrSplit(members, '+', absl::SkipEmpty())) {
    spec.members.emplace_back(m);
  }
  if (spec.members.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("combine: \"", text, "\": needs two or more models joined by +"));
  }
  spec.key = absl::StrCat(absl::StrJoin(spec.members, "+"), spec.median ? ":median" : ":mean");
  return spec;
}

ModelRun Combine(const CombinationSpec& spec, const std::vector<const ModelRun*>& members) {
  ModelRun run;
  run.key = spec.key;
  run.label = absl::StrCat("COMB(", absl::StrJoin(spec.members, "+"),
                           spec.median ? ", median)" : ", mean)");
  size_t n = 0;
  for (const ModelRun* m : members) n = std::max(n, m->forecasts.size());
  run.forecasts.assign(n, std::nullopt);
  for (size_t i = 0; i < n; ++i) {
    bool all = true, intervals = true;
    for (const ModelRun* m : members) {
      if (i >= m->forecasts.size() || !m->forecasts[i].has_value()) {
        all = false;
        break;
      }
      intervals = intervals && m->forecasts[i]->has_intervals();
    }
    if (!all) {
      ++run.failed;
      continue;
    }
    const size_t h = members[0]->forecasts[i]->mean.size();
    SeriesForecast f;
    f.mean.resize(h);
    if (intervals) {
      for (auto* b : {&f.lo80, &f.hi80, &f.lo95, &f.hi95}) b->assign(h, 0.0);
    }
    const double k = static_cast<double>(members.size());
    std::vector<double> values(members.size());
    for (size_t step = 0; step < h; ++step) {
      for (size_t j = 0; j < members.size(); ++j) values[j] = members[j]->forecasts[i]->mean[step];
      if (spec.median) {
        f.mean[step] = Median(values);
      } else {
        double sum = 0;
        for (double v : values) sum += v;
        f.mean[step] = sum / k;
      }
      if (intervals) {
        for (const ModelRun* m : members) {
          const SeriesForecast& g = *m->forecasts[i];
          f.lo80[step] += g.lo80[step] / k;
          f.hi80[step] += g.hi80[step] / k;
          f.lo95[step] += g.lo95[step] / k;
          f.hi95[step] += g.hi95[step] / k;
        }
      }
    }
    run.forecasts[i] = std::move(f);
  }
  return run;
}

}  // namespace salesops::bench
