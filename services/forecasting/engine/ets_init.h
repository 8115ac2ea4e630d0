// Starting values for fitting an ETS model, as R's forecast::ets chooses them (`initstate` and
// `initparam`): the optimiser starts from these, so they shape which optimum it finds.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_INIT_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_INIT_H_

#include <span>
#include <vector>

#include "services/forecasting/engine/ets_admissible.h"
#include "services/forecasting/engine/ets_model.h"

namespace salesops::forecast::ets {

// Heuristic initial states: the free ones only, i.e. [l, b?, s_0 .. s_{m-2}] (the last seasonal
// state is implied). For seasonal models the series is first decomposed: by classical
// decomposition (centred moving average) when it covers at least 3 seasons, otherwise by
// regression on a linear trend and one Fourier pair; the seasonal states are the first season's
// indices. The level (and trend) come from the mean of (a regression line through) the first
// max(10, 2m) seasonally adjusted observations. Requires y.size() >= 4 for seasonal models and
// y.size() >= 2 otherwise.
std::vector<double> HeuristicInitialStates(std::span<const double> y, const EtsSpec& spec);

// The implied last seasonal state given the free ones: -sum for additive seasons, m - sum for
// multiplicative ones. `states` uses the free-state layout above.
double ImpliedLastSeasonalState(const EtsSpec& spec, std::span<const double> free_states);

// R's starting smoothing parameters: alpha = lower + 0.2 (upper - lower) / m, beta 10% and gamma
// 5% of the way into their (alpha-dependent) ranges, phi 99% of the way.
EtsParams HeuristicSmoothingParameters(const EtsSpec& spec, const EtsBounds& bounds);

}  // namespace salesops::forecast::ets

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_INIT_H_
