// BuildFanChart and BuildReportPage on a hand-built snapshot and attainment report: the history
// points, the interpolated forecast points, periods in the past, in the future, of one month and
// of a year, a row without a landing, and the page's title and facts. Every number worked by hand.
#include "services/reporting/render_page.h"

#include <string>
#include <tuple>
#include <vector>

#include "common/calendar.h"
#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/snapshot_builder.h"

namespace salesops::reporting {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using testing::PD;
using testing::SnapshotBuilder;

const std::string kSnapshotId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// CO (Acme) -> {NA {u1, u2}, EU {u3}}; fiscal years start in February (FY2027 = 2026-02-01 ..
// 2027-01-31, Q3 = Aug..Oct 2026, Q4 = Nov 2026..Jan 2027); as of 2026-11-20.
Snapshot MakeSnapshot() {
  SnapshotBuilder b;
  b.AsOf("2026-11-20").Currency("USD").FiscalStartMonth(2);
  b.Territory("CO", "", "Acme");
  b.Territory("NA", "CO", "North America").Territory("EU", "CO", "Europe");
  b.Rep("u1", "NA").Rep("u2", "NA").Rep("u3", "EU");
  auto add = [&](const char* id, const char* owner, const char* territory, int64_t amount,
                 const char* close, bool closed, bool won) {
    auto* o = b.Opportunity(id, owner, territory, amount, "2026-01-01", close, closed, won);
    o->set_probability(won ? 1 : 0.5);
    o->set_forecast_category(closed ? v1::FORECAST_CATEGORY_CLOSED : v1::FORECAST_CATEGORY_COMMIT);
  };
  // Q4, up to the as-of date: CO 3000 (NA 1050, EU 1950).
  add("w1", "u1", "NA", 1000, "2026-11-05", true, true);
  add("w2", "u3", "EU", 1950, "2026-11-20", true, true);  // on the as-of day: counts
  add("x1", "u3", "NA", 50, "2026-11-02", true, true);    // an EU rep's deal booked to NA
  // Not counted in Q4 as of 2026-11-20: won after the as-of date, lost, open.
  add("w3", "u2", "NA", 400, "2026-11-25", true, true);
  add("l1", "u2", "NA", 9999, "2026-11-10", true, false);
  add("o1", "u2", "NA", 7000, "2026-12-20", false, false);
  // Q3: Aug 700, Sep 300, Oct 5000.
  add("w5", "u1", "NA", 700, "2026-08-15", true, true);
  add("w6", "u3", "EU", 300, "2026-09-30", true, true);
  add("w4", "u1", "NA", 5000, "2026-10-31", true, true);
  return b.Build(kSnapshotId);
}

v1::Money Usd(int64_t minor) { return MakeMoney("USD", minor); }

// An attainment report as the service returns it, with only what the page reads.
v1::AttainmentReportResponse Report(FiscalPeriod period, const std::string& node = "CO",
                                    const std::string& name = "Acme") {
  v1::AttainmentReportResponse r;
  r.set_snapshot_id(kSnapshotId);
  r.set_plan_id("plan-2027");
  r.set_plan_version(3);
  r.set_engine_version("0.1.0");
  *r.mutable_period() = ToProto(period);
  const DateRange range = RangeOf(period, 2);
  *r.mutable_period_start() = ToProto(range.first);
  *r.mutable_period_end() = ToProto(range.last);
  *r.mutable_as_of() = PD("2026-11-20");
  r.set_currency_code("USD");
  auto* row = r.add_rows();
  row->set_id(node);
  row->set_name(name);
  row->set_kind(v1::ROW_KIND_NODE);
  *row->mutable_quota() = Usd(12000);
  *row->mutable_closed_won() = Usd(3000);
  return r;
}

void SetLanding(v1::AttainmentReportResponse& r, int64_t p10, int64_t p50, int64_t p90,
                int history_snapshots = 0) {
  auto* landing = r.mutable_rows(0)->mutable_landing();
  *landing->mutable_p10() = Usd(p10);
  *landing->mutable_p50() = Usd(p50);
  *landing->mutable_p90() = Usd(p90);
  *landing->mutable_expected() = Usd(p50);
  landing->set_history_snapshots(history_snapshots);
}

constexpr FiscalPeriod kQ3{PeriodKind::kQuarter, 2027, 3};
constexpr FiscalPeriod kQ4{PeriodKind::kQuarter, 2027, 4};

// Q4 as of 2026-11-20: November is under way (history as of today), December and January are
// forecast. Remaining days after the as-of date: Nov 21..30 (10) + 31 + 31 = 72; December ends
// 41 of them in, January all 72. Closed to date C = 3000.
TEST(FanChartTest, QuarterUnderWayInterpolatesTheLandingOverTheRemainingDays) {
  const Snapshot snapshot = MakeSnapshot();
  auto report = Report(kQ4);
  SetLanding(report, 3000 + 720, 3000 + 3600, 3000 + 7200);
  const FanChart fan = BuildFanChart(snapshot, report);
  EXPECT_EQ(fan.title, "FY2027 Q4 bookings, cumulative");
  EXPECT_EQ(fan.currency, "USD");
  EXPECT_EQ(fan.quota, 12000);
  EXPECT_THAT(fan.labels, ElementsAre("Nov", "Dec", "Jan"));
  EXPECT_THAT(fan.history, ElementsAre(3000));  // w1 + w2 + x1
  // December: C + (P - C) * 41/72: 720 * 41/72 = 410, 3600 * 41/72 = 2050, 7200 * 41/72 = 4100.
  ASSERT_EQ(fan.p50.size(), 2u);
  EXPECT_DOUBLE_EQ(fan.p10[0], 3410);
  EXPECT_DOUBLE_EQ(fan.p50[0], 5050);
  EXPECT_DOUBLE_EQ(fan.p90[0], 7100);
  // January ends the period: the landing's percentiles themselves.
  EXPECT_DOUBLE_EQ(fan.p10[1], 3720);
  EXPECT_DOUBLE_EQ(fan.p50[1], 6600);
  EXPECT_DOUBLE_EQ(fan.p90[1], 10200);
}

// A node's chart counts the deals booked to its territory subtree, whoever owns them.
TEST(FanChartTest, CountsTheDealsOfTheTopRowsSubtree) {
  const Snapshot snapshot = MakeSnapshot();
  auto na = Report(kQ4, "NA", "North America");
  EXPECT_THAT(BuildFanChart(snapshot, na).history, ElementsAre(1050));  // w1 + x1
  auto eu = Report(kQ3, "EU", "Europe");
  EXPECT_THAT(BuildFanChart(snapshot, eu).history, ElementsAre(0, 300, 300));
}

// As of the last day of November: November's point is its end; December is half of the 62
// remaining days.
TEST(FanChartTest, AsOfAMonthEnd) {
  Snapshot snapshot = MakeSnapshot();
  snapshot.as_of_day = DayNumber(*ParseDate("2026-11-30"));
  auto report = Report(kQ4);
  SetLanding(report, 3400, 3400 + 6200, 3400 + 12400);
  const FanChart fan = BuildFanChart(snapshot, report);
  EXPECT_THAT(fan.history, ElementsAre(3400));  // w3 (11-25) has happened by now
  EXPECT_THAT(fan.p10, ElementsAre(3400, 3400));
  EXPECT_THAT(fan.p50, ElementsAre(3400 + 3100, 3400 + 6200));
  EXPECT_THAT(fan.p90, ElementsAre(3400 + 6200, 3400 + 12400));
}

// Q3 ended before the as-of date: every month is history, at its end; the landing is not drawn.
TEST(FanChartTest, PastPeriodIsAllHistory) {
  const Snapshot snapshot = MakeSnapshot();
  auto report = Report(kQ3);
  SetLanding(report, 6000, 6000, 6000);
  const FanChart fan = BuildFanChart(snapshot, report);
  EXPECT_EQ(fan.title, "FY2027 Q3 bookings, cumulative");
  EXPECT_THAT(fan.labels, ElementsAre("Aug", "Sep", "Oct"));
  EXPECT_THAT(fan.history, ElementsAre(700, 1000, 6000));
  EXPECT_THAT(fan.p10, IsEmpty());
  EXPECT_THAT(fan.p50, IsEmpty());
  EXPECT_THAT(fan.p90, IsEmpty());
}

// As of the period's last day: still all history (nothing remains to forecast).
TEST(FanChartTest, AsOfThePeriodsLastDayIsAllHistory) {
  Snapshot snapshot = MakeSnapshot();
  snapshot.as_of_day = DayNumber(*ParseDate("2027-01-31"));
  auto report = Report(kQ4);
  SetLanding(report, 3400, 3400, 3400);
  const FanChart fan = BuildFanChart(snapshot, report);
  EXPECT_THAT(fan.labels, ElementsAre("Nov", "Dec", "Jan"));
  EXPECT_THAT(fan.history, ElementsAre(3400, 3400, 3400));
  EXPECT_THAT(fan.p50, IsEmpty());
}

// FY2028 Q1 (2027-02-01 .. 2027-04-30, 89 days) has not started: no history, nothing closed,
// and the landing accrues over the whole period from the day before it: 28, 59, 89 of 89 days.
TEST(FanChartTest, FuturePeriodIsAllForecast) {
  const Snapshot snapshot = MakeSnapshot();
  auto report = Report({PeriodKind::kQuarter, 2028, 1});
  report.mutable_rows(0)->mutable_closed_won()->set_minor_units(0);
  SetLanding(report, 0, 8900, 17800);
  const FanChart fan = BuildFanChart(snapshot, report);
  EXPECT_THAT(fan.labels, ElementsAre("Feb", "Mar", "Apr"));
  EXPECT_THAT(fan.history, IsEmpty());
  EXPECT_THAT(fan.p10, ElementsAre(0, 0, 0));
  EXPECT_THAT(fan.p50, ElementsAre(2800, 5900, 8900));
  EXPECT_THAT(fan.p90, ElementsAre(5600, 11800, 17800));
}

// A month under way is history as of today; its end gets a point of its own, labelled with the
// date, so the landing shows.
TEST(FanChartTest, OneMonthPeriodUnderWayEndsOnTheLanding) {
  const Snapshot snapshot = MakeSnapshot();
  auto report = Report({PeriodKind::kMonth, 2027, 10});  // November 2026
  SetLanding(report, 3500, 4000, 4500);
  const FanChart fan = BuildFanChart(snapshot, report);
  EXPECT_EQ(fan.title, "FY2027 M10 bookings, cumulative");
  EXPECT_THAT(fan.labels, ElementsAre("Nov", "Nov 30"));
  EXPECT_THAT(fan.history, ElementsAre(3000));
  EXPECT_THAT(fan.p10, ElementsAre(3500));
  EXPECT_THAT(fan.p50, ElementsAre(4000));
  EXPECT_THAT(fan.p90, ElementsAre(4500));
}

// The fiscal year: ten months of history (February..November as of the 20th), then December
// (41 of the 72 remaining days) and January.
TEST(FanChartTest, YearUnderWay) {
  const Snapshot snapshot = MakeSnapshot();
  auto report = Report({PeriodKind::kYear, 2027, 1});
  report.mutable_rows(0)->mutable_closed_won()->set_minor_units(9000);
  SetLanding(report, 9000, 9000 + 7200, 9000 + 14400);
  const FanChart fan = BuildFanChart(snapshot, report);
  EXPECT_THAT(fan.labels, ElementsAre("Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
                                      "Oct", "Nov", "Dec", "Jan"));
  EXPECT_THAT(fan.history, ElementsAre(0, 0, 0, 0, 0, 0, 700, 1000, 6000, 9000));
  EXPECT_THAT(fan.p10, ElementsAre(9000, 9000));
  EXPECT_THAT(fan.p50, ElementsAre(9000 + 4100, 9000 + 7200));
  EXPECT_THAT(fan.p90, ElementsAre(9000 + 8200, 9000 + 14400));
}

TEST(FanChartTest, RowWithoutLandingHasOnlyHistory) {
  const Snapshot snapshot = MakeSnapshot();
  auto report = Report(kQ4);
  ASSERT_FALSE(report.rows(0).has_landing());
  const FanChart fan = BuildFanChart(snapshot, report);
  EXPECT_THAT(fan.labels, ElementsAre("Nov", "Dec", "Jan"));
  EXPECT_THAT(fan.history, ElementsAre(3000));
  EXPECT_THAT(fan.p10, IsEmpty());
  EXPECT_THAT(fan.p50, IsEmpty());
  EXPECT_THAT(fan.p90, IsEmpty());
}

// A top row the snapshot does not know: no history; the forecast starts from the row's own
// closed-won. No rows at all: only the axis.
TEST(FanChartTest, UnknownTopRowAndNoRows) {
  const Snapshot snapshot = MakeSnapshot();
  auto unknown = Report(kQ4, "MARS", "Mars");
  SetLanding(unknown, 3000, 3000 + 3600, 3000 + 7200);
  const FanChart fan = BuildFanChart(snapshot, unknown);
  EXPECT_THAT(fan.history, IsEmpty());
  EXPECT_THAT(fan.p50, ElementsAre(5050, 6600));

  auto empty = Report(kQ4);
  empty.clear_rows();
  const FanChart bare = BuildFanChart(snapshot, empty);
  EXPECT_THAT(bare.labels, ElementsAre("Nov", "Dec", "Jan"));
  EXPECT_THAT(bare.history, IsEmpty());
  EXPECT_THAT(bare.p50, IsEmpty());
  EXPECT_EQ(bare.quota, 0);
}

TEST(ReportPageTest, TitleFactsReportsAndChart) {
  const Snapshot snapshot = MakeSnapshot();
  auto report = Report(kQ4);
  SetLanding(report, 3720, 6600, 10200, /*history_snapshots=*/12);
  v1::PipelineReportResponse pipeline;
  pipeline.set_baseline_snapshot_id(std::string(64, 'b'));
  const ReportPage page = BuildReportPage(snapshot, report, &pipeline);
  EXPECT_EQ(page.title, "Acme — FY2027 Q4 attainment and pipeline");
  EXPECT_THAT(page.facts, ElementsAre("snapshot 0123456789ab… as of 2026-11-20",
                                      "plan plan-2027 v3",
                                      "baseline snapshot bbbbbbbbbbbb…",
                                      "landing calibrated on 12 past snapshots",
                                      "engine 0.1.0",
                                      "amounts in USD"));
  EXPECT_EQ(page.attainment, &report);
  EXPECT_EQ(page.pipeline, &pipeline);
  ASSERT_TRUE(page.fan.has_value());
  EXPECT_THAT(page.fan->history, ElementsAre(3000));
  EXPECT_THAT(page.fan->p50, ElementsAre(5050, 6600));
}

TEST(ReportPageTest, WithoutPipelineBaselineOrCalibration) {
  const Snapshot snapshot = MakeSnapshot();
  auto report = Report(kQ4);
  SetLanding(report, 3720, 6600, 10200, /*history_snapshots=*/0);
  const ReportPage page = BuildReportPage(snapshot, report, nullptr);
  EXPECT_EQ(page.title, "Acme — FY2027 Q4 attainment");
  EXPECT_THAT(page.facts, ElementsAre("snapshot 0123456789ab… as of 2026-11-20",
                                      "plan plan-2027 v3",
                                      "landing from the CRM's probabilities",
                                      "engine 0.1.0",
                                      "amounts in USD"));
  EXPECT_EQ(page.pipeline, nullptr);

  // A pipeline report without a baseline adds no baseline line; one calibration snapshot is
  // singular; a row without a landing says nothing about it.
  v1::PipelineReportResponse pipeline;
  SetLanding(report, 3720, 6600, 10200, /*history_snapshots=*/1);
  EXPECT_THAT(BuildReportPage(snapshot, report, &pipeline).facts,
              ElementsAre("snapshot 0123456789ab… as of 2026-11-20", "plan plan-2027 v3",
                          "landing calibrated on 1 past snapshot", "engine 0.1.0",
                          "amounts in USD"));
  report.mutable_rows(0)->clear_landing();
  report.mutable_rows(0)->set_name("");
  const ReportPage unnamed = BuildReportPage(snapshot, report, &pipeline);
  EXPECT_EQ(unnamed.title, "CO — FY2027 Q4 attainment and pipeline");  // the id without a name
  EXPECT_EQ(unnamed.facts.size(), 4u);
}

}  // namespace
}  // namespace salesops::reporting
