// The landing forecast's calibration on the demo company's past quarters: at dates inside each of
// the last six fiscal quarters, the forecast made from what the CRM showed then (and the weekly
// snapshots before) is compared with what the quarter actually booked. About 80% of outcomes
// should fall inside P10..P90. Deterministic (seeded data and Monte Carlo), not timed.
#include <iostream>

#include "absl/strings/str_format.h"
#include "common/calendar.h"
#include "gtest/gtest.h"
#include "services/forecasting/landing_request.h"
#include "tools/salesctl/landing_backtest.h"

namespace salesops::salesctl {
namespace {

TEST(LandingCalibrationTest, PastQuartersLandInsideP10P90AboutEightyPercentOfTheTime) {
  DemoOptions demo;
  demo.as_of = *ParseDate("2026-11-28");
  auto company = GenerateDemoCompany(demo);
  ASSERT_TRUE(company.ok()) << company.status();

  LandingBacktestOptions options;
  options.quarters = 6;
  options.step_days = 14;
  // The company and its four regions.
  options.node_ids = {""};
  for (const auto& node : company->territories)
    if (node.level() == "region") options.node_ids.push_back(node.id());
  options.request.history_quarters = 6;
  options.request.observation_step_days = 14;
  options.request.simulations = 5000;
  auto result = BacktestLanding(*company, options, [](const v1::ForecastLandingRequest& request) {
    return forecast::ComputeLanding(request);
  });
  ASSERT_TRUE(result.ok()) << result.status();
  std::cout << absl::StrFormat(
      "landing backtest: %d outcomes, %.1f%% inside P10..P90, %.1f%% below, %.1f%% above, "
      "P50 off by %.1f%% on average\n",
      result->outcomes.size(), 100 * result->inside, 100 * result->below, 100 * result->above,
      result->p50_error_pct);
  ASSERT_GE(result->outcomes.size(), 100u);
  // Measured: 72.7% inside (12.2% below, 15.1% above) over 205 outcomes; the outcomes of
  // neighbouring weeks are correlated, so the band allows for sampling noise around 80%.
  EXPECT_GE(result->inside, 0.65);
  EXPECT_LE(result->inside, 0.92);
  // Neither tail is much heavier than the 10% it should be.
  EXPECT_LE(result->below, 0.20);
  EXPECT_LE(result->above, 0.20);
}

}  // namespace
}  // namespace salesops::salesctl
