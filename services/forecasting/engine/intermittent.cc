#include "services/forecasting/engine/intermittent.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/result.h"

namespace salesops::forecast {
namespace {

// Empirical intervals: horizons with fewer in-sample errors than this borrow a shorter horizon's.
constexpr std::size_t kMinErrorsPerHorizon = 8;
// Horizons beyond this reuse its quantiles (flat forecasts: the error distribution settles).
constexpr int kMaxDistinctHorizon = 52;
// TSB's smoothing parameters are searched in [kTsbAlphaLower, 1].
constexpr double kTsbAlphaLower = 0.01;


// R's quantile(type = 7) of sorted values.
double Quantile(const std::vector<double>& sorted, double p) {
  const double position = p * static_cast<double>(sorted.size() - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

std::ptrdiff_t FirstDemand(std::span<const double> y) {
  for (std::size_t t = 0; t < y.size(); ++t) {
    if (y[t] != 0) return static_cast<std::ptrdiff_t>(t);
  }
  return -1;
}

// For each level, the (lower, upper) error quantiles of a sorted sample.
std::vector<std::pair<double, double>> ErrorQuantiles(std::vector<double> errors,
                                                      std::span<const double> levels) {
  std::sort(errors.begin(), errors.end());
  std::vector<std::pair<double, double>> q;
  q.reserve(levels.size());
  for (double level : levels) {
    q.emplace_back(Quantile(errors, 0.5 - level / 200), Quantile(errors, 0.5 + level / 200));
  }
  return q;
}

// The empirical intervals described in the header around the flat forecast `mean`, from the
// in-sample forecasts f (f[t] made after observing y[0..t]).
std::vector<Interval> EmpiricalIntervals(std::span<const double> y, const std::vector<double>& f,
                                         double mean, const ForecastOptions& options) {
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(y.size());
  bool non_negative = true;
  for (double v : y) non_negative = non_negative && v >= 0;
  // Non-negative data: ratios y / f, applied to the forecast by multiplication (a zero demand is
  // a ratio of 0, so zero stays inside the interval whenever it is common enough). Otherwise
  // differences y - f, added.
  auto error = [&](double actual, double forecast, double* out) {
    if (!non_negative) {
      *out = actual - forecast;
      return true;
    }
    if (!(forecast > 0)) return false;
    *out = actual / forecast;
    return std::isfinite(*out);
  };
  const std::ptrdiff_t first = std::max<std::ptrdiff_t>(FirstDemand(y), 0);
  const int distinct = std::min(options.horizon, kMaxDistinctHorizon);
  // Quantiles per horizon 1..distinct; empty where that horizon has too few errors.
  std::vector<std::vector<std::pair<double, double>>> by_horizon(distinct);
  std::vector<double> pooled;
  bool any = false;
  for (int h = 1; h <= distinct; ++h) {
    std::vector<double> errors;
    for (std::ptrdiff_t t = first; t + h < n; ++t) {
      double e;
      if (error(y[t + h], f[t], &e)) errors.push_back(e);
    }
    pooled.insert(pooled.end(), errors.begin(), errors.end());
    if (errors.size() >= kMinErrorsPerHorizon) {
      by_horizon[h - 1] = ErrorQuantiles(std::move(errors), options.levels);
      any = true;
    }
  }
  if (!any) {
    // Too little data for any one horizon: every in-sample error pooled, or, when there is none
    // (a single demand at the very end), the spread of the data around the forecast.
    if (pooled.empty()) {
      for (double v : y) {
        double e;
        if (error(v, mean, &e)) pooled.push_back(e);
      }
    }
    if (pooled.empty()) pooled.push_back(non_negative ? 1.0 : 0.0);  // all-zero data
    by_horizon[0] = ErrorQuantiles(std::move(pooled), options.levels);
  }
  // Horizons without their own quantiles borrow the nearest shorter horizon's (or, for the first
  // horizons, the nearest longer one's).
  for (int h = 1; h < distinct; ++h) {
    if (by_horizon[h].empty()) by_horizon[h] = by_horizon[h - 1];
  }
  for (int h = distinct - 2; h >= 0; --h) {
    if (by_horizon[h].empty()) by_horizon[h] = by_horizon[h + 1];
  }

  std::vector<Interval> intervals(options.levels.size());
  for (std::size_t i = 0; i < options.levels.size(); ++i) {
    Interval& interval = intervals[i];
    interval.level = options.levels[i];
    interval.lower.resize(options.horizon);
    interval.upper.resize(options.horizon);
    for (int k = 0; k < options.horizon; ++k) {
      const auto [lo, hi] = by_horizon[std::min(k, distinct - 1)][i];
      double lower = non_negative ? mean * lo : mean + lo;
      double upper = non_negative ? mean * hi : mean + hi;
      if (non_negative) {
        lower = std::max(0.0, lower);
        upper = std::max(0.0, upper);
      }
      interval.lower[k] = std::min(lower, upper);
      interval.upper[k] = std::max(lower, upper);
    }
  }
  return intervals;
}

// Croston's recursion over the series: the in-sample one-step forecasts (the smoothed size over
// the smoothed interval, times the SBA factor when debiased; 0 before the first demand) and the
// smoothed size and interval after the whole series (0 and 1 without a demand).
struct CrostonRun {
  std::vector<double> forecasts;
  double size = 0, interval = 1;
};

CrostonRun RunCroston(std::span<const double> y, double alpha, bool debias) {
  CrostonRun run;
  run.forecasts.assign(y.size(), 0.0);
  const double factor = debias ? 1 - alpha / 2 : 1.0;
  double forecast = 0;
  std::ptrdiff_t last = -1;
  for (std::size_t t = 0; t < y.size(); ++t) {
    if (y[t] != 0) {
      const double gap = static_cast<double>(static_cast<std::ptrdiff_t>(t) - last);
      if (last < 0) {
        run.size = y[t];
        run.interval = gap;
      } else {
        run.size += alpha * (y[t] - run.size);
        run.interval += alpha * (gap - run.interval);
      }
      last = static_cast<std::ptrdiff_t>(t);
      forecast = factor * run.size / run.interval;
    }
    run.forecasts[t] = forecast;
  }
  return run;
}

absl::StatusOr<ForecastResult> CrostonResult(std::span<const double> y,
                                             const ForecastOptions& options, bool debias) {
  if (absl::Status status = ValidateSeriesAndOptions(y, options); !status.ok()) return status;
  const double alpha = kCrostonAlpha;
  const CrostonRun run = RunCroston(y, alpha, debias);
  const double mean = run.forecasts.back();
  return AssembleWithIntervals(
      debias ? ModelKind::kSba : ModelKind::kCroston, debias ? "SBA" : "CROSTON", 1,
      {{"alpha", alpha}, {"demand", run.size}, {"interval", run.interval}}, 0,
      std::vector<double>(options.horizon, mean), EmpiricalIntervals(y, run.forecasts, mean, options));
}

// Mean squared one-step error of TSB at the given smoothing parameters.
double TsbMse(std::span<const double> y, double alpha_d, double alpha_p, double size0,
              double probability0) {
  double size = size0, probability = probability0, sse = 0;
  for (double v : y) {
    const double e = v - probability * size;
    sse += e * e;
    const bool demand = v != 0;
    probability += alpha_p * ((demand ? 1.0 : 0.0) - probability);
    if (demand) size += alpha_d * (v - size);
  }
  return sse / static_cast<double>(y.size());
}

// Golden-section minimum of f on [lo, hi], returned with its value.
template <typename F>
std::pair<double, double> GoldenSection(F f, double lo, double hi, int iterations) {
  const double g = (std::sqrt(5.0) - 1) / 2;
  double c = hi - g * (hi - lo), d = lo + g * (hi - lo);
  double fc = f(c), fd = f(d);
  for (int it = 0; it < iterations; ++it) {
    if (fc < fd) {
      hi = d;
      d = c;
      fd = fc;
      c = hi - g * (hi - lo);
      fc = f(c);
    } else {
      lo = c;
      c = d;
      fc = fd;
      d = lo + g * (hi - lo);
      fd = f(d);
    }
  }
  return fc < fd ? std::pair{c, fc} : std::pair{d, fd};
}

}  // namespace

std::vector<double> CrostonForecasts(std::span<const double> y, double alpha, bool debias) {
  return RunCroston(y, alpha, debias).forecasts;
}

std::vector<double> TsbForecasts(std::span<const double> y, const TsbParameters& p) {
  std::vector<double> f(y.size());
  double size = p.size0, probability = p.probability0;
  for (std::size_t t = 0; t < y.size(); ++t) {
    const bool demand = y[t] != 0;
    probability += p.alpha_p * ((demand ? 1.0 : 0.0) - probability);
    if (demand) size += p.alpha_d * (y[t] - size);
    f[t] = probability * size;
  }
  return f;
}

TsbParameters FitTsb(std::span<const double> y) {
  TsbParameters p;
  double total = 0;
  int demands = 0;
  for (double v : y) {
    if (v != 0) {
      total += v;
      ++demands;
    }
  }
  if (demands == 0 || y.empty()) return p;
  p.size0 = total / demands;
  p.probability0 = static_cast<double>(demands) / static_cast<double>(y.size());
  auto mse = [&](double alpha_d, double alpha_p) {
    return TsbMse(y, alpha_d, alpha_p, p.size0, p.probability0);
  };
  // A 20 x 20 grid over [0.01, 1]^2, then coordinate-wise golden section around the best point.
  constexpr int kGrid = 20;
  const double step = (1 - kTsbAlphaLower) / (kGrid - 1);
  double best = HUGE_VAL;
  for (int i = 0; i < kGrid; ++i) {
    for (int j = 0; j < kGrid; ++j) {
      const double a_d = kTsbAlphaLower + i * step, a_p = kTsbAlphaLower + j * step;
      const double v = mse(a_d, a_p);
      if (v < best) {
        best = v;
        p.alpha_d = a_d;
        p.alpha_p = a_p;
      }
    }
  }
  for (int round = 0; round < 3; ++round) {
    const auto [a_d, v_d] =
        GoldenSection([&](double a) { return mse(a, p.alpha_p); },
                      std::max(kTsbAlphaLower, p.alpha_d - step), std::min(1.0, p.alpha_d + step),
                      25);
    if (v_d < best) {
      best = v_d;
      p.alpha_d = a_d;
    }
    const auto [a_p, v_p] =
        GoldenSection([&](double a) { return mse(p.alpha_d, a); },
                      std::max(kTsbAlphaLower, p.alpha_p - step), std::min(1.0, p.alpha_p + step),
                      25);
    if (v_p < best) {
      best = v_p;
      p.alpha_p = a_p;
    }
  }
  return p;
}

absl::StatusOr<ForecastResult> ForecastCroston(std::span<const double> y,
                                               const ForecastOptions& options) {
  return CrostonResult(y, options, /*debias=*/false);
}

absl::StatusOr<ForecastResult> ForecastSba(std::span<const double> y,
                                           const ForecastOptions& options) {
  return CrostonResult(y, options, /*debias=*/true);
}

absl::StatusOr<ForecastResult> ForecastTsb(std::span<const double> y,
                                           const ForecastOptions& options) {
  if (absl::Status status = ValidateSeriesAndOptions(y, options); !status.ok()) return status;
  const TsbParameters p = FitTsb(y);
  const std::vector<double> f = TsbForecasts(y, p);
  const double mean = f.back();
  // The smoothed size and probability after the data: replay the recursions' last states.
  double size = p.size0, probability = p.probability0;
  for (double v : y) {
    const bool demand = v != 0;
    probability += p.alpha_p * ((demand ? 1.0 : 0.0) - probability);
    if (demand) size += p.alpha_d * (v - size);
  }
  return AssembleWithIntervals(ModelKind::kTsb, "TSB", 1,
                               {{"alpha_d", p.alpha_d},
                                {"alpha_p", p.alpha_p},
                                {"demand", size},
                                {"probability", probability}},
                               0, std::vector<double>(options.horizon, mean),
                               EmpiricalIntervals(y, f, mean, options));
}

}  // namespace salesops::forecast
