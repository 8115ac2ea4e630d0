// Which ETS smoothing parameters R's forecast::ets accepts: the "usual" box bounds (with
// beta <= alpha and gamma <= 1 - alpha) intersected with the admissible (forecastable) region of
// Hyndman, Akram & Archibald (2008). This is R's default `bounds = "both"`.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_ADMISSIBLE_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_ADMISSIBLE_H_

#include "services/forecasting/engine/ets_model.h"

namespace salesops::forecast::ets {

// R's default lower/upper bounds for alpha, beta, gamma and phi.
struct EtsBounds {
  double alpha_lower = 1e-4, alpha_upper = 0.9999;
  double beta_lower = 1e-4, beta_upper = 0.9999;
  double gamma_lower = 1e-4, gamma_upper = 0.9999;
  double phi_lower = 0.8, phi_upper = 0.98;
};

// True when `p` lies within the usual bounds for the parameters `spec` uses (R's check.param with
// bounds = "usual").
bool WithinUsualBounds(const EtsSpec& spec, const EtsParams& p, const EtsBounds& bounds);

// True when `p` lies in the admissible region (R's `admissible`): for seasonal models this includes
// the condition that every root of the characteristic polynomial lies within the unit circle
// (|z| <= 1 + 1e-10), decided here with the Schur-Cohn test instead of computing the roots.
bool Admissible(const EtsSpec& spec, const EtsParams& p);

// Both of the above.
inline bool AcceptableParameters(const EtsSpec& spec, const EtsParams& p,
                                 const EtsBounds& bounds) {
  return WithinUsualBounds(spec, p, bounds) && Admissible(spec, p);
}

// Largest modulus of the roots of R's seasonal characteristic polynomial, computed from the
// eigenvalues of its companion matrix. Slow; used by tests to cross-check Admissible().
double MaxSeasonalRootModulus(const EtsSpec& spec, const EtsParams& p);

}  // namespace salesops::forecast::ets

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_ADMISSIBLE_H_
