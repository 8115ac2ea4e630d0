#include "services/reporting/attainment.h"

#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::reporting {
namespace {

using ::testing::HasSubstr;

v1::Date PD(const char* s) { return ToProto(*ParseDate(s)); }

// CO -> {NA {u1, u2}, EU {u3}}; calendar years; as of 2026-05-16 (Q2, day 46 of 91).
Snapshot MakeSnapshot() {
  v1::SnapshotChunk structure;
  for (auto [id, parent] : {std::pair{"CO", ""}, {"NA", "CO"}, {"EU", "CO"}}) {
    auto* n = structure.add_territories();
    n->set_id(id);
    n->set_name(id);
    n->set_parent_id(parent);
  }
  for (auto [id, t] : {std::pair{"u1", "NA"}, {"u2", "NA"}, {"u3", "EU"}}) {
    auto* r = structure.add_reps();
    r->set_id(id);
    r->set_name(std::string("Rep ") + id);
    r->set_territory_id(t);
  }
  v1::SnapshotHeader header;
  *header.mutable_as_of() = PD("2026-05-16");
  header.set_currency_code("USD");
  header.mutable_calendar()->set_start_month(1);
  auto decoder = SnapshotDecoder::Start("snap", header, structure);
  EXPECT_TRUE(decoder.ok());
  v1::SnapshotChunk chunk;
  auto add = [&](const char* id, const char* owner, const char* territory, int64_t amount,
                 const char* close, bool closed, bool won, double p, v1::ForecastCategory cat) {
    auto* o = chunk.add_opportunities();
    o->set_id(id);
    o->set_owner_rep_id(owner);
    o->set_territory_id(territory);
    *o->mutable_amount() = MakeMoney("USD", amount);
    *o->mutable_created_date() = PD("2025-01-01");
    *o->mutable_close_date() = PD(close);
    o->set_closed(closed);
    o->set_won(won);
    o->set_probability(p);
    o->set_forecast_category(cat);
  };
  using C = v1::ForecastCategory;
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
  // Won after the as-of date cannot happen in a snapshot, but a win in Q1 must not count.
  EXPECT_TRUE(decoder->AddOpportunities(chunk).ok());
  return std::move(*decoder).Finish();
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

// Every series forecast at 300 a month, 80% interval 100..500.
ForecastFn Flat(int* calls) {
  return [calls](const v1::ForecastRequest& request) -> absl::StatusOr<v1::ForecastResponse> {
    ++*calls;
    v1::ForecastResponse response;
    for (const auto& s : request.series()) {
      auto* f = response.add_forecasts();
      f->set_series_id(s.id());
      f->set_model("TEST");
      auto* pi = f->add_intervals();
      pi->set_level(80);
      for (int h = 0; h < request.horizon(); ++h) {
        f->add_mean(300);
        pi->add_lower(100);
        pi->add_upper(500);
      }
    }
    return response;
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
  int calls = 0;
  auto report = BuildAttainmentReport(snapshot, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "", Flat(&calls));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(calls, 1);
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

  // Landing: won to date + May's remaining 15/31 + June, at 300 (100..500) a month.
  const double rest = 15.0 / 31.0 + 1.0;
  const auto& landing = co.landing();
  EXPECT_EQ(landing.expected().minor_units(), std::llround(7000 + 300 * rest));
  EXPECT_EQ(landing.lower().minor_units(), std::llround(7000 + 100 * rest));
  EXPECT_EQ(landing.upper().minor_units(), std::llround(7000 + 500 * rest));
  EXPECT_EQ(landing.model(), "TEST");
  EXPECT_EQ(landing.level(), 80);
}

// Pacing and the distribution across reps, by hand. As of 2026-05-16 in Q2: April is past, May
// 16/31 elapsed; elapsed share of the quarter 46/91. Monthly quotas are a third of the quarter's.
TEST(AttainmentReportTest, PacingAndDistribution) {
  Snapshot snapshot = MakeSnapshot();
  int calls = 0;
  auto report = BuildAttainmentReport(snapshot, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "", Flat(&calls));
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
  int calls = 0;
  // Q1 is over at the as-of date: landing is what closed, no forecast needed.
  auto report = BuildAttainmentReport(snapshot, MakePlan(), {PeriodKind::kQuarter, 2026, 1}, "NA", Flat(&calls));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(report->rows_size(), 3);  // NA, u1, u2
  EXPECT_EQ(Row(*report, "NA").depth(), 0);
  EXPECT_EQ(Row(*report, "NA").closed_won().minor_units(), 3000);
  EXPECT_EQ(Row(*report, "NA").landing().expected().minor_units(), 3000);
  EXPECT_EQ(Row(*report, "NA").landing().model(), "ACTUAL");
  EXPECT_DOUBLE_EQ(report->elapsed_fraction(), 1.0);
}

TEST(AttainmentReportTest, Errors) {
  Snapshot snapshot = MakeSnapshot();
  int calls = 0;
  auto unknown = BuildAttainmentReport(snapshot, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "MARS", Flat(&calls));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("node_id"));
  auto wrong_year = BuildAttainmentReport(snapshot, MakePlan(), {PeriodKind::kQuarter, 2027, 2}, "", Flat(&calls));
  EXPECT_EQ(wrong_year.status().code(), absl::StatusCode::kFailedPrecondition);
  v1::Plan euro = MakePlan();
  euro.mutable_target()->set_currency_code("EUR");
  auto wrong_currency = BuildAttainmentReport(snapshot, euro, {PeriodKind::kQuarter, 2026, 2}, "", Flat(&calls));
  EXPECT_EQ(wrong_currency.status().code(), absl::StatusCode::kFailedPrecondition);
  ForecastFn down = [](const v1::ForecastRequest&) -> absl::StatusOr<v1::ForecastResponse> {
    return absl::UnavailableError("forecast service: down");
  };
  auto unavailable = BuildAttainmentReport(snapshot, MakePlan(), {PeriodKind::kQuarter, 2026, 2}, "", down);
  EXPECT_EQ(unavailable.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace salesops::reporting
