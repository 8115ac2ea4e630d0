// ForecastSeries: input validation, dispatch to the requested model, and the automatic choice.
#include "services/forecasting/engine/forecaster.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/arima.h"
#include "services/forecasting/engine/auto_model.h"
#include "services/forecasting/engine/benchmark_models.h"
#include "services/forecasting/engine/ets_auto.h"
#include "services/forecasting/engine/intermittent.h"
#include "services/forecasting/engine/theta.h"
#include "services/forecasting/engine/ets_fit.h"
#include "services/forecasting/engine/ets_forecast.h"
#include "services/forecasting/engine/intervals.h"
#include "services/forecasting/engine/result.h"

namespace salesops::forecast {
namespace {

using ets::EtsFit;
using ets::EtsSpec;

// R's ets ignores seasonality beyond this period.
constexpr int kMaxEtsSeasonLength = 24;

absl::Status Validate(std::span<const double> y, const ForecastOptions& options) {
  if (absl::Status s = ValidateSeriesAndOptions(y, options); !s.ok()) return s;
  switch (options.model) {
    case ModelKind::kAuto:
    case ModelKind::kNaive:
    case ModelKind::kSeasonalNaive:
    case ModelKind::kDrift:
    case ModelKind::kSes:
    case ModelKind::kHolt:
    case ModelKind::kDampedHolt:
    case ModelKind::kHoltWintersAdditive:
    case ModelKind::kEts:
    case ModelKind::kTheta:
    case ModelKind::kOptimizedTheta:
    case ModelKind::kArima:
    case ModelKind::kCroston:
    case ModelKind::kSba:
    case ModelKind::kTsb:
      return absl::OkStatus();
  }
  return absl::InvalidArgumentError("model: unknown model kind");
}

ForecastResult FromBenchmark(ModelKind kind, std::string name, int season_length,
                             const BenchmarkForecast& f, const ForecastOptions& options) {
  std::vector<std::pair<std::string, double>> parameters;
  if (kind == ModelKind::kDrift) parameters.emplace_back("drift", f.drift);
  parameters.emplace_back("sigma", f.sigma);
  return Assemble(kind, std::move(name), season_length, std::move(parameters), 0, f.mean, f.sd,
                  options);
}

ModelKind KindOf(const EtsSpec& spec) {
  if (spec.has_season()) return ModelKind::kHoltWintersAdditive;
  if (!spec.has_trend()) return ModelKind::kSes;
  return spec.damped ? ModelKind::kDampedHolt : ModelKind::kHolt;
}

EtsSpec SpecOf(ModelKind kind, int m) {
  EtsSpec spec;
  switch (kind) {
    case ModelKind::kHolt:
      spec.trend = ets::TrendType::kAdditive;
      break;
    case ModelKind::kDampedHolt:
      spec.trend = ets::TrendType::kAdditive;
      spec.damped = true;
      break;
    case ModelKind::kHoltWintersAdditive:
      spec.trend = ets::TrendType::kAdditive;
      spec.season = ets::SeasonType::kAdditive;
      spec.m = m;
      break;
    default:
      break;
  }
  return spec;
}

// The result of a fitted ETS model, or nullopt when its forecasts are not all finite.
std::optional<ForecastResult> FromEts(const EtsFit& fit, const ForecastOptions& options) {
  const ets::EtsForecast f = ets::ForecastEts(fit, options.horizon);
  if (!AllFinite(f.mean) || !AllFinite(f.sd)) return std::nullopt;
  const EtsSpec& spec = fit.spec;
  ForecastResult result = Assemble(KindOf(spec), spec.Name(), spec.has_season() ? spec.m : 1,
                                   EtsParameters(fit), fit.aicc, f.mean, f.sd, options);
  result.residuals = fit.residuals;  // additive errors: y - yhat
  for (double& e : result.residuals) e = Finite(e);
  return result;
}

ForecastResult Naive(std::span<const double> y, const ForecastOptions& options) {
  // Cannot fail on a non-empty series.
  return FromBenchmark(ModelKind::kNaive, "NAIVE", 1, *NaiveForecast(y, options.horizon),
                       options);
}

absl::StatusOr<ForecastResult> NamedEts(std::span<const double> y, const ForecastOptions& options) {
  const EtsSpec spec = SpecOf(options.model, options.season_length);
  if (spec.has_season() && (spec.m < 2 || spec.m > kMaxEtsSeasonLength)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "season_length: %s needs a seasonal period between 2 and %d, got %d",
        ModelKindName(options.model), kMaxEtsSeasonLength, spec.m));
  }
  const int needed = ets::MinObservationsForNamedModel(spec);
  if (static_cast<int>(y.size()) < needed) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "y: %s (%s) needs at least %d observations, got %d", ModelKindName(options.model),
        spec.Name(), needed, y.size()));
  }
  absl::StatusOr<EtsFit> fit = ets::FitEts(y, spec);
  if (!fit.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("y: ", fit.status().message()));
  }
  std::optional<ForecastResult> result = FromEts(*fit, options);
  if (!result.has_value()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "y: %s produced non-finite forecasts for this series", spec.Name()));
  }
  return *std::move(result);
}

}  // namespace

const char* ModelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kAuto:
      return "AUTO";
    case ModelKind::kNaive:
      return "NAIVE";
    case ModelKind::kSeasonalNaive:
      return "SNAIVE";
    case ModelKind::kDrift:
      return "DRIFT";
    case ModelKind::kSes:
      return "SES";
    case ModelKind::kHolt:
      return "HOLT";
    case ModelKind::kDampedHolt:
      return "DAMPED_HOLT";
    case ModelKind::kHoltWintersAdditive:
      return "HOLT_WINTERS_ADDITIVE";
    case ModelKind::kEts:
      return "ETS";
    case ModelKind::kTheta:
      return "THETA";
    case ModelKind::kOptimizedTheta:
      return "OPTIMIZED_THETA";
    case ModelKind::kArima:
      return "ARIMA";
    case ModelKind::kCroston:
      return "CROSTON";
    case ModelKind::kSba:
      return "SBA";
    case ModelKind::kTsb:
      return "TSB";
  }
  return "UNKNOWN";
}

absl::Status ValidateSeriesAndOptions(std::span<const double> y, const ForecastOptions& options) {
  if (y.empty()) return absl::InvalidArgumentError("y: the series is empty");
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      return absl::InvalidArgumentError(absl::StrFormat("y[%d]: value is not finite", i));
    }
  }
  if (options.horizon < 1 || options.horizon > kMaxHorizon) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "horizon: must be between 1 and %d, got %d", kMaxHorizon, options.horizon));
  }
  for (std::size_t i = 0; i < options.levels.size(); ++i) {
    const double level = options.levels[i];
    if (!(level > 0 && level < 100)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "levels[%d]: must be a percentage strictly between 0 and 100, got %g", i, level));
    }
  }
  if (options.season_length < 1) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "season_length: must be >= 1, got %d", options.season_length));
  }
  return absl::OkStatus();
}

absl::StatusOr<ForecastResult> ForecastSeries(std::span<const double> y,
                                              const ForecastOptions& options) {
  if (absl::Status status = Validate(y, options); !status.ok()) return status;
  switch (options.model) {
    case ModelKind::kAuto:
      return ForecastAuto(y, options);
    case ModelKind::kNaive:
      return Naive(y, options);
    case ModelKind::kSeasonalNaive: {
      absl::StatusOr<BenchmarkForecast> f =
          SeasonalNaiveForecast(y, options.season_length, options.horizon);
      if (!f.ok()) return absl::InvalidArgumentError(absl::StrCat("y: ", f.status().message()));
      return FromBenchmark(ModelKind::kSeasonalNaive, "SNAIVE", options.season_length, *f,
                           options);
    }
    case ModelKind::kDrift: {
      absl::StatusOr<BenchmarkForecast> f = DriftForecast(y, options.horizon);
      if (!f.ok()) return absl::InvalidArgumentError(absl::StrCat("y: ", f.status().message()));
      return FromBenchmark(ModelKind::kDrift, "DRIFT", 1, *f, options);
    }
    case ModelKind::kSes:
    case ModelKind::kHolt:
    case ModelKind::kDampedHolt:
    case ModelKind::kHoltWintersAdditive:
      return NamedEts(y, options);
    case ModelKind::kEts:
      return ForecastEtsFamily(y, options);
    case ModelKind::kTheta:
      return ForecastTheta(y, options);
    case ModelKind::kOptimizedTheta:
      return ForecastOptimizedTheta(y, options);
    case ModelKind::kArima:
      return ForecastAutoArima(y, options);
    case ModelKind::kCroston:
      return ForecastCroston(y, options);
    case ModelKind::kSba:
      return ForecastSba(y, options);
    case ModelKind::kTsb:
      return ForecastTsb(y, options);
  }
  return absl::InvalidArgumentError("model: unknown model kind");
}

}  // namespace salesops::forecast
