// Theta (R's forecast::thetaf) and the optimised Theta models (Fiorucci et al. 2016).
#include "services/forecasting/engine/theta.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "services/forecasting/engine/ets_fit.h"
#include "services/forecasting/engine/forecaster.h"
#include "tests/support/series_data.h"

namespace salesops::forecast {
namespace {

using series_data::kAirPassengers;
using series_data::kQuarterly;

double Param(const ForecastResult& r, const std::string& name) {
  for (const auto& [key, value] : r.parameters) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no parameter " << name;
  return NAN;
}

void ExpectAllNear(const std::vector<double>& actual, const std::vector<double>& expected,
                   double tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], tolerance * std::max(1.0, std::fabs(expected[i])))
        << "at " << i;
  }
}

void ExpectWellFormed(const ForecastResult& r, const ForecastOptions& options) {
  ASSERT_EQ(static_cast<int>(r.mean.size()), options.horizon);
  ASSERT_EQ(r.intervals.size(), options.levels.size());
  for (double v : r.mean) ASSERT_TRUE(std::isfinite(v));
  for (std::size_t i = 0; i < r.intervals.size(); ++i) {
    const Interval& interval = r.intervals[i];
    EXPECT_EQ(interval.level, options.levels[i]);
    ASSERT_EQ(static_cast<int>(interval.lower.size()), options.horizon);
    ASSERT_EQ(static_cast<int>(interval.upper.size()), options.horizon);
    for (int k = 0; k < options.horizon; ++k) {
      ASSERT_TRUE(std::isfinite(interval.lower[k]) && std::isfinite(interval.upper[k]));
      EXPECT_LE(interval.lower[k], r.mean[k]);
      EXPECT_GE(interval.upper[k], r.mean[k]);
    }
  }
  for (const auto& [name, value] : r.parameters) EXPECT_TRUE(std::isfinite(value)) << name;
}

ForecastOptions Options(int horizon, int season_length = 1) {
  ForecastOptions options;
  options.horizon = horizon;
  options.season_length = season_length;
  return options;
}

// ---- ForecastTheta: R's thetaf ------------------------------------------------------------------

TEST(ThetaTest, MatchesRNonSeasonal) {
  // R: f <- thetaf(ts(c(12, 15, 11, 18, 20, 17, 23, 25, 21, 28, 30, 27)), h = 6)
  //    f$mean; f$lower; f$upper; f$model$alpha; f$model$drift; f$model$sigma (R's sigma2)
  const std::vector<double> y = {12, 15, 11, 18, 20, 17, 23, 25, 21, 28, 30, 27};
  const auto r = ForecastTheta(y, Options(6));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->model_name, "THETA");
  EXPECT_EQ(r->model, ModelKind::kTheta);
  EXPECT_EQ(r->season_length, 1);
  // The likelihood is flat at its optimum: R's Nelder-Mead and ours stop 1e-4 apart in alpha
  // (R: alpha 0.675788, l0 12.80900) at the same likelihood up to the optimisers' tolerance
  // (1e-4 in -2 log L), hence the tolerances.
  EXPECT_NEAR(Param(*r, "alpha"), 0.67578816645105966, 2e-4);
  EXPECT_NEAR(Param(*r, "l0"), 12.80900033207065, 0.05);
  ets::EtsParams r_params;
  r_params.alpha = 0.67578816645105966;
  const std::vector<double> r_state = {12.80900033207065};
  ets::EtsParams our_params;
  our_params.alpha = Param(*r, "alpha");
  const std::vector<double> our_state = {Param(*r, "l0")};
  EXPECT_NEAR(ets::EvaluateEts(y, ets::EtsSpec{}, our_params, our_state).lik,
              ets::EvaluateEts(y, ets::EtsSpec{}, r_params, r_state).lik, 1e-4);
  EXPECT_NEAR(Param(*r, "drift"), 0.79545454545454530, 1e-12);
  EXPECT_NEAR(Param(*r, "sigma"), std::sqrt(17.96835921510704637), 1e-4);
  EXPECT_EQ(Param(*r, "theta"), 2);
  ExpectAllNear(r->mean,
                {28.731642183590942, 29.527096729045486, 30.322551274500032, 31.118005819954579,
                 31.913460365409122, 32.708914910863669},
                1e-5);
  ExpectAllNear(r->intervals[0].lower,
                {23.299260251407485, 22.970570351616008, 22.808211461932078, 22.754838507293723,
                 22.780014565472811, 22.865282610681511},
                1e-4);
  ExpectAllNear(r->intervals[1].upper,
                {37.039753400966013, 39.554438514537935, 41.814742299970000, 43.908366481355095,
                 45.881860314276253, 47.763451383778424},
                1e-4);
}

TEST(ThetaTest, MatchesRSeasonal) {
  // R: f <- thetaf(yq, h = 6); the ACF test finds seasonality, multiplicative decomposition.
  const auto r = ForecastTheta(kQuarterly, Options(6, 4));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->season_length, 4);
  // R's alpha is 0.99990 (the upper bound); drift 1.0988346493053476; sigma2 6.9602945232675726.
  EXPECT_NEAR(Param(*r, "alpha"), 0.9999, 1e-6);
  EXPECT_NEAR(Param(*r, "drift"), 1.09883464930534758, 1e-12);
  EXPECT_NEAR(Param(*r, "sigma"), std::sqrt(6.96029452326757259), 1e-5);
  ExpectAllNear(r->mean,
                {168.09712657705245, 139.86142265646535, 119.21423401130727, 188.32338635607073,
                 172.95151850989143, 143.87145901784939},
                1e-6);
  // thetaf does not rescale the spread by the seasonal indices.
  ExpectAllNear(r->intervals[0].lower,
                {164.71608980604239, 135.08015373756575, 113.35849705489019, 181.56182010773284,
                 165.39189544001715, 135.59033446942672},
                1e-6);
  ExpectAllNear(r->intervals[1].upper,
                {173.26797610020000, 147.17374245177666, 128.16981086524402, 198.66430956362981,
                 184.51296430107604, 156.53634609908175},
                1e-6);
}

TEST(ThetaTest, MatchesRShortSeries) {
  // R: f <- thetaf(ts(c(3, 5, 4, 6, 8)), h = 3): ets falls back to HoltWinters SES (n <= 6),
  // alpha 1, drift 0.55, sigma2 2.6 (SSE / n).
  const std::vector<double> y = {3, 5, 4, 6, 8};
  const auto r = ForecastTheta(y, Options(3));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(Param(*r, "alpha"), 1, 1e-9);
  EXPECT_NEAR(Param(*r, "drift"), 0.55, 1e-12);
  EXPECT_NEAR(Param(*r, "sigma"), std::sqrt(2.6), 1e-9);
  ExpectAllNear(r->mean, {8.55, 9.10, 9.65}, 1e-9);
  ExpectAllNear(r->intervals[0].lower,
                {6.4835601921687811, 6.1776127979374369, 6.0708212620534621}, 1e-9);
  ExpectAllNear(r->intervals[1].lower,
                {5.3896530358511718, 4.6305944614960879, 4.1761184885481715}, 1e-9);
}

TEST(ThetaTest, MatchesRTwoObservations) {
  // R: thetaf(ts(c(3, 5)), h = 3): the SSE does not depend on alpha, R keeps its start 0.2;
  // drift 1, sigma2 2.
  const std::vector<double> y = {3, 5};
  const auto r = ForecastTheta(y, Options(3));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(Param(*r, "alpha"), 0.2, 1e-12);
  EXPECT_NEAR(Param(*r, "sigma"), std::sqrt(2.0), 1e-12);
  ExpectAllNear(r->mean, {5.2, 6.2, 7.2}, 1e-12);
}

TEST(ThetaTest, SingleObservationIsCarriedForward) {
  const std::vector<double> y = {42};
  ForecastOptions options = Options(4, 12);
  const auto r = ForecastTheta(y, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectWellFormed(*r, options);
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(r->mean[k], 42);
    EXPECT_EQ(r->intervals[1].lower[k], 42);
    EXPECT_EQ(r->intervals[1].upper[k], 42);
  }
}

TEST(ThetaTest, ConstantSeriesHasZeroWidthIntervals) {
  // R: thetaf(ts(rep(5, 20)), h = 3) forecasts 5 with zero-width intervals.
  for (int m : {1, 4, 12}) {
    const std::vector<double> y(20, 5.0);
    const ForecastOptions options = Options(3, m);
    for (auto forecast : {ForecastTheta, ForecastOptimizedTheta}) {
      const auto r = forecast(y, options);
      ASSERT_TRUE(r.ok()) << r.status();
      ExpectWellFormed(*r, options);
      for (int k = 0; k < 3; ++k) {
        EXPECT_DOUBLE_EQ(r->mean[k], 5);
        EXPECT_DOUBLE_EQ(r->intervals[0].lower[k], 5);
        EXPECT_DOUBLE_EQ(r->intervals[1].upper[k], 5);
      }
    }
  }
}

TEST(ThetaTest, NonPositiveSeasonalDataUsesAdditiveDecomposition) {
  // Shifted below zero the quarterly series keeps its seasonal pattern; a multiplicative
  // decomposition would divide by trends of either sign, so the additive one is used.
  std::vector<double> y = kQuarterly;
  for (double& v : y) v -= 130;
  const ForecastOptions options = Options(8, 4);
  for (auto forecast : {ForecastTheta, ForecastOptimizedTheta}) {
    const auto r = forecast(y, options);
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectWellFormed(*r, options);
    EXPECT_EQ(r->season_length, 4);
    // The seasonal shape survives: Q4 above Q3 by about the additive figures' gap (54).
    EXPECT_GT(r->mean[3] - r->mean[2], 40);
  }
}

TEST(ThetaTest, RejectsInvalidInput) {
  for (auto forecast : {ForecastTheta, ForecastOptimizedTheta}) {
    const auto empty = forecast(std::vector<double>{}, Options(3));
    EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(empty.status().message().find("y"), std::string::npos);
    const std::vector<double> with_nan = {1, NAN, 3};
    const auto nan = forecast(with_nan, Options(3));
    EXPECT_EQ(nan.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(nan.status().message().find("y[1]"), std::string::npos);
    EXPECT_EQ(forecast(kQuarterly, Options(0)).status().code(),
              absl::StatusCode::kInvalidArgument);
    ForecastOptions bad_level = Options(3);
    bad_level.levels = {80, 100};
    EXPECT_EQ(forecast(kQuarterly, bad_level).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

// ---- The optimised Theta models -----------------------------------------------------------------

TEST(OptimizedThetaTest, RecursionsMatchStatsforecastAndForecTheta) {
  // statsforecast's tests, recorded from R's forecTheta: the models at alpha 0.5, theta 2 and
  // initial level y_1 / 2, forecasts of AirPassengers for h = 1..5.
  std::vector<double> mean(5), sd(5);
  const ThetaModelFit stm =
      EvaluateThetaModel(kAirPassengers, ThetaDynamics::kStatic, 0.5, 2, 56);
  ForecastThetaModel(stm, 5, mean, sd);
  ExpectAllNear(mean, {441.9132, 443.2418, 444.5704, 445.8990, 447.2276}, 1e-6);
  const ThetaModelFit dstm =
      EvaluateThetaModel(kAirPassengers, ThetaDynamics::kDynamic, 0.5, 2, 56);
  ForecastThetaModel(dstm, 5, mean, sd);
  ExpectAllNear(mean, {441.9132, 443.2330, 444.5484, 445.8594, 447.1659}, 1e-6);
}

TEST(OptimizedThetaTest, FitIsTheOptimum) {
  for (ThetaDynamics dynamics : {ThetaDynamics::kStatic, ThetaDynamics::kDynamic}) {
    const auto fit = FitThetaModel(kAirPassengers, dynamics);
    ASSERT_TRUE(fit.ok()) << fit.status();
    EXPECT_GE(fit->alpha, 0.1);
    EXPECT_LE(fit->alpha, 0.99);
    EXPECT_GE(fit->theta, 1);
    const ThetaModelFit again =
        EvaluateThetaModel(kAirPassengers, dynamics, fit->alpha, fit->theta, fit->l0);
    EXPECT_DOUBLE_EQ(again.mse, fit->mse);
    // No point nearby or far away within the bounds does better.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> alpha(0.1, 0.99), theta(1, 6), level(104, 622);
    for (int i = 0; i < 2000; ++i) {
      const ThetaModelFit other =
          EvaluateThetaModel(kAirPassengers, dynamics, alpha(rng), theta(rng), level(rng));
      ASSERT_GE(other.mse, fit->mse * (1 - 1e-9));
    }
    for (double da : {-0.005, 0.005}) {
      for (double dt : {-0.01, 0.01}) {
        const double a = std::clamp(fit->alpha + da, 0.1, 0.99);
        const ThetaModelFit near =
            EvaluateThetaModel(kAirPassengers, dynamics, a, std::max(1.0, fit->theta + dt),
                               fit->l0);
        EXPECT_GE(near.mse, fit->mse * (1 - 1e-9));
      }
    }
  }
}

TEST(OptimizedThetaTest, CloseToStatsforecast) {
  // statsforecast's own tests (decimal = 0, i.e. within 1.5): its Nelder-Mead and our exact
  // profile search land on nearby optima.
  // auto_theta(ap, m = 1, model = "DOTM"), h = 5
  auto r = ForecastOptimizedTheta(kAirPassengers, Options(5, 1));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->model_name, "DOTM");
  EXPECT_EQ(r->model, ModelKind::kOptimizedTheta);
  const std::vector<double> dotm = {432.5131, 433.4257, 434.3344, 435.2391, 436.1399};
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(r->mean[k], dotm[k], 1.5) << k;
  // auto_theta(ap, m = 12, model = "DOTM"), h = 5
  r = ForecastOptimizedTheta(kAirPassengers, Options(5, 12));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->season_length, 12);
  const std::vector<double> seasonal = {442.9720, 432.3586, 495.5702, 482.6789, 487.9888};
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(r->mean[k], seasonal[k], 1.5) << k;
}

TEST(OptimizedThetaTest, StaticVarianceIsSesWithDrift) {
  const auto fit = FitThetaModel(kAirPassengers, ThetaDynamics::kStatic);
  ASSERT_TRUE(fit.ok());
  std::vector<double> mean(24), sd(24);
  ForecastThetaModel(*fit, 24, mean, sd);
  for (int k = 0; k < 24; ++k) {
    EXPECT_NEAR(sd[k], fit->sigma * std::sqrt(1 + k * fit->alpha * fit->alpha), 1e-9 * sd[k]);
  }
}

TEST(OptimizedThetaTest, DynamicVarianceMatchesSimulation) {
  // Simulate the dynamic model forward (y = mu + e, e ~ N(0, sigma^2), every state updated with
  // y) and compare the spread of the simulated paths with the propagated variance.
  // A 30-month series at parameters where the dynamic terms matter (theta 3).
  const std::vector<double> x(kAirPassengers.begin(), kAirPassengers.begin() + 30);
  const ThetaModelFit model = EvaluateThetaModel(x, ThetaDynamics::kDynamic, 0.3, 3, 112);
  const ThetaModelFit* fit = &model;
  constexpr int kH = 12, kPaths = 20000;
  std::vector<double> mean(kH), sd(kH);
  ForecastThetaModel(*fit, kH, mean, sd);
  std::vector<double> sum(kH, 0), sum2(kH, 0);
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, fit->sigma);
  const double alpha = fit->alpha, w = 1 - 1 / fit->theta;
  for (int path = 0; path < kPaths; ++path) {
    double level = fit->level, mean_y = fit->mean_y, a = fit->a, b = fit->b;
    for (int k = 0; k < kH; ++k) {
      const double i = fit->n + k;
      const double power = std::pow(1 - alpha, i);
      const double y = level + w * (a * power + b * (1 - power * (1 - alpha)) / alpha) + noise(rng);
      sum[k] += y;
      sum2[k] += y * y;
      level = alpha * y + (1 - alpha) * level;
      const double new_mean = (i * mean_y + y) / (i + 1);
      b = ((i - 1) * b + 6 * (y - mean_y) / (i + 1)) / (i + 2);
      mean_y = new_mean;
      a = mean_y - b * (i + 2) / 2;
    }
  }
  for (int k = 0; k < kH; ++k) {
    const double m = sum[k] / kPaths;
    const double s = std::sqrt(sum2[k] / kPaths - m * m);
    EXPECT_NEAR(m, mean[k], 0.05 * sd[k]) << k;
    EXPECT_NEAR(s, sd[k], 0.03 * sd[k]) << k;
  }
  // The dynamic model's future errors also move A and B: more spread than SES's.
  EXPECT_GT(sd[kH - 1], 1.01 * fit->sigma * std::sqrt(1 + (kH - 1) * alpha * alpha));
}

TEST(OptimizedThetaTest, ShortSeriesFallBackToTheta) {
  const std::vector<double> y = {3, 5, 4, 6, 8, 7, 9};
  const auto r = ForecastOptimizedTheta(y, Options(3));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->model_name, "THETA");
  const std::vector<double> eight = {3, 5, 4, 6, 8, 7, 9, 10};
  const auto r8 = ForecastOptimizedTheta(eight, Options(3));
  ASSERT_TRUE(r8.ok()) << r8.status();
  EXPECT_EQ(r8->model_name, "DOTM");
  EXPECT_EQ(FitThetaModel(std::vector<double>{1, 2, 3}, ThetaDynamics::kDynamic).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(OptimizedThetaTest, ParametersAreNamed) {
  const auto r = ForecastOptimizedTheta(kQuarterly, Options(8, 4));
  ASSERT_TRUE(r.ok()) << r.status();
  for (const char* name : {"alpha", "theta", "l0", "drift", "sigma"}) {
    EXPECT_TRUE(std::isfinite(Param(*r, name))) << name;
  }
  EXPECT_GE(Param(*r, "theta"), 1);
}

// ---- Both: determinism and robustness -----------------------------------------------------------

TEST(ThetaRobustnessTest, DeterministicBitForBit) {
  for (auto forecast : {ForecastTheta, ForecastOptimizedTheta}) {
    const auto a = forecast(kAirPassengers, Options(18, 12));
    const auto b = forecast(kAirPassengers, Options(18, 12));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->mean, b->mean);
    EXPECT_EQ(a->intervals[1].lower, b->intervals[1].lower);
    EXPECT_EQ(a->parameters, b->parameters);
  }
}

TEST(ThetaRobustnessTest, RandomSeriesNeverBreak) {
  std::mt19937_64 rng(2024);
  std::uniform_int_distribution<int> length(1, 60), kind(0, 6);
  std::normal_distribution<double> normal(0, 1);
  for (int trial = 0; trial < 400; ++trial) {
    const int n = length(rng);
    const int shape = kind(rng);
    std::vector<double> y(n);
    for (int t = 0; t < n; ++t) {
      switch (shape) {
        case 0: y[t] = 100 + 10 * normal(rng); break;                        // noise
        case 1: y[t] = t * 3.0 + normal(rng); break;                         // trend from 0
        case 2: y[t] = (t % 4 == 0 ? 50 : 10) + normal(rng); break;          // seasonal
        case 3: y[t] = normal(rng) > 1 ? std::round(5 * std::fabs(normal(rng))) : 0; break;
        case 4: y[t] = -1000 + normal(rng); break;                           // negative
        case 5: y[t] = 1e12 * (1 + 0.1 * normal(rng)); break;                // huge
        default: y[t] = 1e-12 * (1 + 0.1 * normal(rng)); break;              // tiny
      }
    }
    const int m = std::vector<int>{1, 2, 4, 7, 12, 24}[trial % 6];
    ForecastOptions options = Options(1 + trial % 20, m);
    for (auto forecast : {ForecastTheta, ForecastOptimizedTheta}) {
      const auto r = forecast(y, options);
      ASSERT_TRUE(r.ok()) << r.status() << " n=" << n << " shape=" << shape;
      ExpectWellFormed(*r, options);
    }
  }
}

TEST(ThetaRobustnessTest, ExtremeMagnitudesStayFinite) {
  std::vector<double> y(30);
  for (int t = 0; t < 30; ++t) y[t] = (t % 2 == 0 ? 1e300 : -1e300) * (1 + 0.01 * t);
  const ForecastOptions options = Options(6, 4);
  for (auto forecast : {ForecastTheta, ForecastOptimizedTheta}) {
    const auto r = forecast(y, options);
    ASSERT_TRUE(r.ok()) << r.status();
    for (double v : r->mean) EXPECT_TRUE(std::isfinite(v));
    for (const Interval& interval : r->intervals) {
      for (double v : interval.lower) EXPECT_TRUE(std::isfinite(v));
      for (double v : interval.upper) EXPECT_TRUE(std::isfinite(v));
    }
  }
}

}  // namespace
}  // namespace salesops::forecast
