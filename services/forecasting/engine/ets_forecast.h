// Forecasts from a fitted ETS model: point forecasts for every model, and analytic forecast
// standard errors for the "class 1" models (additive errors, additive or no trend, additive or no
// season) from Hyndman et al. (2008, ch. 6): var_h = sigma^2 (1 + sum_{j<h} c_j^2) with
// c_j = alpha + beta phi_j + gamma [j mod m == 0], phi_j = phi + ... + phi^j (= j undamped).
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_FORECAST_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_FORECAST_H_

#include <vector>

#include "services/forecasting/engine/ets_fit.h"

namespace salesops::forecast::ets {

struct EtsForecast {
  std::vector<double> mean;  // h point forecasts
  std::vector<double> sd;    // h standard errors; empty when the model has no analytic form
};

// True for the models whose forecast variance has the class-1 closed form.
bool HasAnalyticVariance(const EtsSpec& spec);

EtsForecast ForecastEts(const EtsFit& fit, int horizon);

}  // namespace salesops::forecast::ets

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_FORECAST_H_
