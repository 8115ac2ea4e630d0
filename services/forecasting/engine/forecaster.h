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

// The models a caller can ask for. kAuto is the engine's own choice (auto_model.h): a combination
// of models chosen by their accuracy on the M3 competition, intermittent-demand methods for sparse
// series, and the obvious answers for constant and one-point series.
enum class ModelKind {
  kAuto,
  kNaive,
  kSeasonalNaive,
  kDrift,
  kSes,                  // ETS(A,N,N)
  kHolt,                 // ETS(A,A,N)
  kDampedHolt,           // ETS(A,Ad,N)
  kHoltWintersAdditive,  // ETS(A,A,A)
  kEts,                  // the ETS family, chosen by AICc as R's forecast::ets(y) (see ets_spec)
  kTheta,                // the Theta method of the M3 competition, as R's forecast::thetaf
  kOptimizedTheta,       // Theta with an optimised theta (Fiorucci et al. 2016)
  kArima,                // automatic ARIMA, as R's forecast::auto.arima
  kCroston,              // Croston's method, for intermittent demand
  kSba,                  // Syntetos-Boylan approximation (bias-corrected Croston)
  kTsb,                  // Teunter-Syntetos-Babai (demand probability smoothed every period)
};

// Readable name of a model kind, e.g. "SES".
const char* ModelKindName(ModelKind kind);

// Largest horizon ForecastSeries accepts (a guard against absurd allocations).
inline constexpr int kMaxHorizon = 100000;

struct ForecastOptions {
  // Steps ahead, >= 1 (and <= kMaxHorizon).
  int horizon = 1;
  // Interval levels in percent, each in (0, 100).
  std::vector<double> levels = {80.0, 95.0};
  ModelKind model = ModelKind::kAuto;
  // Seasonal period (1 = non-seasonal).
  int season_length = 1;
  // For kEts: which members of the family to consider, as R's ets(model = ...): three letters for
  // error (A, M, Z = either), trend (N, A, M, Z) and season (N, A, M, Z), e.g. "ZZZ" (all),
  // "MAM", "AZN"; a trailing "d" in the trend position ("MAdM") asks for a damped trend.
  std::string ets_spec = "ZZZ";
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
  // ETS models list the smoothing parameters they use, then the initial states in R's order: s0 is
  // the seasonal state of lag 1 at time 0 and s{m-1} the one applied to the first observation.
  // sigma is the residual standard deviation behind the intervals (R's sqrt(sigma2)).
  std::vector<std::pair<std::string, double>> parameters;
  // AICc of the fit; 0 for models without a likelihood. On R's scale (forecast::ets's aicc:
  // n*log(SSE) + 2k + 2k(k+1)/(n-k-1)), so comparable across models of one series only.
  double aicc = 0;
  // In-sample one-step errors y_t - yhat_t (one per observation) when the model provides them,
  // empty otherwise. Reconciliation estimates the error covariance from them.
  std::vector<double> residuals;
  // The seasonal period actually used (1 when the series was too short for the requested one).
  // Precisely: the period of the returned model, i.e. season_length for SNAIVE and ETS(A,A,A),
  // 1 for the non-seasonal models.
  int season_length = 1;
};

// Forecasts one series. `y` holds the observations, oldest first; all finite.
// Errors (InvalidArgument) for an empty series, non-finite values, horizon < 1, levels outside
// (0, 100), season_length < 1, or a named model that needs more data than the series has. kAuto
// never fails on a valid series: with too little data it falls back to simpler models.
// Every returned number is finite.
//
// kAuto never fails on a valid series (see auto_model.h). Named models need the data they can be
// estimated from: the ETS models as R's ets (SES 7 observations, HOLT 9, DAMPED_HOLT 10,
// HOLT_WINTERS_ADDITIVE season_length + 9 with season_length in [2, 24]); NAIVE 1,
// SNAIVE season_length + 1, DRIFT 3; the others as their headers say.
absl::StatusOr<ForecastResult> ForecastSeries(std::span<const double> y,
                                              const ForecastOptions& options);

// What every model checks first: a non-empty series of finite values, 1 <= horizon <= kMaxHorizon,
// levels in (0, 100), season_length >= 1. InvalidArgument naming the field.
absl::Status ValidateSeriesAndOptions(std::span<const double> y, const ForecastOptions& options);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_FORECASTER_H_
