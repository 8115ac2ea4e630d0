// Automatic ARIMA forecasts, as R's forecast(auto.arima(y)) with the package defaults: the model
// chosen by auto_arima.h, point forecasts and normal prediction intervals from the Kalman filter
// of the full state-space model (R's predict.Arima), forecast's sigma2.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_H_

#include <span>

#include "absl/status/statusor.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {

// Forecasts y (finite values, oldest first) with an automatically selected ARIMA model, seasonal
// period options.season_length (1 = non-seasonal), for options.horizon steps with intervals at
// options.levels.
//
// The result: model_name as R's arima.string, e.g. "ARIMA(0,1,1)(0,1,1)[12]",
// "ARIMA(1,1,0) with drift", "ARIMA(2,0,0) with non-zero mean", "ARIMA(1,0,1) with zero mean";
// parameters ar1.., ma1.., sar1.., sma1.., then drift or intercept when present, then sigma
// (forecast's sqrt(sigma2)); aicc on R's scale (forecast's fit$aicc); season_length m when the
// model has seasonal terms, else 1. A constant series gives ARIMA(0,0,0) with non-zero mean and
// zero-width intervals. Every number is finite.
//
// Errors: InvalidArgument naming `y` when no ARIMA model can be fitted at all (so the caller can
// fall back), or for invalid options (horizon < 1, levels outside (0, 100), season_length < 1).
absl::StatusOr<ForecastResult> ForecastAutoArima(std::span<const double> y,
                                                 const ForecastOptions& options);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_H_
