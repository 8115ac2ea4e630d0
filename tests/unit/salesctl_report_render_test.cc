// `salesctl snapshots` and `salesctl report pipeline|kpi` output on hand-built messages: the
// snapshot list, the pipeline with and without plan and baseline, the KPIs with their changes.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/salesctl/report_render.h"

namespace salesops::salesctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::Money Usd(int64_t minor_units) {
  v1::Money m;
  m.set_currency_code("USD");
  m.set_minor_units(minor_units);
  return m;
}

v1::Date MakeDate(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

v1::Period Q4() {
  v1::Period p;
  p.set_type(v1::PERIOD_TYPE_QUARTER);
  p.set_fiscal_year(2027);
  p.set_index(4);
  return p;
}

const std::string kNow = std::string(64, 'a');
const std::string kBase = std::string(64, 'b');

v1::SnapshotInfo Info(const std::string& id, int day, int64_t opportunities) {
  v1::SnapshotInfo s;
  s.set_snapshot_id(id);
  *s.mutable_header()->mutable_as_of() = MakeDate(2026, 11, day);
  s.mutable_header()->set_currency_code("USD");
  s.mutable_header()->set_source("demo");
  s.set_territory_count(18);
  s.set_rep_count(40);
  s.set_opportunity_count(opportunities);
  return s;
}

TEST(SnapshotsRender, OneRowPerSnapshotWithCountsAndTheNextPage) {
  v1::ListSnapshotsResponse list;
  *list.add_snapshots() = Info(kNow, 28, 12345);
  *list.add_snapshots() = Info(kBase, 1, 11000);
  std::string csv = SnapshotsTable(list).ToCsv();
  EXPECT_THAT(csv, HasSubstr("snapshot,as of,currency,territories,reps,opportunities,source"));
  EXPECT_THAT(csv, HasSubstr(kNow + ",2026-11-28,USD,18,40,12345,demo"));
  EXPECT_LT(csv.find(kNow), csv.find(kBase));  // the server's order is kept

  std::string text = SnapshotsText(list);
  EXPECT_THAT(text, HasSubstr("2026-11-01"));
  EXPECT_THAT(text, Not(HasSubstr("--page-token")));
  list.set_next_page_token("tok123");
  EXPECT_THAT(SnapshotsText(list), HasSubstr("salesctl snapshots list --page-token tok123"));
  EXPECT_EQ(SnapshotsText(v1::ListSnapshotsResponse()), "no snapshots\n");
}

v1::PipelineReportResponse Pipeline(bool plan, bool baseline) {
  v1::PipelineReportResponse r;
  r.set_snapshot_id(kNow);
  if (baseline) r.set_baseline_snapshot_id(kBase);
  if (plan) {
    r.set_plan_id("plan-7");
    r.set_plan_version(3);
  }
  r.set_engine_version("0.1.0");
  *r.mutable_period() = Q4();
  *r.mutable_period_start() = MakeDate(2026, 11, 1);
  *r.mutable_period_end() = MakeDate(2027, 1, 31);
  *r.mutable_as_of() = MakeDate(2026, 11, 28);
  r.set_currency_code("USD");
  auto add = [&](const std::string& id, const std::string& name, v1::RowKind kind, int depth,
                 int64_t open, int64_t remaining) {
    v1::PipelineRow* row = r.add_rows();
    row->set_id(id);
    row->set_name(name);
    row->set_kind(kind);
    row->set_depth(depth);
    row->set_open_count(7);
    *row->mutable_open_pipeline() = Usd(open);
    *row->mutable_weighted_pipeline() = Usd(open / 2);
    *row->mutable_commit() = Usd(open / 4);
    *row->mutable_best_case() = Usd(open / 4);
    *row->mutable_pipeline_category() = Usd(open / 2);
    if (plan) {
      *row->mutable_remaining_quota() = Usd(remaining);
      row->set_coverage(remaining > 0 ? static_cast<double>(open) / remaining : 0);
    }
    row->set_created_count(3);
    *row->mutable_created_pipeline() = Usd(250'000'00);
    if (baseline) {
      v1::PipelineWaterfall* w = row->mutable_waterfall();
      *w->mutable_starting() = Usd(open - 100'000'00);
      *w->mutable_new_pipeline() = Usd(300'000'00);
      *w->mutable_pushed_out() = Usd(150'000'00);
      *w->mutable_won() = Usd(50'000'00);
      *w->mutable_ending() = Usd(open);
    }
  };
  add("CO", "Acme", v1::ROW_KIND_NODE, 0, 4'000'000'00, 2'000'000'00);
  add("r1", "Alice", v1::ROW_KIND_REP, 1, 1'000'000'00, 0);
  return r;
}

TEST(PipelineRender, PlanAddsCoverageAndBaselineAddsTheWaterfall) {
  auto full = Pipeline(/*plan=*/true, /*baseline=*/true);
  std::string text = PipelineText(full);
  EXPECT_THAT(text, HasSubstr("Pipeline FY2027 Q4 (2026-11-01 .. 2027-01-31), as of 2026-11-28"));
  EXPECT_THAT(text, HasSubstr("snapshot aaaaaaaaaaaa, baseline bbbbbbbbbbbb, plan plan-7 v3, engine 0.1.0"));
  EXPECT_THAT(text, HasSubstr("coverage"));
  EXPECT_THAT(text, HasSubstr("2.00x"));  // 4M open over 2M remaining
  EXPECT_THAT(text, HasSubstr("met"));    // Alice has nothing left to close
  EXPECT_THAT(text, HasSubstr("4,000,000"));
  EXPECT_THAT(text, HasSubstr("  Alice"));  // indented below the company
  EXPECT_THAT(text, HasSubstr("Waterfall from the baseline bbbbbbbbbbbb"));
  EXPECT_THAT(text, HasSubstr("- pushed out"));
  // CSV: one table with every column.
  std::string csv = PipelineTable(full).ToCsv();
  EXPECT_THAT(csv, HasSubstr("node / rep,open #,open,weighted,commit,best case,pipeline,remaining "
                             "quota,coverage,created #,created,starting,new,pulled in,pushed out,"
                             "increased,decreased,won,lost,ending\n"));
  EXPECT_THAT(csv, HasSubstr("Acme,7,\"4,000,000\",\"2,000,000\",\"1,000,000\",\"1,000,000\","
                             "\"2,000,000\",\"2,000,000\",2.00x,3,\"250,000\",\"3,900,000\","
                             "\"300,000\",0,\"150,000\",0,0,\"50,000\",0,\"4,000,000\"\n"));

  auto bare = Pipeline(/*plan=*/false, /*baseline=*/false);
  std::string plain = PipelineText(bare);
  EXPECT_THAT(plain, HasSubstr("no plan (no coverage)"));
  EXPECT_THAT(plain, Not(HasSubstr("coverage  ")));
  EXPECT_THAT(plain, Not(HasSubstr("Waterfall")));
  EXPECT_THAT(PipelineTable(bare).ToCsv(),
              HasSubstr("node / rep,open #,open,weighted,commit,best case,pipeline,created #,created\n"));
}

TEST(KpiRender, CurrentPriorAndSignedChanges) {
  v1::KpiReportResponse r;
  r.set_snapshot_id(kNow);
  r.set_engine_version("0.1.0");
  *r.mutable_period() = Q4();
  v1::Period prior = Q4();
  prior.set_index(3);
  *r.mutable_prior_period() = prior;
  *r.mutable_as_of() = MakeDate(2026, 11, 28);
  r.set_currency_code("USD");
  v1::KpiRow* row = r.add_rows();
  row->set_id("CO");
  row->set_name("Acme");
  row->set_kind(v1::ROW_KIND_NODE);
  v1::Kpis* now = row->mutable_current();
  now->set_win_rate(0.30);
  *now->mutable_average_deal_size() = Usd(60'000'00);
  now->set_sales_cycle_days(45.5);
  *now->mutable_sales_velocity_per_day() = Usd(12'345'00);
  now->set_won_count(12);
  now->set_lost_count(28);
  *now->mutable_won_amount() = Usd(720'000'00);
  v1::Kpis* before = row->mutable_prior();
  before->set_win_rate(0.25);
  *before->mutable_average_deal_size() = Usd(65'000'00);
  before->set_sales_cycle_days(50);
  *before->mutable_sales_velocity_per_day() = Usd(10'000'00);
  *row->mutable_average_deal_size_change() = Usd(-5'000'00);
  row->set_sales_cycle_days_change(-4.5);
  *row->mutable_sales_velocity_change() = Usd(2'345'00);

  std::string text = KpiText(r);
  EXPECT_THAT(text, HasSubstr("KPIs FY2027 Q4 against FY2027 Q3, as of 2026-11-28"));
  EXPECT_THAT(text, HasSubstr("snapshot aaaaaaaaaaaa, engine 0.1.0"));
  std::string csv = KpiTable(r).ToCsv();
  EXPECT_THAT(csv, HasSubstr("node / rep,win rate,prior,change,avg deal,prior,change,cycle days,"
                             "prior,change,velocity/day,prior,change,won #,lost #,won\n"));
  EXPECT_THAT(csv, HasSubstr("Acme,30.0%,25.0%,+5.0 pts,\"60,000\",\"65,000\",\"-5,000\",45.5,50.0,"
                             "-4.5,\"12,345\",\"10,000\",\"+2,345\",12,28,\"720,000\"\n"));
}

}  // namespace
}  // namespace salesops::salesctl
