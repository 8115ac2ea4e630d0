#include "services/forecasting/engine/ets_auto.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/ets_forecast.h"
#include "services/forecasting/engine/ets_holt_winters.h"
#include "services/forecasting/engine/result.h"

namespace salesops::forecast {
namespace ets {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxSeasonalPeriod = 24;
// R's ets on a constant series: ses(y, alpha = 0.99999, initial = "simple").
constexpr double kConstantSeriesAlpha = 0.99999;

bool IsOneOf(char c, std::string_view set) { return set.find(c) != std::string_view::npos; }

// R's is.constant: all.equal(x, rep(x[1], n)), i.e. mean |x - x[1]| / mean |x| < 1.5e-8 (R uses
// an absolute difference when mean |x| is 0, which only an all-zero series reaches here).
bool IsConstant(std::span<const double> y) {
  double mean_abs = 0, mean_diff = 0;
  for (double v : y) {
    mean_abs += std::fabs(v);
    mean_diff += std::fabs(v - y[0]);
  }
  if (mean_abs == 0) return true;
  return mean_diff / mean_abs < 1.5e-8;
}

TrendType TrendOf(char c) {
  return c == 'N' ? TrendType::kNone : (c == 'A' ? TrendType::kAdditive : TrendType::kMultiplicative);
}
SeasonType SeasonOf(char c) {
  return c == 'N' ? SeasonType::kNone
                  : (c == 'A' ? SeasonType::kAdditive : SeasonType::kMultiplicative);
}

absl::Status SpecError(std::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("ets_spec: ", absl::string_view(message.data(), message.size())));
}

// R's short-series fallback chain (ets() when n <= npars + 4).
absl::StatusOr<EtsFit> ShortSeriesFallback(std::span<const double> y, int frequency, char trend,
                                           char season) {
  HoltWintersRequest req;
  req.frequency = frequency;
  const TrendType exponential_or_additive =
      trend == 'M' ? TrendType::kMultiplicative : TrendType::kAdditive;
  if (season == 'A' || season == 'M') {
    req.trend = exponential_or_additive;
    req.season = SeasonOf(season);
    if (absl::StatusOr<EtsFit> fit = FitHoltWinters(y, req); fit.ok()) return fit;
  }
  if (trend == 'A' || trend == 'M') {
    req.trend = exponential_or_additive;
    req.season = SeasonType::kNone;
    if (absl::StatusOr<EtsFit> fit = FitHoltWinters(y, req); fit.ok()) return fit;
  }
  if (trend == 'N' && season == 'N') {
    req.trend = TrendType::kNone;
    req.season = SeasonType::kNone;
    if (absl::StatusOr<EtsFit> fit = FitHoltWinters(y, req); fit.ok()) return fit;
  }
  req.season = SeasonType::kNone;
  req.trend = exponential_or_additive;
  absl::StatusOr<EtsFit> with_trend = FitHoltWinters(y, req);
  req.trend = TrendType::kNone;
  absl::StatusOr<EtsFit> level_only = FitHoltWinters(y, req);
  if (with_trend.ok() && (!level_only.ok() || with_trend->sigma2 < level_only->sigma2)) {
    return with_trend;
  }
  if (level_only.ok()) return level_only;
  return absl::InvalidArgumentError("y: unable to estimate a model (series too short)");
}

// The candidate models of R's loop, in R's order (error, trend, season, damped TRUE first).
std::vector<EtsSpec> Candidates(const std::vector<char>& errors, const std::vector<char>& trends,
                                const std::vector<char>& seasons,
                                const std::vector<bool>& dampings, int m, bool data_positive) {
  std::vector<EtsSpec> out;
  for (char e : errors) {
    for (char t : trends) {
      for (char s : seasons) {
        for (bool d : dampings) {
          if (t == 'N' && d) continue;
          if (e == 'A' && (t == 'M' || s == 'M')) continue;  // restrict = TRUE
          if (e == 'M' && t == 'M' && s == 'A') continue;
          if (!data_positive && e == 'M') continue;
          EtsSpec spec;
          spec.error = e == 'A' ? ErrorType::kAdditive : ErrorType::kMultiplicative;
          spec.trend = TrendOf(t);
          spec.damped = d;
          spec.season = SeasonOf(s);
          spec.m = s == 'N' ? 1 : m;
          out.push_back(spec);
        }
      }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<EtsSpecPattern> ParseEtsSpec(std::string_view text) {
  EtsSpecPattern p;
  const bool damped = text.size() == 4 && text[2] == 'd';
  if (text.size() != 3 && !damped) {
    return SpecError(absl::StrFormat(
        "expected three letters (error, trend, season) such as \"ZZZ\" or \"MAM\", or a damped "
        "trend such as \"MAdM\"; got \"%s\"",
        std::string(text)));
  }
  p.error = text[0];
  p.trend = text[1];
  p.season = text[damped ? 3 : 2];
  p.damped = damped;
  if (!IsOneOf(p.error, "AMZ")) {
    return SpecError(absl::StrFormat("error type '%c' in \"%s\" must be A, M or Z", p.error,
                                     std::string(text)));
  }
  if (!IsOneOf(p.trend, "NAMZ")) {
    return SpecError(absl::StrFormat("trend type '%c' in \"%s\" must be N, A, M or Z", p.trend,
                                     std::string(text)));
  }
  if (!IsOneOf(p.season, "NAMZ")) {
    return SpecError(absl::StrFormat("season type '%c' in \"%s\" must be N, A, M or Z", p.season,
                                     std::string(text)));
  }
  if (damped && p.trend == 'N') {
    return SpecError(absl::StrFormat("\"%s\" damps a trend it does not have", std::string(text)));
  }
  return p;
}

absl::StatusOr<EtsSelection> SelectEts(std::span<const double> y, int m,
                                       const EtsSpecPattern& pattern,
                                       const EtsFamilyOptions& options) {
  const int n = static_cast<int>(y.size());
  if (n == 0) return absl::InvalidArgumentError("y: the series is empty");
  EtsSelection selection;

  // R: missing(model) && is.constant(y).
  if (pattern.IsAutomatic() && IsConstant(y)) {
    HoltWintersRequest req;
    req.frequency = std::max(1, m);
    req.alpha = kConstantSeriesAlpha;
    absl::StatusOr<EtsFit> fit = FitHoltWinters(y, req);
    if (!fit.ok()) return fit.status();
    selection.fit = *std::move(fit);
    selection.least_squares_fallback = true;
    return selection;
  }

  char error = pattern.error, trend = pattern.trend, season = pattern.season;
  if (m < 1 || n <= m) season = 'N';
  if (m <= 1) {
    if (season == 'A' || season == 'M') {
      return absl::InvalidArgumentError(absl::StrFormat(
          "ets_spec: a seasonal model needs season_length >= 2, got %d", m));
    }
    season = 'N';
  }
  if (m > kMaxSeasonalPeriod) {
    if (season == 'A' || season == 'M') {
      return absl::InvalidArgumentError(absl::StrFormat(
          "ets_spec: seasonal ETS models need season_length <= %d, got %d", kMaxSeasonalPeriod,
          m));
    }
    season = 'N';
  }
  if ((error == 'A' && (trend == 'M' || season == 'M')) ||
      (error == 'M' && trend == 'M' && season == 'A')) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "ets_spec: ETS(%c,%c%s,%c) is a forbidden model combination (unstable)", error, trend,
        pattern.damped ? "d" : "", season));
  }
  bool data_positive = true;
  for (double v : y) data_positive = data_positive && v > 0;
  if (!data_positive && error == 'M') {
    return absl::InvalidArgumentError(
        "ets_spec: a multiplicative error needs strictly positive data");
  }

  // R's short-series rule, on the letters as given (Z counts as nothing).
  int npars = 2;
  if (trend == 'A' || trend == 'M') npars += 2;
  if (season == 'A' || season == 'M') npars += m;
  if (pattern.damped) npars += 1;
  if (n <= npars + 4) {
    absl::StatusOr<EtsFit> fit = ShortSeriesFallback(y, std::max(1, m), trend, season);
    if (!fit.ok()) return fit.status();
    selection.fit = *std::move(fit);
    selection.least_squares_fallback = true;
    return selection;
  }

  const std::vector<char> errors =
      error == 'Z' ? std::vector<char>{'A', 'M'} : std::vector<char>{error};
  const std::vector<char> trends =
      trend == 'Z' ? std::vector<char>{'N', 'A'} : std::vector<char>{trend};
  const std::vector<char> seasons =
      season == 'Z' ? std::vector<char>{'N', 'A', 'M'} : std::vector<char>{season};
  const std::vector<bool> dampings =
      pattern.damped ? std::vector<bool>{true} : std::vector<bool>{true, false};
  const std::vector<EtsSpec> specs = Candidates(errors, trends, seasons, dampings, m, data_positive);

  // Stage 1: every candidate with the selection budget.
  std::vector<std::optional<EtsOptimisation>> runs(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    EtsCandidate candidate{specs[i], kInf, 0};
    if (HasFiniteAicc(specs[i], n)) {
      absl::StatusOr<EtsOptimisation> run = EtsOptimisation::Start(y, specs[i], options.bounds);
      if (run.ok()) {
        run->Run(options.selection_evaluations + options.selection_evaluations_per_parameter *
                                                      specs[i].NumFreeParameters());
        candidate.aicc = run->aicc();
        candidate.evaluations = run->evaluations();
        if (std::isfinite(candidate.aicc)) runs[i] = *std::move(run);
      }
    }
    selection.candidates.push_back(candidate);
  }
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (runs[i].has_value()) order.push_back(i);
  }
  if (order.empty()) {
    return absl::InvalidArgumentError("y: no ETS model could be fitted to this series");
  }
  // Stable: ties keep R's order.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return selection.candidates[a].aicc < selection.candidates[b].aicc;
  });

  // Stage 2: the best few continue.
  const double best_stage1 = selection.candidates[order[0]].aicc;
  const std::size_t top = std::min<std::size_t>(order.size(), std::max(0, options.refine_top));
  for (std::size_t r = 0; r < top; ++r) {
    const std::size_t i = order[r];
    if (selection.candidates[i].aicc > best_stage1 + options.refine_max_aicc_gap) break;
    runs[i]->Run(options.refine_evaluations);
    selection.candidates[i].aicc = runs[i]->aicc();
    selection.candidates[i].evaluations = runs[i]->evaluations();
  }
  // The winner: lowest AICc, the first in R's order on ties.
  std::size_t best = specs.size();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (runs[i].has_value() &&
        (best == specs.size() || selection.candidates[i].aicc < selection.candidates[best].aicc)) {
      best = i;
    }
  }
  selection.fit = runs[best]->Result();
  return selection;
}

}  // namespace ets

namespace {


// A seed for the simulated intervals from everything that determines them.
std::uint64_t SeedOf(std::span<const double> y, const ets::EtsSpec& spec, int horizon) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over 64-bit words
  auto mix = [&](std::uint64_t v) {
    h ^= v;
    h *= 0x100000001b3ULL;
  };
  for (double v : y) mix(std::bit_cast<std::uint64_t>(v));
  mix(static_cast<std::uint64_t>(spec.error));
  mix(static_cast<std::uint64_t>(spec.trend));
  mix(static_cast<std::uint64_t>(spec.season));
  mix(static_cast<std::uint64_t>(spec.damped));
  mix(static_cast<std::uint64_t>(spec.m));
  mix(static_cast<std::uint64_t>(horizon));
  return h;
}


}  // namespace

absl::StatusOr<ForecastResult> ForecastEtsFamily(std::span<const double> y,
                                                 const ForecastOptions& options) {
  return ForecastEtsFamily(y, options, ets::EtsFamilyOptions{});
}

absl::StatusOr<ForecastResult> ForecastEtsFamily(std::span<const double> y,
                                                 const ForecastOptions& options,
                                                 const ets::EtsFamilyOptions& tuning) {
  if (absl::Status s = ValidateSeriesAndOptions(y, options); !s.ok()) return s;
  absl::StatusOr<ets::EtsSpecPattern> pattern = ets::ParseEtsSpec(options.ets_spec);
  if (!pattern.ok()) return pattern.status();
  absl::StatusOr<ets::EtsSelection> selection =
      ets::SelectEts(y, options.season_length, *pattern, tuning);
  if (!selection.ok()) return selection.status();
  const ets::EtsFit& fit = selection->fit;
  const ets::EtsSpec& spec = fit.spec;
  const double aicc = selection->least_squares_fallback ? 0.0 : fit.aicc;
  const int season_length = spec.has_season() ? spec.m : 1;
  const ets::EtsForecast f = ets::ForecastEts(fit, options.horizon);
  if (ets::ForecastClassOf(spec) == ets::ForecastClass::kSimulated) {
    std::vector<Interval> intervals =
        ets::SimulatedIntervals(fit, options.horizon, options.levels, tuning.simulation_paths,
                                SeedOf(y, spec, options.horizon));
    return AssembleWithIntervals(ModelKind::kEts, spec.Name(), season_length, EtsParameters(fit),
                                 aicc, f.mean, std::move(intervals));
  }
  return Assemble(ModelKind::kEts, spec.Name(), season_length, EtsParameters(fit), aicc, f.mean,
                  f.sd, options);
}

std::vector<std::pair<std::string, double>> EtsParameters(const ets::EtsFit& fit) {
  const ets::EtsSpec& spec = fit.spec;
  std::vector<std::pair<std::string, double>> parameters;
  parameters.emplace_back("alpha", fit.params.alpha);
  if (spec.has_trend()) parameters.emplace_back("beta", fit.params.beta);
  if (spec.has_season()) parameters.emplace_back("gamma", fit.params.gamma);
  if (spec.damped && spec.has_trend()) parameters.emplace_back("phi", fit.params.phi);
  parameters.emplace_back("l0", fit.initial_state[0]);
  std::size_t offset = 1;
  if (spec.has_trend()) {
    parameters.emplace_back("b0", fit.initial_state[1]);
    offset = 2;
  }
  for (std::size_t j = offset; j < fit.initial_state.size(); ++j) {
    parameters.emplace_back(absl::StrCat("s", j - offset), fit.initial_state[j]);
  }
  parameters.emplace_back("sigma", fit.sigma);
  return parameters;
}

}  // namespace salesops::forecast
