#include "services/reporting/accuracy.h"

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/forecasting/landing_request.h"
#include "tests/support/snapshot_builder.h"

namespace salesops::reporting {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using C = v1::ForecastCategory;
using SnapshotPtr = std::shared_ptr<const Snapshot>;

using testing::SnapshotBuilder;

std::string Str(const v1::Date& d) { return FormatDate(*FromProto(d)); }

// One opportunity of a test snapshot.
struct O {
  std::string id, rep, territory;
  int64_t amount = 0;
  std::string close;
  bool closed = false, won = false;
  C category = C::FORECAST_CATEGORY_PIPELINE;
  double probability = 0;
  std::string created = "2025-10-01";
};
O Open(std::string id, std::string rep, std::string territory, int64_t amount, std::string close, C category,
       double probability, std::string created = "2025-10-01") {
  return {id, rep, territory, amount, close, false, false, category, probability, created};
}
O Won(std::string id, std::string rep, std::string territory, int64_t amount, std::string close,
      std::string created = "2025-10-01") {
  return {id, rep, territory, amount, close, true, true, C::FORECAST_CATEGORY_CLOSED, 1, created};
}
O Lost(std::string id, std::string rep, std::string territory, int64_t amount, std::string close) {
  return {id, rep, territory, amount, close, true, false, C::FORECAST_CATEGORY_OMITTED, 0};
}

struct Options {
  bool apac = false;  // the APAC territory (rep u3) exists
  std::string currency = "USD";
  int start_month = 1;
};

// CO -> {NA {u1}, EU {u2}, APAC {u3} (with options.apac)}.
SnapshotPtr MakeSnapshot(const std::string& id, const char* as_of, const std::vector<O>& opportunities,
                         const Options& options = {}) {
  SnapshotBuilder b;
  b.AsOf(as_of).Currency(options.currency).FiscalStartMonth(options.start_month);
  b.Territory("CO", "").Territory("NA", "CO").Territory("EU", "CO");
  b.Rep("u1", "NA").Rep("u2", "EU");
  if (options.apac) b.Territory("APAC", "CO").Rep("u3", "APAC");
  for (const O& o : opportunities) {
    auto* p = b.Opportunity(o.id, o.rep, o.territory, o.amount, o.created, o.close, o.closed, o.won);
    p->set_stage("Stage");
    p->set_probability(o.probability);
    p->set_forecast_category(o.category);
  }
  return b.BuildShared(id);
}

// The real landing engine, as ForecastService runs it, one request after the other.
template <class One>
LandingBatchFn Batch(One one) {
  return [one](std::span<const v1::ForecastLandingRequest> requests)
             -> absl::StatusOr<std::vector<v1::ForecastLandingResponse>> {
    std::vector<v1::ForecastLandingResponse> out;
    for (const auto& r : requests) {
      absl::StatusOr<v1::ForecastLandingResponse> answer = one(r);
      if (!answer.ok()) return answer.status();
      out.push_back(std::move(*answer));
    }
    return out;
  };
}
const LandingBatchFn Engine = Batch(
    [](const v1::ForecastLandingRequest& r) { return forecast::ComputeLanding(r); });

// FY = calendar year. Q1 2026 closed 4,200 at CO (NA 1,200, EU 3,000) per the latest snapshot;
// two snapshots were taken during Q1, none during Q4 2025.
SnapshotPtr Latest(const std::string& id = "latest") {
  return MakeSnapshot(id, "2026-05-16",
                      {
                          Won("o0", "u1", "NA", 200, "2026-01-05"),
                          Won("o1", "u1", "NA", 1000, "2026-02-10"),
                          Won("o2", "u2", "EU", 3000, "2026-03-15"),
                          Lost("o3", "u1", "NA", 500, "2026-02-20"),
                          Open("o4", "u2", "EU", 800, "2026-06-30", C::FORECAST_CATEGORY_PIPELINE, 0.5),
                          Lost("o6", "u1", "NA", 300, "2026-01-20"),
                          Won("o9", "u1", "NA", 700, "2025-11-10"),   // Q4 2025: no snapshot then
                          Won("o10", "u1", "NA", 9000, "2026-04-15"),  // the current quarter
                      },
                      {.apac = true});
}

// Probabilities 0 or 1 only and no usable history: the landing is certain (P10 = P50 = P90).
SnapshotPtr S1(const std::string& id = "s1", const Options& options = {}) {
  return MakeSnapshot(id, "2026-01-15",
                      {
                          Won("o0", "u1", "NA", 200, "2026-01-05"),
                          Open("o1", "u1", "NA", 1000, "2026-02-10", C::FORECAST_CATEGORY_COMMIT, 1),
                          Open("o2", "u2", "EU", 3000, "2026-03-15", C::FORECAST_CATEGORY_BEST_CASE, 0),
                          Open("o3", "u1", "NA", 500, "2026-02-20", C::FORECAST_CATEGORY_PIPELINE, 1),
                          Open("o4", "u2", "EU", 800, "2026-03-31", C::FORECAST_CATEGORY_COMMIT, 1),
                          Open("o5", "u2", "EU", 400, "2026-03-01", C::FORECAST_CATEGORY_OMITTED, 1),
                          // Past due: in the landing (could still close), not in the categories.
                          Open("o6", "u1", "NA", 300, "2025-12-20", C::FORECAST_CATEGORY_COMMIT, 1),
                          // Next quarter: in nothing.
                          Open("o11", "u1", "NA", 5000, "2026-04-20", C::FORECAST_CATEGORY_COMMIT, 1),
                      },
                      options);
}

SnapshotPtr S2() {
  return MakeSnapshot("s2", "2026-02-15",
                      {
                          Won("o0", "u1", "NA", 200, "2026-01-05"),
                          Won("o1", "u1", "NA", 1000, "2026-02-10"),
                          Open("o2", "u2", "EU", 3000, "2026-03-15", C::FORECAST_CATEGORY_COMMIT, 1),
                          Open("o3", "u1", "NA", 500, "2026-02-20", C::FORECAST_CATEGORY_PIPELINE, 0),
                          Open("o4", "u2", "EU", 800, "2026-03-31", C::FORECAST_CATEGORY_BEST_CASE, 0),
                          Lost("o6", "u1", "NA", 300, "2026-01-20"),
                      },
                      {.apac = true});
}

const v1::MethodForecast& Forecast(const v1::AccuracyPoint& p, v1::AccuracyMethod m) {
  for (const auto& f : p.forecasts())
    if (f.method() == m) return f;
  static v1::MethodForecast none;
  ADD_FAILURE() << "no forecast " << v1::AccuracyMethod_Name(m);
  return none;
}
const v1::MethodAccuracy& Accuracy(const google::protobuf::RepeatedPtrField<v1::MethodAccuracy>& all,
                                   v1::AccuracyMethod m) {
  for (const auto& a : all)
    if (a.method() == m) return a;
  static v1::MethodAccuracy none;
  ADD_FAILURE() << "no accuracy " << v1::AccuracyMethod_Name(m);
  return none;
}

constexpr auto kLanding = v1::ACCURACY_METHOD_LANDING_P50;
constexpr auto kCommit = v1::ACCURACY_METHOD_COMMIT;
constexpr auto kBestCase = v1::ACCURACY_METHOD_BEST_CASE;
constexpr auto kWeighted = v1::ACCURACY_METHOD_WEIGHTED_PIPELINE;

// forecast and error of each method: landing, commit, best case, weighted.
void ExpectForecasts(const v1::AccuracyPoint& p, std::vector<int64_t> forecasts, std::vector<double> errors) {
  const v1::AccuracyMethod methods[] = {kLanding, kCommit, kBestCase, kWeighted};
  ASSERT_EQ(p.forecasts_size(), 4);
  for (int m = 0; m < 4; ++m) {
    SCOPED_TRACE(v1::AccuracyMethod_Name(methods[m]));
    EXPECT_EQ(p.forecasts(m).method(), methods[m]);  // in the enum's order
    EXPECT_EQ(Forecast(p, methods[m]).forecast().minor_units(), forecasts[m]);
    EXPECT_EQ(Forecast(p, methods[m]).forecast().currency_code(), "USD");
    EXPECT_NEAR(Forecast(p, methods[m]).error_pct(), errors[m], 1e-9);
  }
}

void ExpectAccuracy(const v1::MethodAccuracy& a, int forecasts, double mae, double bias) {
  SCOPED_TRACE(v1::AccuracyMethod_Name(a.method()));
  EXPECT_EQ(a.forecasts(), forecasts);
  EXPECT_NEAR(a.mean_absolute_error_pct(), mae, 1e-9);
  EXPECT_NEAR(a.bias_pct(), bias, 1e-9);
}

TEST(ForecastAccuracyTest, ByHandAtTheRoot) {
  const SnapshotPtr latest = Latest();
  const std::vector<SnapshotPtr> earlier = {S2(), S1()};  // any order
  auto report = BuildForecastAccuracyReport(*latest, earlier, "", PeriodKind::kQuarter, 2, Engine);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->snapshot_id(), "latest");
  EXPECT_EQ(report->node_id(), "CO");
  EXPECT_EQ(report->engine_version(), SALESOPS_ENGINE_VERSION);
  EXPECT_EQ(report->currency_code(), "USD");

  // Q4 2025 (closed 700) had no snapshot taken during it: left out.
  ASSERT_EQ(report->periods_size(), 1);
  const v1::PeriodAccuracy& q1 = report->periods(0);
  EXPECT_EQ(q1.period().type(), v1::PERIOD_TYPE_QUARTER);
  EXPECT_EQ(q1.period().fiscal_year(), 2026);
  EXPECT_EQ(q1.period().index(), 1);
  EXPECT_EQ(Str(q1.period_start()), "2026-01-01");
  EXPECT_EQ(Str(q1.period_end()), "2026-03-31");
  EXPECT_EQ(q1.actual().minor_units(), 4200);  // o0 + o1 + o2
  EXPECT_EQ(q1.actual().currency_code(), "USD");
  ASSERT_EQ(q1.points_size(), 2);

  // s1: closed 200; commit 200 + o1 + o4 = 2,000; best case + o2 = 5,000; weighted 200 + o1 + o3 +
  // o4 (probability 1; o2 0) = 2,500; landing 2,500 + o6 (past due, certain) = 2,800.
  const v1::AccuracyPoint& s1 = q1.points(0);
  EXPECT_EQ(s1.snapshot_id(), "s1");
  EXPECT_EQ(Str(s1.as_of()), "2026-01-15");
  EXPECT_EQ(s1.days_before_end(), 75);
  EXPECT_EQ(s1.closed_won_to_date().minor_units(), 200);
  ExpectForecasts(s1, {2800, 2000, 5000, 2500},
                  {-1400.0 / 42, -2200.0 / 42, 800.0 / 42, -1700.0 / 42});
  EXPECT_EQ(s1.landing_p10().minor_units(), 2800);
  EXPECT_EQ(s1.landing_p90().minor_units(), 2800);
  EXPECT_FALSE(s1.actual_within_p10_p90());

  // s2: closed 1,200; commit + o2 = 4,200; best case + o4 = 5,000; weighted and landing 1,200 + o2.
  const v1::AccuracyPoint& s2 = q1.points(1);
  EXPECT_EQ(s2.snapshot_id(), "s2");
  EXPECT_EQ(s2.days_before_end(), 44);
  EXPECT_EQ(s2.closed_won_to_date().minor_units(), 1200);
  ExpectForecasts(s2, {4200, 4200, 5000, 4200}, {0, 0, 800.0 / 42, 0});
  EXPECT_TRUE(s2.actual_within_p10_p90());

  ASSERT_EQ(q1.methods_size(), 4);
  ExpectAccuracy(Accuracy(q1.methods(), kLanding), 2, 700.0 / 42, -700.0 / 42);
  ExpectAccuracy(Accuracy(q1.methods(), kCommit), 2, 1100.0 / 42, -1100.0 / 42);
  ExpectAccuracy(Accuracy(q1.methods(), kBestCase), 2, 800.0 / 42, 800.0 / 42);
  ExpectAccuracy(Accuracy(q1.methods(), kWeighted), 2, 850.0 / 42, -850.0 / 42);
  EXPECT_DOUBLE_EQ(q1.landing_interval_hit_rate(), 0.5);
  // One period: overall is that period's.
  ASSERT_EQ(report->overall_size(), 4);
  for (int m = 0; m < 4; ++m)
    EXPECT_EQ(report->overall(m).SerializeAsString(), q1.methods(m).SerializeAsString());
}

TEST(ForecastAccuracyTest, ByHandForANode) {
  const SnapshotPtr latest = Latest();
  const std::vector<SnapshotPtr> earlier = {S1(), S2()};
  auto report = BuildForecastAccuracyReport(*latest, earlier, "NA", PeriodKind::kQuarter, 2, Engine);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->node_id(), "NA");
  ASSERT_EQ(report->periods_size(), 1);
  const v1::PeriodAccuracy& q1 = report->periods(0);
  EXPECT_EQ(q1.actual().minor_units(), 1200);  // o0 + o1
  ASSERT_EQ(q1.points_size(), 2);
  // s1: commit 200 + o1; weighted + o3; landing + o6.
  ExpectForecasts(q1.points(0), {2000, 1200, 1200, 1700}, {800.0 / 12, 0, 0, 500.0 / 12});
  ExpectForecasts(q1.points(1), {1200, 1200, 1200, 1200}, {0, 0, 0, 0});
  ExpectAccuracy(Accuracy(q1.methods(), kLanding), 2, 400.0 / 12, 400.0 / 12);
  ExpectAccuracy(Accuracy(q1.methods(), kWeighted), 2, 250.0 / 12, 250.0 / 12);
  ExpectAccuracy(Accuracy(q1.methods(), kCommit), 2, 0, 0);
  EXPECT_DOUBLE_EQ(q1.landing_interval_hit_rate(), 0.5);
}

TEST(ForecastAccuracyTest, NodeMissingFromASnapshotAndZeroActual) {
  const SnapshotPtr latest = Latest();
  const std::vector<SnapshotPtr> earlier = {S1(), S2()};
  // APAC exists in the latest snapshot and s2, not in s1; nothing ever closed there.
  auto report = BuildForecastAccuracyReport(*latest, earlier, "APAC", PeriodKind::kQuarter, 2, Engine);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->periods_size(), 1);
  const v1::PeriodAccuracy& q1 = report->periods(0);
  EXPECT_EQ(q1.actual().minor_units(), 0);
  ASSERT_EQ(q1.points_size(), 1);
  EXPECT_EQ(q1.points(0).snapshot_id(), "s2");
  ExpectForecasts(q1.points(0), {0, 0, 0, 0}, {0, 0, 0, 0});
  // Nothing to score against an actual of 0.
  for (const auto& a : q1.methods()) ExpectAccuracy(a, 0, 0, 0);
  for (const auto& a : report->overall()) ExpectAccuracy(a, 0, 0, 0);
  EXPECT_TRUE(q1.points(0).actual_within_p10_p90());  // 0 within [0, 0]
  EXPECT_DOUBLE_EQ(q1.landing_interval_hit_rate(), 1.0);

  auto unknown = BuildForecastAccuracyReport(*latest, earlier, "XX", PeriodKind::kQuarter, 2, Engine);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("XX"));
}

TEST(ForecastAccuracyTest, IgnoresSnapshotsThatDoNotCount) {
  const SnapshotPtr latest = Latest();
  const std::vector<SnapshotPtr> earlier = {
      nullptr,
      latest,                                                     // not before itself
      Latest("future"),                                           // same day as latest
      MakeSnapshot("after", "2026-06-01", {}),                    // after the latest
      S1("eur", {.currency = "EUR"}),                             // another currency
      S1("fiscal", {.start_month = 2}),                           // another fiscal calendar
      S1("s9"),                                                   // the same day as s1: s1 kept
      S2(),
      S1("s1"),
  };
  auto report = BuildForecastAccuracyReport(*latest, earlier, "", PeriodKind::kQuarter, 4, Engine);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->periods_size(), 1);
  std::vector<std::string> ids;
  for (const auto& p : report->periods(0).points()) ids.push_back(p.snapshot_id());
  EXPECT_THAT(ids, ElementsAre("s1", "s2"));
}

TEST(ForecastAccuracyTest, PeriodsAndKinds) {
  const SnapshotPtr latest = Latest();
  const std::vector<SnapshotPtr> earlier = {S1(), S2()};
  // 0 means 4: Q2 2025..Q1 2026, only Q1 with points.
  auto four = BuildForecastAccuracyReport(*latest, earlier, "", PeriodKind::kQuarter, 0, Engine);
  ASSERT_TRUE(four.ok()) << four.status();
  ASSERT_EQ(four->periods_size(), 1);
  EXPECT_EQ(four->periods(0).period().index(), 1);
  // Months: January (s1) and February (s2), oldest first; March and April have no point.
  auto months = BuildForecastAccuracyReport(*latest, earlier, "", PeriodKind::kMonth, 4, Engine);
  ASSERT_TRUE(months.ok()) << months.status();
  ASSERT_EQ(months->periods_size(), 2);
  EXPECT_EQ(months->periods(0).period().type(), v1::PERIOD_TYPE_MONTH);
  EXPECT_EQ(months->periods(0).period().index(), 1);
  EXPECT_EQ(months->periods(0).actual().minor_units(), 200);
  EXPECT_EQ(months->periods(1).period().index(), 2);
  EXPECT_EQ(months->periods(1).actual().minor_units(), 1000);
  EXPECT_EQ(Str(months->periods(1).period_end()), "2026-02-28");
  // s1 (2026-01-15) forecast January: closed 200, nothing open closing in January; the landing adds
  // o6 (past due, certain, no history yet): +150%.
  ExpectForecasts(months->periods(0).points(0), {500, 200, 200, 200}, {150, 0, 0, 0});
  // s2 (2026-02-15) forecast February: closed o1, and only o3 (PIPELINE, probability 0) open.
  const v1::AccuracyPoint& feb = months->periods(1).points(0);
  for (auto m : {kCommit, kBestCase, kWeighted}) {
    EXPECT_EQ(Forecast(feb, m).forecast().minor_units(), 1000);
    EXPECT_EQ(Forecast(feb, m).error_pct(), 0);
  }
  // A period of 1 leaves out the quarters before the last.
  auto one = BuildForecastAccuracyReport(*latest, earlier, "", PeriodKind::kQuarter, 1, Engine);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->periods_size(), 1);
  // 12 quarters reach back three years; fine.
  EXPECT_TRUE(BuildForecastAccuracyReport(*latest, earlier, "", PeriodKind::kQuarter, 12, Engine).ok());
}

TEST(ForecastAccuracyTest, Validation) {
  const SnapshotPtr latest = Latest();
  const std::vector<SnapshotPtr> earlier = {S1()};
  for (int periods : {-1, 13, 100}) {
    auto r = BuildForecastAccuracyReport(*latest, earlier, "", PeriodKind::kQuarter, periods, Engine);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << periods;
    EXPECT_THAT(r.status().message(), HasSubstr("periods")) << periods;
  }
  auto year = BuildForecastAccuracyReport(*latest, earlier, "", PeriodKind::kYear, 2, Engine);
  EXPECT_EQ(year.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(year.status().message(), HasSubstr("period_type"));
  // An error of the landing is the report's.
  auto failing = BuildForecastAccuracyReport(
      *latest, earlier, "", PeriodKind::kQuarter, 2,
      Batch([](const v1::ForecastLandingRequest&) -> absl::StatusOr<v1::ForecastLandingResponse> {
        return absl::UnavailableError("forecast service down");
      }));
  EXPECT_EQ(failing.status().code(), absl::StatusCode::kUnavailable);
}

// Monthly snapshots A (Feb), B (Mar), C and D (Apr), E (May, the current month) and the latest.
// Deal x: open in Feb at A, slipped to March at B, won on 2026-03-20 (C, D, latest).
TEST(ForecastAccuracyTest, NoLookAhead) {
  const auto x_open = [](const char* close) {
    return Open("x", "u1", "NA", 1000, close, C::FORECAST_CATEGORY_COMMIT, 0.5);
  };
  const O y = Open("y", "u1", "NA", 2000, "2026-02-28", C::FORECAST_CATEGORY_PIPELINE, 0.3);
  const O q = Won("q", "u2", "EU", 100, "2026-02-05");
  const O z = Open("z", "u2", "EU", 500, "2026-03-25", C::FORECAST_CATEGORY_BEST_CASE, 0.6);
  const O w = Open("w", "u1", "NA", 1500, "2026-04-28", C::FORECAST_CATEGORY_COMMIT, 0.7);
  const O v = Won("v", "u2", "EU", 400, "2026-03-30", "2026-03-12");  // created after B
  const std::vector<SnapshotPtr> earlier = {
      MakeSnapshot("E", "2026-05-01", {Won("x", "u1", "NA", 1000, "2026-03-20"), q,
                                       Won("z", "u2", "EU", 500, "2026-03-25"), v,
                                       Won("w", "u1", "NA", 1500, "2026-04-28")}),
      MakeSnapshot("D", "2026-04-20", {Won("x", "u1", "NA", 1000, "2026-03-20"), q,
                                       Won("z", "u2", "EU", 500, "2026-03-25"), v, w}),
      MakeSnapshot("C", "2026-04-10", {Won("x", "u1", "NA", 1000, "2026-03-20"), q,
                                       Won("z", "u2", "EU", 500, "2026-03-25"), v, w}),
      MakeSnapshot("B", "2026-03-10", {x_open("2026-03-20"), Lost("y", "u1", "NA", 2000, "2026-02-27"), q, z}),
      MakeSnapshot("A", "2026-02-10", {x_open("2026-02-25"), y, q, z}),
  };
  const SnapshotPtr latest =
      MakeSnapshot("L", "2026-05-16", {Won("x", "u1", "NA", 1000, "2026-03-20"), Lost("y", "u1", "NA", 2000, "2026-02-27"),
                                       q, Won("z", "u2", "EU", 500, "2026-03-25"), v,
                                       Won("w", "u1", "NA", 1500, "2026-04-28")});

  std::map<std::string, v1::ForecastLandingRequest> seen;  // by the request's as-of date
  auto recording = [&](const v1::ForecastLandingRequest& r) {
    seen[Str(r.as_of())] = r;
    return forecast::ComputeLanding(r);
  };
  auto report = BuildForecastAccuracyReport(*latest, earlier, "", PeriodKind::kMonth, 4, Batch(recording));
  ASSERT_TRUE(report.ok()) << report.status();

  // January had no snapshot: left out. February [A], March [B], April [C, D].
  ASSERT_EQ(report->periods_size(), 3);
  std::vector<std::vector<std::string>> points;
  for (const auto& p : report->periods()) {
    points.emplace_back();
    for (const auto& pt : p.points()) points.back().push_back(pt.snapshot_id());
  }
  EXPECT_EQ(points, (std::vector<std::vector<std::string>>{{"A"}, {"B"}, {"C", "D"}}));
  EXPECT_EQ(report->periods(0).actual().minor_units(), 100);   // q
  EXPECT_EQ(report->periods(1).actual().minor_units(), 1900);  // x + z + v
  EXPECT_EQ(report->periods(2).actual().minor_units(), 1500);  // w

  // The landing of each snapshot saw only the snapshots before it, with outcomes as of it.
  ASSERT_EQ(seen.size(), 4u);
  for (const auto& [as_of, request] : seen) {
    SCOPED_TRACE(as_of);
    for (const auto& e : request.history()) EXPECT_LT(Str(e.observed_on()), as_of);
    for (const auto& e : request.new_business_history()) EXPECT_LT(Str(e.observed_on()), as_of);
  }
  auto observed = [&](const std::string& as_of) {
    std::set<std::string> dates;
    for (const auto& e : seen[as_of].history()) dates.insert(Str(e.observed_on()));
    for (const auto& e : seen[as_of].new_business_history()) dates.insert(Str(e.observed_on()));
    return std::vector<std::string>(dates.begin(), dates.end());
  };
  EXPECT_THAT(observed("2026-02-10"), ElementsAre());
  EXPECT_THAT(observed("2026-03-10"), ElementsAre("2026-02-10"));
  EXPECT_THAT(observed("2026-04-10"), ElementsAre("2026-02-10", "2026-03-10"));
  EXPECT_THAT(observed("2026-04-20"), ElementsAre("2026-02-10", "2026-03-10"));  // April not over
  // x as A saw it: at B still open (the latest knows it was won later); at C won later.
  auto outcome_of_x = [&](const std::string& as_of) {
    for (const auto& e : seen[as_of].history())
      if (Str(e.observed_on()) == "2026-02-10" && e.deal().amount().minor_units() == 1000)
        return e.outcome();
    return v1::DEAL_OUTCOME_UNSPECIFIED;
  };
  EXPECT_EQ(outcome_of_x("2026-03-10"), v1::DEAL_OUTCOME_STILL_OPEN);
  EXPECT_EQ(outcome_of_x("2026-04-10"), v1::DEAL_OUTCOME_WON_LATER);
  // New business after A in February (per B): nothing; after B in March (per C): v.
  for (const auto& e : seen["2026-04-10"].new_business_history())
    EXPECT_EQ(e.won_from_new_deals().minor_units(), Str(e.observed_on()) == "2026-03-10" ? 400 : 0);

  // Each point's landing figures are its own request's answer, scored against the actual.
  double sum_abs = 0, sum = 0;
  int scored = 0;
  for (const auto& period : report->periods()) {
    int hits = 0;
    for (const auto& p : period.points()) {
      auto answer = forecast::ComputeLanding(seen[Str(p.as_of())]);
      ASSERT_TRUE(answer.ok()) << answer.status();
      const auto& f = Forecast(p, kLanding);
      EXPECT_EQ(f.forecast().minor_units(), answer->p50().minor_units());
      EXPECT_EQ(p.landing_p10().minor_units(), answer->p10().minor_units());
      EXPECT_EQ(p.landing_p90().minor_units(), answer->p90().minor_units());
      const int64_t actual = period.actual().minor_units();
      EXPECT_NEAR(f.error_pct(), 100.0 * (f.forecast().minor_units() - actual) / actual, 1e-9);
      const bool hit = answer->p10().minor_units() <= actual && actual <= answer->p90().minor_units();
      EXPECT_EQ(p.actual_within_p10_p90(), hit);
      hits += hit;
      sum_abs += std::abs(f.error_pct());
      sum += f.error_pct();
      ++scored;
    }
    EXPECT_DOUBLE_EQ(period.landing_interval_hit_rate(), static_cast<double>(hits) / period.points_size());
  }
  // Overall: the mean over every point, not the mean of the periods' means.
  ExpectAccuracy(Accuracy(report->overall(), kLanding), scored, sum_abs / scored, sum / scored);
  EXPECT_EQ(scored, 4);
  // Commit by hand: A 100 + x = 1,100 vs 100 (+1,000%); B x = 1,000 vs 1,900; C, D w = 1,500 (0%).
  ExpectForecasts(report->periods(1).points(0),
                  {Forecast(report->periods(1).points(0), kLanding).forecast().minor_units(), 1000, 1500,
                   800},  // weighted: x 0.5 x 1,000 + z 0.6 x 500
                  {100.0 * (Forecast(report->periods(1).points(0), kLanding).forecast().minor_units() - 1900) / 1900,
                   -900.0 / 19, -400.0 / 19, -1100.0 / 19});
  ExpectAccuracy(Accuracy(report->overall(), kCommit), 4, (1000 + 900.0 / 19) / 4, (1000 - 900.0 / 19) / 4);
}

}  // namespace
}  // namespace salesops::reporting
