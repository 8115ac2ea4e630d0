#include "services/reporting/kpi.h"

#include <string>
#include <tuple>
#include <vector>

#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/snapshot_builder.h"

namespace salesops::reporting {
namespace {

using ::testing::HasSubstr;
using C = v1::ForecastCategory;

using testing::SnapshotBuilder;

// CO -> {NA {u1, u2}, EU {u3}}; calendar years; as of 2026-05-16 (in Q2).
Snapshot MakeSnapshot(int start_month = 1) {
  SnapshotBuilder b;
  b.AsOf("2026-05-16").Currency("USD").FiscalStartMonth(start_month);
  b.Territory("CO", "").Territory("NA", "CO").Territory("EU", "CO");
  b.Rep("u1", "NA").Rep("u2", "NA").Rep("u3", "EU");
  int n = 0;
  auto add = [&](const char* owner, const char* territory, int64_t amount, const char* created,
                 const char* close, bool closed, bool won, C cat = C::FORECAST_CATEGORY_PIPELINE) {
    b.Opportunity("o" + std::to_string(++n), owner, territory, amount, created, close, closed, won)
        ->set_forecast_category(won ? C::FORECAST_CATEGORY_CLOSED : cat);
  };
  // Q2 (2026-04-01 .. 06-30), closed up to the as-of date.
  add("u1", "NA", 1000, "2026-03-01", "2026-04-10", true, true);   // 40 days
  add("u1", "NA", 3000, "2026-04-01", "2026-05-01", true, true);   // 30 days
  add("u1", "NA", 500, "2026-02-01", "2026-04-20", true, false);
  add("u2", "NA", 800, "2026-02-01", "2026-05-10", true, false, C::FORECAST_CATEGORY_OMITTED);
  add("u3", "EU", 2000, "2025-12-31", "2026-04-01", true, true);   // 91 days
  add("u3", "EU", 9999, "2026-01-01", "2026-05-20", true, true);   // after the as-of date: not counted
  // Open now, closing in Q2: u1 two (one slipped), u2 one; not counted: OMITTED, Q3.
  add("u1", "NA", 700, "2026-01-01", "2026-06-01", false, false);
  add("u1", "NA", 700, "2026-01-01", "2026-05-01", false, false, C::FORECAST_CATEGORY_COMMIT);
  add("u2", "NA", 700, "2026-01-01", "2026-06-02", false, false, C::FORECAST_CATEGORY_BEST_CASE);
  add("u2", "NA", 700, "2026-01-01", "2026-06-03", false, false, C::FORECAST_CATEGORY_OMITTED);
  add("u1", "NA", 700, "2026-01-01", "2026-07-03", false, false);
  // Q1 (the prior period).
  add("u1", "NA", 2000, "2025-12-02", "2026-01-11", true, true);   // 40 days
  add("u1", "NA", 100, "2026-01-01", "2026-02-01", true, false);
  add("u1", "NA", 100, "2026-01-01", "2026-03-01", true, false);
  add("u2", "NA", 4000, "2026-02-01", "2026-03-03", true, true);   // 30 days
  add("u2", "NA", 900, "2026-01-01", "2026-03-20", false, false);  // still open, slipped in Q1
  // Q4 of FY2025: in neither.
  add("u1", "NA", 7777, "2025-10-01", "2025-12-15", true, true);
  return b.Build("snap");
}

const v1::KpiRow& Row(const v1::KpiReportResponse& r, const std::string& id) {
  for (const auto& row : r.rows())
    if (row.id() == id) return row;
  static v1::KpiRow none;
  ADD_FAILURE() << "no row " << id;
  return none;
}

struct K {
  double win_rate;
  int64_t average;
  double cycle;
  int64_t velocity;
  int64_t won, lost, won_amount;
};
void ExpectKpis(const v1::Kpis& k, const K& e) {
  EXPECT_NEAR(k.win_rate(), e.win_rate, 1e-12);
  EXPECT_EQ(k.average_deal_size().minor_units(), e.average);
  EXPECT_EQ(k.average_deal_size().currency_code(), "USD");
  EXPECT_NEAR(k.sales_cycle_days(), e.cycle, 1e-9);
  EXPECT_EQ(k.sales_velocity_per_day().minor_units(), e.velocity);
  EXPECT_EQ(k.won_count(), e.won);
  EXPECT_EQ(k.lost_count(), e.lost);
  EXPECT_EQ(k.won_amount().minor_units(), e.won_amount);
}

TEST(KpiReportTest, CurrentPriorAndChangeByHand) {
  Snapshot snapshot = MakeSnapshot();
  auto report = BuildKpiReport(snapshot, {PeriodKind::kQuarter, 2026, 2}, "");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->snapshot_id(), "snap");
  EXPECT_EQ(report->period().index(), 2);
  EXPECT_EQ(report->prior_period().type(), v1::PERIOD_TYPE_QUARTER);
  EXPECT_EQ(report->prior_period().fiscal_year(), 2026);
  EXPECT_EQ(report->prior_period().index(), 1);
  EXPECT_EQ(report->currency_code(), "USD");
  EXPECT_EQ(report->as_of().day(), 16);
  std::vector<std::string> ids;
  for (const auto& row : report->rows()) ids.push_back(row.id());
  EXPECT_EQ(ids, (std::vector<std::string>{"CO", "NA", "u1", "u2", "EU", "u3"}));
  EXPECT_EQ(Row(*report, "u2").parent_id(), "NA");
  EXPECT_EQ(Row(*report, "u2").depth(), 2);
  EXPECT_EQ(Row(*report, "u2").kind(), v1::ROW_KIND_REP);

  // velocity = open x win rate x average / cycle.
  {
    SCOPED_TRACE("u1");
    const auto& u1 = Row(*report, "u1");
    ExpectKpis(u1.current(), {2.0 / 3, 2000, 35, 76, 2, 1, 4000});     // 2 x 2/3 x 2000 / 35 = 76.2
    ExpectKpis(u1.prior(), {1.0 / 3, 2000, 40, 0, 1, 2, 2000});        // nothing open in Q1 now
    EXPECT_NEAR(u1.win_rate_change(), 1.0 / 3, 1e-12);
    EXPECT_EQ(u1.average_deal_size_change().minor_units(), 0);
    EXPECT_NEAR(u1.sales_cycle_days_change(), -5, 1e-9);
    EXPECT_EQ(u1.sales_velocity_change().minor_units(), 76);
  }
  {
    SCOPED_TRACE("u2");
    const auto& u2 = Row(*report, "u2");
    ExpectKpis(u2.current(), {0, 0, 0, 0, 0, 1, 0});                   // no wins: no cycle, no velocity
    ExpectKpis(u2.prior(), {1, 4000, 30, 133, 1, 0, 4000});            // 1 x 1 x 4000 / 30 = 133.3
    EXPECT_NEAR(u2.win_rate_change(), -1, 1e-12);
    EXPECT_EQ(u2.average_deal_size_change().minor_units(), -4000);
    EXPECT_NEAR(u2.sales_cycle_days_change(), -30, 1e-9);
    EXPECT_EQ(u2.sales_velocity_change().minor_units(), -133);
  }
  {
    SCOPED_TRACE("NA");
    const auto& na = Row(*report, "NA");
    ExpectKpis(na.current(), {0.5, 2000, 35, 86, 2, 2, 4000});         // 3 x .5 x 2000 / 35 = 85.7
    ExpectKpis(na.prior(), {0.5, 3000, 35, 43, 2, 2, 6000});           // 1 x .5 x 3000 / 35 = 42.9
    EXPECT_NEAR(na.win_rate_change(), 0, 1e-12);
    EXPECT_EQ(na.average_deal_size_change().minor_units(), -1000);
    EXPECT_NEAR(na.sales_cycle_days_change(), 0, 1e-9);
    EXPECT_EQ(na.sales_velocity_change().minor_units(), 43);
  }
  {
    SCOPED_TRACE("EU");
    const auto& eu = Row(*report, "EU");
    ExpectKpis(eu.current(), {1, 2000, 91, 0, 1, 0, 2000});            // nothing open: velocity 0
    ExpectKpis(eu.prior(), {0, 0, 0, 0, 0, 0, 0});
    EXPECT_NEAR(eu.win_rate_change(), 1, 1e-12);
    EXPECT_EQ(eu.average_deal_size_change().minor_units(), 2000);
    EXPECT_NEAR(eu.sales_cycle_days_change(), 91, 1e-9);
  }
  {
    SCOPED_TRACE("CO");
    const auto& co = Row(*report, "CO");
    const double cycle = (40 + 30 + 91) / 3.0;
    ExpectKpis(co.current(), {0.6, 2000, cycle, 67, 3, 2, 6000});      // 3 x .6 x 2000 / 53.67 = 67.1
    ExpectKpis(co.prior(), {0.5, 3000, 35, 43, 2, 2, 6000});
    EXPECT_NEAR(co.win_rate_change(), 0.1, 1e-12);
    EXPECT_EQ(co.average_deal_size_change().minor_units(), -1000);
    EXPECT_NEAR(co.sales_cycle_days_change(), cycle - 35, 1e-9);
    EXPECT_EQ(co.sales_velocity_change().minor_units(), 24);
  }
}

TEST(KpiReportTest, SubtreeMonthAndYear) {
  Snapshot snapshot = MakeSnapshot();
  auto eu = BuildKpiReport(snapshot, {PeriodKind::kQuarter, 2026, 2}, "EU");
  ASSERT_TRUE(eu.ok()) << eu.status();
  ASSERT_EQ(eu->rows_size(), 2);
  EXPECT_EQ(eu->rows(0).id(), "EU");
  EXPECT_EQ(eu->rows(0).depth(), 0);
  EXPECT_EQ(eu->rows(0).parent_id(), "");
  EXPECT_EQ(eu->rows(1).id(), "u3");

  // April vs March: u1 won 1000 (40 days) and lost 500 in April; nothing closed in March but one
  // loss (u1, 100) and u2's win of 4000.
  auto april = BuildKpiReport(snapshot, {PeriodKind::kMonth, 2026, 4}, "NA");
  ASSERT_TRUE(april.ok()) << april.status();
  EXPECT_EQ(april->prior_period().type(), v1::PERIOD_TYPE_MONTH);
  EXPECT_EQ(april->prior_period().index(), 3);
  ExpectKpis(april->rows(0).current(), {0.5, 1000, 40, 0, 1, 1, 1000});  // nothing open in April
  ExpectKpis(april->rows(0).prior(), {0.5, 4000, 30, 67, 1, 1, 4000});   // u2's slipped deal: 1 x .5 x 4000 / 30

  // FY2026 vs FY2025: the year so far against Q4's win (the only FY2025 deal closed).
  auto year = BuildKpiReport(snapshot, {PeriodKind::kYear, 2026, 1}, "");
  ASSERT_TRUE(year.ok()) << year.status();
  EXPECT_EQ(year->prior_period().type(), v1::PERIOD_TYPE_YEAR);
  EXPECT_EQ(year->prior_period().fiscal_year(), 2025);
  const auto& co = year->rows(0);
  EXPECT_EQ(co.current().won_count(), 5);   // Q1 2 + Q2 3
  EXPECT_EQ(co.current().lost_count(), 4);  // Q1 2 + Q2 2
  EXPECT_EQ(co.prior().won_count(), 1);
  EXPECT_EQ(co.prior().won_amount().minor_units(), 7777);
}

TEST(KpiReportTest, PriorPeriod) {
  auto prior = [](PeriodKind kind, int year, int index) {
    FiscalPeriod p = PriorPeriod({kind, year, index});
    return std::tuple{p.kind, p.fiscal_year, p.index};
  };
  EXPECT_EQ(prior(PeriodKind::kQuarter, 2026, 1), std::tuple(PeriodKind::kQuarter, 2025, 4));
  EXPECT_EQ(prior(PeriodKind::kQuarter, 2026, 3), std::tuple(PeriodKind::kQuarter, 2026, 2));
  EXPECT_EQ(prior(PeriodKind::kMonth, 2026, 1), std::tuple(PeriodKind::kMonth, 2025, 12));
  EXPECT_EQ(prior(PeriodKind::kMonth, 2026, 7), std::tuple(PeriodKind::kMonth, 2026, 6));
  EXPECT_EQ(std::get<1>(prior(PeriodKind::kYear, 2026, 1)), 2025);
  // With a February fiscal year, the quarter before FY2027 Q1 (Feb..Apr 2026) is Nov 2025..Jan 2026.
  DateRange r = RangeOf(PriorPeriod({PeriodKind::kQuarter, 2027, 1}), 2);
  EXPECT_EQ(FormatDate(r.first), "2025-11-01");
  EXPECT_EQ(FormatDate(r.last), "2026-01-31");
}

TEST(KpiReportTest, UnknownNode) {
  Snapshot snapshot = MakeSnapshot();
  auto report = BuildKpiReport(snapshot, {PeriodKind::kQuarter, 2026, 2}, "MARS");
  EXPECT_EQ(report.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("node_id"));
}

}  // namespace
}  // namespace salesops::reporting
