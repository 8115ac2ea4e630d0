// Croston, SBA and TSB: hand-worked examples, R's forecast::croston, edge cases, intervals.
#include "services/forecasting/engine/intermittent.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {
namespace {

// Demands of 3, 5, 2, 4, 1, 6 at periods 3, 7, 9, 14, 17, 20 (1-based): intervals 3, 4, 2, 5, 3, 3.
const std::vector<double> kSparse = {0, 0, 3, 0, 0, 0, 5, 0, 2, 0, 0, 0,
                                     0, 4, 0, 0, 1, 0, 0, 6, 0, 0, 0, 0};

double Param(const ForecastResult& r, const std::string& name) {
  for (const auto& [key, value] : r.parameters) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no parameter " << name;
  return NAN;
}

ForecastOptions Options(int horizon) {
  ForecastOptions options;
  options.horizon = horizon;
  return options;
}

using Method = absl::StatusOr<ForecastResult> (*)(std::span<const double>,
                                                    const ForecastOptions&);
const Method kMethods[] = {ForecastCroston, ForecastSba, ForecastTsb};

void ExpectWellFormed(const ForecastResult& r, const ForecastOptions& options,
                      bool non_negative) {
  ASSERT_EQ(static_cast<int>(r.mean.size()), options.horizon);
  ASSERT_EQ(r.intervals.size(), options.levels.size());
  for (double v : r.mean) {
    ASSERT_TRUE(std::isfinite(v));
    EXPECT_EQ(v, r.mean[0]);  // flat
  }
  for (std::size_t i = 0; i < r.intervals.size(); ++i) {
    const Interval& interval = r.intervals[i];
    EXPECT_EQ(interval.level, options.levels[i]);
    ASSERT_EQ(static_cast<int>(interval.lower.size()), options.horizon);
    ASSERT_EQ(static_cast<int>(interval.upper.size()), options.horizon);
    for (int k = 0; k < options.horizon; ++k) {
      ASSERT_TRUE(std::isfinite(interval.lower[k]) && std::isfinite(interval.upper[k]));
      EXPECT_LE(interval.lower[k], interval.upper[k]);
      if (non_negative) {
        EXPECT_GE(interval.lower[k], 0);
      }
    }
  }
  for (const auto& [name, value] : r.parameters) EXPECT_TRUE(std::isfinite(value)) << name;
}

TEST(CrostonTest, HandWorkedAndMatchesR) {
  // Sizes: 3 -> 3.2 -> 3.08 -> 3.172 -> 2.9548 -> 3.25932 (alpha 0.1, started at the first).
  // Intervals: 3 -> 3.1 -> 2.99 -> 3.191 -> 3.1719 -> 3.15471.
  // R: croston(x, h = 3)$mean = 1.0331599418013069; $model$demand$mean 3.25932,
  //    $model$period$mean 3.15471.
  const auto r = ForecastCroston(kSparse, Options(3));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->model_name, "CROSTON");
  EXPECT_EQ(r->model, ModelKind::kCroston);
  EXPECT_NEAR(Param(*r, "demand"), 3.25932, 1e-12);
  EXPECT_NEAR(Param(*r, "interval"), 3.15471, 1e-12);
  EXPECT_EQ(Param(*r, "alpha"), 0.1);
  for (double v : r->mean) EXPECT_NEAR(v, 1.0331599418013069, 1e-14);
}

TEST(CrostonTest, InSampleForecastsMatchRFitted) {
  // R: croston(x)$fitted[t + 1] is the forecast made after t observations.
  const std::vector<double> r_fitted = {
      0, 0, 1, 1, 1, 1, 1.03225806451612900, 1.03225806451612900, 1.03010033444816074,
      1.03010033444816074, 1.03010033444816074, 1.03010033444816074, 1.03010033444816074,
      0.99404575368223136, 0.99404575368223136, 0.99404575368223136, 0.93155521926920792,
      0.93155521926920792, 0.93155521926920792, 1.03315994180130688, 1.03315994180130688,
      1.03315994180130688, 1.03315994180130688};
  const std::vector<double> f = CrostonForecasts(kSparse, 0.1, false);
  ASSERT_EQ(f.size(), kSparse.size());
  for (std::size_t t = 0; t + 1 < kSparse.size(); ++t) EXPECT_NEAR(f[t], r_fitted[t], 1e-14) << t;
}

TEST(SbaTest, IsCrostonTimesOneMinusHalfAlpha) {
  const auto r = ForecastSba(kSparse, Options(4));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->model_name, "SBA");
  EXPECT_EQ(r->model, ModelKind::kSba);
  for (double v : r->mean) EXPECT_NEAR(v, 0.95 * 1.0331599418013069, 1e-14);
}

TEST(CrostonTest, SingleDemandAndNoZeros) {
  // R: croston(c(0, 0, 0, 7, 0, 0))$mean = 1.75 (size 7 over interval 4).
  const std::vector<double> single = {0, 0, 0, 7, 0, 0};
  auto r = ForecastCroston(single, Options(2));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_DOUBLE_EQ(r->mean[0], 1.75);
  // R: croston(c(4, 6, 5, 3, 7))$mean = 4.4368: SES of the values (interval always 1).
  const std::vector<double> dense = {4, 6, 5, 3, 7};
  r = ForecastCroston(dense, Options(2));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->mean[0], 4.4368, 1e-12);
  EXPECT_DOUBLE_EQ(Param(*r, "interval"), 1);
}

TEST(TsbTest, HandWorkedRecursion) {
  // size0 3, probability0 0.4, alpha_d 0.5, alpha_p 0.2 on 0, 2, 0, 0, 4:
  //   p: 0.32, 0.456, 0.3648, 0.29184, 0.433472;  z: 3, 2.5, 2.5, 2.5, 3.25.
  const std::vector<double> y = {0, 2, 0, 0, 4};
  TsbParameters p;
  p.alpha_d = 0.5;
  p.alpha_p = 0.2;
  p.size0 = 3;
  p.probability0 = 0.4;
  const std::vector<double> f = TsbForecasts(y, p);
  const std::vector<double> expected = {0.96, 1.14, 0.912, 0.7296, 1.408784};
  ASSERT_EQ(f.size(), expected.size());
  for (std::size_t t = 0; t < f.size(); ++t) EXPECT_NEAR(f[t], expected[t], 1e-12) << t;
}

TEST(TsbTest, FitsByInSampleMse) {
  const TsbParameters p = FitTsb(kSparse);
  EXPECT_DOUBLE_EQ(p.size0, 21.0 / 6);
  EXPECT_DOUBLE_EQ(p.probability0, 6.0 / 24);
  EXPECT_GE(p.alpha_d, 0.01);
  EXPECT_LE(p.alpha_d, 1);
  EXPECT_GE(p.alpha_p, 0.01);
  EXPECT_LE(p.alpha_p, 1);
  auto mse = [&](double alpha_d, double alpha_p) {
    TsbParameters q = p;
    q.alpha_d = alpha_d;
    q.alpha_p = alpha_p;
    const std::vector<double> f = TsbForecasts(kSparse, q);
    double sse = 0, previous = q.size0 * q.probability0;
    for (std::size_t t = 0; t < kSparse.size(); ++t) {
      sse += (kSparse[t] - previous) * (kSparse[t] - previous);
      previous = f[t];
    }
    return sse / kSparse.size();
  };
  const double best = mse(p.alpha_d, p.alpha_p);
  for (int i = 1; i <= 100; ++i) {
    for (int j = 1; j <= 100; ++j) ASSERT_GE(mse(i / 100.0, j / 100.0), best - 1e-12) << i << j;
  }
  const auto r = ForecastTsb(kSparse, Options(3));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->model_name, "TSB");
  EXPECT_EQ(r->model, ModelKind::kTsb);
  EXPECT_EQ(Param(*r, "alpha_d"), p.alpha_d);
  EXPECT_NEAR(r->mean[0], Param(*r, "demand") * Param(*r, "probability"), 1e-12);
  EXPECT_NEAR(r->mean[0], TsbForecasts(kSparse, p).back(), 1e-15);
}

TEST(TsbTest, ProbabilityDecaysThroughZeros) {
  // After a long run of zeros TSB's forecast falls; Croston's does not move.
  std::vector<double> y = {5, 0, 4, 0, 6, 0, 5, 0, 4, 6, 0, 5};
  const std::vector<double> zeros(24, 0.0);
  y.insert(y.end(), zeros.begin(), zeros.end());
  TsbParameters p = FitTsb(y);
  p.alpha_p = 0.2;
  const std::vector<double> f = TsbForecasts(y, p);
  EXPECT_LT(f.back(), 0.1 * f[11]);
  const std::vector<double> c = CrostonForecasts(y, 0.1, false);
  EXPECT_EQ(c.back(), c[11]);
}

TEST(IntermittentTest, AllZeroSeriesForecastsZeroWithZeroWidth) {
  const std::vector<double> y(30, 0.0);
  const ForecastOptions options = Options(6);
  for (Method method : kMethods) {
    const auto r = method(y, options);
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectWellFormed(*r, options, true);
    for (int k = 0; k < 6; ++k) {
      EXPECT_EQ(r->mean[k], 0);
      for (const Interval& interval : r->intervals) {
        EXPECT_EQ(interval.lower[k], 0);
        EXPECT_EQ(interval.upper[k], 0);
      }
    }
  }
}

TEST(IntermittentTest, SingleValueAndSingleDemandAtTheEnd) {
  for (Method method : kMethods) {
    const std::vector<double> one = {5};
    auto r = method(one, Options(3));
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectWellFormed(*r, Options(3), true);
    const std::vector<double> last = {0, 0, 0, 0, 8};
    r = method(last, Options(3));
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectWellFormed(*r, Options(3), true);
    EXPECT_GT(r->mean[0], 0);
    // No in-sample error exists: the spread of the data around the forecast.
    EXPECT_GT(r->intervals[1].upper[0], r->mean[0]);
  }
}

TEST(IntermittentTest, EmpiricalIntervalsFromInSampleErrors) {
  // Croston on kSparse (non-negative): the one-step ratios y[t + 1] / f[t] from the first demand
  // on; the 80% interval is the forecast times their 10% and 90% quantiles (R's type 7).
  const auto r = ForecastCroston(kSparse, Options(1));
  ASSERT_TRUE(r.ok()) << r.status();
  const std::vector<double> f = CrostonForecasts(kSparse, 0.1, false);
  std::vector<double> ratios;
  for (std::size_t t = 2; t + 1 < kSparse.size(); ++t) ratios.push_back(kSparse[t + 1] / f[t]);
  std::sort(ratios.begin(), ratios.end());
  ASSERT_EQ(ratios.size(), 21u);
  EXPECT_NEAR(r->intervals[0].upper[0], r->mean[0] * ratios[18], 1e-12);  // 0.9 * 20 = 18
  EXPECT_EQ(r->intervals[0].lower[0], 0);  // most periods have no demand: ratio 0
  const double q975 = ratios[19] + 0.5 * (ratios[20] - ratios[19]);  // 0.975 * 20 = 19.5
  EXPECT_NEAR(r->intervals[1].upper[0], r->mean[0] * q975, 1e-12);
  // SBA scales forecasts and in-sample forecasts alike: the same intervals as Croston's.
  const auto sba = ForecastSba(kSparse, Options(1));
  ASSERT_TRUE(sba.ok());
  EXPECT_NEAR(sba->intervals[1].upper[0], r->intervals[1].upper[0], 1e-12);
}

TEST(IntermittentTest, DataWithNegativeValuesUsesDifferences) {
  // y - f quantiles added to the forecast when the data has negative values.
  const std::vector<double> y = {0, -3, 0, 0, 2, 0, -4, 0, 0, 5, 0, -2, 0, 0, 3, 0, -1, 0};
  const auto r = ForecastCroston(y, Options(1));
  ASSERT_TRUE(r.ok()) << r.status();
  const std::vector<double> f = CrostonForecasts(y, 0.1, false);
  std::vector<double> errors;
  for (std::size_t t = 1; t + 1 < y.size(); ++t) errors.push_back(y[t + 1] - f[t]);
  std::sort(errors.begin(), errors.end());
  ASSERT_EQ(errors.size(), 16u);
  const double q10 = errors[1] + 0.5 * (errors[2] - errors[1]);  // 0.1 * 15 = 1.5
  EXPECT_NEAR(r->intervals[0].lower[0], r->mean[0] + q10, 1e-12);
}

TEST(IntermittentTest, IntervalsCoverSimulatedDemand) {
  // Stationary intermittent demand: the 80% and 95% intervals hold about that share of future
  // periods (loosely: the empirical quantiles of discrete data are coarse).
  std::mt19937_64 rng(99);
  std::bernoulli_distribution occurs(0.3);
  std::poisson_distribution<int> size(4);
  for (Method method : kMethods) {
    int inside80 = 0, inside95 = 0, total = 0;
    for (int series = 0; series < 200; ++series) {
      std::vector<double> y(72);
      for (double& v : y) v = occurs(rng) ? 1 + size(rng) : 0;
      const std::vector<double> train(y.begin(), y.begin() + 60);
      const auto r = method(train, Options(12));
      ASSERT_TRUE(r.ok()) << r.status();
      for (int k = 0; k < 12; ++k) {
        const double v = y[60 + k];
        inside80 += v >= r->intervals[0].lower[k] && v <= r->intervals[0].upper[k];
        inside95 += v >= r->intervals[1].lower[k] && v <= r->intervals[1].upper[k];
        ++total;
      }
    }
    // Measured: 88% and 95% (the 80% intervals over-cover: with demand in 30% of periods, an
    // interval from 0 holds every zero).
    EXPECT_GT(inside80, 0.78 * total);
    EXPECT_GT(inside95, 0.92 * total);
    EXPECT_LT(inside95, 0.99 * total);
  }
}

TEST(IntermittentTest, NegativeDataIsNotClipped) {
  // Returns (negative demand) are demands too; the bounds are not clipped at 0.
  const std::vector<double> y = {0, -3, 0, 0, 2, 0, -4, 0, 0, 5, 0, -2, 0, 0, 3, 0, -1, 0};
  for (Method method : kMethods) {
    const auto r = method(y, Options(2));
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectWellFormed(*r, Options(2), false);
    EXPECT_LT(r->intervals[1].lower[0], 0);
  }
}

TEST(IntermittentTest, RejectsInvalidInput) {
  for (Method method : kMethods) {
    const auto empty = method(std::vector<double>{}, Options(3));
    EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(empty.status().message().find("y"), std::string::npos);
    const std::vector<double> with_inf = {0, INFINITY, 1};
    EXPECT_EQ(method(with_inf, Options(3)).status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(method(kSparse, Options(0)).status().code(), absl::StatusCode::kInvalidArgument);
    ForecastOptions bad = Options(3);
    bad.levels = {0};
    EXPECT_EQ(method(kSparse, bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(IntermittentTest, DeterministicAndRobust) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> length(1, 80);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = length(rng);
    const double p = unit(rng);
    const double scale = std::pow(10.0, 12 * unit(rng) - 6);
    std::vector<double> y(n);
    for (double& v : y) v = unit(rng) < p ? std::ceil(scale * 10 * unit(rng)) : 0;
    ForecastOptions options = Options(1 + trial % 70);
    options.levels = {50, 80, 95, 99};
    for (Method method : kMethods) {
      const auto a = method(y, options);
      const auto b = method(y, options);
      ASSERT_TRUE(a.ok() && b.ok()) << a.status();
      ExpectWellFormed(*a, options, true);
      EXPECT_EQ(a->mean, b->mean);
      for (std::size_t i = 0; i < a->intervals.size(); ++i) {
        EXPECT_EQ(a->intervals[i].lower, b->intervals[i].lower);
        EXPECT_EQ(a->intervals[i].upper, b->intervals[i].upper);
      }
      // Wider levels give wider intervals.
      for (int k = 0; k < options.horizon; ++k) {
        EXPECT_LE(a->intervals[3].lower[k], a->intervals[1].lower[k]);
        EXPECT_GE(a->intervals[3].upper[k], a->intervals[1].upper[k]);
      }
    }
  }
}

TEST(IntermittentTest, LongHorizonIsCheap) {
  std::vector<double> y(200, 0.0);
  for (std::size_t t = 0; t < y.size(); t += 7) y[t] = 3;
  const ForecastOptions options = Options(kMaxHorizon);
  for (Method method : kMethods) {
    const auto r = method(y, options);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->mean.size(), static_cast<std::size_t>(kMaxHorizon));
    EXPECT_EQ(r->intervals[1].upper.back(), r->intervals[1].upper[51]);
  }
}

}  // namespace
}  // namespace salesops::forecast
