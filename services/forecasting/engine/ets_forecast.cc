#include "services/forecasting/engine/ets_forecast.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace salesops::forecast::ets {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// R's etscalc/etsforecast tolerance and stand-in for division by (nearly) zero.
constexpr double kTol = 1e-10;
constexpr double kHuge = 1e10;

// R's class1 in vector form. The state is [l, b (trend), s_1 .. s_m (season)] (R's layout, s_1
// the most recent); H, F and G are R's matrices, applied without forming them.
struct LinearSystem {
  bool trend = false;
  bool season = false;
  int m = 1;
  double phi = 1;  // 1 when not damped
  double alpha = 0, beta = 0, gamma = 0;

  int Size() const { return 1 + (trend ? 1 : 0) + (season ? m : 0); }
  int SeasonOffset() const { return trend ? 2 : 1; }

  double Measure(const std::vector<double>& x) const {  // H x
    double v = x[0];
    if (trend) v += phi * x[1];
    if (season) v += x[SeasonOffset() + m - 1];
    return v;
  }
  void Transition(std::vector<double>& x) const {  // x <- F x
    if (trend) {
      x[0] += phi * x[1];
      x[1] *= phi;
    }
    if (season) {
      const int o = SeasonOffset();
      const double last = x[o + m - 1];
      for (int j = m - 1; j > 0; --j) x[o + j] = x[o + j - 1];
      x[o] = last;
    }
  }
  std::vector<double> Gain() const {  // G, with R's placement of gamma in row 3
    std::vector<double> g(Size(), 0.0);
    g[0] = alpha;
    if (trend) g[1] = beta;
    if (season) g[2] = gamma;
    return g;
  }
};

LinearSystem SystemOf(const EtsFit& fit) {
  LinearSystem s;
  s.trend = fit.spec.has_trend();
  s.season = fit.spec.has_season();
  s.m = s.season ? fit.spec.m : 1;
  s.phi = fit.spec.damped ? fit.params.phi : 1.0;
  s.alpha = fit.params.alpha;
  s.beta = fit.params.beta;
  s.gamma = fit.params.gamma;
  return s;
}

// R's class1: means mu_1..mu_h and c_1..c_{h-1}.
void Class1(const EtsFit& fit, int h, std::vector<double>& mu, std::vector<double>& c) {
  const LinearSystem sys = SystemOf(fit);
  std::vector<double> x = fit.final_state;
  std::vector<double> g = sys.Gain();
  mu.assign(h, 0.0);
  c.assign(h > 1 ? h - 1 : 0, 0.0);
  for (int i = 0; i < h; ++i) {
    mu[i] = sys.Measure(x);
    if (i + 1 < h) {
      c[i] = sys.Measure(g);
      sys.Transition(x);
      sys.Transition(g);
    }
  }
}

// R's class3 with the Kronecker-structured matrices applied as maps on k x m matrices X (k = 1
// without trend, 2 with), vectorised column-major: vec(X)[r + k c] = X(r, c).
//   F21 vec(X) = vec(F1 X F2'),  G21 vec(X) = vec(G1 X G2'),  K vec(X) = vec(F1 X G2' + G1 X F2'),
// with F2' shifting columns right cyclically (X F2')(:, 0) = X(:, m-1), (X F2')(:, c) = X(:, c-1),
// and (X G2')(:, 0) = gamma X(:, m-1), zero elsewhere.
class Class3 {
 public:
  Class3(const EtsFit& fit)
      : k_(fit.spec.has_trend() ? 2 : 1), m_(fit.spec.m), d_(k_ * m_), gamma_(fit.params.gamma) {
    const double phi = fit.spec.damped ? fit.params.phi : 1.0;
    if (k_ == 1) {
      f1_[0][0] = 1;
      g1_[0][0] = fit.params.alpha;
    } else {
      f1_[0][0] = 1;
      f1_[0][1] = 1;
      f1_[1][0] = 0;
      f1_[1][1] = phi;
      g1_[0][0] = g1_[0][1] = fit.params.alpha;
      g1_[1][0] = g1_[1][1] = fit.params.beta;
    }
  }

  void Run(const EtsFit& fit, int h, std::vector<double>& mu, std::vector<double>& var) {
    const double sigma2 = fit.sigma2;
    const std::vector<double>& s = fit.final_state;
    const int p = static_cast<int>(s.size());
    // Mh = [l; b] [s_1 .. s_m].
    std::vector<double> mh(d_), next(d_), tmp(d_);
    for (int c = 0; c < m_; ++c) {
      for (int r = 0; r < k_; ++r) mh[r + k_ * c] = s[r] * s[p - m_ + c];
    }
    std::vector<double> v(d_ * d_, 0.0), a(d_ * d_), b(d_ * d_), u(d_ * d_), acc(d_ * d_);
    mu.assign(h, 0.0);
    var.assign(h, 0.0);
    for (int i = 0; i < h; ++i) {
      double mean = 0;
      for (int r = 0; r < k_; ++r) mean += mh[r + k_ * (m_ - 1)];
      double hvh = 0;
      for (int r = 0; r < k_; ++r) {
        for (int q = 0; q < k_; ++q) hvh += v[Index(r + k_ * (m_ - 1), q + k_ * (m_ - 1))];
      }
      mu[i] = mean;
      var[i] = (1 + sigma2) * hvh + sigma2 * mean * mean;
      if (i + 1 == h) break;

      // acc = F21 V F21'
      Sandwich(Map::kF, v, Map::kF, a, acc);
      // + sigma2 (T + T') with T = F21 V G21'
      Sandwich(Map::kF, v, Map::kG, a, b);
      for (int r = 0; r < d_; ++r) {
        for (int c = 0; c < d_; ++c) acc[Index(r, c)] += sigma2 * (b[Index(r, c)] + b[Index(c, r)]);
      }
      // + sigma2 K (V + mu mu') K'
      for (int r = 0; r < d_; ++r) {
        for (int c = 0; c < d_; ++c) u[Index(r, c)] = v[Index(r, c)] + mh[r] * mh[c];
      }
      Sandwich(Map::kK, u, Map::kK, a, b);
      for (int j = 0; j < d_ * d_; ++j) acc[j] += sigma2 * b[j];
      // + sigma2^2 G21 (3 V + 2 mu mu') G21'
      for (int r = 0; r < d_; ++r) {
        for (int c = 0; c < d_; ++c) u[Index(r, c)] = 3 * v[Index(r, c)] + 2 * mh[r] * mh[c];
      }
      Sandwich(Map::kG, u, Map::kG, a, b);
      for (int j = 0; j < d_ * d_; ++j) acc[j] += sigma2 * sigma2 * b[j];
      v.swap(acc);

      // Mh <- F1 Mh F2' + sigma2 G1 Mh G2'
      Apply(Map::kF, mh.data(), next.data());
      Apply(Map::kG, mh.data(), tmp.data());
      for (int j = 0; j < d_; ++j) next[j] += sigma2 * tmp[j];
      mh.swap(next);
    }
  }

 private:
  enum class Map { kF, kG, kK };

  int Index(int r, int c) const { return r * d_ + c; }  // row-major d x d

  // out = L(x) for one vec'd k x m matrix.
  void Apply(Map map, const double* x, double* out) const {
    auto left = [&](const double (&l)[2][2], const double* col, double* dst) {
      for (int r = 0; r < k_; ++r) {
        double v = 0;
        for (int q = 0; q < k_; ++q) v += l[r][q] * col[q];
        dst[r] = v;
      }
    };
    double shifted[2];
    switch (map) {
      case Map::kF:  // F1 X F2'
        for (int c = 0; c < m_; ++c) left(f1_, x + k_ * (c == 0 ? m_ - 1 : c - 1), out + k_ * c);
        break;
      case Map::kG:  // G1 X G2'
        for (int r = 0; r < k_; ++r) shifted[r] = gamma_ * x[k_ * (m_ - 1) + r];
        left(g1_, shifted, out);
        for (int j = k_; j < d_; ++j) out[j] = 0;
        break;
      case Map::kK: {  // F1 X G2' + G1 X F2'
        for (int c = 0; c < m_; ++c) left(g1_, x + k_ * (c == 0 ? m_ - 1 : c - 1), out + k_ * c);
        for (int r = 0; r < k_; ++r) shifted[r] = gamma_ * x[k_ * (m_ - 1) + r];
        double extra[2];
        left(f1_, shifted, extra);
        for (int r = 0; r < k_; ++r) out[r] += extra[r];
        break;
      }
    }
  }

  // out = L1 V L2' (V row-major d x d), using `scratch`.
  void Sandwich(Map l1, const std::vector<double>& v, Map l2, std::vector<double>& scratch,
                std::vector<double>& out) const {
    // scratch = (L1 V)' : row c of scratch = L1 applied to column c of V.
    std::vector<double> col(d_), res(d_);
    for (int c = 0; c < d_; ++c) {
      for (int r = 0; r < d_; ++r) col[r] = v[Index(r, c)];
      Apply(l1, col.data(), res.data());
      for (int r = 0; r < d_; ++r) scratch[Index(c, r)] = res[r];
    }
    // (L1 V) L2' = (L2 (L1 V)')' : column c of L2 (L1 V)' is L2 applied to column c of scratch,
    // i.e. to row c of L1 V ... which is column c of scratch' -- take row r of (L1 V) = column r
    // of scratch.
    for (int r = 0; r < d_; ++r) {
      for (int c = 0; c < d_; ++c) col[c] = scratch[Index(c, r)];  // row r of L1 V
      Apply(l2, col.data(), res.data());
      for (int c = 0; c < d_; ++c) out[Index(r, c)] = res[c];
    }
  }

  int k_, m_, d_;
  double gamma_;
  double f1_[2][2] = {{0, 0}, {0, 0}};
  double g1_[2][2] = {{0, 0}, {0, 0}};
};

// R's C `forecast`: means from a state in R's layout for any trend/season, with R's
// accumulation of the damped exponent. NaN for a negative multiplicative trend.
void CForecast(const EtsSpec& spec, double phi, std::span<const double> state,
               std::span<double> f) {
  const int m = spec.has_season() ? spec.m : 1;
  const double l = state[0];
  const double b = spec.has_trend() ? state[1] : 0.0;
  const std::size_t o = spec.has_trend() ? 2 : 1;
  double phistar = phi;
  const std::size_t h = f.size();
  for (std::size_t i = 0; i < h; ++i) {
    double v;
    if (spec.trend == TrendType::kNone) {
      v = l;
    } else if (spec.trend == TrendType::kAdditive) {
      v = l + phistar * b;
    } else if (b < 0) {
      v = kNaN;
    } else {
      v = l * std::pow(b, phistar);
    }
    if (spec.has_season()) {
      const int j = m - 1 - static_cast<int>(i % static_cast<std::size_t>(m));
      v = spec.season == SeasonType::kAdditive ? v + state[o + j] : v * state[o + j];
    }
    f[i] = v;
    if (i + 1 < h) {
      phistar += std::fabs(phi - 1.0) < kTol ? 1.0 : std::pow(phi, static_cast<double>(i + 1));
    }
  }
}

// A small, fast, fully specified generator (xoshiro256++ seeded by splitmix64), so simulated
// intervals are the same on every platform and run.
class Random {
 public:
  explicit Random(std::uint64_t seed) {
    for (std::uint64_t& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }
  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  double Uniform() {  // in (0, 1)
    return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53;
  }
  double Normal() {  // Marsaglia's polar method
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2 * Uniform() - 1;
      v = 2 * Uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    const double f = std::sqrt(-2 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

// Classes 2 and 3 are homogeneous in the level's units (means linear, variances quadratic in
// l, b and additive seasonal states). They are computed on states divided by a power of two near
// the level's magnitude, which is exact and keeps squares of huge or tiny data representable.
EtsFit Rescaled(const EtsFit& fit, double& scale) {
  double max_abs = 0;
  const std::size_t units = (fit.spec.season == SeasonType::kMultiplicative)
                                ? (fit.spec.has_trend() ? 2 : 1)
                                : fit.final_state.size();
  for (std::size_t i = 0; i < units; ++i) max_abs = std::max(max_abs, std::fabs(fit.final_state[i]));
  scale = (max_abs > 0 && std::isfinite(max_abs)) ? std::ldexp(1.0, std::ilogb(max_abs)) : 1.0;
  EtsFit out;
  out.spec = fit.spec;
  out.params = fit.params;
  out.sigma2 = fit.sigma2;
  out.sigma = fit.sigma;
  out.final_state = fit.final_state;
  for (std::size_t i = 0; i < units; ++i) out.final_state[i] /= scale;
  return out;
}

}  // namespace

ForecastClass ForecastClassOf(const EtsSpec& spec) {
  if (spec.trend == TrendType::kMultiplicative) return ForecastClass::kSimulated;
  if (spec.error == ErrorType::kAdditive) {
    return spec.season == SeasonType::kMultiplicative ? ForecastClass::kSimulated
                                                      : ForecastClass::kClass1;
  }
  return spec.season == SeasonType::kMultiplicative ? ForecastClass::kClass3
                                                    : ForecastClass::kClass2;
}

bool HasAnalyticVariance(const EtsSpec& spec) {
  return ForecastClassOf(spec) == ForecastClass::kClass1;
}

EtsForecast ForecastEts(const EtsFit& fit, int horizon) {
  EtsForecast out;
  if (horizon <= 0) return out;
  switch (ForecastClassOf(fit.spec)) {
    case ForecastClass::kClass1: {
      std::vector<double> c;
      Class1(fit, horizon, out.mean, c);
      out.sd.assign(horizon, 0.0);
      double sum = 0;
      for (int h = 0; h < horizon; ++h) {
        out.sd[h] = fit.sigma * std::sqrt(1 + sum);  // sigma, not sqrt(sigma2): no overflow
        if (h + 1 < horizon) sum += c[h] * c[h];
      }
      break;
    }
    case ForecastClass::kClass2: {
      double scale = 1;
      const EtsFit scaled = Rescaled(fit, scale);
      const double sigma2 = fit.sigma2;
      std::vector<double> c;
      Class1(scaled, horizon, out.mean, c);
      std::vector<double> theta(horizon);
      out.sd.assign(horizon, 0.0);
      for (int j = 0; j < horizon; ++j) {
        double s = 0;
        for (int i = 0; i < j; ++i) s += c[i] * c[i] * theta[j - 1 - i];
        theta[j] = out.mean[j] * out.mean[j] + sigma2 * s;
        const double var = (1 + sigma2) * theta[j] - out.mean[j] * out.mean[j];
        out.sd[j] = std::sqrt(std::max(var, 0.0)) * scale;
      }
      for (double& v : out.mean) v *= scale;
      break;
    }
    case ForecastClass::kClass3: {
      double scale = 1;
      const EtsFit scaled = Rescaled(fit, scale);
      std::vector<double> var;
      Class3(scaled).Run(scaled, horizon, out.mean, var);
      out.sd.resize(horizon);
      for (int j = 0; j < horizon; ++j) {
        out.sd[j] = std::sqrt(std::max(var[j], 0.0)) * scale;
        out.mean[j] *= scale;
      }
      break;
    }
    case ForecastClass::kSimulated: {
      out.mean.assign(horizon, 0.0);
      CForecast(fit.spec, fit.spec.damped ? fit.params.phi : 1.0, fit.final_state, out.mean);
      break;
    }
  }
  return out;
}

double QuantileType8(std::span<double> x, double p) {
  auto end = std::partition(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
  const std::size_t n = static_cast<std::size_t>(end - x.begin());
  if (n == 0) return kNaN;
  const double a = 1.0 / 3.0;
  const double fuzz = 4 * std::numeric_limits<double>::epsilon();
  const double nppm = a + p * (static_cast<double>(n) + 1 - 2 * a);
  const double jf = std::floor(nppm + fuzz);
  double h = nppm - jf;
  if (std::fabs(h) < fuzz) h = 0;
  // The order statistics x_(j) and x_(j+1), with x_(0) = x_(1) and x_(n+1) = x_(n) (R pads the
  // sorted sample at both ends), found by selection instead of sorting.
  const std::size_t j = static_cast<std::size_t>(std::clamp(jf, 1.0, static_cast<double>(n)));
  const std::size_t j1 = static_cast<std::size_t>(std::clamp(jf + 1, 1.0, static_cast<double>(n)));
  std::nth_element(x.begin(), x.begin() + (j - 1), end);
  const double lo = x[j - 1];
  const double hi = j1 == j ? lo : *std::min_element(x.begin() + j, end);
  if (h == 0 || lo == hi) return lo;
  if (h == 1) return hi;
  return (1 - h) * lo + h * hi;
}

std::vector<Interval> SimulatedIntervals(const EtsFit& fit, int horizon,
                                         std::span<const double> levels, int paths,
                                         std::uint64_t seed) {
  const EtsSpec& spec = fit.spec;
  const int m = spec.has_season() ? spec.m : 1;
  const bool trend = spec.has_trend();
  const bool season = spec.has_season();
  const bool mult_error = spec.error == ErrorType::kMultiplicative;
  const double phi = spec.damped ? fit.params.phi : 1.0;
  const double alpha = fit.params.alpha;
  const double beta_over_alpha = trend ? fit.params.beta / alpha : 0.0;
  const double gamma = fit.params.gamma;
  const double sigma = std::sqrt(std::max(fit.sigma2, 0.0));
  const std::size_t o = trend ? 2 : 1;
  paths = std::max(paths, 1);
  const std::size_t np = static_cast<std::size_t>(paths);

  // All paths advance one step at a time (memory: the paths' states, not paths x horizon).
  // Path p's seasonal states sit in seasons[p * m ...] as a ring: R's s_{j+1} is at
  // (top + j) % m, the same top for every path.
  std::vector<double> level(np, fit.final_state[0]);
  std::vector<double> growth(np, trend ? fit.final_state[1] : 0.0);
  std::vector<double> seasons(season ? np * m : 0);
  if (season) {
    for (std::size_t p = 0; p < np; ++p) {
      for (int j = 0; j < m; ++j) seasons[p * m + j] = fit.final_state[o + j];
    }
  }
  int top = 0;
  std::vector<char> alive(np, 1);  // a negative multiplicative trend ends a path (R: error)
  std::vector<double> values(np);
  std::vector<Interval> intervals(levels.size());
  for (std::size_t k = 0; k < levels.size(); ++k) {
    intervals[k].level = levels[k];
    intervals[k].lower.assign(horizon, kNaN);
    intervals[k].upper.assign(horizon, kNaN);
  }
  Random random(seed);
  for (int i = 0; i < horizon; ++i) {
    const int last = (top + m - 1) % m;  // R's s_m: the state applied now
    const int next_top = (top + m - 1) % m;
    for (std::size_t p = 0; p < np; ++p) {
      double e = sigma * random.Normal();
      if (!alive[p]) {
        values[p] = kNaN;
        continue;
      }
      if (mult_error) e = std::max(-1.0, e);
      double& l = level[p];
      double& b = growth[p];
      // One-step forecast (R's forecast with h = 1) and the quantities of R's update().
      double q, phib = 0;
      if (spec.trend == TrendType::kNone) {
        q = l;
      } else if (spec.trend == TrendType::kAdditive) {
        phib = phi * b;
        q = l + phib;
      } else {
        if (b < 0) {
          alive[p] = 0;
          values[p] = kNaN;
          continue;
        }
        phib = std::fabs(phi - 1.0) < kTol ? b : std::pow(b, phi);
        q = l * phib;
      }
      double* ring = season ? &seasons[p * m] : nullptr;
      const double s_old = season ? ring[last] : 0.0;
      double f = q;
      if (spec.season == SeasonType::kAdditive) f = q + s_old;
      if (spec.season == SeasonType::kMultiplicative) f = q * s_old;
      const double y = mult_error ? f * (1 + e) : f + e;
      values[p] = y;
      double p_level = y;
      if (spec.season == SeasonType::kAdditive) p_level = y - s_old;
      if (spec.season == SeasonType::kMultiplicative) {
        p_level = std::fabs(s_old) < kTol ? kHuge : y / s_old;
      }
      const double l_old = l;
      l = q + alpha * (p_level - q);
      if (spec.trend == TrendType::kAdditive) {
        b = phib + beta_over_alpha * ((l - l_old) - phib);
      } else if (spec.trend == TrendType::kMultiplicative) {
        const double r = std::fabs(l_old) < kTol ? kHuge : l / l_old;
        b = phib + beta_over_alpha * (r - phib);
      }
      if (season) {
        double t;
        if (spec.season == SeasonType::kAdditive) {
          t = y - q;
        } else {
          t = std::fabs(q) < kTol ? kHuge : y / q;
        }
        ring[next_top] = s_old + gamma * (t - s_old);  // the old s_m's slot is the new s_1
      }
    }
    top = next_top;
    for (std::size_t k = 0; k < levels.size(); ++k) {
      intervals[k].lower[i] = QuantileType8(values, 0.5 - levels[k] / 200);
      intervals[k].upper[i] = QuantileType8(values, 0.5 + levels[k] / 200);
    }
  }
  return intervals;
}

}  // namespace salesops::forecast::ets
