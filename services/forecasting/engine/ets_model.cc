#include "services/forecasting/engine/ets_model.h"

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>

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

// sum(log|f_t|) without a logarithm per step: the product of |f_t| is kept as a mantissa and a
// binary exponent, renormalised every four factors. Four factors within [2^-255, 2^255] cannot
// leave the normal range; anything else marks the product as failed, and the caller then sums
// the logarithms exactly (rare: only absurd parameters give such forecasts on scaled data).
class LogProduct {
 public:
  void Mul(double x) {
    mantissa_ *= x;
    if (++count_ == 4) Renormalise();
  }
  // The sum of logs, or NaN when the product left the normal range.
  double Log() {
    Renormalise();
    if (failed_) return std::numeric_limits<double>::quiet_NaN();
    return std::log(mantissa_) + static_cast<double>(exponent_) * std::numbers::ln2;
  }

 private:
  void Renormalise() {
    count_ = 0;
    if (!std::isnormal(mantissa_)) {
      failed_ = true;
      mantissa_ = 1;
      return;
    }
    // Move the binary exponent out of the mantissa (frexp without the library call).
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(mantissa_);
    exponent_ += static_cast<std::int64_t>((bits >> 52) & 0x7ff) - 1023;
    mantissa_ = std::bit_cast<double>((bits & ~(std::uint64_t{0x7ff} << 52)) |
                                      (std::uint64_t{1023} << 52));
  }
  double mantissa_ = 1;
  std::int64_t exponent_ = 0;
  int count_ = 0;
  bool failed_ = false;
};

// The models whose states evolve linearly (trend N/A/Ad, season N/A), for either error type: R's
// state updates do not depend on the error type, and in error-correction form they read
//   d = y - (l + phi b + s),  l' = l + phi b + alpha d,  b' = phi b + beta d,  s' = s + gamma d,
// which equals R's formulation exactly in real arithmetic. The error entering the likelihood is
// d for additive errors and d / f (relative) for multiplicative ones. The loop carries the
// one-step forecast f so that the dependency chain between steps is three operations (d = y - f,
// K d, A + K d with A and K computed off the chain), which makes it several times faster than
// updating the states first; the states themselves are updated off the chain with R's formulas.
template <ErrorType E, TrendType T, SeasonType S, bool kExactLog, bool kStore>
double RunLinear(const EtsParams& p, std::span<const double> y, std::span<const double> x0,
                 std::span<double> ring, int m, std::span<double> residuals,
                 std::span<double> final_state, double* sse_out) {
  constexpr bool kTrend = T == TrendType::kAdditive;
  constexpr bool kSeason = S == SeasonType::kAdditive;
  constexpr bool kMultError = E == ErrorType::kMultiplicative;
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
  const double gain = alpha + phi * beta;  // d f_{t+1} / d d_t

  int k = 0;
  double f = l + phi * b + (kSeason ? ring[0] : 0.0);
  double sse = 0;
  double log_sum = 0;
  LogProduct product;
  for (std::size_t t = 0; t < n; ++t) {
    const double d = y[t] - f;
    double e = d;
    if constexpr (kMultError) {
      e = d / f;
      if constexpr (kExactLog) {
        log_sum += std::log(std::fabs(f));
      } else {
        product.Mul(std::fabs(f));
      }
    }
    sse += e * e;
    if constexpr (kStore) residuals[t] = e;
    const double phib = phi * b;
    int k_next = k;
    double s_next = 0;
    if constexpr (kSeason) {
      ring[k] += gamma * d;
      if (++k_next == m) k_next = 0;
      s_next = ring[k_next];  // for m == 1 the state just updated, as it should be
    }
    // f' = l' + phi b' + s_next with l' = l + phib + alpha d and b' = phib + beta d.
    const double base = (l + phib) + phi * phib + s_next;
    l = (l + phib) + alpha * d;
    if constexpr (kTrend) b = phib + beta * d;
    f = base + gain * d;
    k = k_next;
  }
  if (!final_state.empty()) {
    final_state[0] = l;
    if constexpr (kTrend) final_state[1] = b;
    if constexpr (kSeason) StoreSeason(ring, m, n, s_offset, final_state);
  }
  if (sse_out != nullptr) *sse_out = sse;
  if constexpr (kMultError && !kExactLog) {
    log_sum = product.Log();
    if (std::isnan(log_sum)) {
      return RunLinear<E, T, S, true, kStore>(p, y, x0, ring, m, residuals, final_state, sse_out);
    }
  }
  return FinishLikelihood(static_cast<double>(n), sse, kMultError ? log_sum : 0.0);
}

// Multiplicative season with trend N/A/Ad, R's recursions
//   q = l + phi b,  f = q s,  l' = q + alpha (y/s - q),  b' = phi b + beta/alpha (l' - l - phi b),
//   s' = s + gamma (y/q - s),
// with R's guards (1e10 for a division by |s| or |q| below 1e-10). With r = y/s - q they read
// l' = q + alpha r and b' = phi b + beta r (equal in real arithmetic), so the next q is
// (l + phi b + phi^2 b) + (alpha + phi beta) r: the chain between steps is q -> r -> q', two
// operations; the states and the two reciprocals (1/s, 1/q: y/s, y/q and the relative error
// y/f - 1) are computed off it.
template <ErrorType E, TrendType T, bool kExactLog, bool kStore>
double RunMultiplicativeSeason(const EtsParams& p, std::span<const double> y,
                               std::span<const double> x0, std::span<double> ring, int m,
                               std::span<double> residuals, std::span<double> final_state,
                               double* sse_out) {
  constexpr bool kTrend = T == TrendType::kAdditive;
  constexpr bool kMultError = E == ErrorType::kMultiplicative;
  const std::size_t n = y.size();
  const std::size_t s_offset = kTrend ? 2 : 1;
  double l = x0[0];
  double b = kTrend ? x0[1] : 0.0;
  for (int k = 0; k < m; ++k) ring[k] = x0[s_offset + (m - 1 - k)];
  const double alpha = p.alpha;
  const double beta = kTrend ? p.beta : 0.0;
  const double gamma = p.gamma;
  const double phi = kTrend ? p.phi : 0.0;
  const double gain = alpha + phi * beta;  // d q' / d r

  double sse = 0;
  double log_sum = 0;
  LogProduct product;
  int k = 0;
  double q = l + phi * b;
  for (std::size_t t = 0; t < n; ++t) {
    const double yt = y[t];
    const double s_old = ring[k];
    const double f = q * s_old;
    // y/s (needed on the chain) comes from 1/s, which does not depend on the chain; 1/q feeds
    // only the season (used m steps later) and the error.
    const double inv_s = 1.0 / s_old;
    const double inv_q = 1.0 / q;
    const double y_over_s = std::fabs(s_old) < kTiny ? kHuge : yt * inv_s;
    const double y_over_q = std::fabs(q) < kTiny ? kHuge : yt * inv_q;
    double e;
    if constexpr (kMultError) {
      e = (yt * inv_s) * inv_q - 1.0;  // (y - f) / f
      if constexpr (kExactLog) {
        log_sum += std::log(std::fabs(f));
      } else {
        product.Mul(std::fabs(f));
      }
    } else {
      e = yt - f;
    }
    sse += e * e;
    if constexpr (kStore) residuals[t] = e;
    ring[k] = s_old + gamma * (y_over_q - s_old);
    const double r = y_over_s - q;
    const double phib = phi * b;
    const double base = (l + phib) + phi * phib;
    l = (l + phib) + alpha * r;
    if constexpr (kTrend) b = phib + beta * r;
    q = base + gain * r;
    if (++k == m) k = 0;
  }
  if (!final_state.empty()) {
    final_state[0] = l;
    if constexpr (kTrend) final_state[1] = b;
    StoreSeason(ring, m, n, s_offset, final_state);
  }
  if (sse_out != nullptr) *sse_out = sse;
  if constexpr (kMultError && !kExactLog) {
    log_sum = product.Log();
    if (std::isnan(log_sum)) {
      return RunMultiplicativeSeason<E, T, true, kStore>(p, y, x0, ring, m, residuals, final_state,
                                                 sse_out);
    }
  }
  return FinishLikelihood(static_cast<double>(n), sse, kMultError ? log_sum : 0.0);
}

// The general recursions, exactly as R's etscalc writes them, for the multiplicative trends; the
// compiler specialises the loop for each combination, so the hot loop has no branches on the
// model type.
template <ErrorType E, TrendType T, SeasonType S>
double Run(const EtsParams& p, std::span<const double> y, std::span<const double> x0,
           std::span<double> ring, int m, std::span<double> residuals,
           std::span<double> final_state, double* sse_out) {
  if constexpr (T != TrendType::kMultiplicative && S != SeasonType::kMultiplicative) {
    if (residuals.empty()) {
      return RunLinear<E, T, S, false, false>(p, y, x0, ring, m, residuals, final_state, sse_out);
    }
    return RunLinear<E, T, S, false, true>(p, y, x0, ring, m, residuals, final_state, sse_out);
  } else if constexpr (T != TrendType::kMultiplicative) {
    if (residuals.empty()) {
      return RunMultiplicativeSeason<E, T, false, false>(p, y, x0, ring, m, residuals,
                                                         final_state, sse_out);
    }
    return RunMultiplicativeSeason<E, T, false, true>(p, y, x0, ring, m, residuals, final_state,
                                                sse_out);
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
