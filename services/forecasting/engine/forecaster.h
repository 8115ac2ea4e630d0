// The forecasting engine's entry point: one series in, point forecasts and intervals out.
//
// Pure C++ (no gRPC, no I/O), thread-safe (no shared mutable state), deterministic: the same input
// always gives the same output bit for bit. The gRPC layer validates requests, converts them and
// calls ForecastSeries once per series, in parallel.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_FORECASTER_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_FORECASTER_H_

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace salesops::forecast {

// The models a caller can ask for. kAuto fits every candidate that suits the series and keeps the
// one with the lowest AICc.
enum class ModelKind {
  kAuto,
  kNaive,
  kSeasonalNaive,
  kDrift,
  kSes,                  // ETS(A,N,N)
  kHolt,                 // ETS(A,A,N)
  kDampedHolt,           // ETS(A,Ad,N)
  kHoltWintersAdditive,  // ETS(A,A,A)
};

// Readable name of a model kind, e.g. "SES".
const char* ModelKindName(ModelKind kind);

struct ForecastOptions {
  // Steps ahead, >= 1.
  int horizon = 1;
  // Interval levels in percent, each in (0, 100).
  std::vector<double> levels = {80.0, 95.0};
  ModelKind model = ModelKind::kAuto;
  // Seasonal period (1 = non-seasonal).
  int season_length = 1;
};

struct Interval {
  double level = 0;
  std::vector<double> lower;
  std::vector<double> upper;
};

struct ForecastResult {
  // `horizon` point forecasts.
  std::vector<double> mean;
  // One per requested level, same order.
  std::vector<Interval> intervals;
  // The fitted model, e.g. "ETS(A,Ad,N)", "NAIVE", "SNAIVE", "DRIFT".
  std::string model_name;
  ModelKind model = ModelKind::kAuto;
  // Named parameters: alpha, beta, gamma, phi, l0, b0, s0..s{m-1}, drift, sigma.
  std::vector<std::pair<std::string, double>> parameters;
  // AICc of the fit; 0 for models without a likelihood.
  double aicc = 0;
  // The seasonal period actually used (1 when the series was too short for the requested one).
  int season_length = 1;
};

// Forecasts one series. `y` holds the observations, oldest first; all finite.
// Errors (InvalidArgument) for an empty series, non-finite values, horizon < 1, levels outside
// (0, 100), season_length < 1, or a named model that needs more data than the series has. kAuto
// never fails on a valid series: with too little data it falls back to simpler models.
// Every returned number is finite.
absl::StatusOr<ForecastResult> ForecastSeries(std::span<const double> y,
                                              const ForecastOptions& options);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_FORECASTER_H_
