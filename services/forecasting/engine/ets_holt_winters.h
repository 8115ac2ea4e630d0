// Holt-Winters exponential smoothing fitted by least squares, as R's forecast:::HoltWintersZZ: the
// model R's ets() falls back to on series too short for maximum likelihood (and, with a fixed
// alpha of 0.99999, what it returns for a constant series).
//
// Unlike the ETS fits (ets_fit.h) the initial states are not estimated but set from the first
// observations (level x[1], trend x[2] - x[1] or x[2] / x[1]; with a season, the mean of the
// first season and the change to the mean of the second), only the smoothing parameters are
// optimised, on [0, 1], minimising the sum of squared one-step errors; beta is Holt's beta*
// (the trend smooths level changes), which R's forecast.ets then uses as the state-space beta.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_HOLT_WINTERS_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_HOLT_WINTERS_H_

#include <optional>
#include <span>

#include "absl/status/statusor.h"
#include "services/forecasting/engine/ets_fit.h"

namespace salesops::forecast::ets {

struct HoltWintersRequest {
  TrendType trend = TrendType::kNone;     // kMultiplicative is R's exponential = TRUE
  SeasonType season = SeasonType::kNone;  // used only when frequency > 1
  int frequency = 1;                      // R's frequency(x): also shapes the starting alpha
  std::optional<double> alpha;            // fixed alpha; estimated when empty
};

// Fits the request to `y` and returns it as an EtsFit in R's terms: spec (the error type is R's
// choice: multiplicative for a multiplicative season, or an exponential trend without season),
// params, initial and final states, residuals and sigma2 (R's mean of squared errors, relative
// ones for multiplicative errors). Likelihood and information criteria are NaN: these fits have
// none. Fails (InvalidArgument) where R's HoltWintersZZ fails: too few observations for the
// starting states (2 for a trend, 2 * frequency for a season), non-positive data with a
// multiplicative season, non-finite errors.
absl::StatusOr<EtsFit> FitHoltWinters(std::span<const double> y, const HoltWintersRequest& request);

}  // namespace salesops::forecast::ets

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_HOLT_WINTERS_H_
