#include "services/quota/plan_simulation.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "services/forecasting/engine/normal_quantile.h"

namespace salesops::quota {
namespace {

using ::salesops::forecast::NormalQuantile;

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

PlanSimulationInput Plan(double median, double log_sd, double target, double sigma,
                         const std::vector<RepPlan>& reps, int paths = 20000, uint64_t seed = 1) {
  PlanSimulationInput in;
  in.company = {median, log_sd};
  in.target = target;
  in.rep_sigma = sigma;
  in.reps = reps;
  in.paths = paths;
  in.seed = seed;
  return in;
}

// ---------------------------------------------------------------------------------------------
// LogNormalFromMeanSd

TEST(LogNormalFromMeanSdTest, MatchesMeanAndVariance) {
  for (auto [mean, sd] : {std::pair{100.0, 30.0}, {5e6, 1e6}, {1.0, 2.0}}) {
    auto ln = LogNormalFromMeanSd(mean, sd);
    ASSERT_TRUE(ln.ok()) << ln.status();
    const double s2 = ln->log_sd * ln->log_sd;
    // Lognormal moments: mean = median e^{s^2/2}, var = mean^2 (e^{s^2} - 1).
    EXPECT_NEAR(ln->median * std::exp(s2 / 2), mean, 1e-9 * mean);
    EXPECT_NEAR(std::sqrt(mean * mean * std::expm1(s2)), sd, 1e-9 * mean);
    EXPECT_LT(ln->median, mean);  // right skew
  }
  // Hand-worked: cv 0.3 -> s^2 = log(1.09), median = 100 / sqrt(1.09).
  auto ln = LogNormalFromMeanSd(100, 30);
  EXPECT_NEAR(ln->log_sd, std::sqrt(std::log(1.09)), 1e-12);
  EXPECT_NEAR(ln->median, 100 / std::sqrt(1.09), 1e-9);
}

TEST(LogNormalFromMeanSdTest, ZeroSdIsDegenerate) {
  auto ln = LogNormalFromMeanSd(250, 0);
  ASSERT_TRUE(ln.ok());
  EXPECT_EQ(ln->median, 250);
  EXPECT_EQ(ln->log_sd, 0);
}

TEST(LogNormalFromMeanSdTest, RejectsBadInput) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (auto [mean, sd, field] : {std::tuple{0.0, 1.0, "mean"}, {-5.0, 1.0, "mean"}, {nan, 1.0, "mean"},
                                 {10.0, -1.0, "sd"}, {10.0, nan, "sd"}}) {
    auto ln = LogNormalFromMeanSd(mean, sd);
    ASSERT_FALSE(ln.ok());
    EXPECT_EQ(ln.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(ln.status().message(), std::string(field) + ":")) << ln.status();
  }
}

std::vector<RepPlan> MixedRepsForMedians() {
  // Shares from 0.1% to ~40% of the company.
  std::vector<RepPlan> reps;
  for (double share : {0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4}) reps.push_back({1e5, share});
  return reps;
}

// ---------------------------------------------------------------------------------------------
// SimulatePlan: no noise at all, checked by hand.

TEST(SimulatePlanTest, NoNoiseMedianAboveTargetEveryoneMakesIt) {
  // Target 1000, forecast median 1100 (+10%); quotas are each rep's share of the target, so each
  // rep books 1.1 x quota. A fourth rep has no expected share: books 0, misses, and counts.
  const std::vector<RepPlan> reps = {{100, 1}, {300, 3}, {600, 6}, {50, 0}};
  auto r = SimulatePlan(Plan(1100, 0, 1000, 0, reps, 500));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->probability_of_target, 1.0);
  EXPECT_DOUBLE_EQ(r->expected_share_at_quota, 0.75);
  EXPECT_DOUBLE_EQ(r->share_at_quota_p10, 0.75);
  EXPECT_DOUBLE_EQ(r->share_at_quota_p90, 0.75);
  EXPECT_DOUBLE_EQ(r->company_p10, 1100);
  EXPECT_DOUBLE_EQ(r->company_p50, 1100);
  EXPECT_DOUBLE_EQ(r->company_p90, 1100);
  EXPECT_DOUBLE_EQ(r->company_expected, 1100);
  ASSERT_EQ(r->reps.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r->reps[i].probability_of_quota, 1.0) << i;
    EXPECT_NEAR(r->reps[i].median_bookings, 1.1 * reps[i].quota, 1e-9) << i;
    EXPECT_NEAR(r->reps[i].median_attainment, 1.1, 1e-12) << i;
    EXPECT_NEAR(r->reps[i].expected_bookings, 1.1 * reps[i].quota, 1e-9) << i;
  }
  EXPECT_EQ(r->reps[3].probability_of_quota, 0.0);
  EXPECT_EQ(r->reps[3].median_bookings, 0.0);
  EXPECT_EQ(r->reps[3].expected_bookings, 0.0);
}

TEST(SimulatePlanTest, NoNoiseOverAssignedByTwentyPercentNobodyMakesIt) {
  // The forecast lands exactly on target, but quotas add up to 1.2 x target: every rep books
  // 1/1.2 of quota.
  const std::vector<RepPlan> reps = {{240, 2}, {360, 3}, {600, 5}};
  auto r = SimulatePlan(Plan(1000, 0, 1000, 0, reps, 500));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->probability_of_target, 1.0);  // T == target counts as reaching it
  EXPECT_EQ(r->expected_share_at_quota, 0.0);
  EXPECT_EQ(r->share_at_quota_p90, 0.0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r->reps[i].probability_of_quota, 0.0) << i;
    EXPECT_NEAR(r->reps[i].median_attainment, 1 / 1.2, 1e-12) << i;
  }
  // Quotas exactly the expected bookings (no over-assignment): everyone makes it, not lost to
  // rounding of the normalised shares.
  auto exact = SimulatePlan(Plan(1000, 0, 1000, 0, {{200, 2}, {300, 3}, {500, 5}}, 500));
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->expected_share_at_quota, 1.0);
}

// ---------------------------------------------------------------------------------------------
// Company noise only.

TEST(SimulatePlanTest, ProbabilityOfTargetMatchesLognormalCdf) {
  const double median = 1e6, log_sd = 0.2;
  const std::vector<RepPlan> reps = {{400000, 4}, {600000, 6}};
  for (double target : {0.8e6, 1.0e6, 1.1e6, 1.3e6}) {
    auto r = SimulatePlan(Plan(median, log_sd, target, 0, reps, 20000, 7));
    ASSERT_TRUE(r.ok()) << r.status();
    const double expected = 1 - NormalCdf(std::log(target / median) / log_sd);
    // Monte Carlo sd <= sqrt(0.25 / 20000) = 0.0035.
    EXPECT_NEAR(r->probability_of_target, expected, 0.01) << target;
  }
  auto r = SimulatePlan(Plan(median, log_sd, 1e6, 0, reps, 20000, 7));
  ASSERT_TRUE(r.ok());
  for (auto [q, value] : {std::pair{0.1, r->company_p10}, {0.5, r->company_p50}, {0.9, r->company_p90}}) {
    const double exact = median * std::exp(log_sd * NormalQuantile(q));
    EXPECT_NEAR(value / exact, 1.0, 0.01) << q;
  }
  EXPECT_NEAR(r->company_expected / (median * std::exp(log_sd * log_sd / 2)), 1.0, 0.005);
  // Without rep noise each rep books its share of T, so its median is its share of the company's
  // median: the same path, exactly (checks the two-pass median against the company's).
  EXPECT_NEAR(r->reps[0].median_bookings, 0.4 * r->company_p50, 1e-9 * median);
  EXPECT_NEAR(r->reps[1].median_bookings, 0.6 * r->company_p50, 1e-9 * median);
  // Quotas are the shares of 1e6 and the target is 1e6: each rep makes quota exactly when the
  // company makes target.
  EXPECT_DOUBLE_EQ(r->reps[0].probability_of_quota, r->probability_of_target);
  EXPECT_DOUBLE_EQ(r->expected_share_at_quota, r->probability_of_target);
  EXPECT_EQ(r->share_at_quota_p10, 0.0);
  EXPECT_EQ(r->share_at_quota_p90, 1.0);
}

// ---------------------------------------------------------------------------------------------
// Rep noise only.

TEST(SimulatePlanTest, RepsShareTheCompanyTotal) {
  // Company fixed: in every path the reps' bookings add up to T, so their means add up to T.
  std::vector<RepPlan> reps;
  for (int i = 0; i < 40; ++i) reps.push_back({1000.0 * (1 + i % 5), 1.0 + i % 5});
  auto r = SimulatePlan(Plan(120000, 0, 100000, 0.5, reps, 5000, 3));
  ASSERT_TRUE(r.ok());
  double sum = 0;
  for (const RepOutcome& o : r->reps) sum += o.expected_bookings;
  EXPECT_NEAR(sum, 120000, 1e-6);
  EXPECT_EQ(r->probability_of_target, 1.0);
  EXPECT_DOUBLE_EQ(r->company_p10, 120000);
  EXPECT_DOUBLE_EQ(r->company_p90, 120000);
}

TEST(SimulatePlanTest, SymmetricRepsAtExpectedQuotaMakeItABitLessThanHalfTheTime) {
  // 100 identical reps, company fixed at 100 x 1000, quota = expected = 1000. Rep r makes quota
  // when m_r >= the mean of all m_j, which with 100 reps is within a few percent of E[m] = 1. The
  // multiplier has mean one but median exp(-sigma^2/2) < 1 (right skew), so P(m_r >= 1) =
  // P(z >= sigma/2) = 1 - Phi(sigma/2): 0.430 for sigma = 0.35, below one half. For the same reason
  // the median attainment is about exp(-sigma^2/2) = 0.941.
  const double sigma = 0.35;
  std::vector<RepPlan> reps(100, RepPlan{1000, 1});
  auto r = SimulatePlan(Plan(100000, 0, 100000, sigma, reps, 20000, 11));
  ASSERT_TRUE(r.ok()) << r.status();
  const double expected = 1 - NormalCdf(sigma / 2);
  double mean_probability = 0;
  for (const RepOutcome& o : r->reps) {
    // Each rep: Monte Carlo sd 0.0035; the band also allows for the mean of m_j not being exactly 1.
    EXPECT_GT(o.probability_of_quota, 0.405);
    EXPECT_LT(o.probability_of_quota, 0.455);
    EXPECT_LT(o.probability_of_quota, 0.5);
    EXPECT_NEAR(o.median_attainment, std::exp(-sigma * sigma / 2), 0.015);
    EXPECT_EQ(o.median_attainment >= 1, o.probability_of_quota >= 0.5);
    mean_probability += o.probability_of_quota / 100;
  }
  EXPECT_NEAR(mean_probability, expected, 0.01);
  EXPECT_DOUBLE_EQ(r->expected_share_at_quota, mean_probability);
  // The share at quota varies across paths, but less than if reps were independent
  // (binomial(100, 0.43): P90 - P10 = 2 x 1.28 x 0.05 = 0.127): with the company total fixed, one
  // rep's gain is the others' loss.
  EXPECT_LT(r->share_at_quota_p10, r->expected_share_at_quota);
  EXPECT_GT(r->share_at_quota_p90, r->expected_share_at_quota);
  EXPECT_LT(r->share_at_quota_p90 - r->share_at_quota_p10, 2 * 1.2816 * std::sqrt(0.43 * 0.57 / 100));
  // Company noise moves every rep together: a 20% log-sd on the total swamps the reps' own noise
  // (a bad year, most miss; a good one, most make it).
  auto together = SimulatePlan(Plan(100000, 0.2, 100000, sigma, reps, 20000, 11));
  ASSERT_TRUE(together.ok());
  EXPECT_GT(together->share_at_quota_p90 - together->share_at_quota_p10, 0.5);
}

TEST(SimulatePlanTest, MoreRepVariabilityFewerRepsAtQuotaWhenTheyAreAhead) {
  // Company 10% ahead of the quotas: without rep noise everyone makes it; with more noise, fewer.
  std::vector<RepPlan> reps(50, RepPlan{1000, 1});
  double previous = 1.0;
  for (double sigma : {0.0, 0.1, 0.3, 0.6}) {
    auto r = SimulatePlan(Plan(55000, 0, 50000, sigma, reps, 4000, 5));
    ASSERT_TRUE(r.ok());
    EXPECT_LE(r->expected_share_at_quota, previous) << sigma;
    previous = r->expected_share_at_quota;
  }
  EXPECT_LT(previous, 0.6);
}

TEST(SimulatePlanTest, RepMediansAreExactOrderStatistics) {
  // Quotas do not change the draws, so feeding each rep's median back as its quota (same seed)
  // replays the same paths: exactly the paths at or above the nearest-rank median, P - k of them
  // with k = round((P - 1) / 2), make quota.
  std::vector<RepPlan> reps = MixedRepsForMedians();
  const int paths = 4001;
  auto first = SimulatePlan(Plan(1.2e6, 0.15, 1.1e6, 0.4, reps, paths, 99));
  ASSERT_TRUE(first.ok()) << first.status();
  for (size_t i = 0; i < reps.size(); ++i) reps[i].quota = first->reps[i].median_bookings;
  auto again = SimulatePlan(Plan(1.2e6, 0.15, 1.1e6, 0.4, reps, paths, 99));
  ASSERT_TRUE(again.ok()) << again.status();
  for (size_t i = 0; i < reps.size(); ++i) {
    EXPECT_DOUBLE_EQ(again->reps[i].probability_of_quota, 2001.0 / 4001.0) << i;
    EXPECT_DOUBLE_EQ(again->reps[i].median_attainment, 1.0) << i;
  }
}

// ---------------------------------------------------------------------------------------------
// Reproducibility.

void ExpectSame(const PlanSimulationResult& a, const PlanSimulationResult& b) {
  EXPECT_EQ(a.probability_of_target, b.probability_of_target);
  EXPECT_EQ(a.expected_share_at_quota, b.expected_share_at_quota);
  EXPECT_EQ(a.share_at_quota_p10, b.share_at_quota_p10);
  EXPECT_EQ(a.share_at_quota_p90, b.share_at_quota_p90);
  EXPECT_EQ(a.company_expected, b.company_expected);
  EXPECT_EQ(a.company_p10, b.company_p10);
  EXPECT_EQ(a.company_p50, b.company_p50);
  EXPECT_EQ(a.company_p90, b.company_p90);
  ASSERT_EQ(a.reps.size(), b.reps.size());
  for (size_t i = 0; i < a.reps.size(); ++i) {
    EXPECT_EQ(a.reps[i].probability_of_quota, b.reps[i].probability_of_quota);
    EXPECT_EQ(a.reps[i].median_bookings, b.reps[i].median_bookings);
    EXPECT_EQ(a.reps[i].median_attainment, b.reps[i].median_attainment);
    EXPECT_EQ(a.reps[i].expected_bookings, b.reps[i].expected_bookings);
  }
}

std::vector<RepPlan> MixedReps() {
  std::vector<RepPlan> reps;
  for (int i = 0; i < 30; ++i) reps.push_back({30000.0 + 1000 * i, 1.0 + (i % 7) * 0.3});
  return reps;
}

TEST(SimulatePlanTest, SameSeedSameResult) {
  const auto in = Plan(1.2e6, 0.15, 1.1e6, 0.35, MixedReps(), 3000, 42);
  auto a = SimulatePlan(in), b = SimulatePlan(in);
  ASSERT_TRUE(a.ok() && b.ok());
  ExpectSame(*a, *b);
}

TEST(SimulatePlanTest, DifferentSeedsDiffer) {
  auto a = SimulatePlan(Plan(1.2e6, 0.15, 1.1e6, 0.35, MixedReps(), 3000, 42));
  auto b = SimulatePlan(Plan(1.2e6, 0.15, 1.1e6, 0.35, MixedReps(), 3000, 43));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->company_p50, b->company_p50);
  EXPECT_NE(a->company_expected, b->company_expected);
  int differing = 0;
  for (size_t i = 0; i < a->reps.size(); ++i) differing += a->reps[i].median_bookings != b->reps[i].median_bookings;
  EXPECT_GT(differing, 25);
  // ... but agree within Monte Carlo error.
  EXPECT_NEAR(a->probability_of_target, b->probability_of_target, 0.05);
  EXPECT_NEAR(a->expected_share_at_quota, b->expected_share_at_quota, 0.03);
}

// ---------------------------------------------------------------------------------------------
// Validation.

void ExpectInvalid(const PlanSimulationInput& in, const std::string& field) {
  auto r = SimulatePlan(in);
  ASSERT_FALSE(r.ok()) << field;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(r.status().message(), field + ":")) << r.status() << " (want " << field << ")";
}

TEST(SimulatePlanTest, ValidationNamesTheField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<RepPlan> reps = {{100, 1}, {100, 1}, {100, 1}, {100, 1}};
  const auto ok = Plan(400, 0.1, 400, 0.3, reps, 1000);
  ASSERT_TRUE(SimulatePlan(ok).ok());

  auto in = ok;
  in.paths = 99;
  ExpectInvalid(in, "paths");
  in.paths = 200001;
  ExpectInvalid(in, "paths");
  in = ok;
  in.target = 0;
  ExpectInvalid(in, "target");
  in.target = nan;
  ExpectInvalid(in, "target");
  in = ok;
  in.company.median = -1;
  ExpectInvalid(in, "company.median");
  in = ok;
  in.company.log_sd = -0.1;
  ExpectInvalid(in, "company.log_sd");
  in.company.log_sd = nan;
  ExpectInvalid(in, "company.log_sd");
  in = ok;
  in.rep_sigma = -0.1;
  ExpectInvalid(in, "rep_sigma");
  in.rep_sigma = 2;
  ExpectInvalid(in, "rep_sigma");
  in = ok;
  in.reps.clear();
  ExpectInvalid(in, "reps");
  in = ok;
  in.reps[3].quota = 0;
  ExpectInvalid(in, "reps[3].quota");
  in.reps[3].quota = nan;
  ExpectInvalid(in, "reps[3].quota");
  in = ok;
  in.reps[1].expected_share = -1;
  ExpectInvalid(in, "reps[1].expected_share");
  in.reps[1].expected_share = std::numeric_limits<double>::infinity();
  ExpectInvalid(in, "reps[1].expected_share");
  in = ok;
  for (RepPlan& r : in.reps) r.expected_share = 0;
  ExpectInvalid(in, "reps");
}

// ---------------------------------------------------------------------------------------------
// EstimateRepVariability.

// reps x years of bookings from the model: each rep a lasting share (spread widely, which the
// estimate must ignore) times an independent yearly multiplier exp(sigma z - sigma^2/2), of a company
// total growing 10% a year.
std::vector<std::vector<double>> History(int reps, int years, double sigma, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z;
  std::vector<double> base(reps);
  for (double& b : base) b = std::exp(0.8 * z(rng));
  std::vector<std::vector<double>> bookings(reps, std::vector<double>(years));
  for (int y = 0; y < years; ++y) {
    std::vector<double> v(reps);
    double sum = 0;
    for (int r = 0; r < reps; ++r) sum += v[r] = base[r] * std::exp(sigma * z(rng) - sigma * sigma / 2);
    const double total = 1e7 * std::pow(1.1, y);
    for (int r = 0; r < reps; ++r) bookings[r][y] = total * v[r] / sum;
  }
  return bookings;
}

TEST(EstimateRepVariabilityTest, RecoversKnownSigma) {
  for (double sigma : {0.15, 0.3, 0.6}) {
    for (uint64_t seed : {1, 2, 3}) {
      const RepVariability v = EstimateRepVariability(History(300, 4, sigma, seed));
      EXPECT_TRUE(v.from_history);
      EXPECT_EQ(v.pairs_observed, 900);
      EXPECT_NEAR(v.sigma, sigma, 0.04 * sigma / 0.3) << sigma << " seed " << seed;
    }
  }
}

TEST(EstimateRepVariabilityTest, MissingYearsAndHeadcountChanges) {
  // 100 reps over 4 years; 200 more join in year 2 (their earlier years missing: NaN or negative),
  // and 20 of the first leave after year 1 (shorter rows). Joining triples the total of the reps
  // present, so every continuing rep's share drops to about a third from year 1 to 2: a shift
  // common to them all, not rep variability (pooled uncentred, those d would read as sigma ~0.4).
  const double sigma = 0.3;
  auto history = History(300, 4, sigma, 9);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int r = 100; r < 300; ++r) history[r][0] = history[r][1] = (r % 2 ? nan : -1.0);
  for (int r = 0; r < 20; ++r) history[r].resize(2);
  const RepVariability v = EstimateRepVariability(history);
  EXPECT_TRUE(v.from_history);
  // Pairs: years 0-1: 100 reps; 1-2: 80; 2-3: 280.
  EXPECT_EQ(v.pairs_observed, 100 + 80 + 280);
  EXPECT_NEAR(v.sigma, sigma, 0.04);
}

TEST(EstimateRepVariabilityTest, UnbiasedForSmallTeams) {
  // 20 reps x 4 years is 60 pairs, a noisy estimate (sd ~0.05) but right on average: the centring
  // must not eat into the spread (centring at the pair's own median would read ~0.285).
  double mean = 0;
  const int companies = 200;
  for (int seed = 1; seed <= companies; ++seed) {
    const RepVariability v = EstimateRepVariability(History(20, 4, 0.3, seed));
    ASSERT_TRUE(v.from_history);
    mean += v.sigma / companies;
  }
  EXPECT_NEAR(mean, 0.3, 0.01);
}

TEST(EstimateRepVariabilityTest, RobustToAFewOutlierYears) {
  // 2% of rep-years are ten times what the model says (a mega-deal, a data error). The MAD barely
  // moves; the plain sd would read about 0.45 (4% of the d off by log 10).
  const double sigma = 0.3;
  auto history = History(300, 4, sigma, 4);
  std::mt19937_64 rng(17);
  for (auto& row : history)
    for (double& x : row)
      if (rng() % 50 == 0) x *= 10;
  const RepVariability v = EstimateRepVariability(history);
  EXPECT_NEAR(v.sigma, sigma, 0.04);
}

TEST(EstimateRepVariabilityTest, FallsBackWithTooLittleHistory) {
  // Two reps, two years: 2 pairs.
  RepVariability v = EstimateRepVariability({{100, 150}, {200, 180}});
  EXPECT_FALSE(v.from_history);
  EXPECT_EQ(v.pairs_observed, 2);
  EXPECT_EQ(v.sigma, kDefaultRepSigma);
  // One year only; and nothing at all.
  v = EstimateRepVariability({{100}, {200}, {300}});
  EXPECT_FALSE(v.from_history);
  EXPECT_EQ(v.pairs_observed, 0);
  v = EstimateRepVariability({});
  EXPECT_FALSE(v.from_history);
  EXPECT_EQ(v.sigma, kDefaultRepSigma);
  // A year pair with a single rep tells nothing about reps relative to each other.
  v = EstimateRepVariability({{100, 120, 90, 200, 50, 300, 10}, {-1, -1, -1, -1, -1, -1, -1}});
  EXPECT_EQ(v.pairs_observed, 0);
  EXPECT_FALSE(v.from_history);
}

TEST(EstimateRepVariabilityTest, ClampsToTheRange) {
  // Shares that never move (everyone grows alike): sigma 0, clamped up.
  std::vector<std::vector<double>> steady;
  for (int r = 1; r <= 10; ++r) steady.push_back({100.0 * r, 130.0 * r, 150.0 * r});
  RepVariability v = EstimateRepVariability(steady);
  EXPECT_TRUE(v.from_history);
  EXPECT_EQ(v.pairs_observed, 20);
  EXPECT_EQ(v.sigma, kMinRepSigma);
  // Wild swings: clamped down.
  v = EstimateRepVariability(History(100, 3, 3.0, 5));
  EXPECT_EQ(v.sigma, kMaxRepSigma);
}

// ---------------------------------------------------------------------------------------------
// Speed.

TEST(SimulatePlanTest, TwoHundredRepsTwentyThousandPaths) {
  std::vector<RepPlan> reps;
  for (int i = 0; i < 200; ++i) reps.push_back({50000.0 + 500 * (i % 40), 1.0 + (i % 13) * 0.1});
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  auto r = SimulatePlan(Plan(1.1e7, 0.12, 1.0e7, 0.35, reps, 20000, 2024));
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok()) << r.status();
  std::printf("200 reps x 20000 paths: %.3f s wall, %.3f s cpu\n", seconds, cpu);
  RecordProperty("seconds", std::to_string(seconds));
  EXPECT_GT(r->expected_share_at_quota, 0.2);
  EXPECT_LT(r->expected_share_at_quota, 0.8);
}

}  // namespace
}  // namespace salesops::quota
