#include "services/quota/allocation.h"

#include <numeric>
#include <random>

#include "gtest/gtest.h"
#include "services/quota/largest_remainder.h"

namespace salesops::quota {
namespace {

int64_t Sum(const std::vector<int64_t>& v) { return std::accumulate(v.begin(), v.end(), int64_t{0}); }

TEST(LargestRemainderTest, HandWorkedExamples) {
  // 100 over three equal parts: 33.33 each, the first gets the extra unit.
  EXPECT_EQ(SplitByWeights(100, std::vector<double>{1, 1, 1}), (std::vector<int64_t>{34, 33, 33}));
  // 10 by 0.5/0.3/0.2 is exact.
  EXPECT_EQ(SplitByWeights(10, std::vector<double>{5, 3, 2}), (std::vector<int64_t>{5, 3, 2}));
  // 7 by 1/2/4: 1, 2, 4 exactly.
  EXPECT_EQ(SplitByWeights(7, std::vector<double>{1, 2, 4}), (std::vector<int64_t>{1, 2, 4}));
  // 10 by 1/1/1/1 -> 2.5 each: the two earliest get 3.
  EXPECT_EQ(SplitByWeights(10, std::vector<double>{1, 1, 1, 1}), (std::vector<int64_t>{3, 3, 2, 2}));
  // 1000 by 0.333/0.333/0.334 -> 333, 333, 334.
  EXPECT_EQ(SplitByWeights(1000, std::vector<double>{0.333, 0.333, 0.334}),
            (std::vector<int64_t>{333, 333, 334}));
  // Largest remainder, not the earliest: 10 by 0.14/0.86 -> 1.4, 8.6 -> 1, 9.
  EXPECT_EQ(SplitByWeights(10, std::vector<double>{0.14, 0.86}), (std::vector<int64_t>{1, 9}));
  // All-zero weights split equally; zero weight gets zero otherwise.
  EXPECT_EQ(SplitByWeights(9, std::vector<double>{0, 0, 0}), (std::vector<int64_t>{3, 3, 3}));
  EXPECT_EQ(SplitByWeights(9, std::vector<double>{0, 1, 2}), (std::vector<int64_t>{0, 3, 6}));
  EXPECT_TRUE(SplitByWeights(5, {}).empty());
}

TEST(LargestRemainderTest, TotalsAlwaysHold) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> w(0, 1000);
  for (int trial = 0; trial < 2000; ++trial) {
    int n = 1 + static_cast<int>(rng() % 40);
    std::vector<double> weights(n);
    for (auto& x : weights) x = (rng() % 5 == 0) ? 0 : w(rng);
    int64_t total = static_cast<int64_t>(rng() % 1'000'000'000'000LL);
    auto parts = SplitByWeights(total, weights);
    ASSERT_EQ(Sum(parts), total);
    for (auto p : parts) ASSERT_GE(p, 0);
  }
}

// CO -> {NA -> {u1, u2, u3}, EU -> {u4}}
Hierarchy Sample() {
  google::protobuf::RepeatedPtrField<v1::TerritoryNode> nodes;
  for (auto [id, parent] : {std::pair{"CO", ""}, {"NA", "CO"}, {"EU", "CO"}}) {
    auto* n = nodes.Add();
    n->set_id(id);
    n->set_parent_id(parent);
  }
  google::protobuf::RepeatedPtrField<v1::Rep> reps;
  for (auto [id, t] : {std::pair{"u1", "NA"}, {"u2", "NA"}, {"u3", "NA"}, {"u4", "EU"}}) {
    auto* r = reps.Add();
    r->set_id(id);
    r->set_territory_id(t);
  }
  return *Hierarchy::Build(nodes, reps);
}

void ExpectTotalsHold(const Hierarchy& h, const AllocationResult& a) {
  for (int v = 0; v < h.node_count(); ++v) {
    const Quota& q = a.nodes[v];
    EXPECT_EQ(std::accumulate(q.monthly.begin(), q.monthly.end(), int64_t{0}), q.annual);
    EXPECT_EQ(q.Quarter(1) + q.Quarter(2) + q.Quarter(3) + q.Quarter(4), q.annual);
    if (h.child_nodes(v).empty() && h.reps_of(v).empty()) continue;
    int64_t children = 0;
    std::array<int64_t, 12> months{};
    for (int c : h.child_nodes(v)) {
      children += a.nodes[c].annual;
      for (int m = 0; m < 12; ++m) months[m] += a.nodes[c].monthly[m];
    }
    for (int r : h.reps_of(v)) {
      children += a.reps[r].annual;
      for (int m = 0; m < 12; ++m) months[m] += a.reps[r].monthly[m];
    }
    EXPECT_EQ(children, q.annual) << h.node(v).id();
    EXPECT_EQ(months, q.monthly) << h.node(v).id();
  }
}

TEST(AllocateTopDownTest, EqualSplitAtEveryLevel) {
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1'200'000'01;  // 1,200,000.01 in cents
  AllocationResult a = AllocateTopDown(h, in);
  EXPECT_EQ(a.nodes[h.root()].annual, in.target);
  // Two regions: 600,000.01 and 600,000.00.
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 60'000'001);
  EXPECT_EQ(a.nodes[h.FindNode("EU")].annual, 60'000'000);
  // NA's three reps: 20,000,001 / 20,000,000 / 20,000,000.
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 20'000'001);
  EXPECT_EQ(a.reps[h.FindRep("u2")].annual, 20'000'000);
  EXPECT_EQ(a.reps[h.FindRep("u4")].annual, 60'000'000);
  EXPECT_DOUBLE_EQ(a.reps[h.FindRep("u4")].share_of_parent, 1.0);
  ExpectTotalsHold(h, a);
  // Even months: u4's 600,000.00 is 50,000.00 a month.
  for (int64_t m : a.reps[h.FindRep("u4")].monthly) EXPECT_EQ(m, 5'000'000);
}

TEST(AllocateTopDownTest, WeightsAndSeasonalProfile) {
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1'000'000;
  in.equal_split = false;
  in.node_weight = {0, 3, 1};   // CO (unused), NA 75%, EU 25%
  in.rep_weight = {1, 1, 2, 5};  // u1 25%, u2 25%, u3 50% of NA
  in.month_profile = {1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2};  // quarter-end months double
  AllocationResult a = AllocateTopDown(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 750'000);
  EXPECT_EQ(a.reps[h.FindRep("u3")].annual, 375'000);
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 187'500);
  EXPECT_DOUBLE_EQ(a.nodes[h.FindNode("NA")].share_of_parent, 0.75);
  const Quota& u3 = a.reps[h.FindRep("u3")];
  EXPECT_EQ(u3.monthly[0], 23'438);  // 375,000 / 16 = 23,437.5
  EXPECT_EQ(u3.monthly[2], 46'875);  // twice as much
  EXPECT_EQ(u3.Quarter(1), 93'750);  // year -> quarters first: even quarters stay exact
  EXPECT_EQ(u3.monthly[1], 23'437);
  ExpectTotalsHold(h, a);
}

TEST(AllocateTopDownTest, InactiveRepsTakeNoShare) {
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 900;
  in.rep_active = {true, false, true, true};
  AllocationResult a = AllocateTopDown(h, in);
  EXPECT_EQ(a.reps[h.FindRep("u2")].annual, 0);
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 225);
  EXPECT_EQ(a.reps[h.FindRep("u3")].annual, 225);
  ExpectTotalsHold(h, a);
}

TEST(AllocateTopDownTest, ZeroWeightsFallBackToEqual) {
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1000;
  in.equal_split = false;
  in.node_weight = {0, 0, 0};
  in.rep_weight = {0, 0, 0, 0};
  AllocationResult a = AllocateTopDown(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 500);
  ExpectTotalsHold(h, a);
}

}  // namespace
}  // namespace salesops::quota
