#include "services/reporting/attainment.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/proto_convert.h"
#include "services/forecasting/landing_request.h"
#include "tests/support/snapshot_builder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::reporting {
namespace {

using ::testing::HasSubstr;

using C = v1::ForecastCategory;
using testing::SnapshotBuilder;

// A snapshot of CO -> {NA {u1, u2, extra reps}, EU {u3}}, calendar years, filled with
// add(id, owner, territory, amount, close, closed, won, probability, category[, created]).
struct Opportunities {
  SnapshotBuilder snapshot;  // amounts in USD
  Opportunities() {
    snapshot.Territory("CO", "").Territory("NA", "CO").Territory("EU", "CO");
    snapshot.Rep("u1", "NA").Rep("u2", "NA").Rep("u3", "EU");
  }
  void operator()(const char* id, const char* owner, const char* territory, int64_t amount,
                  const char* close, bool closed, bool won, double p, v1::ForecastCategory cat,
                  const char* created = "2025-01-01") {
    auto* o = snapshot.Opportunity(id, owner, territory, amount, created, close, closed, won);
    o->set_probability(p);
    o->set_forecast_category(cat);
    o->set_stage(closed ? (won ? "Closed Won" : "Closed Lost") : "Proposal");
  }
};
std::shared_ptr<const Snapshot> BuildSnapshot(const std::string& id, const char* as_of,
                                              Opportunities opportunities,
                                              std::vector<std::string> extra_na_reps = {},
                                              const char* currency = "USD") {
  for (const auto& r : extra_na_reps) opportunities.snapshot.Rep(r, "NA");
  return opportunities.snapshot.AsOf(as_of).Currency(currency).FiscalStartMonth(1).BuildShared(id);
}

// As of 2026-05-16 (Q2, day 46 of 91).
Snapshot MakeSnapshot() {
  Opportunities add;
  // History: one win a month for u1 from 2026-01 to 2026-04 (4 complete months before May).
  add("h1", "u1", "NA", 1000, "2026-01-10", true, true, 1, C::FORECAST_CATEGORY_CLOSED);
  add("h2", "u1", "NA", 1000, "2026-02-10", true, true, 1, C::FORECAST_CATEGORY_CLOSED);
  add("h3", "u1", "NA", 1000, "2026-03-10", true, true, 1, C::FORECAST_CATEGORY_CLOSED);
  // In Q2 (April..June), up to the as-of date:
  add("w1", "u1", "NA", 5000, "2026-04-20", true, true, 1, C::FORECAST_CATEGORY_CLOSED);
  add("w2", "u3", "EU", 2000, "2026-05-02", true, true, 1, C::FORECAST_CATEGORY_CLOSED);
  add("l1", "u2", "NA", 9999, "2026-05-03", true, false, 0, C::FORECAST_CATEGORY_OMITTED);
  // Open in Q2: one slipped (dated before as-of), one ahead; one omitted; one in Q3.
  add("o1", "u2", "NA", 4000, "2026-05-10", false, false, 0.5, C::FORECAST_CATEGORY_BEST_CASE);
  add("o2", "u2", "NA", 6000, "2026-06-20", false, false, 0.8, C::FORECAST_CATEGORY_COMMIT);
  add("o3", "u3", "EU", 7000, "2026-06-20", false, false, 0.1, C::FORECAST_CATEGORY_OMITTED);
  add("o4", "u3", "EU", 8000, "2026-07-20", false, false, 0.2, C::FORECAST_CATEGORY_PIPELINE);
  // Won in Q1 by a deal created in Q1, after the past snapshot of the history test below.
  add("n1", "u1", "NA", 500, "2026-03-20", true, true, 1, C::FORECAST_CATEGORY_CLOSED, "2026-03-01");
  return *BuildSnapshot("snap", "2026-05-16", add);
}

v1::Plan MakePlan() {
  v1::Plan plan;
  plan.set_plan_id("p1");
  plan.set_version(3);
  plan.set_fiscal_year(2026);
  *plan.mutable_target() = MakeMoney("USD", 40000);
  plan.mutable_calendar()->set_start_month(1);
  auto add = [&](const char* id, int64_t q2) {
    auto* a = plan.add_allocations();
    a->set_id(id);
    *a->mutable_annual_quota() = MakeMoney("USD", 4 * q2);
    for (int q = 0; q < 4; ++q) *a->add_quarterly_quota() = MakeMoney("USD", q2);
    for (int m = 0; m < 12; ++m) *a->add_monthly_quota() = MakeMoney("USD", q2 / 3);
  };
  add("CO", 10000);
  add("NA", 6000);
  add("EU", 4000);
  add("u1", 3000);
  add("u2", 3000);
  add("u3", 4000);
  return plan;
}

// The real landing engine, as ForecastService runs it; records the requests.
LandingBatchFn Engine(std::vector<v1::ForecastLandingRequest>* seen) {
  return [seen](std::span<const v1::ForecastLandingRequest> requests)
             -> absl::StatusOr<std::vector<v1::ForecastLandingResponse>> {
    std::vector<v1::ForecastLandingResponse> out;
    for (const auto& r : requests) {
      seen->push_back(r);
      auto answer = forecast::ComputeLanding(r);
      if (!answer.ok()) return answer.status();
      out.push_back(std::move(*answer));
    }
    return out;
  };
}

const v1::AttainmentRow& Row(const v1::AttainmentReportResponse& r, const std::string& id) {
  for (const auto& row : r.rows())
    if (row.id() == id) return row;
  static v1::AttainmentRow none;
  ADD_FAILURE() << "no row " << id;
  return none;
}

TEST(AttainmentReportTest, QuarterFiguresPerNodeAndRep) {
  Snapshot snapshot = MakeSnapshot();
  std::vector<v1::ForecastLandingRequest> seen;
  auto report = BuildAttainmentReport(snapshot, {}, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "", Engine(&seen));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(seen.size(), 6u);  // one landing per row
  EXPECT_EQ(report->plan_version(), 3);
  EXPECT_EQ(report->period_start().month(), 4);
  EXPECT_EQ(report->period_end().month(), 6);
  EXPECT_EQ(report->period_end().day(), 30);
  EXPECT_NEAR(report->elapsed_fraction(), 46.0 / 91.0, 1e-12);  // April 30 + May 16

  // Order: CO, NA, u1, u2, EU, u3.
  std::vector<std::string> ids;
  for (const auto& row : report->rows()) ids.push_back(row.id());
  EXPECT_EQ(ids, (std::vector<std::string>{"CO", "NA", "u1", "u2", "EU", "u3"}));
  EXPECT_EQ(Row(*report, "u1").depth(), 2);
  EXPECT_EQ(Row(*report, "u1").parent_id(), "NA");
  EXPECT_EQ(Row(*report, "CO").parent_id(), "");

  const auto& co = Row(*report, "CO");
  EXPECT_EQ(co.quota().minor_units(), 10000);
  EXPECT_EQ(co.closed_won().minor_units(), 7000);  // w1 + w2
  EXPECT_DOUBLE_EQ(co.attainment_pct(), 70.0);
  EXPECT_EQ(co.gap().minor_units(), 3000);
  EXPECT_EQ(co.open_pipeline().minor_units(), 10000);  // o1 + o2 (o3 omitted, o4 in Q3)
  EXPECT_EQ(co.weighted_pipeline().minor_units(), 2000 + 4800);
  EXPECT_NEAR(co.coverage(), 10000.0 / 3000.0, 1e-12);

  const auto& u1 = Row(*report, "u1");
  EXPECT_EQ(u1.closed_won().minor_units(), 5000);
  EXPECT_DOUBLE_EQ(u1.attainment_pct(), 5000.0 / 3000.0 * 100);
  EXPECT_EQ(u1.gap().minor_units(), 0);
  EXPECT_EQ(u1.coverage(), 0);  // quota met

  const auto& eu = Row(*report, "EU");
  EXPECT_EQ(eu.closed_won().minor_units(), 2000);
  EXPECT_EQ(eu.open_pipeline().minor_units(), 0);

  // Categories, cumulative: closed 7000; commit + o2; best case + o1; no open PIPELINE in Q2.
  EXPECT_EQ(co.categories().closed().minor_units(), 7000);
  EXPECT_EQ(co.categories().commit().minor_units(), 13000);
  EXPECT_EQ(co.categories().best_case().minor_units(), 17000);
  EXPECT_EQ(co.categories().pipeline().minor_units(), 17000);
  EXPECT_EQ(Row(*report, "u2").categories().commit().minor_units(), 6000);
  EXPECT_EQ(Row(*report, "u2").categories().best_case().minor_units(), 10000);

  // Landing of CO: 7000 won + o1 (4000 at 0.5) + o2 (6000 at 0.8), no history, so the CRM's
  // probabilities: mean 13800; the quota (10000) needs o1 or o2: P = 1 - 0.5 x 0.2 = 0.9.
  const v1::ForecastLandingRequest& co_request = seen[0];
  EXPECT_EQ(co_request.closed_won_to_date().minor_units(), 7000);
  EXPECT_EQ(co_request.open_deals_size(), 2);  // o3 omitted, o4 in Q3
  EXPECT_EQ(co_request.quota().minor_units(), 10000);
  EXPECT_EQ(co_request.history_size(), 0);
  const auto& landing = co.landing();
  EXPECT_NEAR(landing.expected().minor_units(), 13800, 150);
  EXPECT_NEAR(landing.probability_of_quota(), 0.9, 0.02);
  EXPECT_LE(landing.p10().minor_units(), landing.p50().minor_units());
  EXPECT_LE(landing.p50().minor_units(), landing.p90().minor_units());
  EXPECT_GE(landing.p10().minor_units(), 7000);
  EXPECT_LE(landing.p90().minor_units(), 17000);
  EXPECT_NEAR(landing.p50_attainment_pct(), landing.p50().minor_units() / 100.0, 1e-9);
  EXPECT_EQ(landing.history_snapshots(), 0);
  // EU has nothing open in Q2: it lands where it is.
  EXPECT_EQ(Row(*report, "EU").landing().p10().minor_units(), 2000);
  EXPECT_EQ(Row(*report, "EU").landing().p90().minor_units(), 2000);
}

// The landing calibrates on earlier snapshots: each is an observation of its own quarter, whose
// deals' outcomes are read from the current snapshot; examples count in the rows of their owner
// and territory as the past snapshot had them.
TEST(AttainmentReportTest, LandingHistoryFromEarlierSnapshots) {
  Snapshot now = MakeSnapshot();
  Opportunities q1;  // as of 2026-02-15: Q1, which is over by 2026-05-16
  q1("h2", "u1", "NA", 1000, "2026-02-28", false, false, 0.6, C::FORECAST_CATEGORY_COMMIT);
  q1("h3", "u1", "NA", 1000, "2026-03-31", false, false, 0.4, C::FORECAST_CATEGORY_BEST_CASE);
  q1("x1", "u1", "NA", 700, "2026-03-15", false, false, 0.3, C::FORECAST_CATEGORY_PIPELINE);
  q1("o4", "u3", "EU", 8000, "2026-03-01", false, false, 0.2, C::FORECAST_CATEGORY_PIPELINE);
  q1("x2", "u9", "NA", 300, "2026-03-02", false, false, 0.5, C::FORECAST_CATEGORY_COMMIT);
  q1("o1", "u2", "NA", 4000, "2026-04-10", false, false, 0.5, C::FORECAST_CATEGORY_BEST_CASE);
  q1("l0", "u2", "NA", 900, "2026-03-10", false, false, 0.1, C::FORECAST_CATEGORY_OMITTED);
  Opportunities q2;  // as of 2026-05-01: Q2 is not over, so no outcome yet
  q2("o2", "u2", "NA", 6000, "2026-06-20", false, false, 0.8, C::FORECAST_CATEGORY_COMMIT);
  const std::vector<std::shared_ptr<const Snapshot>> past = {
      BuildSnapshot("q2", "2026-05-01", q2), BuildSnapshot("q1", "2026-02-15", q1, {"u9"}),
      BuildSnapshot("eur", "2026-02-01", q1, {"u9"}, "EUR"),  // another currency: ignored
      BuildSnapshot("later", "2026-05-20", q2)};                // after now: ignored
  std::vector<v1::ForecastLandingRequest> seen;
  auto report = BuildAttainmentReport(now, past, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "",
                                      Engine(&seen));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Row(*report, "CO").landing().history_snapshots(), 1);

  // Rows: CO, NA, u1, u2, EU, u3. Outcomes: h2, h3 won in Q1; x1, x2 gone (lost); o4 still open.
  auto outcomes = [&](int row) {
    std::map<int64_t, v1::DealOutcome> by_amount;
    for (const auto& e : seen[row].history()) {
      EXPECT_EQ(e.observed_on().month(), 2);
      EXPECT_EQ(e.period_end().month(), 3);
      by_amount[e.deal().amount().minor_units()] = e.outcome();
    }
    return by_amount;
  };
  using O = v1::DealOutcome;
  EXPECT_EQ(seen[0].history_size(), 5);  // CO: all but o1 (Q2) and l0 (omitted)
  EXPECT_EQ(outcomes(0), (std::map<int64_t, O>{{1000, O::DEAL_OUTCOME_WON_IN_PERIOD},
                                               {700, O::DEAL_OUTCOME_LOST},
                                               {8000, O::DEAL_OUTCOME_STILL_OPEN},
                                               {300, O::DEAL_OUTCOME_LOST}}));
  EXPECT_EQ(seen[1].history_size(), 4);  // NA: h2, h3, x1, x2 (u9 is gone, NA is not)
  EXPECT_EQ(seen[2].history_size(), 3);  // u1: h2, h3, x1
  EXPECT_EQ(seen[3].history_size(), 0);  // u2
  EXPECT_EQ(seen[4].history_size(), 1);  // EU: o4
  // New business of the observation: n1 (created 2026-03-01, won in Q1) in CO, NA and u1.
  for (int row : {0, 1, 2, 3, 4}) {
    ASSERT_EQ(seen[row].new_business_history_size(), 1) << row;
    EXPECT_EQ(seen[row].new_business_history(0).won_from_new_deals().minor_units(),
              row <= 2 ? 500 : 0) << row;
  }
}

// Pacing and the distribution across reps, by hand. As of 2026-05-16 in Q2: April is past, May
// 16/31 elapsed; elapsed share of the quarter 46/91. Monthly quotas are a third of the quarter's.
TEST(AttainmentReportTest, PacingAndDistribution) {
  Snapshot snapshot = MakeSnapshot();
  std::vector<v1::ForecastLandingRequest> seen;
  auto report = BuildAttainmentReport(snapshot, {}, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "", Engine(&seen));
  ASSERT_TRUE(report.ok()) << report.status();
  const double elapsed = 46.0 / 91.0;
  const double due_share = (1.0 + 16.0 / 31.0) / 3.0;  // of the quarter's quota
  const auto& co = Row(*report, "CO");
  EXPECT_NEAR(co.pacing_elapsed(), 0.70 / elapsed, 1e-12);
  // CO's monthly quota is 10000 / 3 = 3333 (integer), so due = 3333 * (1 + 16/31).
  const double co_due = 3333.0 * (1.0 + 16.0 / 31.0);
  EXPECT_NEAR(co.seasonal_expected_pct(), 100.0 * co_due / 10000.0, 1e-9);
  EXPECT_NEAR(co.pacing_seasonal(), 7000.0 / co_due, 1e-12);
  EXPECT_NEAR(co.seasonal_expected_pct(), 100.0 * due_share, 0.05);
  // u2 has won nothing: on no pace at all.
  EXPECT_EQ(Row(*report, "u2").pacing_elapsed(), 0.0);
  EXPECT_EQ(Row(*report, "u2").pacing_seasonal(), 0.0);

  // Reps: u1 5000/3000 = 167% (125+), u2 0% (0-50), u3 2000/4000 = 50% (50-75).
  EXPECT_EQ(report->reps_with_quota(), 3);
  EXPECT_EQ(report->reps_at_quota(), 1);
  EXPECT_NEAR(report->share_of_reps_at_quota(), 1.0 / 3.0, 1e-12);
  ASSERT_EQ(report->distribution_size(), 5);
  std::vector<int> counts;
  for (const auto& b : report->distribution()) counts.push_back(b.reps());
  EXPECT_EQ(counts, (std::vector<int>{1, 1, 0, 0, 1}));
  EXPECT_EQ(report->distribution(0).from_pct(), 0);
  EXPECT_EQ(report->distribution(0).to_pct(), 50);
  EXPECT_EQ(report->distribution(4).from_pct(), 125);
  EXPECT_EQ(report->distribution(4).to_pct(), 0);  // no upper bound
}

TEST(AttainmentReportTest, SubtreeAndPastPeriod) {
  Snapshot snapshot = MakeSnapshot();
  std::vector<v1::ForecastLandingRequest> seen;
  // Q1 is over at the as-of date: landing is what closed, no forecast needed.
  auto report = BuildAttainmentReport(snapshot, {}, MakePlan(), {PeriodKind::kQuarter, 2026, 1}, "NA", Engine(&seen));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(report->rows_size(), 3);  // NA, u1, u2
  EXPECT_EQ(Row(*report, "NA").depth(), 0);
  EXPECT_EQ(Row(*report, "NA").closed_won().minor_units(), 3500);  // h1..h3 + n1
  EXPECT_EQ(Row(*report, "NA").landing().p50().minor_units(), 3500);
  EXPECT_EQ(Row(*report, "NA").landing().p90().minor_units(), 3500);
  EXPECT_DOUBLE_EQ(report->elapsed_fraction(), 1.0);
}

TEST(AttainmentReportTest, Errors) {
  Snapshot snapshot = MakeSnapshot();
  std::vector<v1::ForecastLandingRequest> seen;
  auto unknown = BuildAttainmentReport(snapshot, {}, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "MARS", Engine(&seen));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("node_id"));
  auto wrong_year = BuildAttainmentReport(snapshot, {}, MakePlan(), {PeriodKind::kQuarter, 2027, 2}, "", Engine(&seen));
  EXPECT_EQ(wrong_year.status().code(), absl::StatusCode::kFailedPrecondition);
  v1::Plan euro = MakePlan();
  euro.mutable_target()->set_currency_code("EUR");
  auto wrong_currency = BuildAttainmentReport(snapshot, {}, euro, {PeriodKind::kQuarter, 2026, 2}, "", Engine(&seen));
  EXPECT_EQ(wrong_currency.status().code(), absl::StatusCode::kFailedPrecondition);
  // A landing that fails for another reason than an outage fails the report.
  LandingBatchFn broken = [](std::span<const v1::ForecastLandingRequest>)
      -> absl::StatusOr<std::vector<v1::ForecastLandingResponse>> {
    return absl::InvalidArgumentError("forecast service: open_deals[0].amount: negative");
  };
  auto invalid = BuildAttainmentReport(snapshot, {}, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "", broken);
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
}

// The forecast service down or too slow: every figure but the landing, and why it is missing.
TEST(AttainmentReportTest, WithoutTheForecastServiceAnswersWithoutTheLanding) {
  Snapshot snapshot = MakeSnapshot();
  std::vector<v1::ForecastLandingRequest> seen;
  auto full = BuildAttainmentReport(snapshot, {}, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "", Engine(&seen));
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_TRUE(full->landing_unavailable().empty());
  for (absl::Status outage : {absl::UnavailableError("forecast service: failed to connect"),
                              absl::DeadlineExceededError("forecast service: Deadline Exceeded")}) {
    LandingBatchFn down = [&](std::span<const v1::ForecastLandingRequest>)
        -> absl::StatusOr<std::vector<v1::ForecastLandingResponse>> { return outage; };
    auto degraded = BuildAttainmentReport(snapshot, {}, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "", down);
    ASSERT_TRUE(degraded.ok()) << degraded.status();
    EXPECT_EQ(degraded->landing_unavailable(),
              absl::StrCat(outage.message(), " (", absl::StatusCodeToString(outage.code()), ")"));
    EXPECT_THAT(degraded->landing_unavailable(), HasSubstr("forecast service: "));
    EXPECT_EQ(degraded->history_snapshot_ids_size(), 0);
    ASSERT_EQ(degraded->rows_size(), full->rows_size());
    for (int i = 0; i < full->rows_size(); ++i) {
      v1::AttainmentRow expected = full->rows(i);
      expected.clear_landing();
      EXPECT_FALSE(degraded->rows(i).has_landing()) << expected.id();
      EXPECT_EQ(degraded->rows(i).SerializeAsString(), expected.SerializeAsString()) << expected.id();
    }
    EXPECT_EQ(degraded->reps_at_quota(), full->reps_at_quota());
  }
}

}  // namespace
}  // namespace salesops::reporting
