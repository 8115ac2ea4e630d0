#include "services/forecasting/engine/ets_model.h"

#include <cmath>
#include <cstddef>
#include <limits>

namespace salesops::forecast::ets {
namespace {

// Guards R's etscalc uses when dividing by a state that is (nearly) zero.
constexpr double kTiny = 1e-10;
constexpr double kHuge = 1e10;

// Writes R's final seasonal states (s_j = the state last updated j steps before the end) from the
// ring buffer used by the loops below.
void StoreSeason(std::span<const double> ring, int m, std::size_t n, std::size_t offset,
                 std::span<double> final_state) {
  const int last = static_cast<int>((n + static_cast<std::size_t>(m) - 1) % m);
  for (int j = 0; j < m; ++j) {
    int idx = last - j;
    if (idx < 0) idx += m;
    final_state[offset + j] = ring[idx];
  }
}

double FinishLikelihood(double n, double sse, double log_abs_f) {
  const double lik = n * std::log(sse) + 2 * log_abs_f;
  if (std::isnan(lik)) return std::numeric_limits<double>::infinity();
  if (lik < kMinLikelihood) return kMinLikelihood;  // includes log(0) for perfect fits
  return lik;
}

// The linear models (additive error, trend and season) in error-correction form:
//   e = y - (l + phi b + s),  l' = l + phi b + alpha e,  b' = phi b + beta e,  s' = s + gamma e.
// This equals R's formulation exactly in real arithmetic. The loop carries the one-step forecast
// f so that the dependency chain between steps is three operations (e = y - f, K e, A + K e with
// A and K computed off the chain), which makes it several times faster than updating the states
// first; the states themselves are updated off the chain with R's formulas.
template <TrendType T, SeasonType S>
double RunLinear(const EtsParams& p, std::span<const double> y, std::span<const double> x0,
                 std::span<double> ring, int m, std::span<double> residuals,
                 std::span<double> final_state, double* sse_out) {
  constexpr bool kTrend = T == TrendType::kAdditive;
  constexpr bool kSeason = S == SeasonType::kAdditive;
  const std::size_t n = y.size();
  const std::size_t s_offset = kTrend ? 2 : 1;
  double l = x0[0];
  double b = kTrend ? x0[1] : 0.0;
  if constexpr (kSeason) {
    for (int k = 0; k < m; ++k) ring[k] = x0[s_offset + (m - 1 - k)];
  }
  const double alpha = p.alpha;
  const double beta = kTrend ? p.beta : 0.0;
  const double gamma = kSeason ? p.gamma : 0.0;
  const double phi = kTrend ? p.phi : 0.0;
  const double gain = alpha + phi * beta;  // d f_{t+1} / d e_t
  const bool store_residuals = !residuals.empty();

  int k = 0;
  double f = l + phi * b + (kSeason ? ring[0] : 0.0);
  double sse = 0;
  for (std::size_t t = 0; t < n; ++t) {
    const double e = y[t] - f;
    sse += e * e;
    if (store_residuals) residuals[t] = e;
    const double phib = phi * b;
    int k_next = k;
    double s_next = 0;
    if constexpr (kSeason) {
      ring[k] += gamma * e;
      if (++k_next == m) k_next = 0;
      s_next = ring[k_next];  // for m == 1 the state just updated, as it should be
    }
    // f' = l' + phi b' + s_next with l' = l + phib + alpha e and b' = phib + beta e.
    const double base = (l + phib) + phi * phib + s_next;
    l = (l + phib) + alpha * e;
    if constexpr (kTrend) b = phib + beta * e;
    f = base + gain * e;
    k = k_next;
  }
  if (!final_state.empty()) {
    final_state[0] = l;
    if constexpr (kTrend) final_state[1] = b;
    if constexpr (kSeason) StoreSeason(ring, m, n, s_offset, final_state);
  }
  if (sse_out != nullptr) *sse_out = sse;
  return FinishLikelihood(static_cast<double>(n), sse, 0);
}

// The general recursions, exactly as R's etscalc writes them; the compiler specialises the loop
// for each combination, so the hot loop has no branches on the model type.
template <ErrorType E, TrendType T, SeasonType S>
double Run(const EtsParams& p, std::span<const double> y, std::span<const double> x0,
           std::span<double> ring, int m, std::span<double> residuals,
           std::span<double> final_state, double* sse_out) {
  if constexpr (E == ErrorType::kAdditive && T != TrendType::kMultiplicative &&
                S != SeasonType::kMultiplicative) {
    return RunLinear<T, S>(p, y, x0, ring, m, residuals, final_state, sse_out);
  }
  const std::size_t n = y.size();
  double l = x0[0];
  double b = 0;
  if constexpr (T != TrendType::kNone) b = x0[1];
  const std::size_t s_offset = (T != TrendType::kNone) ? 2 : 1;
  // ring[k] holds the seasonal state applied at times t with t % m == k; R's s_{m-1} comes first.
  if constexpr (S != SeasonType::kNone) {
    for (int k = 0; k < m; ++k) ring[k] = x0[s_offset + (m - 1 - k)];
  }
  const double alpha = p.alpha;
  const double beta_over_alpha = (T != TrendType::kNone) ? p.beta / p.alpha : 0.0;
  const double gamma = p.gamma;
  const double phi = p.phi;
  const bool store_residuals = !residuals.empty();

  double sse = 0;
  double log_abs_f = 0;
  int k = 0;  // t % m, kept incrementally
  for (std::size_t t = 0; t < n; ++t) {
    const double yt = y[t];
    // One-step forecast q (level + trend) and f (with season).
    double phib = 0;
    double q;
    if constexpr (T == TrendType::kNone) {
      q = l;
    } else if constexpr (T == TrendType::kAdditive) {
      phib = phi * b;
      q = l + phib;
    } else {
      if (b < 0) return std::numeric_limits<double>::infinity();  // R: forecast is NA
      phib = (phi == 1.0) ? b : std::pow(b, phi);
      q = l * phib;
    }
    double s_old = 0;
    double f;
    if constexpr (S == SeasonType::kNone) {
      f = q;
    } else if constexpr (S == SeasonType::kAdditive) {
      s_old = ring[k];
      f = q + s_old;
    } else {
      s_old = ring[k];
      f = q * s_old;
    }
    double e;
    if constexpr (E == ErrorType::kAdditive) {
      e = yt - f;
    } else {
      e = (yt - f) / f;
      log_abs_f += std::log(std::fabs(f));
    }
    sse += e * e;
    if (store_residuals) residuals[t] = e;

    // New level.
    double p_level;
    if constexpr (S == SeasonType::kNone) {
      p_level = yt;
    } else if constexpr (S == SeasonType::kAdditive) {
      p_level = yt - s_old;
    } else {
      p_level = (std::fabs(s_old) < kTiny) ? kHuge : yt / s_old;
    }
    const double l_old = l;
    l = q + alpha * (p_level - q);
    // New growth.
    if constexpr (T == TrendType::kAdditive) {
      b = phib + beta_over_alpha * ((l - l_old) - phib);
    } else if constexpr (T == TrendType::kMultiplicative) {
      const double r = (std::fabs(l_old) < kTiny) ? kHuge : l / l_old;
      b = phib + beta_over_alpha * (r - phib);
    }
    // New season.
    if constexpr (S == SeasonType::kAdditive) {
      ring[k] = s_old + gamma * ((yt - q) - s_old);
    } else if constexpr (S == SeasonType::kMultiplicative) {
      const double ratio = (std::fabs(q) < kTiny) ? kHuge : yt / q;
      ring[k] = s_old + gamma * (ratio - s_old);
    }
    if constexpr (S != SeasonType::kNone) {
      if (++k == m) k = 0;
    }
  }

  if (!final_state.empty()) {
    final_state[0] = l;
    if constexpr (T != TrendType::kNone) final_state[1] = b;
    if constexpr (S != SeasonType::kNone) StoreSeason(ring, m, n, s_offset, final_state);
  }
  if (sse_out != nullptr) *sse_out = sse;
  return FinishLikelihood(static_cast<double>(n), sse,
                          E == ErrorType::kMultiplicative ? log_abs_f : 0.0);
}

template <ErrorType E, TrendType T>
double DispatchSeason(const EtsSpec& spec, const EtsParams& p, std::span<const double> y,
                      std::span<const double> x0, std::span<double> ring,
                      std::span<double> residuals, std::span<double> final_state, double* sse) {
  switch (spec.season) {
    case SeasonType::kNone:
      return Run<E, T, SeasonType::kNone>(p, y, x0, ring, 1, residuals, final_state, sse);
    case SeasonType::kAdditive:
      return Run<E, T, SeasonType::kAdditive>(p, y, x0, ring, spec.m, residuals, final_state, sse);
    case SeasonType::kMultiplicative:
      return Run<E, T, SeasonType::kMultiplicative>(p, y, x0, ring, spec.m, residuals,
                                                    final_state, sse);
  }
  return std::numeric_limits<double>::infinity();
}

template <ErrorType E>
double DispatchTrend(const EtsSpec& spec, const EtsParams& p, std::span<const double> y,
                     std::span<const double> x0, std::span<double> ring,
                     std::span<double> residuals, std::span<double> final_state, double* sse) {
  switch (spec.trend) {
    case TrendType::kNone:
      return DispatchSeason<E, TrendType::kNone>(spec, p, y, x0, ring, residuals, final_state, sse);
    case TrendType::kAdditive:
      return DispatchSeason<E, TrendType::kAdditive>(spec, p, y, x0, ring, residuals, final_state,
                                                     sse);
    case TrendType::kMultiplicative:
      return DispatchSeason<E, TrendType::kMultiplicative>(spec, p, y, x0, ring, residuals,
                                                           final_state, sse);
  }
  return std::numeric_limits<double>::infinity();
}

char Letter(ErrorType e) { return e == ErrorType::kAdditive ? 'A' : 'M'; }
char Letter(TrendType t) {
  return t == TrendType::kNone ? 'N' : (t == TrendType::kAdditive ? 'A' : 'M');
}
char Letter(SeasonType s) {
  return s == SeasonType::kNone ? 'N' : (s == SeasonType::kAdditive ? 'A' : 'M');
}

}  // namespace

std::string EtsSpec::Name() const {
  std::string name = "ETS(";
  name += Letter(error);
  name += ',';
  name += Letter(trend);
  if (damped && has_trend()) name += 'd';
  name += ',';
  name += Letter(season);
  name += ')';
  return name;
}

double EtsLikelihood(const EtsSpec& spec, const EtsParams& params, std::span<const double> y,
                     std::span<const double> initial_state, std::span<double> season_scratch,
                     std::span<double> residuals, std::span<double> final_state, double* sse) {
  EtsParams p = params;
  if (!spec.damped || !spec.has_trend()) p.phi = 1;  // R: phi <- 1 when not damped
  if (spec.error == ErrorType::kAdditive) {
    return DispatchTrend<ErrorType::kAdditive>(spec, p, y, initial_state, season_scratch,
                                               residuals, final_state, sse);
  }
  return DispatchTrend<ErrorType::kMultiplicative>(spec, p, y, initial_state, season_scratch,
                                                   residuals, final_state, sse);
}

void EtsPointForecast(const EtsSpec& spec, const EtsParams& params, std::span<const double> state,
                      std::span<double> mean) {
  const double l = state[0];
  const double b = spec.has_trend() ? state[1] : 0.0;
  const std::size_t s_offset = spec.has_trend() ? 2 : 1;
  const double phi = spec.damped ? params.phi : 1.0;
  double phi_h = 0;    // phi + phi^2 + ... + phi^h
  double phi_pow = 1;  // phi^h
  for (std::size_t i = 0; i < mean.size(); ++i) {
    phi_pow *= phi;
    phi_h += phi_pow;
    double f = l;
    if (spec.trend == TrendType::kAdditive) {
      f = l + phi_h * b;
    } else if (spec.trend == TrendType::kMultiplicative) {
      f = l * std::pow(b, phi_h);
    }
    if (spec.has_season()) {
      // Step h uses R's s_{m-1-((h-1) mod m)}.
      const int j = spec.m - 1 - static_cast<int>(i % static_cast<std::size_t>(spec.m));
      const double s = state[s_offset + j];
      f = (spec.season == SeasonType::kAdditive) ? f + s : f * s;
    }
    mean[i] = f;
  }
}

}  // namespace salesops::forecast::ets
