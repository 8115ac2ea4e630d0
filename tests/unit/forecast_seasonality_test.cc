// Seasonality test, classical decomposition and seasonal adjustment, against R.
#include "services/forecasting/engine/seasonality.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/series_data.h"

namespace salesops::forecast {
namespace {

using series_data::kQuarterly;

void ExpectAllNear(const std::vector<double>& actual, const std::vector<double>& expected,
                   double tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], tolerance * std::max(1.0, std::fabs(expected[i])))
        << "at " << i;
  }
}

TEST(AutocorrelationsTest, MatchesR) {
  // R: acf(yq, lag.max = 4, plot = FALSE)$acf[-1]
  ExpectAllNear(Autocorrelations(kQuarterly, 4),
                {0.15606308228012833, -0.16521401963464807, 0.15909994999790630,
                 0.72604723186274622},
                1e-13);
}

TEST(AutocorrelationsTest, DegenerateInputs) {
  const std::vector<double> constant(10, 3.0);
  for (double r : Autocorrelations(constant, 4)) EXPECT_EQ(r, 0);
  const std::vector<double> two = {1, 2};
  const std::vector<double> r = Autocorrelations(two, 3);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_NEAR(r[0], -0.5, 1e-15);  // (1-1.5)(2-1.5) / 0.5
  EXPECT_EQ(r[1], 0);              // lags beyond the data
  EXPECT_TRUE(Autocorrelations(std::vector<double>{}, 2) == std::vector<double>(2, 0.0));
}

TEST(SeasonalityTestTest, ThetafCondition) {
  // r_4 = 0.726; stat = sqrt((1 + 2 (r1^2 + r2^2 + r3^2)) / 24) = 0.2286 -> 3.18 > 1.645.
  EXPECT_TRUE(PassesSeasonalityTest(kQuarterly, 4));
  EXPECT_FALSE(PassesSeasonalityTest(kQuarterly, 1));
  // thetaf tests only when n > 2m: 8 quarters are not enough, 9 are.
  const std::vector<double> eight(kQuarterly.begin(), kQuarterly.begin() + 8);
  EXPECT_FALSE(PassesSeasonalityTest(eight, 4));
  const std::vector<double> constant(30, 7.0);
  EXPECT_FALSE(PassesSeasonalityTest(constant, 4));
  // A straight line has no seasonal autocorrelation spike at lag 4 beyond lags 1-3.
  std::vector<double> line(24);
  for (int t = 0; t < 24; ++t) line[t] = t;
  EXPECT_FALSE(PassesSeasonalityTest(line, 4));
}

TEST(DecomposeTest, MultiplicativeMatchesR) {
  // R: d <- decompose(yq, "multiplicative"); d$figure; d$trend
  const auto d = Decompose(kQuarterly, 4, DecompositionType::kMultiplicative);
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAllNear(d->figure,
                {1.10444094930657255, 0.91233844052858470, 0.77211907262518853,
                 1.21110153753965433},
                1e-14);
  EXPECT_EQ(d->trend_offset, 2);
  ExpectAllNear(d->trend,
                {105.250, 107.000, 108.750, 111.125, 113.875, 116.250, 118.125, 120.125, 122.250,
                 124.375, 126.250, 128.500, 131.375, 133.750, 135.750, 137.875, 140.000, 141.875,
                 143.750, 146.250},
                1e-14);
  // R: seasadj(d)
  const std::vector<double> adjusted = SeasonallyAdjust(kQuarterly, *d);
  EXPECT_NEAR(adjusted[0], 101.40877162361612, 1e-11);
  EXPECT_NEAR(adjusted[5], 110.70453190757070, 1e-11);
  EXPECT_NEAR(adjusted[23], 151.10211186071436, 1e-11);
}

TEST(DecomposeTest, AdditiveMatchesR) {
  // R: decompose(yq, "additive")$figure
  const auto d = Decompose(kQuarterly, 4, DecompositionType::kAdditive);
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAllNear(d->figure, {13.1, -11.35, -27.925, 26.175}, 1e-12);
  double sum = 0;
  for (double f : d->figure) sum += f;
  EXPECT_NEAR(sum, 0, 1e-12);
}

TEST(DecomposeTest, OddPeriodMatchesR) {
  // R: y3 <- ts(c(10, 20, 30, 12, 22, 33, 13, 25, 36, 15, 27, 38), frequency = 3)
  //    d <- decompose(y3, "multiplicative"); d$figure; d$trend
  const std::vector<double> y = {10, 20, 30, 12, 22, 33, 13, 25, 36, 15, 27, 38};
  const auto d = Decompose(y, 3, DecompositionType::kMultiplicative);
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAllNear(d->figure, {0.56131073659616892, 0.99992969664574116, 1.43875956675808991},
                1e-14);
  EXPECT_EQ(d->trend_offset, 1);
  ExpectAllNear(d->trend,
                {19.999999999999996, 20.666666666666664, 21.333333333333332, 22.333333333333332,
                 22.666666666666664, 23.666666666666664, 24.666666666666664, 25.333333333333332,
                 26.000000000000000, 26.666666666666664},
                1e-14);
}

TEST(DecomposeTest, RejectsWhatRRejects) {
  const std::vector<double> seven(kQuarterly.begin(), kQuarterly.begin() + 7);
  const auto short_series = Decompose(seven, 4, DecompositionType::kAdditive);
  EXPECT_EQ(short_series.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(short_series.status().message().find("y:"), std::string::npos);
  EXPECT_EQ(Decompose(kQuarterly, 1, DecompositionType::kAdditive).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<double> with_zero = kQuarterly;
  with_zero[3] = 0;
  const auto zero = Decompose(with_zero, 4, DecompositionType::kMultiplicative);
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(zero.status().message().find("y[3]"), std::string::npos);
  EXPECT_TRUE(Decompose(with_zero, 4, DecompositionType::kAdditive).ok());
}

TEST(ReseasonaliseTest, InvertsAdjustmentAndContinuesTheCycle) {
  const auto d = Decompose(kQuarterly, 4, DecompositionType::kMultiplicative);
  ASSERT_TRUE(d.ok());
  std::vector<double> values = SeasonallyAdjust(kQuarterly, *d);
  Reseasonalise(values, 0, *d);
  ExpectAllNear(values, kQuarterly, 1e-14);
  // Forecasts after 24 observations start at season 24 mod 4 = 0: R's
  // rep(tail(d$seasonal, 4), ...) gives Q1, Q2, ... as well.
  std::vector<double> ones(6, 1.0);
  Reseasonalise(ones, 24, *d);
  ExpectAllNear(ones, {d->figure[0], d->figure[1], d->figure[2], d->figure[3], d->figure[0],
                       d->figure[1]},
                0);
  std::vector<double> sd(2, 2.0);
  ReseasonaliseSpread(sd, 25, *d);
  EXPECT_DOUBLE_EQ(sd[0], 2 * d->figure[1]);
  const auto a = Decompose(kQuarterly, 4, DecompositionType::kAdditive);
  std::vector<double> sd_additive(2, 2.0);
  ReseasonaliseSpread(sd_additive, 25, *a);
  EXPECT_EQ(sd_additive, std::vector<double>(2, 2.0));
}

TEST(AdjustForSeasonalityTest, ThetafRecipe) {
  const SeasonalAdjustment seasonal = AdjustForSeasonality(kQuarterly, 4);
  EXPECT_TRUE(seasonal.applied);
  EXPECT_EQ(seasonal.decomposition.type, DecompositionType::kMultiplicative);
  EXPECT_NEAR(seasonal.adjusted[0], 101.40877162361612, 1e-11);

  const SeasonalAdjustment plain = AdjustForSeasonality(kQuarterly, 1);
  EXPECT_FALSE(plain.applied);
  EXPECT_EQ(plain.adjusted, kQuarterly);

  // Data with a non-positive value: additive decomposition instead of multiplicative.
  std::vector<double> shifted = kQuarterly;
  for (double& v : shifted) v -= 100;
  const SeasonalAdjustment additive = AdjustForSeasonality(shifted, 4);
  EXPECT_TRUE(additive.applied);
  EXPECT_EQ(additive.decomposition.type, DecompositionType::kAdditive);
  ExpectAllNear(additive.decomposition.figure, {13.1, -11.35, -27.925, 26.175}, 1e-12);
}

TEST(IsConstantSeriesTest, RelativeTolerance) {
  EXPECT_TRUE(IsConstantSeries(std::vector<double>{}));
  EXPECT_TRUE(IsConstantSeries(std::vector<double>{0, 0, 0}));
  EXPECT_TRUE(IsConstantSeries(std::vector<double>{1e6, 1e6 + 1e-4}));
  EXPECT_FALSE(IsConstantSeries(std::vector<double>{1e-9, 2e-9}));
  EXPECT_FALSE(IsConstantSeries(std::vector<double>{5, 5, 5.001}));
}

}  // namespace
}  // namespace salesops::forecast
