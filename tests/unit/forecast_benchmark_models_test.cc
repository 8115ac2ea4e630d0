// Naive, seasonal naive and drift: closed forms by hand, and R's forecast package.
#include "services/forecasting/engine/benchmark_models.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {
namespace {

// R: y <- ts(c(12, 15, 11, 18, 20, 17, 23, 25, 21, 28), frequency = 4)
const std::vector<double> kY = {12, 15, 11, 18, 20, 17, 23, 25, 21, 28};
constexpr double kZ80 = 1.2815515655446004;
constexpr double kZ95 = 1.959963984540054;

void ExpectAllNear(const std::vector<double>& actual, const std::vector<double>& expected,
                   double tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], tolerance * std::max(1.0, std::fabs(expected[i])))
        << "at " << i;
  }
}

TEST(NaiveTest, ClosedForm) {
  const auto f = NaiveForecast(kY, 6);
  ASSERT_TRUE(f.ok());
  // Differences 3,-4,7,2,-3,6,2,-4,7: sum of squares 192 over 9.
  const double sigma = std::sqrt(192.0 / 9);
  EXPECT_NEAR(f->sigma, sigma, 1e-12);
  for (int h = 1; h <= 6; ++h) {
    EXPECT_EQ(f->mean[h - 1], 28);
    EXPECT_NEAR(f->sd[h - 1], sigma * std::sqrt(h), 1e-12);
  }
}

TEST(NaiveTest, MatchesR) {
  // R: naive(y, h = 6, level = c(80, 95))
  ForecastOptions options;
  options.horizon = 6;
  options.model = ModelKind::kNaive;
  const auto r = ForecastSeries(kY, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->model_name, "NAIVE");
  ExpectAllNear(r->intervals[0].lower,
                {22.080766869219509, 19.628940227602072, 17.747587475643193, 16.161533738439015,
                 14.764192344905915, 13.500899161010823},
                1e-12);
  ExpectAllNear(r->intervals[1].upper,
                {37.052685872609374, 40.802431136947490, 43.679711876320425, 46.105371745218747,
                 48.242420990106552, 50.174461189594837},
                1e-12);
}

TEST(NaiveTest, SingleObservationHasZeroWidthIntervals) {
  const std::vector<double> y = {42};
  const auto f = NaiveForecast(y, 3);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->sigma, 0);
  for (int h = 0; h < 3; ++h) {
    EXPECT_EQ(f->mean[h], 42);
    EXPECT_EQ(f->sd[h], 0);
  }
}

TEST(SeasonalNaiveTest, ClosedForm) {
  const auto f = SeasonalNaiveForecast(kY, 4, 9);
  ASSERT_TRUE(f.ok());
  // Lag-4 differences y[4..9] - y[0..5]: 20-12, 17-15, 23-11, 25-18, 21-20, 28-17
  // = 8, 2, 12, 7, 1, 11.
  const double sigma = std::sqrt((64 + 4 + 144 + 49 + 1 + 121) / 6.0);
  EXPECT_NEAR(f->sigma, sigma, 1e-12);
  const std::vector<double> mean = {23, 25, 21, 28, 23, 25, 21, 28, 23};
  for (int h = 1; h <= 9; ++h) {
    EXPECT_EQ(f->mean[h - 1], mean[h - 1]) << h;
    // var = (floor((h-1)/m) + 1) sigma^2
    EXPECT_NEAR(f->sd[h - 1], sigma * std::sqrt((h - 1) / 4 + 1), 1e-12) << h;
  }
}

TEST(SeasonalNaiveTest, MatchesR) {
  // R: snaive(y, h = 6, level = c(80, 95))
  ForecastOptions options;
  options.horizon = 6;
  options.season_length = 4;
  options.model = ModelKind::kSeasonalNaive;
  const auto r = ForecastSeries(kY, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->model_name, "SNAIVE");
  EXPECT_EQ(r->season_length, 4);
  ExpectAllNear(r->mean, {23, 25, 21, 28, 23, 25}, 0);
  ExpectAllNear(r->intervals[0].lower,
                {12.7609456735303599, 14.7609456735303599, 10.7609456735303599,
                 17.7609456735303581, 8.5197905056317182, 10.5197905056317182},
                1e-12);
  ExpectAllNear(r->intervals[1].upper,
                {38.659282275623028, 40.659282275623028, 36.659282275623028, 43.659282275623028,
                 45.145569371214705, 47.145569371214705},
                1e-12);
}

TEST(SeasonalNaiveTest, NeedsMoreThanOneSeason) {
  EXPECT_FALSE(SeasonalNaiveForecast(std::vector<double>{1, 2, 3, 4}, 4, 2).ok());
  EXPECT_TRUE(SeasonalNaiveForecast(std::vector<double>{1, 2, 3, 4, 5}, 4, 2).ok());
}

TEST(DriftTest, ClosedForm) {
  const auto f = DriftForecast(kY, 6);
  ASSERT_TRUE(f.ok());
  const double drift = (28.0 - 12.0) / 9;
  EXPECT_NEAR(f->drift, drift, 1e-12);
  // sigma^2 = sum((d - mean d)^2) / (T - 2) = (sum d^2 - 9 drift^2) / 8
  const double sigma2 = (192.0 - 9 * drift * drift) / 8;
  EXPECT_NEAR(f->sigma, std::sqrt(sigma2), 1e-12);
  for (int h = 1; h <= 6; ++h) {
    EXPECT_NEAR(f->mean[h - 1], 28 + h * drift, 1e-12);
    // R's rwf: sigma^2 h (1 + h / (T - 1))
    EXPECT_NEAR(f->sd[h - 1], std::sqrt(sigma2 * h * (1 + h / 9.0)), 1e-12);
  }
}

TEST(DriftTest, MatchesR) {
  // R: rwf(y, h = 6, drift = TRUE, level = c(80, 95))
  ForecastOptions options;
  options.horizon = 6;
  options.model = ModelKind::kDrift;
  const auto r = ForecastSeries(kY, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->model_name, "DRIFT");
  ExpectAllNear(r->mean,
                {29.777777777777779, 31.555555555555557, 33.333333333333336, 35.111111111111114,
                 36.888888888888886, 38.666666666666671},
                1e-13);
  ExpectAllNear(r->intervals[0].lower,
                {23.669729127066766, 22.495855323053611, 21.744125856114305, 21.182617177409821,
                 20.728511163223917, 20.342520714533631},
                1e-12);
  ExpectAllNear(r->intervals[1].upper,
                {39.119232068869607, 45.411171391729255, 51.057496664255567, 56.412904345890695,
                 61.604053826795024, 66.691029539942150},
                1e-12);
  ASSERT_EQ(r->parameters.size(), 2u);
  EXPECT_EQ(r->parameters[0].first, "drift");
  EXPECT_EQ(r->parameters[1].first, "sigma");
}

TEST(DriftTest, NeedsThreeObservations) {
  EXPECT_FALSE(DriftForecast(std::vector<double>{1, 2}, 2).ok());
  EXPECT_TRUE(DriftForecast(std::vector<double>{1, 2, 4}, 2).ok());
}

TEST(BenchmarkTest, IntervalWidthsByHand) {
  // Naive on a series whose differences are all +-1: sigma = 1, so the 95% half-width at step h
  // is 1.96 sqrt(h).
  const std::vector<double> y = {0, 1, 0, 1, 0, 1, 0};
  ForecastOptions options;
  options.horizon = 4;
  options.levels = {95, 80};
  options.model = ModelKind::kNaive;
  const auto r = ForecastSeries(y, options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->intervals.size(), 2u);
  EXPECT_EQ(r->intervals[0].level, 95);
  EXPECT_EQ(r->intervals[1].level, 80);
  for (int h = 1; h <= 4; ++h) {
    EXPECT_NEAR(r->intervals[0].upper[h - 1] - r->mean[h - 1], kZ95 * std::sqrt(h), 1e-12);
    EXPECT_NEAR(r->mean[h - 1] - r->intervals[1].lower[h - 1], kZ80 * std::sqrt(h), 1e-12);
  }
}

}  // namespace
}  // namespace salesops::forecast
