#include "services/reporting/pipeline.h"

#include <random>
#include <string>
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

const FiscalPeriod kQ2{PeriodKind::kQuarter, 2026, 2};  // 2026-04-01 .. 2026-06-30

struct Opp {
  std::string id, owner, territory;
  int64_t amount;
  std::string created;
  std::string close;
  bool closed = false, won = false;
  double p = 0.5;
  C cat = C::FORECAST_CATEGORY_PIPELINE;
};

Opp Open(std::string id, std::string owner, std::string t, int64_t amount, const char* close,
         C cat = C::FORECAST_CATEGORY_PIPELINE, double p = 0.5, const char* created = "2026-01-15") {
  return {id, owner, t, amount, created, close, false, false, p, cat};
}
Opp Closed(std::string id, std::string owner, std::string t, int64_t amount, const char* close, bool won,
           const char* created = "2026-01-15") {
  return {id, owner, t, amount, created, close, true, won, won ? 1.0 : 0.0,
          won ? C::FORECAST_CATEGORY_CLOSED : C::FORECAST_CATEGORY_OMITTED};
}

struct Tree {
  std::vector<std::pair<std::string, std::string>> nodes;  // id, parent
  std::vector<std::pair<std::string, std::string>> reps;   // id, territory
};

// CO -> {NA {u1, u2}, EU {u3}}.
Tree Company() {
  return {{{"CO", ""}, {"NA", "CO"}, {"EU", "CO"}}, {{"u1", "NA"}, {"u2", "NA"}, {"u3", "EU"}}};
}

Snapshot Make(const std::string& id, const char* as_of, const std::vector<Opp>& opps,
              const Tree& tree = Company(), const std::string& currency = "USD") {
  SnapshotBuilder b;
  b.AsOf(as_of).Currency(currency).FiscalStartMonth(1);
  for (const auto& [node, parent] : tree.nodes) b.Territory(node, parent, "Node " + node);
  for (const auto& [rep, territory] : tree.reps) b.Rep(rep, territory);
  for (const Opp& x : opps) {
    auto* o = b.Opportunity(x.id, x.owner, x.territory, x.amount, x.created, x.close, x.closed, x.won);
    o->set_probability(x.p);
    o->set_forecast_category(x.cat);
  }
  return b.Build(id);
}

// Q2 quotas (each month a third): CO 18000, NA 12000, EU 6000, each rep 6000.
v1::Plan MakePlan(const std::string& currency = "USD") {
  v1::Plan plan;
  plan.set_plan_id("p1");
  plan.set_version(2);
  plan.set_fiscal_year(2026);
  *plan.mutable_target() = MakeMoney(currency, 72000);
  plan.mutable_calendar()->set_start_month(1);
  for (auto [id, q] : {std::pair{"CO", 18000}, {"NA", 12000}, {"EU", 6000}, {"u1", 6000}, {"u2", 6000},
                       {"u3", 6000}}) {
    auto* a = plan.add_allocations();
    a->set_id(id);
    *a->mutable_annual_quota() = MakeMoney(currency, 4 * q);
    for (int i = 0; i < 4; ++i) *a->add_quarterly_quota() = MakeMoney(currency, q);
    for (int i = 0; i < 12; ++i) *a->add_monthly_quota() = MakeMoney(currency, q / 3);
  }
  return plan;
}

// The baseline at the start of Q2 and the snapshot now, with every waterfall case (see below).
Snapshot Baseline() {
  return Make("base", "2026-04-01", {
      // In the Q2 pipeline at the baseline.
      Open("s_same", "u1", "NA", 1000, "2026-05-10"),
      Open("s_up", "u1", "NA", 2000, "2026-06-01"),
      Open("s_down", "u2", "NA", 3000, "2026-06-15"),
      Open("s_push", "u2", "NA", 4000, "2026-06-20"),
      Open("s_push_closed", "u1", "NA", 500, "2026-05-01"),
      Open("s_won", "u3", "EU", 6000, "2026-06-30"),
      Open("s_lost", "u3", "EU", 700, "2026-04-20"),
      Open("s_omit", "u1", "NA", 800, "2026-05-20"),
      Open("s_deleted", "u3", "EU", 900, "2026-05-30"),
      Open("s_moved", "u1", "NA", 1200, "2026-05-25"),
      // In the baseline, not in its Q2 pipeline.
      Open("b_pull", "u2", "NA", 5000, "2026-08-01"),
      Open("b_omit_back", "u3", "EU", 300, "2026-06-10", C::FORECAST_CATEGORY_OMITTED),
      Closed("b_reopen", "u1", "NA", 400, "2026-03-15", false),
      Open("b_pull_won", "u2", "NA", 1500, "2026-09-01"),
      Open("b_out", "u3", "EU", 10000, "2026-10-01"),
  });
}

Snapshot Now() {
  return Make("now", "2026-05-16", {
      Open("s_same", "u1", "NA", 1000, "2026-05-10", C::FORECAST_CATEGORY_COMMIT, 0.5),
      Open("s_up", "u1", "NA", 2500, "2026-06-01", C::FORECAST_CATEGORY_BEST_CASE, 0.4),  // +500
      Open("s_down", "u2", "NA", 2200, "2026-06-15", C::FORECAST_CATEGORY_COMMIT, 0.8),   // -800
      Open("s_push", "u2", "NA", 4000, "2026-07-15"),                  // pushed out
      Closed("s_push_closed", "u1", "NA", 500, "2026-03-31", false),   // closed outside Q2
      Closed("s_won", "u3", "EU", 6500, "2026-05-05", true),           // won (baseline 6000)
      Closed("s_lost", "u3", "EU", 700, "2026-04-25", false),          // lost
      Open("s_omit", "u1", "NA", 800, "2026-05-20", C::FORECAST_CATEGORY_OMITTED),  // decreased
      // s_deleted is gone: lost, in u3/EU's rows.
      Open("s_moved", "u3", "EU", 1200, "2026-05-25", C::FORECAST_CATEGORY_PIPELINE, 0.2),
      Open("b_pull", "u2", "NA", 5200, "2026-06-05", C::FORECAST_CATEGORY_BEST_CASE, 0.3),
      Open("b_omit_back", "u3", "EU", 300, "2026-06-10", C::FORECAST_CATEGORY_BEST_CASE, 0.5),
      Open("b_reopen", "u1", "NA", 400, "2026-06-25", C::FORECAST_CATEGORY_PIPELINE, 0.1),
      Closed("b_pull_won", "u2", "NA", 1500, "2026-05-02", true),      // not in the waterfall
      Open("b_out", "u3", "EU", 10000, "2026-10-01"),
      // New since the baseline.
      Open("n_open", "u2", "NA", 2500, "2026-06-12", C::FORECAST_CATEGORY_COMMIT, 0.6, "2026-04-10"),
      Closed("n_won", "u3", "EU", 1100, "2026-05-01", true, "2026-04-05"),
      Closed("n_lost", "u1", "NA", 600, "2026-05-03", false, "2026-04-07"),
      Open("n_out", "u1", "NA", 3300, "2026-08-15", C::FORECAST_CATEGORY_PIPELINE, 0.5, "2026-05-01"),
  });
}

const v1::PipelineRow& Row(const v1::PipelineReportResponse& r, const std::string& id) {
  for (const auto& row : r.rows())
    if (row.id() == id) return row;
  static v1::PipelineRow none;
  ADD_FAILURE() << "no row " << id;
  return none;
}

struct W {
  int64_t starting, new_pipeline, pulled_in, pushed_out, increased, decreased, won, lost, ending;
};
W Of(const v1::PipelineWaterfall& w) {
  return {w.starting().minor_units(),   w.new_pipeline().minor_units(), w.pulled_in().minor_units(),
          w.pushed_out().minor_units(), w.increased().minor_units(),    w.decreased().minor_units(),
          w.won().minor_units(),        w.lost().minor_units(),         w.ending().minor_units()};
}
void ExpectWaterfall(const v1::PipelineRow& row, W e) {
  SCOPED_TRACE(row.id());
  W w = Of(row.waterfall());
  EXPECT_EQ(w.starting, e.starting);
  EXPECT_EQ(w.new_pipeline, e.new_pipeline);
  EXPECT_EQ(w.pulled_in, e.pulled_in);
  EXPECT_EQ(w.pushed_out, e.pushed_out);
  EXPECT_EQ(w.increased, e.increased);
  EXPECT_EQ(w.decreased, e.decreased);
  EXPECT_EQ(w.won, e.won);
  EXPECT_EQ(w.lost, e.lost);
  EXPECT_EQ(w.ending, e.ending);
}
// The identity, and ending = the row's open pipeline.
void ExpectBalanced(const v1::PipelineRow& row) {
  W w = Of(row.waterfall());
  EXPECT_EQ(w.starting + w.new_pipeline + w.pulled_in - w.pushed_out + w.increased - w.decreased -
                w.won - w.lost,
            w.ending)
      << row.id();
  EXPECT_EQ(w.ending, row.open_pipeline().minor_units()) << row.id();
}

TEST(PipelineReportTest, OpenPipelineCoverageCreatedAndCategories) {
  Snapshot now = Now();
  v1::Plan plan = MakePlan();
  auto report = BuildPipelineReport(now, nullptr, &plan, kQ2, "");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->snapshot_id(), "now");
  EXPECT_EQ(report->baseline_snapshot_id(), "");
  EXPECT_EQ(report->plan_id(), "p1");
  EXPECT_EQ(report->plan_version(), 2);
  EXPECT_EQ(report->currency_code(), "USD");
  EXPECT_EQ(report->period_start().month(), 4);
  EXPECT_EQ(report->period_end().day(), 30);
  EXPECT_EQ(report->as_of().day(), 16);

  std::vector<std::string> ids;
  for (const auto& row : report->rows()) ids.push_back(row.id());
  EXPECT_EQ(ids, (std::vector<std::string>{"CO", "NA", "u1", "u2", "EU", "u3"}));
  EXPECT_EQ(Row(*report, "u3").parent_id(), "EU");
  EXPECT_EQ(Row(*report, "u3").depth(), 2);
  EXPECT_EQ(Row(*report, "u3").kind(), v1::ROW_KIND_REP);
  EXPECT_EQ(Row(*report, "EU").kind(), v1::ROW_KIND_NODE);
  EXPECT_EQ(Row(*report, "EU").name(), "Node EU");

  struct Expect {
    const char* id;
    int64_t count, open, weighted, commit, best, pipeline, remaining;
    double coverage;
    int64_t created_count, created;
  };
  // u1: s_same 1000 (p .5), s_up 2500 (.4), b_reopen 400 (.1); u2: s_down 2200 (.8), b_pull 5200
  // (.3), n_open 2500 (.6); u3: s_moved 1200 (.2), b_omit_back 300 (.5). Won in Q2 to date: u2
  // 1500, u3 6500 + 1100. Created in Q2: u1 n_lost 600 + n_out 3300, u2 n_open 2500, u3 n_won 1100.
  for (const Expect& e : {
           Expect{"u1", 3, 3900, 500 + 1000 + 40, 1000, 2500, 400, 6000, 3900.0 / 6000, 2, 3900},
           Expect{"u2", 3, 9900, 1760 + 1560 + 1500, 4700, 5200, 0, 4500, 9900.0 / 4500, 1, 2500},
           Expect{"u3", 2, 1500, 240 + 150, 0, 300, 1200, 0, 0.0, 1, 1100},  // quota met: 0, no coverage
           Expect{"NA", 6, 13800, 6360, 5700, 7700, 400, 10500, 13800.0 / 10500, 3, 6400},
           Expect{"EU", 2, 1500, 390, 0, 300, 1200, 0, 0.0, 1, 1100},
           Expect{"CO", 8, 15300, 6750, 5700, 8000, 1600, 18000 - 9100, 15300.0 / 8900, 4, 7500},
       }) {
    SCOPED_TRACE(e.id);
    const auto& row = Row(*report, e.id);
    EXPECT_EQ(row.open_count(), e.count);
    EXPECT_EQ(row.open_pipeline().minor_units(), e.open);
    EXPECT_EQ(row.open_pipeline().currency_code(), "USD");
    EXPECT_EQ(row.weighted_pipeline().minor_units(), e.weighted);
    EXPECT_EQ(row.commit().minor_units(), e.commit);
    EXPECT_EQ(row.best_case().minor_units(), e.best);
    EXPECT_EQ(row.pipeline_category().minor_units(), e.pipeline);
    EXPECT_EQ(row.remaining_quota().minor_units(), e.remaining);
    EXPECT_NEAR(row.coverage(), e.coverage, 1e-12);
    EXPECT_EQ(row.created_count(), e.created_count);
    EXPECT_EQ(row.created_pipeline().minor_units(), e.created);
    EXPECT_FALSE(row.has_waterfall());
  }
}

TEST(PipelineReportTest, WaterfallEveryCategoryByHand) {
  Snapshot base = Baseline(), now = Now();
  auto report = BuildPipelineReport(now, &base, nullptr, kQ2, "");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->baseline_snapshot_id(), "base");
  //                         start  new  pulled pushed  inc   dec   won  lost  ending
  // u1: s_same 1000 -> 1000; s_up 2000 +500; s_push_closed 500 pushed (closed before Q2); s_omit
  // 800 decreased (now OMITTED); b_reopen pulled in 400; n_lost new 600 and lost 600.
  ExpectWaterfall(Row(*report, "u1"), {4300, 600, 400, 500, 500, 800, 0, 600, 3900});
  // u2: s_down 3000 -800; s_push 4000 pushed; b_pull pulled in at 5200; n_open new 2500;
  // b_pull_won (outside the pipeline at the baseline) not in it.
  ExpectWaterfall(Row(*report, "u2"), {7000, 2500, 5200, 4000, 0, 800, 0, 0, 9900});
  // u3: s_won won at its baseline 6000; s_lost 700; s_deleted 900 lost (gone, baseline owner);
  // s_moved 1200 from u1 (current owner); b_omit_back +300; n_won new 1100 and won 1100.
  ExpectWaterfall(Row(*report, "u3"), {8800, 1100, 0, 0, 300, 0, 7100, 1600, 1500});
  ExpectWaterfall(Row(*report, "NA"), {11300, 3100, 5600, 4500, 500, 1600, 0, 600, 13800});
  ExpectWaterfall(Row(*report, "EU"), {8800, 1100, 0, 0, 300, 0, 7100, 1600, 1500});
  ExpectWaterfall(Row(*report, "CO"), {20100, 4200, 5600, 4500, 800, 1600, 7100, 2200, 15300});
  for (const auto& row : report->rows()) ExpectBalanced(row);

  // The root's starting is the baseline's whole Q2 pipeline.
  auto at_baseline = BuildPipelineReport(base, nullptr, nullptr, kQ2, "");
  ASSERT_TRUE(at_baseline.ok());
  EXPECT_EQ(Row(*at_baseline, "CO").open_pipeline().minor_units(), 20100);
  // No plan: no remaining quota, no coverage.
  EXPECT_FALSE(Row(*report, "CO").has_remaining_quota());
  EXPECT_EQ(Row(*report, "CO").coverage(), 0);
  EXPECT_EQ(report->plan_id(), "");
}

TEST(PipelineReportTest, SubtreeReport) {
  Snapshot base = Baseline(), now = Now();
  v1::Plan plan = MakePlan();
  auto report = BuildPipelineReport(now, &base, &plan, kQ2, "EU");
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->rows_size(), 2);
  EXPECT_EQ(report->rows(0).id(), "EU");
  EXPECT_EQ(report->rows(0).depth(), 0);
  EXPECT_EQ(report->rows(0).parent_id(), "");
  EXPECT_EQ(report->rows(1).id(), "u3");
  EXPECT_EQ(report->rows(1).depth(), 1);
  ExpectWaterfall(report->rows(0), {8800, 1100, 0, 0, 300, 0, 7100, 1600, 1500});
}

// A deal deleted since the baseline, whose rep and territory are gone too, lands in the nearest
// ancestor territory still there; a deal whose territory is gone but rep is not, in that rep.
TEST(PipelineReportTest, DeletedDealOfGoneRepAndTerritory) {
  Tree before = Company();
  before.nodes.push_back({"APAC", "CO"});
  before.nodes.push_back({"JP", "APAC"});
  before.reps.push_back({"u9", "JP"});
  Snapshot base = Make("base", "2026-04-01",
                       {Open("gone", "u9", "JP", 700, "2026-05-01"), Open("kept", "u1", "JP", 50, "2026-05-02")},
                       before);
  Snapshot now = Make("now", "2026-05-16", {});
  auto report = BuildPipelineReport(now, &base, nullptr, kQ2, "");
  ASSERT_TRUE(report.ok()) << report.status();
  ExpectWaterfall(Row(*report, "CO"), {750, 0, 0, 0, 0, 0, 0, 750, 0});
  ExpectWaterfall(Row(*report, "u1"), {50, 0, 0, 0, 0, 0, 0, 50, 0});
  ExpectWaterfall(Row(*report, "NA"), {0, 0, 0, 0, 0, 0, 0, 0, 0});  // u1's territory is not JP's
  for (const auto& row : report->rows()) ExpectBalanced(row);
}

// Deals of either snapshot sharing a key (a hash collision, or a duplicate id) are still matched
// one to one, so the identity holds.
TEST(PipelineReportTest, CollidingKeysStillBalance) {
  Snapshot base = Make("base", "2026-04-01",
                       {Open("a", "u1", "NA", 100, "2026-05-01"), Open("b", "u1", "NA", 200, "2026-05-02"),
                        Open("c", "u2", "NA", 300, "2026-05-03")});
  Snapshot now = Make("now", "2026-05-16",
                      {Open("a", "u1", "NA", 150, "2026-05-01"), Open("b", "u2", "NA", 260, "2026-08-02"),
                       Open("c", "u2", "NA", 330, "2026-05-03"), Open("d", "u2", "NA", 400, "2026-05-04")});
  for (Deal& d : base.deals) d.key = 42;
  for (Deal& d : now.deals) d.key = 42;
  auto report = BuildPipelineReport(now, &base, nullptr, kQ2, "");
  ASSERT_TRUE(report.ok()) << report.status();
  // Paired in order: a-a +50, b-b pushed 200, c-c +30, d new 400.
  ExpectWaterfall(Row(*report, "CO"), {600, 400, 0, 200, 80, 0, 0, 0, 880});
  for (const auto& row : report->rows()) ExpectBalanced(row);
}

TEST(PipelineReportTest, IdentityOnRandomSnapshots) {
  Tree tree;
  tree.nodes = {{"CO", ""}, {"AM", "CO"}, {"NA", "AM"}, {"LA", "AM"}, {"EM", "CO"}, {"DE", "EM"}, {"FR", "EM"}};
  const std::vector<std::string> leaves = {"NA", "LA", "DE", "FR", "AM", "EM"};
  for (int r = 0; r < 12; ++r) tree.reps.push_back({"r" + std::to_string(r), leaves[r % leaves.size()]});

  std::mt19937 rng(20260516);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const int kBase = DayNumber(*ParseDate("2026-04-01"));
  auto date = [](int n) { return FormatDate(FromDayNumber(n)); };
  const C cats[] = {C::FORECAST_CATEGORY_PIPELINE, C::FORECAST_CATEGORY_BEST_CASE, C::FORECAST_CATEGORY_COMMIT,
                    C::FORECAST_CATEGORY_OMITTED, C::FORECAST_CATEGORY_UNSPECIFIED};
  auto random_opp = [&](const std::string& id, int created_from, int created_to) {
    Opp o{};
    o.id = id;
    int r = pick(12);
    o.owner = tree.reps[r].first;
    o.territory = pick(4) == 0 ? tree.nodes[pick(7)].first : tree.reps[r].second;
    o.amount = 100 + pick(100000);
    o.created = date(created_from + pick(created_to - created_from + 1));
    o.close = date(kBase - 60 + pick(240));  // a quarter before Q2 .. a quarter after
    o.closed = pick(4) == 0;
    o.won = o.closed && pick(2) == 0;
    o.p = pick(101) / 100.0;
    o.cat = cats[pick(5)];
    return o;
  };
  std::vector<Opp> before, after;
  for (int i = 0; i < 2000; ++i) before.push_back(random_opp("o" + std::to_string(i), kBase - 200, kBase - 1));
  for (const Opp& b : before) {
    int fate = pick(10);
    if (fate == 0) continue;  // deleted
    Opp a = b;
    if (fate <= 3) a.close = date(kBase - 60 + pick(240));       // moved
    if (fate == 4 || fate == 5) a.amount = 100 + pick(100000);   // amount changed
    if (fate == 6) {                                             // closed since
      a.closed = true;
      a.won = pick(2) == 0;
      a.close = date(kBase + pick(46));
    }
    if (fate == 7) a.cat = cats[pick(5)];
    if (fate == 8) {  // changed hands
      int r = pick(12);
      a.owner = tree.reps[r].first;
      a.territory = tree.reps[r].second;
    }
    if (fate == 9 && a.closed) a.closed = a.won = false;  // reopened
    after.push_back(a);
  }
  for (int i = 0; i < 400; ++i) after.push_back(random_opp("new" + std::to_string(i), kBase, kBase + 45));
  std::shuffle(after.begin(), after.end(), rng);
  Snapshot base = Make("base", "2026-04-01", before, tree);
  Snapshot now = Make("now", "2026-05-16", after, tree);

  auto report = BuildPipelineReport(now, &base, nullptr, kQ2, "");
  ASSERT_TRUE(report.ok()) << report.status();
  for (const auto& row : report->rows()) ExpectBalanced(row);
  auto at_baseline = BuildPipelineReport(base, nullptr, nullptr, kQ2, "");
  ASSERT_TRUE(at_baseline.ok());
  const auto& top = report->rows(0);
  EXPECT_EQ(top.waterfall().starting().minor_units(), at_baseline->rows(0).open_pipeline().minor_units());
  // Every category happened.
  W w = Of(top.waterfall());
  for (int64_t v : {w.starting, w.new_pipeline, w.pulled_in, w.pushed_out, w.increased, w.decreased, w.won,
                    w.lost, w.ending})
    EXPECT_GT(v, 0);
  // Rep rows hold every deal once: their sums are the top row's (every rep is in the report and
  // owners never leave).
  W reps{};
  for (const auto& row : report->rows()) {
    if (row.kind() != v1::ROW_KIND_REP) continue;
    W r = Of(row.waterfall());
    reps.starting += r.starting;
    reps.won += r.won;
    reps.lost += r.lost;
    reps.ending += r.ending;
  }
  EXPECT_EQ(reps.starting, w.starting);
  EXPECT_EQ(reps.won, w.won);
  EXPECT_EQ(reps.lost, w.lost);
  EXPECT_EQ(reps.ending, w.ending);
  // A subtree report's rows are the same rows.
  auto em = BuildPipelineReport(now, &base, nullptr, kQ2, "EM");
  ASSERT_TRUE(em.ok());
  EXPECT_EQ(em->rows(0).waterfall().SerializeAsString(), Row(*report, "EM").waterfall().SerializeAsString());
}

TEST(PipelineReportTest, Errors) {
  Snapshot base = Baseline(), now = Now();
  v1::Plan plan = MakePlan();
  auto unknown = BuildPipelineReport(now, &base, &plan, kQ2, "MARS");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("node_id"));

  v1::Plan euro = MakePlan("EUR");
  auto wrong_currency = BuildPipelineReport(now, nullptr, &euro, kQ2, "");
  EXPECT_EQ(wrong_currency.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(wrong_currency.status().message()), HasSubstr("EUR"));

  auto wrong_year = BuildPipelineReport(now, nullptr, &plan, {PeriodKind::kQuarter, 2027, 2}, "");
  EXPECT_EQ(wrong_year.status().code(), absl::StatusCode::kFailedPrecondition);

  Snapshot euro_base = Make("eb", "2026-04-01", {}, Company(), "EUR");
  auto wrong_baseline = BuildPipelineReport(now, &euro_base, nullptr, kQ2, "");
  EXPECT_EQ(wrong_baseline.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(wrong_baseline.status().message()), HasSubstr("baseline"));
}

TEST(OpportunityKeyTest, StableAndDistinct) {
  // Fixed values (computed independently): the key must not change between builds.
  EXPECT_EQ(OpportunityKey(""), 0xefd01f60ba992926ULL);
  EXPECT_EQ(OpportunityKey("006A000001"), 0xdb812833d49d43fcULL);
  EXPECT_NE(OpportunityKey("006A000001"), OpportunityKey("006A000002"));
  EXPECT_LE(sizeof(Deal), 48u);
}

}  // namespace
}  // namespace salesops::reporting
