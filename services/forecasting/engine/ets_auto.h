// The ETS family with automatic model selection, as R's forecast::ets(y, model = "ZZZ"):
// every admissible member of the family allowed by a model specification is fitted by maximum
// likelihood and the one with the lowest AICc is kept; its forecasts and prediction intervals
// follow R's forecast.ets.
//
// R's rules, followed here (forecast 8.x, defaults ic = "aicc", opt.crit = "lik",
// bounds = "both", restrict = TRUE, allow.multiplicative.trend = FALSE, damped = NULL):
//   - "ZZZ" on a constant series: simple exponential smoothing with alpha = 0.99999 started at the
//     first value (R: ses(y, alpha = 0.99999, initial = "simple")).
//   - A seasonal model needs 2 <= m <= 24 and more than m observations. With n <= m the season is
//     dropped silently; asking for a seasonal model by letter (A or M) with m == 1 or m > 24 is an
//     error, "Z" then means no season.
//   - Multiplicative error, trend or season need strictly positive data; an explicit "M" error on
//     other data is an error, "Z" then means additive only. restrict = TRUE forbids additive errors
//     with a multiplicative trend or season, and ETS(M,M,A).
//   - Z in the trend position means N, A and Ad (multiplicative trends only when asked for by
//     letter); a trend letter without "d" tries both the damped and the undamped trend.
//   - Short series (n <= npars + 4, npars counting 2 for the level, 2 for a trend letter A/M, m for
//     a season letter A/M and 1 for "d"): R falls back to Holt-Winters fitted by least squares
//     (ets_holt_winters.h), without an AICc.
//   - When no model can be fitted, an error (R: "No model able to be fitted").
//
// Fitting every candidate fully is what makes R's ets slow (~0.5 s for a monthly series). Here every
// candidate follows R's own optimiser (same start, same Nelder-Mead, same likelihood), but by
// default for fewer evaluations than R's 2000 (EtsFamilyOptions, chosen on M3).
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_AUTO_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_AUTO_H_

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/forecasting/engine/ets_fit.h"
#include "services/forecasting/engine/ets_model.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {
namespace ets {

// A parsed ets_spec: which letters R's ets(model = ...) was given. "Z" is kept as such.
struct EtsSpecPattern {
  char error = 'Z';   // 'A', 'M' or 'Z'
  char trend = 'Z';   // 'N', 'A', 'M' or 'Z'
  char season = 'Z';  // 'N', 'A', 'M' or 'Z'
  // R's `damped` argument: true when the spec says "d" ("MAdM"), otherwise NULL (both tried).
  bool damped = false;

  bool IsAutomatic() const {  // "ZZZ": R's `model` argument missing
    return error == 'Z' && trend == 'Z' && season == 'Z' && !damped;
  }
};

// Parses "ZZZ", "MAM", "AZN", "MAdM", "ZZdZ"...: error (A, M, Z), trend (N, A, M, Z, optionally
// followed by "d"), season (N, A, M, Z). InvalidArgument naming `ets_spec` otherwise, and for a
// damped "N" trend.
absl::StatusOr<EtsSpecPattern> ParseEtsSpec(std::string_view text);

// Tuning of the model search. Every candidate is fitted with R's Nelder-Mead from R's starting
// values (ets_fit.h, EtsOptimisation); these settings decide how many evaluations each gets. The
// defaults are what ForecastEtsFamily(y, options) uses; R() reproduces R's ets exactly.
//
// Evidence (M3, all 3003 series, sMAPE yearly / quarterly / monthly / other / all; CPU seconds for
// the whole of M3 on one loaded core of the development machine):
//   R's ets (forecast 8.20)                      17.00 / 9.68 / 14.14 / 4.37 / 13.07  (~750 s)
//   R() here: 2000 evaluations each, as R        17.00 / 9.68 / 14.14 / 4.37 / 13.07   ~24 s
//     (the same model as R for 3000 of the 3003 series)
//   default: 200 each, the winner on to 2000     16.93 / 9.43 / 14.17 / 4.35 / 13.00   3.4 s
//   200 each, no refinement                      16.84 / 9.47 / 14.14 / 4.36 / 12.98   2.6 s
//   300 each, no refinement                      16.88 / 9.53 / 14.16 / 4.34 / 13.01   4.1 s
//   175 each, no refinement                      16.80 / 9.50 / 14.38 / 4.40 / 13.09   2.2 s
//   100 each, no refinement                      16.68 / 9.79 / 15.18 / 4.54 / 13.53   1.1 s
//   200 each, top 2 on to 2000                   16.76 / 9.57 / 14.14 / 4.36 / 12.99   4.4 s
// Stopping R's Nelder-Mead early costs no accuracy (the truncated fits regularise: smoothing
// parameters stay near R's small starting values) down to ~200 evaluations per candidate, below
// which the seasonal models (14-17 parameters for monthly data) are not fitted well enough to win
// where they should. Refining the winner makes the returned model R's fully optimised one.
struct EtsFamilyOptions {
  // Evaluations of R's Nelder-Mead spent on every candidate (R: maxit = 2000): this many plus
  // `selection_evaluations_per_parameter` for each parameter the candidate estimates.
  int selection_evaluations = 200;
  int selection_evaluations_per_parameter = 0;
  // Then the best `refine_top` candidates by AICc, among those within `refine_max_aicc_gap` of the
  // best, continue (the same run, resumed) to `refine_evaluations` in total, and the lowest AICc
  // wins. 0 disables this stage.
  int refine_top = 1;
  int refine_evaluations = 2000;
  double refine_max_aicc_gap = 1e300;
  EtsBounds bounds;
  // Paths simulated for the prediction intervals of models without an analytic variance (those
  // with a multiplicative trend), as R's forecast.ets(npaths = 5000).
  int simulation_paths = 5000;

  // R's ets(): every candidate gets R's full 2000 evaluations.
  static EtsFamilyOptions R() {
    EtsFamilyOptions o;
    o.selection_evaluations = 2000;
    o.selection_evaluations_per_parameter = 0;
    o.refine_top = 0;
    return o;
  }
};

// One fitted candidate of a selection.
struct EtsCandidate {
  EtsSpec spec;
  double aicc = 0;  // +infinity when the model could not be fitted
  int evaluations = 0;
};

// The outcome of R's ets(y, model = pattern): the chosen fit, and every candidate tried.
struct EtsSelection {
  EtsFit fit;
  // True when the fit is R's short-series Holt-Winters fallback (or the constant-series SES):
  // no likelihood, aicc is NaN.
  bool least_squares_fallback = false;
  std::vector<EtsCandidate> candidates;
};

// R's ets(y, model = pattern) for a series with seasonal period m. Errors as described at the top.
absl::StatusOr<EtsSelection> SelectEts(std::span<const double> y, int m,
                                       const EtsSpecPattern& pattern,
                                       const EtsFamilyOptions& options = {});

}  // namespace ets

// ModelKind::kEts: R's forecast(ets(y, model = options.ets_spec), h = options.horizon,
// level = options.levels) for a series of period options.season_length. model_name is R's
// ("ETS(M,Ad,M)"), parameters are alpha, beta, gamma, phi (those the model has), the initial
// states l0, b0, s0..s{m-1} and sigma; aicc is R's (0 for the short-series fallbacks);
// season_length is m when the model is seasonal, else 1. Intervals are analytic for every model
// R has a formula for and simulated (seeded from the data: the same input always gives the same
// output) for those with a multiplicative trend.
// Errors: InvalidArgument naming the field for bad input (empty or non-finite y, horizon, levels,
// season_length, ets_spec) and for a spec the data cannot support (R's errors).
absl::StatusOr<ForecastResult> ForecastEtsFamily(std::span<const double> y,
                                                 const ForecastOptions& options);
absl::StatusOr<ForecastResult> ForecastEtsFamily(std::span<const double> y,
                                                 const ForecastOptions& options,
                                                 const ets::EtsFamilyOptions& tuning);

// The parameters a result reports for a fitted ETS model: the smoothing parameters it has (alpha,
// beta, gamma, phi), the initial states (l0, b0, s0..s{m-1}) and sigma.
std::vector<std::pair<std::string, double>> EtsParameters(const ets::EtsFit& fit);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_AUTO_H_
