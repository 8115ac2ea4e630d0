#include "services/forecasting/engine/reconcile.h"

#include <cmath>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::forecast {
namespace {

// total = A + B, in that order: series 0 is the total, 1 and 2 the bottom level.
struct Tree {
  std::vector<std::vector<double>> series;
  std::vector<std::vector<int>> members = {{1, 2}, {}, {}};
};

Tree MakeTree(bool coherent_history) {
  Tree tree;
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 3);
  std::vector<double> a, b, total;
  for (int t = 0; t < 48; ++t) {
    a.push_back(100 + t + 10 * std::sin(t * 0.5) + noise(rng));
    b.push_back(50 + 0.5 * t + noise(rng));
    total.push_back(a.back() + b.back() + (coherent_history ? 0 : noise(rng)));
  }
  tree.series = {total, a, b};
  return tree;
}

ReconcileOptions Options(ReconcileMethod method, ModelKind model) {
  ReconcileOptions o;
  o.method = method;
  o.base.model = model;
  o.base.horizon = 6;
  return o;
}

void ExpectCoherent(const ReconcileResult& r) {
  for (int h = 0; h < 6; ++h) {
    EXPECT_NEAR(r.reconciled[0].mean[h], r.reconciled[1].mean[h] + r.reconciled[2].mean[h], 1e-6);
  }
}

TEST(ReconcileTest, BottomUpSumsTheBottomForecasts) {
  Tree tree = MakeTree(false);
  auto r = ReconcileHierarchy(tree.series, tree.members, Options(ReconcileMethod::kBottomUp, ModelKind::kHolt));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectCoherent(*r);
  for (int h = 0; h < 6; ++h) {
    EXPECT_DOUBLE_EQ(r->reconciled[1].mean[h], r->base[1].mean[h]);
    // Intervals keep their base width around the new mean.
    EXPECT_NEAR(r->reconciled[0].intervals[0].upper[h] - r->reconciled[0].mean[h],
                r->base[0].intervals[0].upper[h] - r->base[0].mean[h], 1e-9);
  }
}

TEST(ReconcileTest, TopDownSplitsTheTotalByHistoricalShares) {
  Tree tree = MakeTree(true);
  auto r = ReconcileHierarchy(tree.series, tree.members,
                              Options(ReconcileMethod::kTopDownProportions, ModelKind::kDrift));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectCoherent(*r);
  double mean_a = 0, mean_b = 0;
  for (double v : tree.series[1]) mean_a += v / 48;
  for (double v : tree.series[2]) mean_b += v / 48;
  for (int h = 0; h < 6; ++h) {
    EXPECT_NEAR(r->reconciled[0].mean[h], r->base[0].mean[h], 1e-9);  // the total is kept
    EXPECT_NEAR(r->reconciled[1].mean[h], r->base[0].mean[h] * mean_a / (mean_a + mean_b), 1e-9);
  }
}

TEST(ReconcileTest, MinTIsCoherentAndKeepsCoherentForecasts) {
  Tree tree = MakeTree(false);
  auto r = ReconcileHierarchy(tree.series, tree.members, Options(ReconcileMethod::kMinTShrink, ModelKind::kSes));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectCoherent(*r);
  EXPECT_GE(r->shrinkage, 0);
  EXPECT_LE(r->shrinkage, 1);
  // Naive forecasts of coherent history are already coherent: MinT leaves them alone.
  Tree exact = MakeTree(true);
  auto naive = ReconcileHierarchy(exact.series, exact.members, Options(ReconcileMethod::kMinTShrink, ModelKind::kNaive));
  ASSERT_TRUE(naive.ok());
  for (int i = 0; i < 3; ++i)
    for (int h = 0; h < 6; ++h) EXPECT_NEAR(naive->reconciled[i].mean[h], naive->base[i].mean[h], 1e-6);
}

TEST(ReconcileTest, GroupedStructure) {
  // Territory x product: bottoms t1p1, t1p2, t2p1, t2p2; totals by territory, by product, overall.
  std::vector<std::vector<double>> series(9, std::vector<double>(30));
  std::mt19937 rng(9);
  std::uniform_real_distribution<double> u(0, 10);
  for (int k = 5; k < 9; ++k)
    for (auto& v : series[k]) v = 20 + u(rng);
  auto sum = [&](int into, std::vector<int> from) {
    for (int t = 0; t < 30; ++t) {
      series[into][t] = 0;
      for (int f : from) series[into][t] += series[f][t];
    }
  };
  sum(1, {5, 6});
  sum(2, {7, 8});
  sum(3, {5, 7});
  sum(4, {6, 8});
  sum(0, {5, 6, 7, 8});
  std::vector<std::vector<int>> members = {{5, 6, 7, 8}, {5, 6}, {7, 8}, {5, 7}, {6, 8}, {}, {}, {}, {}};
  auto r = ReconcileHierarchy(series, members, Options(ReconcileMethod::kMinTShrink, ModelKind::kSes));
  ASSERT_TRUE(r.ok()) << r.status();
  for (int h = 0; h < 6; ++h) {
    const auto m = [&](int i) { return r->reconciled[i].mean[h]; };
    EXPECT_NEAR(m(0), m(5) + m(6) + m(7) + m(8), 1e-6);
    EXPECT_NEAR(m(1), m(5) + m(6), 1e-6);
    EXPECT_NEAR(m(3), m(5) + m(7), 1e-6);
  }
}

TEST(ReconcileTest, InvalidStructures) {
  Tree tree = MakeTree(true);
  auto bad_member = ReconcileHierarchy(tree.series, {{1, 0}, {}, {}}, Options(ReconcileMethod::kBottomUp, ModelKind::kNaive));
  EXPECT_EQ(bad_member.status().code(), absl::StatusCode::kInvalidArgument);
  auto twice = ReconcileHierarchy(tree.series, {{1, 1}, {}, {}}, Options(ReconcileMethod::kBottomUp, ModelKind::kNaive));
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kInvalidArgument);
  auto no_total = ReconcileHierarchy(tree.series, {{1}, {}, {}}, Options(ReconcileMethod::kTopDownProportions, ModelKind::kNaive));
  EXPECT_THAT(std::string(no_total.status().message()), ::testing::HasSubstr("total"));
  tree.series[2].pop_back();
  auto ragged = ReconcileHierarchy(tree.series, tree.members, Options(ReconcileMethod::kBottomUp, ModelKind::kNaive));
  EXPECT_THAT(std::string(ragged.status().message()), ::testing::HasSubstr("series[2]"));
}

TEST(ShrinkageCovarianceTest, ShrinksTowardsTheDiagonal) {
  std::mt19937 rng(1);
  std::normal_distribution<double> z(0, 1);
  // Independent series: correlations are noise, so the intensity is high.
  std::vector<std::vector<double>> independent(4, std::vector<double>(40));
  for (auto& s : independent)
    for (auto& v : s) v = z(rng);
  double lambda = 0;
  auto cov = ShrinkageCovariance(independent, &lambda);
  EXPECT_GT(lambda, 0.3);
  EXPECT_LE(lambda, 1.0);
  // Strongly correlated series: little shrinkage.
  std::vector<std::vector<double>> correlated(3, std::vector<double>(200));
  for (int t = 0; t < 200; ++t) {
    double common = z(rng);
    for (auto& s : correlated) s[t] = common + 0.1 * z(rng);
  }
  auto cov2 = ShrinkageCovariance(correlated, &lambda);
  EXPECT_LT(lambda, 0.05);
  EXPECT_NEAR(cov2[1], cov2[3], 1e-12);  // symmetric
  double var0 = 0;
  for (double v : correlated[0]) var0 += v * v / 200;
  EXPECT_NEAR(cov2[0], var0, 1e-12);  // the diagonal is untouched
}

}  // namespace
}  // namespace salesops::forecast
