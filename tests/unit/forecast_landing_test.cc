#include "services/forecasting/engine/landing.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::forecast::landing {
namespace {

constexpr int kAsOf = 20000;      // a day number
constexpr int kPeriodEnd = 20040;  // 40 days left

Deal MakeDeal(int64_t amount, int category, double p, std::string stage = "Proposal", int close = kAsOf + 20) {
  return {amount, std::move(stage), category, p, close};
}

LandingInput Base() {
  LandingInput in;
  in.as_of_day = kAsOf;
  in.period_start_day = kAsOf - 50;
  in.period_end_day = kPeriodEnd;
  in.closed_won_to_date = 1000;
  in.simulations = 20000;
  in.seed = 7;
  return in;
}

TEST(LandingTest, WithoutHistoryTheCrmProbabilitiesAreUsed) {
  LandingInput in = Base();
  for (int i = 0; i < 50; ++i) in.open_deals.push_back(MakeDeal(100 + i, kCommit, 0.5));
  auto r = ForecastLanding(in);
  ASSERT_TRUE(r.ok()) << r.status();
  double analytic = 0, variance = 0;
  for (const Deal& d : in.open_deals) {
    analytic += 0.5 * d.amount;
    variance += 0.25 * d.amount * d.amount;
  }
  // The simulated mean is within 4 standard errors of the exact mean.
  EXPECT_NEAR(r->expected, 1000 + analytic, 4 * std::sqrt(variance / in.simulations));
  EXPECT_NEAR(r->expected_from_pipeline, analytic, 4 * std::sqrt(variance / in.simulations));
  EXPECT_LE(r->p10, r->p50);
  EXPECT_LE(r->p50, r->p90);
  EXPECT_GE(r->p10, 1000);  // never below what is already won
  // P10..P90 of a sum of 50 fair coins is about mean +- 1.28 sd.
  EXPECT_NEAR(r->p90 - r->p10, 2 * 1.2816 * std::sqrt(variance), 0.15 * std::sqrt(variance) * 2.56);
  ASSERT_EQ(r->categories.size(), 1u);
  EXPECT_EQ(r->categories[0].deals, 50);
  EXPECT_NEAR(r->categories[0].expected, analytic, 1e-9);
}

TEST(LandingTest, SameSeedSameAnswer) {
  LandingInput in = Base();
  for (int i = 0; i < 30; ++i) in.open_deals.push_back(MakeDeal(1000 * (i + 1), kBestCase, 0.3));
  auto a = ForecastLanding(in), b = ForecastLanding(in);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->p10, b->p10);
  EXPECT_EQ(a->p90, b->p90);
  EXPECT_EQ(a->expected, b->expected);
  in.seed = 8;
  auto c = ForecastLanding(in);
  EXPECT_NE(a->expected, c->expected);
}

TEST(LandingTest, HistoryCalibratesTheProbabilities) {
  LandingInput in = Base();
  // Past quarters: commit deals were won in their period 9 times in 10, pipeline 1 in 10,
  // whatever the CRM said.
  for (int q = 0; q < 8; ++q) {
    const int observed = kAsOf - 400 + q * 45, end = observed + 40;
    for (int i = 0; i < 10; ++i) {
      in.history.push_back({MakeDeal(100, kCommit, 0.2, "Negotiation", observed + 20), observed, end,
                            i < 9 ? Outcome::kWonInPeriod : Outcome::kWonLater});
      in.history.push_back({MakeDeal(100, kPipeline, 0.9, "Prospecting", observed + 20), observed, end,
                            i < 1 ? Outcome::kWonInPeriod : Outcome::kLost});
    }
  }
  in.open_deals = {MakeDeal(1000, kCommit, 0.2, "Negotiation"), MakeDeal(1000, kPipeline, 0.9, "Prospecting")};
  auto r = ForecastLanding(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->deal_probabilities[0], 0.9, 0.05);
  EXPECT_NEAR(r->deal_probabilities[1], 0.1, 0.05);
  // The rates table: the commit category's slip rate is the 1 in 10 that was won later.
  bool found = false;
  for (const Rate& rate : r->rates) {
    if (rate.category == kCommit && rate.stage.empty()) {
      found = true;
      EXPECT_NEAR(rate.slip, 0.1, 0.03);
      EXPECT_EQ(rate.examples, 80);
    }
  }
  EXPECT_TRUE(found);
}

TEST(LandingTest, ThinCellsBorrowFromTheirCategory) {
  LandingInput in = Base();
  for (int i = 0; i < 100; ++i) {
    const int observed = kAsOf - 300 + i, end = observed + 40;
    in.history.push_back({MakeDeal(100, kCommit, 0.5, "Negotiation", observed + 20), observed, end,
                          i % 2 ? Outcome::kWonInPeriod : Outcome::kLost});
  }
  // A single example in a new stage, lost: shrunk towards the category's 0.5, not 0.
  in.history.push_back({MakeDeal(100, kCommit, 0.5, "Legal", kAsOf - 100), kAsOf - 120, kAsOf - 80, Outcome::kLost});
  in.open_deals = {MakeDeal(1000, kCommit, 0.5, "Legal")};
  auto r = ForecastLanding(in);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->deal_probabilities[0], 0.3);
  EXPECT_LT(r->deal_probabilities[0], 0.5);
}

TEST(LandingTest, NewBusinessAndQuota) {
  LandingInput in = Base();
  for (int k = 0; k < 9; ++k) in.new_business.push_back({kAsOf - 400 + 40 * k, kAsOf - 360 + 40 * k, 4000});
  auto r = ForecastLanding(in);
  ASSERT_TRUE(r.ok());
  // Every example had 40 days left, as now: 4000 each time.
  EXPECT_NEAR(r->expected_from_new_business, 4000, 1e-9);
  EXPECT_NEAR(r->expected, 5000, 1e-9);
  in.quota = 4000;
  EXPECT_EQ(ForecastLanding(in)->probability_of_quota, 1.0);
  in.quota = 6000;
  EXPECT_EQ(ForecastLanding(in)->probability_of_quota, 0.0);
}

TEST(LandingTest, ManySmallDealsUseTheNormalSumAndKeepTheMean) {
  LandingInput in = Base();
  double analytic = 0;
  for (int i = 0; i < 5000; ++i) {
    in.open_deals.push_back(MakeDeal(10 + i % 97, i % 3 ? kPipeline : kCommit, 0.1 + 0.001 * (i % 500)));
    analytic += in.open_deals.back().amount * in.open_deals.back().crm_probability;
  }
  auto r = ForecastLanding(in);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->expected_from_pipeline / analytic, 1.0, 0.01);
  EXPECT_LT(r->p10, r->p90);
}

TEST(LandingTest, InvalidInputNamesTheField) {
  LandingInput in = Base();
  in.history.push_back({MakeDeal(1, kCommit, 0.5), kAsOf - 10, kAsOf + 5, Outcome::kLost});
  EXPECT_THAT(std::string(ForecastLanding(in).status().message()), ::testing::HasSubstr("history[0].period_end"));
  in = Base();
  in.open_deals.push_back(MakeDeal(-5, kCommit, 0.5));
  EXPECT_THAT(std::string(ForecastLanding(in).status().message()), ::testing::HasSubstr("open_deals[0].amount"));
  in = Base();
  in.simulations = 10;
  EXPECT_THAT(std::string(ForecastLanding(in).status().message()), ::testing::HasSubstr("simulations"));
  in = Base();
  in.as_of_day = kPeriodEnd + 1;
  EXPECT_EQ(ForecastLanding(in).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace salesops::forecast::landing
