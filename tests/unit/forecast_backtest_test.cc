#include "services/forecasting/engine/backtest.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::forecast {
namespace {

TEST(BacktestTest, OriginsRollForward) {
  BacktestOptions o;
  o.horizon = 2;
  o.windows = 3;
  o.step = 1;
  auto origins = BacktestOrigins(20, o);
  ASSERT_TRUE(origins.ok());
  EXPECT_EQ(*origins, (std::vector<int>{16, 17, 18}));
  o.step = 4;
  EXPECT_EQ(*BacktestOrigins(20, o), (std::vector<int>{10, 14, 18}));
  o.windows = 5;  // 20 - 2 - 16 = 2: the first origin keeps 2 observations
  EXPECT_EQ(BacktestOrigins(20, o)->front(), 2);
  o.windows = 6;
  auto too_many = BacktestOrigins(20, o);
  EXPECT_EQ(too_many.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(too_many.status().message()), ::testing::HasSubstr("windows:"));
}

// y_t = t + 1: the naive forecast from origin o is o; it misses by 1 at h = 1 and 2 at h = 2.
TEST(BacktestTest, NaiveOnALineByHand) {
  std::vector<double> y(20);
  for (int t = 0; t < 20; ++t) y[t] = t + 1;
  BacktestOptions o;
  o.horizon = 2;
  o.windows = 3;
  o.step = 1;
  o.models = {ModelKind::kNaive, ModelKind::kDrift};
  auto result = BacktestSeries(y, o);
  ASSERT_TRUE(result.ok()) << result.status();
  const AccuracySums& naive = result->models[0];
  EXPECT_EQ(naive.points, 6);
  EXPECT_EQ(naive.origins_skipped, 0);
  double smape = 0;
  for (int origin : {16, 17, 18}) smape += 200.0 * 1 / (2 * origin + 1) + 200.0 * 2 / (2 * origin + 2);
  EXPECT_NEAR(naive.Smape(), smape / 6, 1e-12);
  EXPECT_NEAR(naive.Mase(), 1.5, 1e-12);  // scale: the mean absolute difference is 1
  EXPECT_NEAR(naive.Bias(), -1.5, 1e-12);
  // Naive's sigma is 1 (every step is +1): sd sqrt(h). 80%: z*sd = 1.28 (h=1, error 1: in),
  // 1.81 (h=2, error 2: out); 95%: 1.96 and 2.77: both in.
  EXPECT_NEAR(naive.Coverage(0), 0.5, 1e-12);
  EXPECT_NEAR(naive.Coverage(1), 1.0, 1e-12);
  // Drift is exact on a line: best model.
  EXPECT_NEAR(result->models[1].Mase(), 0, 1e-9);
  EXPECT_EQ(result->best, 1);
}

TEST(BacktestTest, ModelsThatCannotFitSkipOrigins) {
  std::vector<double> y = {3, 4, 5, 6, 5, 4, 5, 6, 7};
  BacktestOptions o;
  o.horizon = 1;
  o.windows = 3;
  o.step = 1;
  o.models = {ModelKind::kHoltWintersAdditive, ModelKind::kNaive};
  o.season_length = 4;
  auto result = BacktestSeries(y, o);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->models[0].origins_skipped, 3);  // needs season_length + 9 observations
  EXPECT_EQ(result->models[0].points, 0);
  EXPECT_EQ(result->best, 1);
}

TEST(BacktestTest, PoolingAddsSums) {
  AccuracySums a, b;
  a.covered = {1, 2};
  a.points = 2;
  a.smape_sum = 10;
  b.covered = {0, 1};
  b.points = 2;
  b.smape_sum = 30;
  a.Add(b);
  EXPECT_EQ(a.points, 4);
  EXPECT_DOUBLE_EQ(a.Smape(), 10);
  EXPECT_DOUBLE_EQ(a.Coverage(1), 0.75);
}

}  // namespace
}  // namespace salesops::forecast
