// The ETS (error, trend, season) state-space model of Hyndman et al. (2008): its specification, its
// parameters, and the recursions that run it over a series and score it.
//
// One implementation covers every member of the family: the error (A/M), trend (N/A/Ad/M/Md) and
// season (N/A/M) are parameters. The recursions and the likelihood follow R's forecast package
// (`etscalc`), so that likelihoods and AICc values are directly comparable with `forecast::ets`.
//
// State vector layout (R's): [l, b (when trended), s_0 .. s_{m-1} (when seasonal)], where s_0 is
// the most recent seasonal state (lag 1) and s_{m-1} the one that applies to the next observation.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_MODEL_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_MODEL_H_

#include <span>
#include <string>

namespace salesops::forecast::ets {

enum class ErrorType { kAdditive, kMultiplicative };
enum class TrendType { kNone, kAdditive, kMultiplicative };
enum class SeasonType { kNone, kAdditive, kMultiplicative };

// Which ETS model: e.g. ETS(A,Ad,N) is {kAdditive, kAdditive, damped=true, kNone, 1}.
struct EtsSpec {
  ErrorType error = ErrorType::kAdditive;
  TrendType trend = TrendType::kNone;
  bool damped = false;  // only meaningful with a trend
  SeasonType season = SeasonType::kNone;
  int m = 1;  // seasonal period; 1 when season == kNone

  bool has_trend() const { return trend != TrendType::kNone; }
  bool has_season() const { return season != SeasonType::kNone; }
  // Number of states: level, trend, m seasonal states.
  int NumStates() const { return 1 + (has_trend() ? 1 : 0) + (has_season() ? m : 0); }
  // Number of smoothing parameters estimated: alpha, beta, gamma, phi.
  int NumSmoothingParameters() const {
    return 1 + (has_trend() ? 1 : 0) + (has_season() ? 1 : 0) + (damped ? 1 : 0);
  }
  // Initial states estimated: the last seasonal state is implied by the others (additive seasonal
  // states sum to 0, multiplicative ones to m), as in R.
  int NumFreeInitialStates() const { return NumStates() - (has_season() ? 1 : 0); }
  // R's `length(fit$par)`: smoothing parameters plus free initial states (sigma not included).
  int NumFreeParameters() const { return NumSmoothingParameters() + NumFreeInitialStates(); }
  // "ETS(A,Ad,N)" etc.
  std::string Name() const;
};

// Smoothing parameters in the state-space parameterisation (beta is the state-space beta, i.e.
// alpha*beta* of the Holt method). Unused ones keep their neutral values: beta = gamma = 0, phi = 1.
struct EtsParams {
  double alpha = 0;
  double beta = 0;
  double gamma = 0;
  double phi = 1;
};

// Value R's likelihood takes for a perfect fit (log of zero) and below which it is clamped.
inline constexpr double kMinLikelihood = -1e10;

// Runs the model over `y` from `initial_state` (NumStates() values, layout above) and returns R's
// likelihood criterion: n*log(sum e_t^2), plus 2*sum(log|yhat_t|) for multiplicative errors, where
// e_t is the one-step error (relative for multiplicative errors). This is -2 log L of the
// concentrated Gaussian likelihood up to a constant that depends only on n. It is clamped below at
// kMinLikelihood (perfect fit) and is +infinity when the recursions break down (non-finite values,
// a negative multiplicative trend). Models without a multiplicative trend run in error-correction
// form (equal to R's recursions in real arithmetic, within ~1e-12 of R's values in practice) and
// sum log|yhat| through a running product, for speed; with a multiplicative trend the loop is R's.
//
// `season_scratch` must hold at least m doubles (none needed without season); it is the only memory
// touched besides the optional outputs, so the call allocates nothing:
//   residuals    (size n, optional): the one-step errors e_t.
//   final_state  (size NumStates(), optional): the state after the last observation.
// Also returns the plain sum of squared errors through `sse` when non-null.
double EtsLikelihood(const EtsSpec& spec, const EtsParams& params, std::span<const double> y,
                     std::span<const double> initial_state, std::span<double> season_scratch,
                     std::span<double> residuals = {}, std::span<double> final_state = {},
                     double* sse = nullptr);

// Point forecasts for h = 1..mean.size() steps after the state `state` (layout above): the
// recursions run forward without errors, l + phi_h b (+ s) for additive trend, l * b^phi_h (* s)
// for multiplicative trend, with phi_h = phi + ... + phi^h (Hyndman et al. 2008). These are R's
// means for the models with additive errors, or multiplicative errors without a multiplicative
// season or trend; ForecastEts (ets_forecast.h) gives R's means for every model.
void EtsPointForecast(const EtsSpec& spec, const EtsParams& params, std::span<const double> state,
                      std::span<double> mean);

}  // namespace salesops::forecast::ets

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_MODEL_H_
