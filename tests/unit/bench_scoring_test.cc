// The benchmark's scoring (bench/scoring.h, bench/model_run.h, bench/naive2.h) on examples worked
// by hand, so the M3 tables can be trusted.
#include "bench/scoring.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include "bench/m3_data.h"
#include "bench/model_run.h"
#include "bench/naive2.h"

namespace salesops::bench {
namespace {

TEST(BenchScoringTest, SmapeByHand) {
  // Steps: 200*|100-110|/210 = 9.5238..., 200*|200-180|/380 = 10.5263..., 200*0/100 = 0.
  const std::vector<double> actual = {100, 200, 50};
  const std::vector<double> forecast = {110, 180, 50};
  EXPECT_NEAR(SeriesSmape(actual, forecast), (2000.0 / 210 + 4000.0 / 380 + 0) / 3, 1e-12);
  // Both zero counts 0; one zero counts 200.
  EXPECT_DOUBLE_EQ(SeriesSmape(std::vector<double>{0, 0}, std::vector<double>{0, 5}), 100.0);
}

TEST(BenchScoringTest, MaseByHand) {
  // Period 2: lag-2 differences |3-1|, |4-2|, |9-3| -> scale (2+2+6)/3 = 10/3.
  const std::vector<double> train = {1, 2, 3, 4, 9};
  EXPECT_NEAR(MaseScale(train, 2), 10.0 / 3, 1e-12);
  // Too short for lag 12: lag 1, |1|+|1|+|1|+|5| / 4 = 2.
  EXPECT_NEAR(MaseScale(train, 12), 2.0, 1e-12);
  // MAE of (1, 3) = 2, over 10/3 -> 0.6.
  EXPECT_NEAR(SeriesMase(std::vector<double>{10, 12}, std::vector<double>{11, 9},
                         MaseScale(train, 2)),
              0.6, 1e-12);
  EXPECT_TRUE(std::isnan(SeriesMase(std::vector<double>{1}, std::vector<double>{2}, 0.0)));
}

TEST(BenchScoringTest, AccumulatorAveragesSeriesAndCountsPoints) {
  ScoreAccumulator acc;
  const std::vector<double> train = {1, 2, 3, 4};  // lag-1 scale 1
  SeriesForecast a;
  a.mean = {5, 6};
  a.lo80 = {4, 7};  // covers 5 only
  a.hi80 = {6, 8};
  a.lo95 = {0, 0};  // covers both
  a.hi95 = {10, 10};
  acc.Add(train, std::vector<double>{5, 6}, 1, a);  // sMAPE 0, MASE 0
  SeriesForecast b;
  b.mean = {10};
  b.lo80 = {0};
  b.hi80 = {1};
  b.lo95 = {0};
  b.hi95 = {30};
  acc.Add(train, std::vector<double>{30}, 1, b);  // sMAPE 200*20/40 = 100, MASE 20
  acc.AddMissing();
  const Scores s = acc.Result();
  EXPECT_EQ(s.series, 2);
  EXPECT_EQ(s.missing, 1);
  EXPECT_FALSE(s.complete());
  EXPECT_NEAR(s.smape, 50.0, 1e-12);
  EXPECT_NEAR(s.mase, 10.0, 1e-12);
  EXPECT_EQ(s.points, 3);
  EXPECT_NEAR(s.coverage80, 100.0 / 3, 1e-12);
  EXPECT_NEAR(s.coverage95, 100.0, 1e-12);
}

TEST(BenchScoringTest, CombinationMeanAndMedian) {
  ModelRun a, b, c;
  for (ModelRun* run : {&a, &b, &c}) run->forecasts.resize(1);
  a.forecasts[0] = SeriesForecast{{1, 10}, {0, 0}, {2, 20}, {0, 0}, {3, 30}};
  b.forecasts[0] = SeriesForecast{{2, 20}, {1, 1}, {3, 21}, {1, 1}, {4, 31}};
  c.forecasts[0] = SeriesForecast{{9, 90}, {2, 2}, {4, 22}, {2, 2}, {5, 32}};
  auto median = ParseCombination("a+b+c:median");
  ASSERT_TRUE(median.ok());
  ModelRun m = Combine(*median, {&a, &b, &c});
  EXPECT_EQ(m.forecasts[0]->mean, (std::vector<double>{2, 20}));
  EXPECT_EQ(m.forecasts[0]->lo80, (std::vector<double>{1, 1}));
  EXPECT_EQ(m.forecasts[0]->hi95, (std::vector<double>{4, 31}));
  auto mean = ParseCombination("a+b+c");
  ASSERT_TRUE(mean.ok());
  EXPECT_EQ(mean->key, "a+b+c:mean");
  EXPECT_EQ(Combine(*mean, {&a, &b, &c}).forecasts[0]->mean, (std::vector<double>{4, 40}));
  EXPECT_FALSE(ParseCombination("a").ok());
  EXPECT_FALSE(ParseCombination("a+b:mode").ok());
}

TEST(BenchScoringTest, ForecastCsvRoundTrip) {
  M3Series s;
  s.id = "N1";
  s.horizon = 2;
  ModelRun run;
  run.key = "x";
  run.forecasts = {SeriesForecast{{1.5, 2.5}, {1, 2}, {2, 3}, {0, 1}, {3, 4}}};
  const std::string path =
      (std::filesystem::temp_directory_path() / "bench_scoring_test_forecasts.csv").string();
  std::filesystem::remove(path);
  ASSERT_TRUE(WriteForecastCsv(path, {s}, run).ok());
  std::vector<std::optional<SeriesForecast>> read;
  ASSERT_TRUE(ReadForecastCsv(path, "x", {s}, &read).ok());
  ASSERT_TRUE(read[0].has_value());
  EXPECT_EQ(read[0]->mean, run.forecasts[0]->mean);
  EXPECT_EQ(read[0]->hi95, run.forecasts[0]->hi95);
  std::filesystem::remove(path);
}

TEST(BenchScoringTest, Naive2DeseasonalisesOnlySeasonalSeries) {
  // A strongly seasonal quarterly series: ratios to the centred moving average are the same each
  // year, so the indices are recovered and the forecast is the last level times them.
  std::vector<double> y;
  const double pattern[4] = {0.5, 1.0, 1.5, 1.0};
  for (int t = 0; t < 16; ++t) y.push_back(100 * pattern[t % 4]);
  ASSERT_TRUE(IsSeasonal(y, 4));
  const std::vector<double> index = MultiplicativeSeasonalIndices(y, 4);
  for (int j = 0; j < 4; ++j) EXPECT_NEAR(index[j], pattern[j], 1e-12);
  const std::vector<double> f = Naive2Forecast(y, 4, 4);
  for (int h = 0; h < 4; ++h) EXPECT_NEAR(f[h], 100 * pattern[(16 + h) % 4], 1e-9);
  // A trend has no lag-4 seasonality: plain naive.
  std::vector<double> trend = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(Naive2Forecast(trend, 1, 2), (std::vector<double>{10, 10}));
}

}  // namespace
}  // namespace salesops::bench
