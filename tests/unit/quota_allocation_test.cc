#include "services/quota/allocation.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/quota/largest_remainder.h"

namespace salesops::quota {
namespace {

using ::testing::StartsWith;

int64_t Sum(const std::vector<int64_t>& v) { return std::accumulate(v.begin(), v.end(), int64_t{0}); }
int64_t Sum(const std::array<int64_t, 12>& v) { return std::accumulate(v.begin(), v.end(), int64_t{0}); }

// ---------------------------------------------------------------------------------------------
// Largest remainder
// ---------------------------------------------------------------------------------------------

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

TEST(LargestRemainderTest, InUnitsHandWorked) {
  // 10,000 in thousands by 1/1/2: 10 units -> 2.5, 2.5, 5 -> the tie goes to the first.
  EXPECT_EQ(SplitByWeightsInUnits(10'000, std::vector<double>{1, 1, 2}, 1000),
            (std::vector<int64_t>{3000, 2000, 5000}));
  // 10,500: the same 10 units, and the 500 left over goes to the largest weight (the third).
  EXPECT_EQ(SplitByWeightsInUnits(10'500, std::vector<double>{1, 1, 2}, 1000),
            (std::vector<int64_t>{3000, 2000, 5500}));
  // Equal weights: the remainder goes to the first.
  EXPECT_EQ(SplitByWeightsInUnits(2'500, std::vector<double>{1, 1}, 1000),
            (std::vector<int64_t>{1500, 1000}));
  // Less than one unit: everything to the largest weight.
  EXPECT_EQ(SplitByWeightsInUnits(999, std::vector<double>{1, 3, 2}, 1000),
            (std::vector<int64_t>{0, 999, 0}));
  // Unit 1 (or less) is plain largest remainder.
  EXPECT_EQ(SplitByWeightsInUnits(100, std::vector<double>{1, 1, 1}, 1),
            (std::vector<int64_t>{34, 33, 33}));
  EXPECT_EQ(SplitByWeightsInUnits(100, std::vector<double>{1, 1, 1}, 0),
            (std::vector<int64_t>{34, 33, 33}));
  EXPECT_TRUE(SplitByWeightsInUnits(5, {}, 1000).empty());
}

TEST(LargestRemainderTest, InUnitsTotalsHoldAndOnlyTheLargestCarriesTheRemainder) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> w(0, 1000);
  const int64_t units[] = {1, 7, 10, 1000, 100'000};
  for (int trial = 0; trial < 2000; ++trial) {
    SCOPED_TRACE(trial);
    int n = 1 + static_cast<int>(rng() % 20);
    std::vector<double> weights(n);
    for (auto& x : weights) x = (rng() % 4 == 0) ? 0 : w(rng);
    const int64_t unit = units[rng() % 5];
    const int64_t total = static_cast<int64_t>(rng() % 1'000'000'000LL);
    auto parts = SplitByWeightsInUnits(total, weights, unit);
    ASSERT_EQ(parts.size(), weights.size());
    ASSERT_EQ(Sum(parts), total);
    const size_t largest = std::max_element(weights.begin(), weights.end()) - weights.begin();
    for (size_t k = 0; k < parts.size(); ++k) {
      ASSERT_GE(parts[k], 0);
      if (k != largest) {
        ASSERT_EQ(parts[k] % unit, 0) << k;
      }
    }
    ASSERT_EQ(parts[largest] % unit, total % unit);
  }
}

// ---------------------------------------------------------------------------------------------
// A reference check of every promise of allocation.h, used by the examples and the random test.
// ---------------------------------------------------------------------------------------------

Hierarchy Make(std::vector<std::pair<std::string, std::string>> nodes,
               std::vector<std::pair<std::string, std::string>> reps) {
  google::protobuf::RepeatedPtrField<v1::TerritoryNode> n;
  for (const auto& [id, parent] : nodes) {
    auto* x = n.Add();
    x->set_id(id);
    x->set_parent_id(parent);
  }
  google::protobuf::RepeatedPtrField<v1::Rep> r;
  for (const auto& [id, t] : reps) {
    auto* x = r.Add();
    x->set_id(id);
    x->set_territory_id(t);
  }
  auto h = Hierarchy::Build(n, r);
  EXPECT_TRUE(h.ok()) << h.status();
  return *std::move(h);
}

// CO -> {NA -> {u1, u2, u3}, EU -> {u4}}
Hierarchy Sample() {
  return Make({{"CO", ""}, {"NA", "CO"}, {"EU", "CO"}},
              {{"u1", "NA"}, {"u2", "NA"}, {"u3", "NA"}, {"u4", "EU"}});
}

bool Active(const AllocationInput& in, int r) { return in.rep_active.empty() || in.rep_active[r]; }
std::optional<int64_t> NodeLock(const AllocationInput& in, int v) {
  return in.node_lock.empty() ? std::nullopt : in.node_lock[v];
}
std::optional<int64_t> RepLock(const AllocationInput& in, int r) {
  return in.rep_lock.empty() ? std::nullopt : in.rep_lock[r];
}
int64_t Unit(const AllocationInput& in) { return std::max<int64_t>(1, in.rounding_unit); }
// The over-assignment a pool gets, in whole units (as allocation.cc computes it).
int64_t Extra(const AllocationInput& in, int64_t pool) {
  const int64_t unit = Unit(in);
  return std::llround(static_cast<double>(pool) * in.over_assignment / static_cast<double>(unit)) *
         unit;
}
std::vector<int> ActiveReps(const Hierarchy& h, const AllocationInput& in, int v) {
  std::vector<int> out;
  for (int r : h.reps_of(v))
    if (Active(in, r)) out.push_back(r);
  return out;
}

// A sibling: a child node, or (node = -1) a pool of reps.
struct Sib {
  int node = -1;
  std::vector<int> reps;
};

// The blend of allocation.h, written out: each basis normalised among the siblings (all zero ->
// equal), mixed by blend weight.
std::vector<double> ReferenceBlend(const AllocationInput& in, const std::vector<Sib>& sibs) {
  std::vector<ShareBasis> bases = in.bases.empty() ? std::vector<ShareBasis>{ShareBasis{}} : in.bases;
  std::vector<double> out(sibs.size(), 0.0);
  for (const ShareBasis& b : bases) {
    std::vector<double> raw(sibs.size(), 0.0);
    double total = 0;
    for (size_t k = 0; k < sibs.size(); ++k) {
      if (b.equal) {
        raw[k] = sibs[k].node >= 0 ? 1.0 : static_cast<double>(sibs[k].reps.size());
      } else if (sibs[k].node >= 0) {
        raw[k] = std::max(0.0, b.node_weight[sibs[k].node]);
      } else {
        for (int r : sibs[k].reps) raw[k] += std::max(0.0, b.rep_weight[r]);
      }
      total += raw[k];
    }
    for (size_t k = 0; k < sibs.size(); ++k)
      out[k] += b.blend_weight * (total > 0 ? raw[k] / total : 1.0 / static_cast<double>(sibs.size()));
  }
  return out;
}

// Locked parts keep their value; the free ones share what is left in proportion to their weights
// (within one unit, plus the remainder of a total that is not a multiple of the unit, which goes to
// the free part with the largest weight; every other free part is a multiple of the unit).
void ExpectSharedAround(const std::vector<int64_t>& parts, const std::vector<double>& weights,
                        const std::vector<std::optional<int64_t>>& locks, int64_t amount,
                        int64_t unit, const std::string& what) {
  SCOPED_TRACE(what);
  int64_t rest = amount;
  double free_weight = 0, max_weight = 0;
  int free = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    EXPECT_GE(parts[k], 0) << k;
    if (locks[k]) {
      EXPECT_EQ(parts[k], *locks[k]) << "a lock was changed, part " << k;
      rest -= parts[k];
    } else {
      free_weight += weights[k];
      max_weight = std::max(max_weight, weights[k]);
      ++free;
    }
  }
  if (free == 0) {
    EXPECT_EQ(rest, 0) << "everything is locked and does not add up";
    return;
  }
  ASSERT_GE(rest, 0);
  const int64_t remainder = rest % unit;
  int not_multiple = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    if (locks[k]) continue;
    const double share = free_weight > 0 ? weights[k] / free_weight : 1.0 / free;
    const double exact = static_cast<double>(rest) * share;
    EXPECT_LE(std::fabs(static_cast<double>(parts[k]) - exact),
              static_cast<double>(unit + remainder) + 1e-9 * static_cast<double>(rest) + 1e-6)
        << "part " << k << " of " << rest << " with share " << share;
    if (parts[k] % unit != 0) {
      ++not_multiple;
      if (free_weight > 0) {
        EXPECT_GE(weights[k], max_weight * (1 - 1e-9)) << "remainder not to the largest";
      }
    }
  }
  EXPECT_EQ(not_multiple, remainder != 0 ? 1 : 0);
}

// The months of a quota split by `profile` over the period (year -> quarters -> months, each in
// units): sums hold, 0 outside the period, every month within two units (+ remainders) of its
// exact share of the profile.
void ExpectMonthsFollow(const Quota& q, MonthProfile profile, const AllocationInput& in,
                        const std::string& what) {
  SCOPED_TRACE(what);
  const int64_t unit = Unit(in);
  double total = 0;
  for (int m = 0; m < 12; ++m) {
    profile[m] = in.period_months[m] ? std::max(0.0, profile[m]) : 0.0;
    total += profile[m];
  }
  if (!(total > 0)) {
    for (int m = 0; m < 12; ++m) profile[m] = in.period_months[m] ? 1 : 0;
    total = 0;
    for (double p : profile) total += p;
  }
  const int64_t remainder = q.annual % unit;
  int quarters_not_multiple = 0;
  for (int k = 1; k <= 4; ++k) {
    const int64_t quarter = q.Quarter(k);
    if (quarter % unit != 0) ++quarters_not_multiple;
    int months_not_multiple = 0;
    for (int m = 3 * (k - 1); m < 3 * k; ++m) {
      if (!in.period_months[m]) {
        EXPECT_EQ(q.monthly[m], 0) << "month " << m << " outside the period";
      }
      EXPECT_GE(q.monthly[m], 0);
      if (q.monthly[m] % unit != 0) ++months_not_multiple;
      const double exact = static_cast<double>(q.annual) * profile[m] / total;
      EXPECT_LE(std::fabs(static_cast<double>(q.monthly[m]) - exact),
                2.0 * static_cast<double>(unit + remainder) + 1e-9 * static_cast<double>(q.annual))
          << "month " << m;
    }
    EXPECT_EQ(months_not_multiple, quarter % unit != 0 ? 1 : 0) << "quarter " << k;
  }
  EXPECT_EQ(quarters_not_multiple, remainder != 0 ? 1 : 0);
}

// Everything allocation.h promises about a result.
void ExpectConsistent(const Hierarchy& h, const AllocationInput& in, const AllocationResult& a) {
  ASSERT_EQ(static_cast<int>(a.nodes.size()), h.node_count());
  ASSERT_EQ(static_cast<int>(a.reps.size()), h.rep_count());
  const int64_t unit = Unit(in);
  const double gross_up = 1 + in.over_assignment;
  EXPECT_EQ(a.nodes[h.root()].annual, in.target);
  EXPECT_DOUBLE_EQ(a.nodes[h.root()].share_of_parent, 1.0);
  int64_t rep_total = 0;
  for (int v = 0; v < h.node_count(); ++v) {
    const std::string name = h.node(v).id();
    const Quota& q = a.nodes[v];
    // Months and quarters add up at every node.
    EXPECT_EQ(Sum(q.monthly), q.annual) << name;
    EXPECT_EQ(q.Quarter(1) + q.Quarter(2) + q.Quarter(3) + q.Quarter(4), q.annual) << name;
    for (int m = 0; m < 12; ++m) {
      if (!in.period_months[m]) {
        EXPECT_EQ(q.monthly[m], 0) << name << " month " << m;
      }
    }

    const std::vector<int>& children = h.child_nodes(v);
    const std::vector<int> reps = ActiveReps(h, in, v);
    if (children.empty() && reps.empty()) {
      ExpectMonthsFollow(q, in.node_profile.empty() || !in.node_profile[v] ? in.month_profile
                                                                            : *in.node_profile[v],
                         in, name);
      continue;
    }
    std::vector<Sib> sibs;
    std::vector<int64_t> parts;
    std::vector<std::optional<int64_t>> locks;
    int64_t children_total = 0;
    bool all_children_locked = true;
    for (int c : children) {
      sibs.push_back({c, {}});
      parts.push_back(a.nodes[c].annual);
      locks.push_back(NodeLock(in, c));
      children_total += a.nodes[c].annual;
      all_children_locked = all_children_locked && NodeLock(in, c).has_value();
      EXPECT_NEAR(a.nodes[c].share_of_parent,
                  q.annual > 0 ? static_cast<double>(a.nodes[c].annual) / q.annual : 0.0, 1e-12)
          << h.node(c).id();
    }
    if (reps.empty()) {
      // No reps: the child nodes add up to the node, month by month too.
      EXPECT_EQ(children_total, q.annual) << name << ": children do not add up";
      std::array<int64_t, 12> months{};
      for (int c : children)
        for (int m = 0; m < 12; ++m) months[m] += a.nodes[c].monthly[m];
      EXPECT_EQ(months, q.monthly) << name << ": months are not the children's sums";
      ExpectSharedAround(parts, ReferenceBlend(in, sibs), locks, q.annual, unit, name);
      continue;
    }
    // With reps: child nodes + the pool = the node; the reps carry the pool grossed up.
    const int64_t pool = q.annual - children_total;
    EXPECT_GE(pool, 0) << name;
    int64_t locked_reps = 0;
    bool all_reps_locked = true;
    for (int r : reps) {
      if (auto l = RepLock(in, r)) locked_reps += *l;
      else all_reps_locked = false;
    }
    sibs.push_back({-1, reps});
    parts.push_back(pool);
    std::optional<int64_t> pool_lock;
    if (all_reps_locked && !all_children_locked)
      pool_lock = std::llround(static_cast<double>(locked_reps) / gross_up);
    locks.push_back(pool_lock);
    ExpectSharedAround(parts, ReferenceBlend(in, sibs), locks, q.annual, unit, name);

    int64_t carried = pool + Extra(in, pool);
    if (all_reps_locked) {
      // The pool is what the locked reps carry (before over-assignment).
      EXPECT_TRUE(std::llround(static_cast<double>(locked_reps) / gross_up) == pool ||
                  locked_reps == carried)
          << name << ": every rep is locked at " << locked_reps << " in all, not what a pool of "
          << pool << " carries";
      carried = locked_reps;
    }
    std::vector<Sib> rep_sibs;
    std::vector<int64_t> rep_parts;
    std::vector<std::optional<int64_t>> rep_locks;
    int64_t reps_sum = 0;
    for (int r : reps) {
      rep_sibs.push_back({-1, {r}});
      rep_parts.push_back(a.reps[r].annual);
      rep_locks.push_back(RepLock(in, r));
      reps_sum += a.reps[r].annual;
      EXPECT_NEAR(a.reps[r].share_of_parent,
                  carried > 0 ? static_cast<double>(a.reps[r].annual) / carried : 0.0, 1e-12)
          << h.rep(r).id();
    }
    EXPECT_EQ(reps_sum, carried) << name << ": the reps do not carry the pool";
    if (in.over_assignment == 0) {
      EXPECT_EQ(children_total + reps_sum, q.annual) << name;
    }
    rep_total += reps_sum;
    ExpectSharedAround(rep_parts, ReferenceBlend(in, rep_sibs), rep_locks, carried, unit,
                       "the reps of " + name);
    MonthProfile node_profile =
        in.node_profile.empty() || !in.node_profile[v] ? in.month_profile : *in.node_profile[v];
    ExpectMonthsFollow(q, node_profile, in, name);
    for (int r : reps) {
      const bool own = !in.rep_profile.empty() && in.rep_profile[r];
      EXPECT_EQ(Sum(a.reps[r].monthly), a.reps[r].annual) << h.rep(r).id();
      ExpectMonthsFollow(a.reps[r], own ? *in.rep_profile[r] : node_profile, in, h.rep(r).id());
    }
  }
  for (int r = 0; r < h.rep_count(); ++r) {
    if (Active(in, r)) continue;
    EXPECT_EQ(a.reps[r].annual, 0) << h.rep(r).id();
    EXPECT_EQ(Sum(a.reps[r].monthly), 0) << h.rep(r).id();
  }
  EXPECT_EQ(a.rep_total, rep_total);
}

AllocationResult Allocate(const Hierarchy& h, const AllocationInput& in) {
  auto a = AllocateTopDown(h, in);
  EXPECT_TRUE(a.ok()) << a.status();
  if (!a.ok()) {  // sized, so that the caller's expectations fail instead of crashing
    AllocationResult none;
    none.nodes.resize(h.node_count());
    none.reps.resize(h.rep_count());
    return none;
  }
  ExpectConsistent(h, in, *a);
  return *std::move(a);
}

ShareBasis Weights(double blend, std::vector<double> nodes, std::vector<double> reps) {
  return ShareBasis{blend, false, std::move(nodes), std::move(reps)};
}
ShareBasis Equal(double blend) { return ShareBasis{blend, true, {}, {}}; }

// ---------------------------------------------------------------------------------------------
// Hand-worked examples
// ---------------------------------------------------------------------------------------------

TEST(AllocateTopDownTest, EqualSplitAtEveryLevel) {
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1'200'000'01;  // 1,200,000.01 in cents
  AllocationResult a = Allocate(h, in);
  // Two regions: 600,000.01 and 600,000.00.
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 60'000'001);
  EXPECT_EQ(a.nodes[h.FindNode("EU")].annual, 60'000'000);
  // NA's three reps: 20,000,001 / 20,000,000 / 20,000,000.
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 20'000'001);
  EXPECT_EQ(a.reps[h.FindRep("u2")].annual, 20'000'000);
  EXPECT_EQ(a.reps[h.FindRep("u3")].annual, 20'000'000);
  EXPECT_EQ(a.reps[h.FindRep("u4")].annual, 60'000'000);
  EXPECT_DOUBLE_EQ(a.reps[h.FindRep("u4")].share_of_parent, 1.0);
  EXPECT_EQ(a.rep_total, in.target);
  // Even months: u4's 600,000.00 is 50,000.00 a month.
  for (int64_t m : a.reps[h.FindRep("u4")].monthly) EXPECT_EQ(m, 5'000'000);
}

TEST(AllocateTopDownTest, EqualSplitCountsThePoolAsItsReps) {
  // CO has two child nodes and two reps of its own: A, B and the pool weigh 1 : 1 : 2.
  Hierarchy h = Make({{"CO", ""}, {"A", "CO"}, {"B", "CO"}}, {{"c1", "CO"}, {"c2", "CO"}});
  AllocationInput in;
  in.target = 1000;
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("A")].annual, 250);
  EXPECT_EQ(a.nodes[h.FindNode("B")].annual, 250);
  EXPECT_EQ(a.reps[h.FindRep("c1")].annual, 250);
  EXPECT_EQ(a.reps[h.FindRep("c2")].annual, 250);
  // Weighted, the pool weighs its reps' sum: A 1, B 2, pool 3 + 4 = 7 of 10.
  in.bases = {Weights(1, {0, 1, 2}, {3, 4})};
  a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("A")].annual, 100);
  EXPECT_EQ(a.nodes[h.FindNode("B")].annual, 200);
  EXPECT_EQ(a.reps[h.FindRep("c1")].annual, 300);
  EXPECT_EQ(a.reps[h.FindRep("c2")].annual, 400);
  EXPECT_EQ(a.rep_total, 700);
}

TEST(AllocateTopDownTest, WeightsAndSeasonalProfile) {
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1'000'000;
  in.bases = {Weights(1, {0, 3, 1}, {1, 1, 2, 5})};  // NA 75%, EU 25%; u1 25%, u2 25%, u3 50% of NA
  in.month_profile = {1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2};  // quarter-end months double
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 750'000);
  EXPECT_EQ(a.reps[h.FindRep("u3")].annual, 375'000);
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 187'500);
  EXPECT_DOUBLE_EQ(a.nodes[h.FindNode("NA")].share_of_parent, 0.75);
  const Quota& u3 = a.reps[h.FindRep("u3")];
  EXPECT_EQ(u3.Quarter(1), 93'750);  // year -> quarters first: even quarters stay exact
  EXPECT_EQ(u3.monthly[0], 23'438);  // 93,750 / 4 = 23,437.5: the tie goes to the first
  EXPECT_EQ(u3.monthly[1], 23'437);
  EXPECT_EQ(u3.monthly[2], 46'875);  // twice as much
}

TEST(AllocateTopDownTest, BlendedHalfEqualHalfHistorical) {
  // 50% equal + 50% historical. History: u1 1, u2 1, u3 4 (NA 6), u4 2 (EU 2).
  //   NA = 0.5 * 1/2 + 0.5 * 6/8 = 0.25 + 0.375 = 0.625, EU = 0.25 + 0.125 = 0.375.
  //   Target 1,200,000: NA 750,000, EU 450,000.
  //   NA's reps: u1 = 0.5 * 1/3 + 0.5 * 1/6 = 1/4, u2 = 1/4, u3 = 0.5 * 1/3 + 0.5 * 4/6 = 1/2:
  //   187,500 / 187,500 / 375,000.
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1'200'000;
  in.bases = {Equal(0.5), Weights(0.5, {8, 6, 2}, {1, 1, 4, 2})};
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 750'000);
  EXPECT_EQ(a.nodes[h.FindNode("EU")].annual, 450'000);
  EXPECT_DOUBLE_EQ(a.nodes[h.FindNode("NA")].share_of_parent, 0.625);
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 187'500);
  EXPECT_EQ(a.reps[h.FindRep("u2")].annual, 187'500);
  EXPECT_EQ(a.reps[h.FindRep("u3")].annual, 375'000);
  EXPECT_EQ(a.reps[h.FindRep("u4")].annual, 450'000);
  // Each basis alone, for contrast: equal 600,000 / 600,000; historical 900,000 / 300,000.
  in.bases = {Equal(1)};
  EXPECT_EQ(Allocate(h, in).nodes[h.FindNode("NA")].annual, 600'000);
  in.bases = {Weights(1, {8, 6, 2}, {1, 1, 4, 2})};
  EXPECT_EQ(Allocate(h, in).nodes[h.FindNode("NA")].annual, 900'000);
}

TEST(AllocateTopDownTest, BlendOfThreeBases) {
  // A : B under 20% equal (1/2, 1/2), 30% history (1/4, 3/4), 50% forecast (3/4, 1/4):
  //   A = 0.1 + 0.075 + 0.375 = 0.55, B = 0.1 + 0.225 + 0.125 = 0.45.
  Hierarchy h = Make({{"CO", ""}, {"A", "CO"}, {"B", "CO"}}, {});
  AllocationInput in;
  in.target = 1000;
  in.bases = {Equal(0.2), Weights(0.3, {0, 1, 3}, {}), Weights(0.5, {0, 3, 1}, {})};
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("A")].annual, 550);
  EXPECT_EQ(a.nodes[h.FindNode("B")].annual, 450);
  // A basis under which every sibling weighs 0 counts as equal: 20% equal + 80% "nothing" = equal.
  in.bases = {Equal(0.2), Weights(0.8, {0, 0, 0}, {})};
  a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("A")].annual, 500);
}

TEST(AllocateTopDownTest, InactiveRepsTakeNoShare) {
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 900;
  in.rep_active = {true, false, true, true};
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.reps[h.FindRep("u2")].annual, 0);
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 225);
  EXPECT_EQ(a.reps[h.FindRep("u3")].annual, 225);
}

TEST(AllocateTopDownTest, ZeroWeightsFallBackToEqual) {
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1000;
  in.bases = {Weights(1, {0, 0, 0}, {0, 0, 0, 0})};
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 500);
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 167);
}

TEST(AllocateTopDownTest, OverAssignment15PercentOnATerritory) {
  // Target 1,000,003: NA 500,002 and EU 500,001 (the tie to the first). With 15% over-assignment
  //   NA's reps carry round(1.15 * 500,002) = round(575,002.3) = 575,002: 191,668 / 191,667 / 191,667
  //   EU's rep carries round(1.15 * 500,001) = round(575,001.15) = 575,001.
  //   rep_total = 1,150,003 = round(1.15 * 1,000,003); the nodes still add up to the target.
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1'000'003;
  in.over_assignment = 0.15;
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 500'002);
  EXPECT_EQ(a.nodes[h.FindNode("EU")].annual, 500'001);
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 191'668);
  EXPECT_EQ(a.reps[h.FindRep("u2")].annual, 191'667);
  EXPECT_EQ(a.reps[h.FindRep("u3")].annual, 191'667);
  EXPECT_EQ(a.reps[h.FindRep("u4")].annual, 575'001);
  EXPECT_EQ(a.rep_total, 1'150'003);
  // A rep's share is of what the reps carry, not of the node.
  EXPECT_DOUBLE_EQ(a.reps[h.FindRep("u4")].share_of_parent, 1.0);
  EXPECT_DOUBLE_EQ(a.reps[h.FindRep("u1")].share_of_parent, 191'668.0 / 575'002.0);
  // The territory's months split its own quota, not the grossed-up one.
  EXPECT_EQ(Sum(a.nodes[h.FindNode("EU")].monthly), 500'001);
  EXPECT_EQ(Sum(a.reps[h.FindRep("u4")].monthly), 575'001);
}

TEST(AllocateTopDownTest, OverAssignmentIsInWholeUnits) {
  // T's pool 10,000 with 12% and unit 1,000: 1,200 over is 1.2 units -> 1 unit: the reps carry
  // 11,000 (11 units: 6 and 5, the tie to the first), not 11,200.
  Hierarchy h = Make({{"CO", ""}, {"T", "CO"}}, {{"t1", "T"}, {"t2", "T"}});
  AllocationInput in;
  in.target = 10'000;
  in.over_assignment = 0.12;
  in.rounding_unit = 1000;
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.reps[h.FindRep("t1")].annual, 6000);
  EXPECT_EQ(a.reps[h.FindRep("t2")].annual, 5000);
  EXPECT_EQ(a.rep_total, 11'000);
}

TEST(AllocateTopDownTest, RoundingUnitWithAMultipleTarget) {
  // 10,000,000 in units of 1,000 (10,000 units): NA and EU 5,000 units each; NA's reps 5,000 / 3
  // = 1,666.67 -> 1,667 / 1,667 / 1,666. u1's quarters: 1,667 / 4 = 416.75 -> 417 / 417 / 417 / 416;
  // Q1's months 417 / 3 = 139 each; Q4's 416 / 3 -> 139 / 139 / 138. Every amount a multiple of 1,000.
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 10'000'000;
  in.rounding_unit = 1000;
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 5'000'000);
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 1'667'000);
  EXPECT_EQ(a.reps[h.FindRep("u2")].annual, 1'667'000);
  EXPECT_EQ(a.reps[h.FindRep("u3")].annual, 1'666'000);
  const Quota& u1 = a.reps[h.FindRep("u1")];
  EXPECT_EQ(u1.Quarter(1), 417'000);
  EXPECT_EQ(u1.Quarter(4), 416'000);
  EXPECT_EQ(u1.monthly, (std::array<int64_t, 12>{139'000, 139'000, 139'000, 139'000, 139'000,
                                                  139'000, 139'000, 139'000, 139'000, 139'000,
                                                  139'000, 138'000}));
  for (const auto* list : {&a.nodes, &a.reps})
    for (const Quota& q : *list) {
      EXPECT_EQ(q.annual % 1000, 0);
      for (int64_t m : q.monthly) EXPECT_EQ(m % 1000, 0);
    }
}

TEST(AllocateTopDownTest, RoundingUnitWithATargetThatIsNot) {
  // 10,000,500 in units of 1,000 by NA 1 : EU 3: 10,000 units -> NA 2,500, EU 7,500, and the 500
  // left over goes to the larger part, EU: 7,500,500. NA's reps 2,500 / 3 -> 834 / 833 / 833 units.
  // EU's only rep carries the 7,500,500: quarters 1,875 units each, the 500 to Q1 (all equal: the
  // first), and within Q1 to its first month: 625,500 / 625,000 / 625,000.
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 10'000'500;
  in.rounding_unit = 1000;
  in.bases = {Weights(1, {0, 1, 3}, {1, 1, 1, 1})};
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 2'500'000);
  EXPECT_EQ(a.nodes[h.FindNode("EU")].annual, 7'500'500);
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 834'000);
  EXPECT_EQ(a.reps[h.FindRep("u2")].annual, 833'000);
  EXPECT_EQ(a.reps[h.FindRep("u3")].annual, 833'000);
  const Quota& u4 = a.reps[h.FindRep("u4")];
  EXPECT_EQ(u4.annual, 7'500'500);
  EXPECT_EQ(u4.Quarter(1), 1'875'500);
  EXPECT_EQ(u4.Quarter(2), 1'875'000);
  EXPECT_EQ(u4.monthly[0], 625'500);
  EXPECT_EQ(u4.monthly[1], 625'000);
  EXPECT_EQ(a.nodes[h.FindNode("EU")].monthly, u4.monthly);
  // Only the chain that carries the 500 is off the unit: CO, EU, u4 and their first quarter/month.
  for (int r = 0; r < h.rep_count(); ++r) {
    if (h.rep(r).id() == "u4") continue;
    EXPECT_EQ(a.reps[r].annual % 1000, 0);
    for (int64_t m : a.reps[r].monthly) EXPECT_EQ(m % 1000, 0);
  }
  for (int m = 1; m < 12; ++m) EXPECT_EQ(u4.monthly[m] % 1000, 0);
  EXPECT_EQ(a.nodes[h.root()].monthly[0], a.nodes[h.FindNode("NA")].monthly[0] + 625'500);
}

TEST(AllocateTopDownTest, QuarterPlanPutsZeroOutsideTheQuarter) {
  // A Q2 plan (fiscal months 4..6): 300,000 -> NA 150,000 (50,000 a rep), EU 150,000.
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 300'000;
  in.period_months = {false, false, false, true, true, true, false, false, false, false, false, false};
  AllocationResult a = Allocate(h, in);
  const Quota& u4 = a.reps[h.FindRep("u4")];
  EXPECT_EQ(u4.annual, 150'000);
  EXPECT_EQ(u4.monthly, (std::array<int64_t, 12>{0, 0, 0, 50'000, 50'000, 50'000, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(u4.Quarter(2), 150'000);
  EXPECT_EQ(u4.Quarter(1) + u4.Quarter(3) + u4.Quarter(4), 0);
  // u1's 50,000: 16,667 / 16,667 / 16,666.
  EXPECT_EQ(a.reps[h.FindRep("u1")].monthly[3], 16'667);
  EXPECT_EQ(a.reps[h.FindRep("u1")].monthly[5], 16'666);
  EXPECT_EQ(a.nodes[h.root()].Quarter(2), 300'000);
  // A profile inside the quarter: 1 : 2 : 3 -> 25,000 / 50,000 / 75,000; its weight outside the
  // quarter does not matter.
  in.month_profile = {9, 9, 9, 1, 2, 3, 9, 9, 9, 9, 9, 9};
  a = Allocate(h, in);
  EXPECT_EQ(a.reps[h.FindRep("u4")].monthly,
            (std::array<int64_t, 12>{0, 0, 0, 25'000, 50'000, 75'000, 0, 0, 0, 0, 0, 0}));
  // A profile with no weight in the quarter is even over it.
  in.month_profile = {1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  a = Allocate(h, in);
  EXPECT_EQ(a.reps[h.FindRep("u4")].monthly,
            (std::array<int64_t, 12>{0, 0, 0, 50'000, 50'000, 50'000, 0, 0, 0, 0, 0, 0}));
}

TEST(AllocateTopDownTest, RegionsTakeTheMonthByMonthSumsOfTheirTerritories) {
  // NA's profile doubles quarter-end months; EU's is even; u3 has its own (all in month 1).
  //   NA 500,000: quarters 125,000, months 31,250 / 31,250 / 62,500.
  //   EU 500,000: quarters 125,000, months 41,667 / 41,667 / 41,666.
  //   CO (only child nodes): 72,917 / 72,917 / 104,166 ...
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1'000'000;
  in.node_profile.resize(h.node_count());
  in.node_profile[h.FindNode("NA")] = MonthProfile{1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2};
  in.rep_profile.resize(h.rep_count());
  in.rep_profile[h.FindRep("u3")] = MonthProfile{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  AllocationResult a = Allocate(h, in);
  const Quota& na = a.nodes[h.FindNode("NA")];
  const Quota& co = a.nodes[h.root()];
  EXPECT_EQ(na.monthly[0], 31'250);
  EXPECT_EQ(na.monthly[2], 62'500);
  EXPECT_EQ(co.monthly[0], 72'917);
  EXPECT_EQ(co.monthly[1], 72'917);
  EXPECT_EQ(co.monthly[2], 104'166);
  // Reps follow their territory's profile unless they have their own: u1's 166,667 -> quarters
  // 41,667 / 41,667 / 41,667 / 41,666 and Q1 10,417 / 10,417 / 20,833.
  const Quota& u1 = a.reps[h.FindRep("u1")];
  EXPECT_EQ(u1.monthly[0], 10'417);
  EXPECT_EQ(u1.monthly[1], 10'417);
  EXPECT_EQ(u1.monthly[2], 20'833);
  const Quota& u3 = a.reps[h.FindRep("u3")];
  EXPECT_EQ(u3.monthly[0], u3.annual);
  EXPECT_EQ(u3.annual, 166'666);
}

// ---------------------------------------------------------------------------------------------
// Locks (overrides)
// ---------------------------------------------------------------------------------------------

TEST(AllocateTopDownTest, LockOneSiblingTheOthersKeepTheirProportions) {
  // A : B : C = 1 : 2 : 3 of 1,200 -> 200 / 400 / 600. Lock A at 500: B and C share 700 as 2 : 3.
  Hierarchy h = Make({{"CO", ""}, {"A", "CO"}, {"B", "CO"}, {"C", "CO"}}, {});
  AllocationInput in;
  in.target = 1200;
  in.bases = {Weights(1, {0, 1, 2, 3}, {})};
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("B")].annual, 400);
  in.node_lock.resize(h.node_count());
  in.node_lock[h.FindNode("A")] = 500;
  a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("A")].annual, 500);
  EXPECT_EQ(a.nodes[h.FindNode("B")].annual, 280);
  EXPECT_EQ(a.nodes[h.FindNode("C")].annual, 420);
  // Lock B at 0 instead: A and C share all 1,200 as 1 : 3.
  in.node_lock.assign(h.node_count(), std::nullopt);
  in.node_lock[h.FindNode("B")] = 0;
  a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("A")].annual, 300);
  EXPECT_EQ(a.nodes[h.FindNode("B")].annual, 0);
  EXPECT_EQ(a.nodes[h.FindNode("C")].annual, 900);
}

TEST(AllocateTopDownTest, ALockedNodeSplitsItsLockBelow) {
  // NA locked at 300,000: EU takes the other 700,000; NA's reps 100,000 each.
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1'000'000;
  in.node_lock.resize(h.node_count());
  in.node_lock[h.FindNode("NA")] = 300'000;
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("EU")].annual, 700'000);
  EXPECT_EQ(a.reps[h.FindRep("u1")].annual, 100'000);
  EXPECT_EQ(a.reps[h.FindRep("u4")].annual, 700'000);
  // With units of 1,000 a lock off the unit is kept as it is; what is left (700,001) is split in
  // units with its remainder to the largest part.
  in.rounding_unit = 1000;
  in.node_lock[h.FindNode("NA")] = 299'999;
  a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 299'999);
  EXPECT_EQ(a.nodes[h.FindNode("EU")].annual, 700'001);
}

TEST(AllocateTopDownTest, LockARep) {
  // T's reps weigh 1 : 1 : 2 of 800,000 -> 200,000 / 200,000 / 400,000. Lock t3 at 100,000: t1 and
  // t2 share 700,000 equally.
  Hierarchy h = Make({{"CO", ""}, {"T", "CO"}, {"U", "CO"}},
                     {{"t1", "T"}, {"t2", "T"}, {"t3", "T"}, {"v1", "U"}});
  AllocationInput in;
  in.target = 1'600'000;
  in.bases = {Weights(1, {0, 1, 1}, {1, 1, 2, 1})};
  in.rep_lock.resize(h.rep_count());
  in.rep_lock[h.FindRep("t3")] = 100'000;
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("T")].annual, 800'000);  // the node does not move
  EXPECT_EQ(a.reps[h.FindRep("t1")].annual, 350'000);
  EXPECT_EQ(a.reps[h.FindRep("t2")].annual, 350'000);
  EXPECT_EQ(a.reps[h.FindRep("t3")].annual, 100'000);
  // With 15% over-assignment the reps carry 920,000; the lock is what t3 carries.
  in.over_assignment = 0.15;
  in.rep_lock[h.FindRep("t3")] = 120'000;
  a = Allocate(h, in);
  EXPECT_EQ(a.reps[h.FindRep("t1")].annual, 400'000);
  EXPECT_EQ(a.reps[h.FindRep("t2")].annual, 400'000);
  EXPECT_EQ(a.reps[h.FindRep("t3")].annual, 120'000);
  EXPECT_EQ(a.rep_total, 920'000 + 920'000);
}

TEST(AllocateTopDownTest, WhenEveryRepIsLockedThePoolIsWhatTheyCarry) {
  // CO has a child node A and two reps of its own, both locked, with 15% over-assignment:
  // 230,000 + 115,000 = 345,000 carried is a pool of 345,000 / 1.15 = 300,000; A gets the rest.
  Hierarchy h = Make({{"CO", ""}, {"A", "CO"}}, {{"c1", "CO"}, {"c2", "CO"}, {"a1", "A"}});
  AllocationInput in;
  in.target = 1'000'000;
  in.over_assignment = 0.15;
  in.rep_lock.resize(h.rep_count());
  in.rep_lock[h.FindRep("c1")] = 230'000;
  in.rep_lock[h.FindRep("c2")] = 115'000;
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("A")].annual, 700'000);
  EXPECT_EQ(a.reps[h.FindRep("a1")].annual, 805'000);
  EXPECT_EQ(a.rep_total, 345'000 + 805'000);
}

TEST(AllocateTopDownTest, LockEveryChildConsistently) {
  Hierarchy h = Sample();
  AllocationInput in;
  in.target = 1'000'000;
  in.node_lock.resize(h.node_count());
  in.rep_lock.resize(h.rep_count());
  in.node_lock[h.FindNode("NA")] = 600'000;
  in.node_lock[h.FindNode("EU")] = 400'000;
  in.rep_lock[h.FindRep("u1")] = 100'000;
  in.rep_lock[h.FindRep("u2")] = 200'000;
  in.rep_lock[h.FindRep("u3")] = 300'000;
  in.rep_lock[h.FindRep("u4")] = 400'000;
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.reps[h.FindRep("u2")].annual, 200'000);
  EXPECT_EQ(a.rep_total, 1'000'000);
  // With 15% over-assignment the reps' locks are what they carry: NA 690,000, EU 460,000.
  in.over_assignment = 0.15;
  in.rep_lock[h.FindRep("u3")] = 390'000;
  in.rep_lock[h.FindRep("u4")] = 460'000;
  a = Allocate(h, in);
  EXPECT_EQ(a.nodes[h.FindNode("NA")].annual, 600'000);
  EXPECT_EQ(a.reps[h.FindRep("u3")].annual, 390'000);
  EXPECT_EQ(a.rep_total, 1'150'000);
}

TEST(AllocateTopDownTest, LockEveryChildAtWhatThePlanGaveWithUnitsAndOverAssignment) {
  // Locking everything at the values an allocation produced must be accepted. T 10,000 with 12%
  // in units of 1,000 carries 11,000 (6,000 + 5,000), which is not 1.12 x 10,000 exactly.
  Hierarchy h = Make({{"CO", ""}, {"T", "CO"}, {"U", "CO"}}, {{"t1", "T"}, {"t2", "T"}, {"u1", "U"}});
  AllocationInput in;
  in.target = 30'000;
  in.over_assignment = 0.12;
  in.rounding_unit = 1000;
  in.bases = {Weights(1, {0, 1, 2}, {1, 1, 1})};
  AllocationResult before = Allocate(h, in);
  ASSERT_EQ(before.nodes[h.FindNode("T")].annual, 10'000);
  ASSERT_EQ(before.reps[h.FindRep("t1")].annual, 6'000);
  in.node_lock.resize(h.node_count());
  in.rep_lock.resize(h.rep_count());
  in.node_lock[h.FindNode("T")] = 10'000;
  in.rep_lock[h.FindRep("t1")] = 6'000;
  in.rep_lock[h.FindRep("t2")] = 5'000;
  AllocationResult a = Allocate(h, in);
  EXPECT_EQ(a.reps[h.FindRep("t1")].annual, 6'000);
  EXPECT_EQ(a.nodes[h.FindNode("U")].annual, 20'000);
  EXPECT_EQ(a.rep_total, before.rep_total);
}

void ExpectOverridesError(const Hierarchy& h, const AllocationInput& in) {
  auto a = AllocateTopDown(h, in);
  ASSERT_FALSE(a.ok()) << "locks that cannot hold were accepted";
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), StartsWith("overrides")) << a.status();
}

TEST(AllocateTopDownTest, LocksThatCannotHoldAreInvalid) {
  Hierarchy h = Sample();
  AllocationInput base;
  base.target = 1'000'000;
  base.node_lock.resize(h.node_count());
  base.rep_lock.resize(h.rep_count());
  const int na = h.FindNode("NA"), eu = h.FindNode("EU");
  {  // A lock above its parent.
    AllocationInput in = base;
    in.node_lock[na] = 1'200'000;
    ExpectOverridesError(h, in);
  }
  {  // Every child locked, not adding up (short, then over).
    AllocationInput in = base;
    in.node_lock[na] = 600'000;
    in.node_lock[eu] = 300'000;
    ExpectOverridesError(h, in);
    in.node_lock[eu] = 500'000;
    ExpectOverridesError(h, in);
  }
  {  // Locked reps above what their territory carries (NA 500,000).
    AllocationInput in = base;
    in.rep_lock[h.FindRep("u1")] = 400'000;
    in.rep_lock[h.FindRep("u2")] = 200'000;
    ExpectOverridesError(h, in);
  }
  {  // Every rep of NA locked, with NA locked at something else.
    AllocationInput in = base;
    in.node_lock[na] = 600'000;
    for (const char* r : {"u1", "u2", "u3"}) in.rep_lock[h.FindRep(r)] = 100'000;
    ExpectOverridesError(h, in);
  }
  {  // EU's only rep locked at more than EU gets (500,000).
    AllocationInput in = base;
    in.rep_lock[h.FindRep("u4")] = 700'000;
    ExpectOverridesError(h, in);
  }
  {  // ... and at less.
    AllocationInput in = base;
    in.rep_lock[h.FindRep("u4")] = 300'000;
    ExpectOverridesError(h, in);
  }
  {  // Every rep locked and the pool's sibling nodes too, not adding up to the parent.
    Hierarchy g = Make({{"CO", ""}, {"A", "CO"}}, {{"c1", "CO"}, {"a1", "A"}});
    AllocationInput in;
    in.target = 1000;
    in.node_lock = {std::nullopt, 400};
    in.rep_lock = {300, std::nullopt};
    ExpectOverridesError(g, in);
    in.rep_lock = {600, std::nullopt};  // 400 + 600 = 1000: fine
    AllocationResult a = Allocate(g, in);
    EXPECT_EQ(a.reps[g.FindRep("c1")].annual, 600);
  }
  {  // With over-assignment, locks far from what the pool carries.
    AllocationInput in = base;
    in.over_assignment = 0.15;
    in.node_lock[eu] = 500'000;
    in.rep_lock[h.FindRep("u4")] = 500'000;  // EU's 500,000 carries 575,000
    ExpectOverridesError(h, in);
    in.rep_lock[h.FindRep("u4")] = 575'000;
    AllocationResult a = Allocate(h, in);
    EXPECT_EQ(a.reps[h.FindRep("u4")].annual, 575'000);
  }
}

// ---------------------------------------------------------------------------------------------
// Random hierarchies, weights, locks, units and over-assignments: every promise holds.
// ---------------------------------------------------------------------------------------------

int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}
bool Coin(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }

// `total` (>= 0) in k >= 1 random parts.
std::vector<int64_t> RandomParts(int64_t total, size_t k, std::mt19937_64& rng) {
  std::vector<int64_t> cuts = {0, total};
  for (size_t i = 0; i + 1 < k; ++i) cuts.push_back(Uniform(rng, 0, total));
  std::sort(cuts.begin(), cuts.end());
  std::vector<int64_t> parts(k);
  for (size_t i = 0; i < k; ++i) parts[i] = cuts[i + 1] - cuts[i];
  return parts;
}

Hierarchy RandomHierarchy(std::mt19937_64& rng) {
  std::vector<std::pair<std::string, std::string>> nodes = {{"n0", ""}};
  const int n = 1 + static_cast<int>(Uniform(rng, 0, 8));
  for (int i = 1; i < n; ++i)
    nodes.push_back({"n" + std::to_string(i), "n" + std::to_string(Uniform(rng, 0, i - 1))});
  std::vector<std::pair<std::string, std::string>> reps;
  const int m = static_cast<int>(Uniform(rng, 0, 14));
  for (int j = 0; j < m; ++j)
    reps.push_back({"r" + std::to_string(j), "n" + std::to_string(Uniform(rng, 0, n - 1))});
  return Make(nodes, reps);
}

MonthProfile RandomProfile(std::mt19937_64& rng) {
  MonthProfile p;
  const int kind = static_cast<int>(Uniform(rng, 0, 3));
  for (double& x : p) {
    if (kind == 0) x = 1;
    else if (kind == 1) x = 0;  // no weight at all: even
    else x = Coin(rng, 0.2) ? 0 : std::uniform_real_distribution<double>(0, 10)(rng);
  }
  return p;
}

// Locks that can hold, drawn level by level: the amount a node splits depends only on the locks at
// its depth and above, so the locks under the nodes of depth d are drawn from the amounts of a run
// with the locks above them.
void DrawFeasibleLocks(const Hierarchy& h, AllocationInput& in, std::mt19937_64& rng) {
  in.node_lock.assign(h.node_count(), std::nullopt);
  in.rep_lock.assign(h.rep_count(), std::nullopt);
  const double gross_up = 1 + in.over_assignment;
  int max_depth = 0;
  for (int v = 0; v < h.node_count(); ++v) max_depth = std::max(max_depth, h.depth(v));
  for (int d = 0; d <= max_depth; ++d) {
    auto run = AllocateTopDown(h, in);
    ASSERT_TRUE(run.ok()) << run.status();
    std::vector<bool> pool_locked(h.node_count(), false);
    for (int v = 0; v < h.node_count(); ++v) {
      if (h.depth(v) != d) continue;
      const int64_t amount = run->nodes[v].annual;
      std::vector<int> locked;
      for (int c : h.child_nodes(v))
        if (Coin(rng, 0.35)) locked.push_back(c);
      const bool all_nodes = locked.size() == h.child_nodes(v).size();
      const std::vector<int> reps = ActiveReps(h, in, v);
      pool_locked[v] = !reps.empty() && Coin(rng, 0.25);
      if (!pool_locked[v]) {
        if (locked.empty()) continue;
        // Without reps, every child locked must add up to the node; else they take at most it.
        const int64_t budget = reps.empty() && all_nodes ? amount : Uniform(rng, 0, amount);
        auto parts = RandomParts(budget, locked.size(), rng);
        for (size_t k = 0; k < locked.size(); ++k) in.node_lock[locked[k]] = parts[k];
        continue;
      }
      // Every rep locked: the pool is part of the split, at what the reps carry.
      auto parts = RandomParts(all_nodes ? amount : Uniform(rng, 0, amount), locked.size() + 1, rng);
      for (size_t k = 0; k < locked.size(); ++k) in.node_lock[locked[k]] = parts[k];
      const int64_t pool = parts.back();
      const int64_t carried = all_nodes ? pool + Extra(in, pool)
                                        : static_cast<int64_t>(std::floor(pool * gross_up));
      auto rep_parts = RandomParts(carried, reps.size(), rng);
      for (size_t k = 0; k < reps.size(); ++k) in.rep_lock[reps[k]] = rep_parts[k];
    }
    // Some reps of the other pools: what they carry is known once the nodes above are locked.
    run = AllocateTopDown(h, in);
    ASSERT_TRUE(run.ok()) << run.status();
    for (int v = 0; v < h.node_count(); ++v) {
      const std::vector<int> reps = ActiveReps(h, in, v);
      if (h.depth(v) != d || pool_locked[v] || reps.size() < 2 || Coin(rng, 0.5)) continue;
      int64_t carried = 0;
      for (int r : reps) carried += run->reps[r].annual;
      std::vector<int> locked;
      for (int r : reps)
        if (Coin(rng, 0.4) && locked.size() + 1 < reps.size()) locked.push_back(r);
      if (locked.empty()) continue;
      auto parts = RandomParts(Uniform(rng, 0, carried), locked.size(), rng);
      for (size_t k = 0; k < locked.size(); ++k) in.rep_lock[locked[k]] = parts[k];
    }
  }
}

TEST(AllocateTopDownTest, RandomHierarchiesKeepEveryTotalAndEveryLock) {
  std::mt19937_64 rng(20270401);
  const int64_t units[] = {1, 1, 1, 7, 10, 1000, 100'000};
  int with_locks = 0, rejected = 0;
  for (int trial = 0; trial < 500; ++trial) {
    SCOPED_TRACE(testing::Message() << "trial " << trial);
    const Hierarchy h = RandomHierarchy(rng);
    AllocationInput in;
    in.rounding_unit = units[Uniform(rng, 0, 6)];
    switch (Uniform(rng, 0, 4)) {
      case 0: in.target = Uniform(rng, 0, 1000); break;
      case 1: in.target = Uniform(rng, 0, 1'000'000); break;
      case 2: in.target = Uniform(rng, 0, 1'000'000'000'000); break;
      case 3: in.target = Uniform(rng, 0, 1'000'000) * in.rounding_unit; break;
      default: in.target = 0; break;
    }
    switch (Uniform(rng, 0, 3)) {
      case 0: in.over_assignment = 0; break;
      case 1: in.over_assignment = 0.15; break;
      default: in.over_assignment = std::uniform_real_distribution<double>(0, 0.99)(rng);
    }
    // Bases: none (equal), or up to three blended with random weights.
    const int n_bases = static_cast<int>(Uniform(rng, 0, 3));
    std::vector<double> blend(n_bases);
    double blend_total = 0;
    for (double& b : blend) blend_total += b = std::uniform_real_distribution<double>(0.05, 1)(rng);
    for (int k = 0; k < n_bases; ++k) {
      ShareBasis basis{blend[k] / blend_total, Coin(rng, 0.3), {}, {}};
      if (!basis.equal) {
        const bool all_zero = Coin(rng, 0.1);
        for (int v = 0; v < h.node_count(); ++v)
          basis.node_weight.push_back(all_zero || Coin(rng, 0.25) ? 0 : Uniform(rng, 1, 1000));
        for (int r = 0; r < h.rep_count(); ++r)
          basis.rep_weight.push_back(all_zero || Coin(rng, 0.25) ? 0 : Uniform(rng, 1, 1000));
      }
      in.bases.push_back(std::move(basis));
    }
    if (Coin(rng, 0.3))
      for (int r = 0; r < h.rep_count(); ++r) in.rep_active.push_back(Coin(rng, 0.8));
    if (Coin(rng, 0.5)) {
      const int q = static_cast<int>(Uniform(rng, 0, 3));
      for (int m = 0; m < 12; ++m) in.period_months[m] = m / 3 == q;
    }
    in.month_profile = RandomProfile(rng);
    if (Coin(rng, 0.5)) {
      in.node_profile.resize(h.node_count());
      for (auto& p : in.node_profile)
        if (Coin(rng, 0.5)) p = RandomProfile(rng);
    }
    if (Coin(rng, 0.5)) {
      in.rep_profile.resize(h.rep_count());
      for (auto& p : in.rep_profile)
        if (Coin(rng, 0.5)) p = RandomProfile(rng);
    }
    const bool locks = Coin(rng, 0.6);
    if (locks) {
      DrawFeasibleLocks(h, in, rng);
      if (HasFatalFailure()) return;
      ++with_locks;
    }

    auto a = AllocateTopDown(h, in);
    ASSERT_TRUE(a.ok()) << a.status();
    ExpectConsistent(h, in, *a);
    if (HasFailure()) return;

    // A lock above its parent's quota can never hold.
    if (locks && h.node_count() > 1) {
      AllocationInput bad = in;
      const int c = static_cast<int>(Uniform(rng, 1, h.node_count() - 1));
      bad.node_lock[c] = a->nodes[h.parent(c)].annual + Uniform(rng, 1, 1000);
      ExpectOverridesError(h, bad);
      ++rejected;
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(with_locks, 200);
  EXPECT_GT(rejected, 100);
}

}  // namespace
}  // namespace salesops::quota
