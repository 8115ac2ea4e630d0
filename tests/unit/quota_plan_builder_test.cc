#include "services/quota/plan_builder.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::quota {
namespace {

using ::testing::HasSubstr;

// CO -> {NA {u1, u2}, EU {u3}}; FY2027 starting February; target 1,000,000.00 USD.
v1::CreatePlanRequest Request(v1::AllocationMethod method) {
  v1::CreatePlanRequest r;
  r.set_name("FY2027 plan");
  r.set_fiscal_year(2027);
  r.mutable_calendar()->set_start_month(2);
  r.mutable_target()->set_currency_code("USD");
  r.mutable_target()->set_minor_units(100'000'000);
  r.set_method(method);
  for (auto [id, parent] : {std::pair{"CO", ""}, {"NA", "CO"}, {"EU", "CO"}}) {
    auto* n = r.add_territories();
    n->set_id(id);
    n->set_name(std::string("Name of ") + id);
    n->set_parent_id(parent);
  }
  for (auto [id, t] : {std::pair{"u1", "NA"}, {"u2", "NA"}, {"u3", "EU"}}) {
    auto* rep = r.add_reps();
    rep->set_id(id);
    rep->set_territory_id(t);
  }
  return r;
}

// Monthly history for a rep starting 2025-02 (FY2026 M01).
void AddHistory(v1::CreatePlanRequest& r, const char* rep, std::vector<double> values) {
  auto* s = r.add_history();
  s->set_id(rep);
  s->set_granularity(v1::GRANULARITY_MONTH);
  s->mutable_start()->set_year(2025);
  s->mutable_start()->set_month(2);
  s->mutable_start()->set_day(1);
  s->mutable_values()->Assign(values.begin(), values.end());
}

const v1::Allocation& Find(const v1::Plan& plan, const std::string& id) {
  for (const auto& a : plan.allocations())
    if (a.id() == id) return a;
  static v1::Allocation none;
  ADD_FAILURE() << "no allocation " << id;
  return none;
}

ForecastFn NoForecast() {
  return [](const v1::ForecastRequest&) -> absl::StatusOr<v1::ForecastResponse> {
    ADD_FAILURE() << "forecast must not be called";
    return absl::InternalError("unexpected");
  };
}

TEST(PlanBuilderTest, EqualSplit) {
  auto plan = BuildPlan(Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT), NoForecast());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->allocations_size(), 6);
  EXPECT_EQ(plan->allocations(0).id(), "CO");  // parents first
  EXPECT_EQ(Find(*plan, "NA").annual_quota().minor_units(), 50'000'000);
  EXPECT_EQ(Find(*plan, "u1").annual_quota().minor_units(), 25'000'000);
  EXPECT_EQ(Find(*plan, "u3").annual_quota().minor_units(), 50'000'000);
  EXPECT_EQ(Find(*plan, "u3").quarterly_quota_size(), 4);
  EXPECT_EQ(Find(*plan, "u3").monthly_quota_size(), 12);
  EXPECT_EQ(Find(*plan, "u3").quarterly_quota(0).minor_units(), 12'500'000);
  EXPECT_EQ(Find(*plan, "u3").parent_id(), "EU");
  EXPECT_EQ(Find(*plan, "NA").name(), "Name of NA");
  EXPECT_EQ(Find(*plan, "u1").kind(), v1::ALLOCATION_KIND_REP);
}

TEST(PlanBuilderTest, HistoricalShareOverTheWindow) {
  auto r = Request(v1::ALLOCATION_METHOD_HISTORICAL_SHARE);
  r.set_history_window_months(2);
  // Only the last two months count: u1 30, u2 10, u3 40 -> NA 40 : EU 40.
  AddHistory(r, "u1", {1000, 0, 10, 20});
  AddHistory(r, "u2", {0, 0, 5, 5});
  AddHistory(r, "u3", {0, 0, 20, 20});
  auto plan = BuildPlan(r, NoForecast());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Find(*plan, "NA").annual_quota().minor_units(), 50'000'000);
  EXPECT_EQ(Find(*plan, "u1").annual_quota().minor_units(), 37'500'000);
  EXPECT_EQ(Find(*plan, "u2").annual_quota().minor_units(), 12'500'000);
}

TEST(PlanBuilderTest, ForecastShareAsksForTheFiscalYear) {
  auto r = Request(v1::ALLOCATION_METHOD_FORECAST_SHARE);
  // History 2025-02 .. 2026-01 (12 months, all of FY2026): FY2027 starts right after it.
  AddHistory(r, "u1", std::vector<double>(12, 10));
  AddHistory(r, "u2", std::vector<double>(12, 10));
  AddHistory(r, "u3", std::vector<double>(12, 10));
  int calls = 0;
  ForecastFn forecast = [&](const v1::ForecastRequest& request) -> absl::StatusOr<v1::ForecastResponse> {
    ++calls;
    EXPECT_EQ(request.horizon(), 12);
    EXPECT_EQ(request.series_size(), 6);  // 3 nodes + 3 reps
    v1::ForecastResponse response;
    for (const auto& s : request.series()) {
      auto* f = response.add_forecasts();
      f->set_series_id(s.id());
      EXPECT_EQ(s.values_size(), 12);
      // Nodes: NA 3x EU. Reps: u1 1, u2 3 (of NA), u3 anything.
      double per_month = s.id() == "node:NA" ? 3 : s.id() == "rep:u2" ? 3 : 1;
      for (int h = 0; h < request.horizon(); ++h) f->add_mean(per_month);
    }
    return response;
  };
  auto plan = BuildPlan(r, forecast);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Find(*plan, "NA").annual_quota().minor_units(), 75'000'000);
  EXPECT_EQ(Find(*plan, "u2").annual_quota().minor_units(), 56'250'000);
  EXPECT_EQ(Find(*plan, "u1").annual_quota().minor_units(), 18'750'000);
}

TEST(PlanBuilderTest, ForecastShareMidYearCountsTheYearsActuals) {
  auto r = Request(v1::ALLOCATION_METHOD_FORECAST_SHARE);
  // History 2025-02 .. 2026-04: the plan year FY2027 (from 2026-02) has 3 months of actuals.
  std::vector<double> u1(15, 0), u3(15, 0);
  u1[12] = u1[13] = u1[14] = 100;  // u1 booked 300 in FY2027 so far
  u3[0] = 50;                      // u3 only before the year
  AddHistory(r, "u1", u1);
  AddHistory(r, "u3", u3);
  ForecastFn forecast = [&](const v1::ForecastRequest& request) -> absl::StatusOr<v1::ForecastResponse> {
    EXPECT_EQ(request.horizon(), 9);  // 2026-05 .. 2027-01
    v1::ForecastResponse response;
    for (const auto& s : request.series()) {
      auto* f = response.add_forecasts();
      // Everyone is forecast at 10 a month for the 9 months left.
      for (int h = 0; h < request.horizon(); ++h) f->add_mean(10);
    }
    return response;
  };
  auto plan = BuildPlan(r, forecast);
  ASSERT_TRUE(plan.ok()) << plan.status();
  // NA: 300 + 90 = 390; EU: 0 + 90 = 90 -> NA gets 390/480 of the target.
  EXPECT_EQ(Find(*plan, "NA").annual_quota().minor_units(), 81'250'000);
  // u2 has no history and no forecast: no share of NA.
  EXPECT_EQ(Find(*plan, "u2").annual_quota().minor_units(), 0);
}

TEST(PlanBuilderTest, ForecastFailurePropagates) {
  auto r = Request(v1::ALLOCATION_METHOD_FORECAST_SHARE);
  AddHistory(r, "u1", std::vector<double>(12, 10));
  ForecastFn down = [](const v1::ForecastRequest&) -> absl::StatusOr<v1::ForecastResponse> {
    return absl::UnavailableError("forecast service: connection refused");
  };
  auto plan = BuildPlan(r, down);
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kUnavailable);
}

TEST(PlanBuilderTest, RepsWhoLeftBeforeTheYearCarryNoQuota) {
  auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  auto* end = r.mutable_reps(1)->mutable_end_date();  // u2 left in 2025
  end->set_year(2025);
  end->set_month(12);
  end->set_day(31);
  auto plan = BuildPlan(r, NoForecast());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Find(*plan, "u1").annual_quota().minor_units(), 50'000'000);
  for (const auto& a : plan->allocations()) EXPECT_NE(a.id(), "u2");
}

TEST(PlanBuilderTest, InvalidRequestsNameTheField) {
  struct Case {
    std::function<void(v1::CreatePlanRequest&)> mutate;
    const char* message;
  };
  std::vector<Case> cases = {
      {[](auto& r) { r.mutable_target()->set_minor_units(-5); }, "target.minor_units: must be positive"},
      {[](auto& r) { r.mutable_target()->set_minor_units(0); }, "target.minor_units: must be positive"},
      {[](auto& r) { r.mutable_target()->set_currency_code("usd"); }, "target.currency_code"},
      {[](auto& r) { r.clear_target(); }, "target: required"},
      {[](auto& r) { r.set_name(""); }, "name: required"},
      {[](auto& r) { r.set_fiscal_year(20270); }, "fiscal_year"},
      {[](auto& r) { r.mutable_calendar()->set_start_month(13); }, "calendar.start_month"},
      {[](auto& r) { r.set_method(v1::ALLOCATION_METHOD_UNSPECIFIED); }, "method"},
      {[](auto& r) { r.set_method(static_cast<v1::AllocationMethod>(77)); }, "method"},
      {[](auto& r) { r.mutable_territories(1)->set_parent_id("MARS"); },
       "territories[1].parent_id: unknown node \"MARS\""},
      {[](auto& r) {
         r.mutable_territories(1)->set_parent_id("EU");
         r.mutable_territories(2)->set_parent_id("NA");
       },
       "cycle"},
      {[](auto& r) {
         auto* rep = r.add_reps();
         rep->set_id("u1");
         rep->set_territory_id("EU");
       },
       "reps[3].id: rep \"u1\" is listed twice"},
      {[](auto& r) { r.mutable_reps(0)->set_territory_id("APAC"); },
       "reps[0].territory_id: unknown territory \"APAC\""},
      {[](auto& r) { r.set_method(v1::ALLOCATION_METHOD_HISTORICAL_SHARE); },
       "history: required for ALLOCATION_METHOD_HISTORICAL_SHARE"},
      {[](auto& r) { AddHistory(r, "ghost", {1}); }, "history[0].id: unknown rep \"ghost\""},
      {[](auto& r) {
         AddHistory(r, "u1", {1, std::nan("")});
       },
       "history[0].values[1]: not a finite number"},
      {[](auto& r) { r.set_history_window_months(-1); }, "history_window_months"},
  };
  for (const auto& c : cases) {
    auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
    c.mutate(r);
    auto plan = BuildPlan(r, NoForecast());
    ASSERT_FALSE(plan.ok()) << c.message;
    EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument) << plan.status();
    EXPECT_THAT(std::string(plan.status().message()), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace salesops::quota
