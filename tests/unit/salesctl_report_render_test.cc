// `salesctl snapshots` and `salesctl report attainment|pipeline|kpi|accuracy` output on
// hand-built messages: the snapshot list, attainment with the landing percentiles and the
// cumulative categories, the pipeline with and without plan and baseline, the KPIs with their
// changes, forecast accuracy per period and overall, the --html confirmation.
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

v1::AttainmentReportResponse Attainment() {
  v1::AttainmentReportResponse r;
  r.set_snapshot_id(kNow);
  r.set_plan_id("plan-7");
  r.set_plan_version(3);
  r.set_engine_version("0.1.0");
  *r.mutable_period() = Q4();
  *r.mutable_period_start() = MakeDate(2026, 11, 1);
  *r.mutable_period_end() = MakeDate(2027, 1, 31);
  *r.mutable_as_of() = MakeDate(2026, 11, 28);
  r.set_elapsed_fraction(28.0 / 92.0);
  r.set_currency_code("USD");
  v1::AttainmentRow* co = r.add_rows();
  co->set_id("CO");
  co->set_name("Acme");
  co->set_kind(v1::ROW_KIND_NODE);
  *co->mutable_quota() = Usd(10'000'000'00);
  *co->mutable_closed_won() = Usd(4'000'000'00);
  co->set_attainment_pct(40);
  *co->mutable_gap() = Usd(6'000'000'00);
  *co->mutable_open_pipeline() = Usd(9'000'000'00);
  *co->mutable_weighted_pipeline() = Usd(3'000'000'00);
  co->set_coverage(1.5);
  *co->mutable_categories()->mutable_closed() = Usd(4'000'000'00);
  *co->mutable_categories()->mutable_commit() = Usd(6'000'000'00);
  *co->mutable_categories()->mutable_best_case() = Usd(7'500'000'00);
  *co->mutable_categories()->mutable_pipeline() = Usd(13'000'000'00);
  v1::LandingForecast* landing = co->mutable_landing();
  *landing->mutable_expected() = Usd(8'600'000'00);
  *landing->mutable_p10() = Usd(7'000'000'00);
  *landing->mutable_p50() = Usd(8'500'000'00);
  *landing->mutable_p90() = Usd(10'500'000'00);
  landing->set_p50_attainment_pct(85);
  landing->set_probability_of_quota(0.312);
  landing->set_history_snapshots(12);
  // A rep without quota or landing.
  v1::AttainmentRow* alice = r.add_rows();
  alice->set_id("r1");
  alice->set_name("Alice");
  alice->set_kind(v1::ROW_KIND_REP);
  alice->set_depth(1);
  alice->set_parent_id("CO");
  *alice->mutable_quota() = Usd(0);
  *alice->mutable_closed_won() = Usd(500'000'00);
  *alice->mutable_categories()->mutable_commit() = Usd(500'000'00);
  *alice->mutable_categories()->mutable_best_case() = Usd(600'000'00);
  return r;
}

TEST(AttainmentRender, LandingPercentilesProbabilityAndCumulativeCategories) {
  const auto report = Attainment();
  std::string csv = AttainmentTable(report).ToCsv();
  EXPECT_THAT(csv, HasSubstr("node / rep,quota,won,attain,gap,pipeline,weighted,coverage,commit,"
                             "best case,P10,P50,P90,P50 attain,P(quota)\n"));
  EXPECT_THAT(csv, HasSubstr("Acme,\"10,000,000\",\"4,000,000\",40.0%,\"6,000,000\",\"9,000,000\","
                             "\"3,000,000\",1.50x,\"6,000,000\",\"7,500,000\",\"7,000,000\","
                             "\"8,500,000\",\"10,500,000\",85.0%,31.2%\n"));
  // No landing: dashes; no quota: "met" and no percentages.
  EXPECT_THAT(csv, HasSubstr("\"  Alice\",0,\"500,000\",0.0%,0,0,0,met,\"500,000\",\"600,000\",-,-,-,-,-\n"));
  EXPECT_THAT(csv, Not(HasSubstr("8,600,000")));  // the mean is not a column

  std::string text = AttainmentText(report);
  EXPECT_THAT(text, HasSubstr("Attainment FY2027 Q4 (2026-11-01 .. 2027-01-31), as of 2026-11-28, "
                              "30% of the period elapsed; amounts in USD\n"));
  EXPECT_THAT(text, HasSubstr("win rates calibrated on 12 past snapshots\n"));
  EXPECT_THAT(text, HasSubstr("snapshot aaaaaaaaaaaa, plan plan-7 v3, engine 0.1.0\n\n"));
  EXPECT_THAT(text, HasSubstr("  Alice"));
  EXPECT_THAT(text, HasSubstr("P(quota)"));

  auto uncalibrated = report;
  uncalibrated.mutable_rows(0)->mutable_landing()->set_history_snapshots(0);
  EXPECT_THAT(AttainmentText(uncalibrated), HasSubstr(", the CRM's probabilities\n"));
  uncalibrated.mutable_rows(0)->mutable_landing()->set_history_snapshots(1);
  EXPECT_THAT(AttainmentText(uncalibrated), HasSubstr("calibrated on 1 past snapshot\n"));
}

v1::MethodForecast Forecast(v1::AccuracyMethod method, int64_t amount, double error_pct) {
  v1::MethodForecast f;
  f.set_method(method);
  *f.mutable_forecast() = Usd(amount);
  f.set_error_pct(error_pct);
  return f;
}

v1::MethodAccuracy Method(v1::AccuracyMethod method, int forecasts, double mae, double bias) {
  v1::MethodAccuracy m;
  m.set_method(method);
  m.set_forecasts(forecasts);
  m.set_mean_absolute_error_pct(mae);
  m.set_bias_pct(bias);
  return m;
}

// FY2027 Q2, actual 1,000,000, two snapshots (the second without a weighted forecast); FY2027
// Q3, actual 2,000,000, one snapshot.
v1::ForecastAccuracyResponse Accuracy() {
  using M = v1::AccuracyMethod;
  v1::ForecastAccuracyResponse r;
  r.set_snapshot_id(kNow);
  r.set_node_id("EMEA");
  r.set_engine_version("0.1.0");
  r.set_currency_code("USD");
  v1::PeriodAccuracy* q2 = r.add_periods();
  q2->mutable_period()->set_type(v1::PERIOD_TYPE_QUARTER);
  q2->mutable_period()->set_fiscal_year(2027);
  q2->mutable_period()->set_index(2);
  *q2->mutable_period_start() = MakeDate(2026, 5, 1);
  *q2->mutable_period_end() = MakeDate(2026, 7, 31);
  *q2->mutable_actual() = Usd(1'000'000'00);
  v1::AccuracyPoint* p1 = q2->add_points();
  p1->set_snapshot_id(std::string(64, 'c'));
  *p1->mutable_as_of() = MakeDate(2026, 5, 15);
  p1->set_days_before_end(77);
  *p1->mutable_closed_won_to_date() = Usd(200'000'00);
  *p1->add_forecasts() = Forecast(M::ACCURACY_METHOD_LANDING_P50, 900'000'00, -10);
  *p1->add_forecasts() = Forecast(M::ACCURACY_METHOD_COMMIT, 800'000'00, -20);
  *p1->add_forecasts() = Forecast(M::ACCURACY_METHOD_BEST_CASE, 1'100'000'00, 10);
  *p1->add_forecasts() = Forecast(M::ACCURACY_METHOD_WEIGHTED_PIPELINE, 950'000'00, -5);
  *p1->mutable_landing_p10() = Usd(700'000'00);
  *p1->mutable_landing_p90() = Usd(1'200'000'00);
  p1->set_actual_within_p10_p90(true);
  v1::AccuracyPoint* p2 = q2->add_points();
  p2->set_snapshot_id(std::string(64, 'd'));
  *p2->mutable_as_of() = MakeDate(2026, 7, 1);
  p2->set_days_before_end(30);
  *p2->mutable_closed_won_to_date() = Usd(700'000'00);
  *p2->add_forecasts() = Forecast(M::ACCURACY_METHOD_BEST_CASE, 1'150'000'00, 15);
  *p2->add_forecasts() = Forecast(M::ACCURACY_METHOD_LANDING_P50, 1'050'000'00, 5);
  *p2->add_forecasts() = Forecast(M::ACCURACY_METHOD_COMMIT, 950'000'00, -5);
  *p2->mutable_landing_p10() = Usd(1'020'000'00);
  *p2->mutable_landing_p90() = Usd(1'100'000'00);
  p2->set_actual_within_p10_p90(false);
  // The server's order is not the display order.
  *q2->add_methods() = Method(M::ACCURACY_METHOD_COMMIT, 2, 12.5, -12.5);
  *q2->add_methods() = Method(M::ACCURACY_METHOD_WEIGHTED_PIPELINE, 1, 5, -5);
  *q2->add_methods() = Method(M::ACCURACY_METHOD_LANDING_P50, 2, 7.5, -2.5);
  *q2->add_methods() = Method(M::ACCURACY_METHOD_BEST_CASE, 2, 12.5, 12.5);
  q2->set_landing_interval_hit_rate(0.5);

  v1::PeriodAccuracy* q3 = r.add_periods();
  q3->mutable_period()->set_type(v1::PERIOD_TYPE_QUARTER);
  q3->mutable_period()->set_fiscal_year(2027);
  q3->mutable_period()->set_index(3);
  *q3->mutable_period_start() = MakeDate(2026, 8, 1);
  *q3->mutable_period_end() = MakeDate(2026, 10, 31);
  *q3->mutable_actual() = Usd(2'000'000'00);
  v1::AccuracyPoint* p3 = q3->add_points();
  p3->set_snapshot_id(std::string(64, 'e'));
  *p3->mutable_as_of() = MakeDate(2026, 9, 1);
  p3->set_days_before_end(60);
  *p3->mutable_closed_won_to_date() = Usd(500'000'00);
  *p3->add_forecasts() = Forecast(M::ACCURACY_METHOD_LANDING_P50, 2'200'000'00, 10);
  *p3->mutable_landing_p10() = Usd(1'500'000'00);
  *p3->mutable_landing_p90() = Usd(2'600'000'00);
  p3->set_actual_within_p10_p90(true);
  *q3->add_methods() = Method(M::ACCURACY_METHOD_LANDING_P50, 1, 10, 10);
  q3->set_landing_interval_hit_rate(1);

  *r.add_overall() = Method(M::ACCURACY_METHOD_LANDING_P50, 3, 25.0 / 3, 5.0 / 3);
  *r.add_overall() = Method(M::ACCURACY_METHOD_COMMIT, 2, 12.5, -12.5);
  return r;
}

TEST(AccuracyRender, PointsPerPeriodWithErrorsThenMethodsPerPeriodAndOverall) {
  const auto r = Accuracy();
  std::string text = AccuracyText(r);
  EXPECT_THAT(text, HasSubstr("Forecast accuracy of EMEA, actuals from snapshot aaaaaaaaaaaa; "
                              "amounts in USD; engine 0.1.0\n"));
  EXPECT_THAT(text, HasSubstr("FY2027 Q2 (2026-05-01 .. 2026-07-31): actual 1,000,000; the landing's "
                              "P10-P90 held it at 1 of 2 snapshots (50%)\n"));
  EXPECT_THAT(text, HasSubstr("FY2027 Q3 (2026-08-01 .. 2026-10-31): actual 2,000,000; the landing's "
                              "P10-P90 held it at 1 of 1 snapshot (100%)\n"));
  EXPECT_THAT(text, HasSubstr("Over 2 periods and 3 snapshots; the landing's P10-P90 held the "
                              "actual at 2 of them (67%)\n"));
  EXPECT_THAT(text, HasSubstr("700,000 .. 1,200,000"));
  EXPECT_THAT(text, HasSubstr("cccccccccccc  2026-05-15"));
  // Periods in order, each with its points before its methods, the overall methods last.
  const size_t q2 = text.find("FY2027 Q2 ("), q3 = text.find("FY2027 Q3 ("), over = text.find("Over 2");
  EXPECT_LT(q2, text.find("2026-07-01"));
  EXPECT_LT(text.find("2026-07-01"), text.find("mean abs error"));
  EXPECT_LT(text.find("mean abs error"), q3);
  EXPECT_LT(q3, over);
  EXPECT_NE(text.find("8.3%", over), std::string::npos);  // overall landing MAE 25/3

  // The points' table: each method with its error; "-" for a missing one.
  std::string points = AccuracyPointsTable(r.periods(0)).ToCsv();
  EXPECT_THAT(points, HasSubstr("snapshot,as of,days to end,closed to date,landing P50,error,"
                                "P10 .. P90,in P10-P90,commit,error,best case,error,weighted,error\n"));
  EXPECT_THAT(points, HasSubstr("cccccccccccc,2026-05-15,77,\"200,000\",\"900,000\",-10.0%,"
                                "\"700,000 .. 1,200,000\",yes,\"800,000\",-20.0%,\"1,100,000\","
                                "+10.0%,\"950,000\",-5.0%\n"));
  EXPECT_THAT(points, HasSubstr("dddddddddddd,2026-07-01,30,\"700,000\",\"1,050,000\",+5.0%,"
                                "\"1,020,000 .. 1,100,000\",no,\"950,000\",-5.0%,\"1,150,000\","
                                "+15.0%,-,-\n"));

  // Methods in the usual order whatever the server's.
  EXPECT_EQ(MethodAccuracyTable(r.periods(0).methods()).ToCsv(),
            "method,forecasts,mean abs error,bias\n"
            "landing P50,2,7.5%,-2.5%\n"
            "commit,2,12.5%,-12.5%\n"
            "best case,2,12.5%,+12.5%\n"
            "weighted pipeline,1,5.0%,-5.0%\n");

  // CSV: one row per period and snapshot, P10 and P90 apart.
  std::string csv = AccuracyTable(r).ToCsv();
  EXPECT_THAT(csv, HasSubstr("period,period start,period end,actual,snapshot,as of,days to end,"
                             "closed to date,landing P50,landing P50 error,P10,P90,in P10-P90,"
                             "commit,commit error,best case,best case error,weighted,weighted error\n"));
  EXPECT_THAT(csv, HasSubstr("FY2027 Q2,2026-05-01,2026-07-31,\"1,000,000\",dddddddddddd,2026-07-01,"
                             "30,\"700,000\",\"1,050,000\",+5.0%,\"1,020,000\",\"1,100,000\",no,"
                             "\"950,000\",-5.0%,\"1,150,000\",+15.0%,-,-\n"));
  EXPECT_THAT(csv, HasSubstr("FY2027 Q3,2026-08-01,2026-10-31,\"2,000,000\",eeeeeeeeeeee,"
                             "2026-09-01,60,\"500,000\",\"2,200,000\",+10.0%,\"1,500,000\","
                             "\"2,600,000\",yes,-,-,-,-,-,-\n"));
}

TEST(AccuracyRender, NoPeriodsAndMethodNames) {
  v1::ForecastAccuracyResponse empty;
  empty.set_snapshot_id(kNow);
  empty.set_currency_code("USD");
  std::string text = AccuracyText(empty);
  EXPECT_THAT(text, HasSubstr("Forecast accuracy of the whole company"));
  EXPECT_THAT(text, HasSubstr("no past period has a stored snapshot taken during it\n"));
  EXPECT_EQ(AccuracyTable(empty).ToCsv().find('\n'), AccuracyTable(empty).ToCsv().size() - 1);

  EXPECT_EQ(AccuracyMethodName(v1::ACCURACY_METHOD_WEIGHTED_PIPELINE), "weighted pipeline");
  EXPECT_EQ(AccuracyMethodName(v1::ACCURACY_METHOD_UNSPECIFIED), "ACCURACY_METHOD_UNSPECIFIED");
}

TEST(HtmlRender, WroteFileInKilobytesRoundedUp) {
  EXPECT_EQ(WroteFileText("out/report.html", 37 * 1024 - 5), "wrote out/report.html (37 KB)");
  EXPECT_EQ(WroteFileText("r.html", 37 * 1024 + 1), "wrote r.html (38 KB)");
  EXPECT_EQ(WroteFileText("r.html", 1), "wrote r.html (1 KB)");
  EXPECT_EQ(WroteFileText("r.html", 0), "wrote r.html (0 KB)");
}

}  // namespace
}  // namespace salesops::salesctl
