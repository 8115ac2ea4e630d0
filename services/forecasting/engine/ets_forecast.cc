#include "services/forecasting/engine/ets_forecast.h"

#include <cmath>

namespace salesops::forecast::ets {

bool HasAnalyticVariance(const EtsSpec& spec) {
  return spec.error == ErrorType::kAdditive && spec.trend != TrendType::kMultiplicative &&
         spec.season != SeasonType::kMultiplicative;
}

EtsForecast ForecastEts(const EtsFit& fit, int horizon) {
  EtsForecast out;
  out.mean.assign(horizon, 0.0);
  EtsPointForecast(fit.spec, fit.params, fit.final_state, out.mean);
  if (!HasAnalyticVariance(fit.spec)) return out;

  const EtsSpec& spec = fit.spec;
  const EtsParams& p = fit.params;
  const double phi = spec.damped ? p.phi : 1.0;
  const double sigma = fit.sigma;
  out.sd.assign(horizon, 0.0);
  double sum_c2 = 0;   // sum_{j<h} c_j^2
  double phi_j = 0;    // phi + ... + phi^j
  double phi_pow = 1;  // phi^j
  for (int h = 1; h <= horizon; ++h) {
    out.sd[h - 1] = sigma * std::sqrt(1 + sum_c2);
    // c_h, used from step h + 1 on.
    phi_pow *= phi;
    phi_j += phi_pow;
    double c = p.alpha;
    if (spec.has_trend()) c += p.beta * phi_j;
    if (spec.has_season() && h % spec.m == 0) c += p.gamma;
    sum_c2 += c * c;
  }
  return out;
}

}  // namespace salesops::forecast::ets
