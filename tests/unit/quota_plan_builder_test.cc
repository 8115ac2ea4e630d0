#include "services/quota/plan_builder.h"

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/plan_request_data.h"

namespace salesops::quota {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

v1::Date Day(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

v1::Money Usd(int64_t minor) {
  v1::Money m;
  m.set_currency_code("USD");
  m.set_minor_units(minor);
  return m;
}

// CO -> {NA {u1, u2}, EU {u3}}; FY2027 starting February (2026-02 .. 2027-01); target
// 1,000,000.00 USD.
v1::CreatePlanRequest Request(v1::AllocationMethod method) {
  return salesops::testing::SmallPlanRequest(method);
}

// Monthly history for a rep, by default starting 2025-02 (FY2026 M01).
void AddHistory(v1::CreatePlanRequest& r, const char* rep, std::vector<double> values,
                int year = 2025, int month = 2) {
  auto* s = r.add_history();
  s->set_id(rep);
  s->set_granularity(v1::GRANULARITY_MONTH);
  *s->mutable_start() = Day(year, month, 1);
  s->mutable_values()->Assign(values.begin(), values.end());
}

void AddOverride(v1::CreatePlanRequest& r, const std::string& id, int64_t minor,
                 const std::string& currency = "USD") {
  auto* o = r.add_overrides();
  o->set_id(id);
  o->mutable_quota()->set_currency_code(currency);
  o->mutable_quota()->set_minor_units(minor);
}

const v1::Allocation& Find(const v1::Plan& plan, const std::string& id) {
  for (const auto& a : plan.allocations())
    if (a.id() == id) return a;
  static v1::Allocation none;
  ADD_FAILURE() << "no allocation " << id;
  return none;
}
bool Has(const v1::Plan& plan, const std::string& id) {
  for (const auto& a : plan.allocations())
    if (a.id() == id) return true;
  return false;
}
int64_t Annual(const v1::Plan& plan, const std::string& id) {
  return Find(plan, id).annual_quota().minor_units();
}
std::vector<int64_t> Months(const v1::Plan& plan, const std::string& id) {
  std::vector<int64_t> out;
  for (const auto& m : Find(plan, id).monthly_quota()) out.push_back(m.minor_units());
  return out;
}

ForecastFn NoForecast() {
  return [](const v1::ForecastRequest&) -> absl::StatusOr<v1::ForecastResponse> {
    ADD_FAILURE() << "forecast must not be called";
    return absl::InternalError("unexpected");
  };
}

// A fake ForecastService: the mean of series `id` at step h (0-based) is mean(id, h).
ForecastFn Canned(std::function<double(const std::string& id, int step)> mean, int* calls = nullptr,
                  int expected_horizon = 0) {
  return [=](const v1::ForecastRequest& request) -> absl::StatusOr<v1::ForecastResponse> {
    if (calls) ++*calls;
    if (expected_horizon > 0) {
      EXPECT_EQ(request.horizon(), expected_horizon);
    }
    v1::ForecastResponse response;
    for (const auto& s : request.series()) {
      auto* f = response.add_forecasts();
      f->set_series_id(s.id());
      for (int h = 0; h < request.horizon(); ++h) f->add_mean(mean(s.id(), h));
    }
    return response;
  };
}

// Every total of the plan, from the Plan message alone: months -> quarters -> the period at every
// row; the root is the target; child nodes + the reps' pool = the node, the reps carrying the pool
// grossed up (in units) unless every one of them is overridden; a node without reps is its child
// nodes month by month; rep_quota_total is the reps' sum; parents come before children.
void ExpectPlanTotals(const v1::Plan& plan) {
  const v1::CreatePlanRequest& in = plan.inputs();
  const std::string currency = in.target().currency_code();
  const int64_t unit = std::max<int64_t>(1, in.rounding_unit());
  const double oa = in.over_assignment();
  const int quarter = in.fiscal_quarter();
  std::set<std::string> overridden;
  for (const auto& o : in.overrides()) overridden.insert(o.id());
  std::map<std::string, int> index;
  std::map<std::string, std::vector<int>> child_nodes, reps;
  int64_t rep_total = 0;
  for (int i = 0; i < plan.allocations_size(); ++i) {
    const v1::Allocation& a = plan.allocations(i);
    SCOPED_TRACE(a.id());
    ASSERT_EQ(a.quarterly_quota_size(), 4);
    ASSERT_EQ(a.monthly_quota_size(), 12);
    EXPECT_EQ(a.annual_quota().currency_code(), currency);
    int64_t year = 0;
    for (int q = 0; q < 4; ++q) {
      int64_t months = 0;
      for (int m = 3 * q; m < 3 * q + 3; ++m) {
        EXPECT_EQ(a.monthly_quota(m).currency_code(), currency);
        EXPECT_GE(a.monthly_quota(m).minor_units(), 0);
        months += a.monthly_quota(m).minor_units();
      }
      EXPECT_EQ(months, a.quarterly_quota(q).minor_units()) << "Q" << q + 1;
      if (quarter != 0 && q != quarter - 1) {
        EXPECT_EQ(months, 0) << "Q" << q + 1 << " outside";
      }
      year += months;
    }
    EXPECT_EQ(year, a.annual_quota().minor_units());
    if (overridden.count(a.id())) {
      for (const auto& o : in.overrides()) {
        if (o.id() == a.id()) {
          EXPECT_EQ(a.annual_quota().minor_units(), o.quota().minor_units()) << "override changed";
        }
      }
    }
    EXPECT_FALSE(index.count(a.id())) << "listed twice";
    index[a.id()] = i;
    if (a.parent_id().empty()) {
      EXPECT_EQ(i, 0) << "the root comes first";
      EXPECT_EQ(a.annual_quota().minor_units(), in.target().minor_units());
      continue;
    }
    ASSERT_TRUE(index.count(a.parent_id())) << "parent after child";
    if (a.kind() == v1::ALLOCATION_KIND_REP) {
      reps[a.parent_id()].push_back(i);
      rep_total += a.annual_quota().minor_units();
    } else {
      EXPECT_EQ(a.kind(), v1::ALLOCATION_KIND_NODE);
      child_nodes[a.parent_id()].push_back(i);
    }
  }
  EXPECT_EQ(plan.rep_quota_total().minor_units(), rep_total);
  EXPECT_EQ(plan.rep_quota_total().currency_code(), currency);
  for (const v1::Allocation& a : plan.allocations()) {
    if (a.kind() != v1::ALLOCATION_KIND_NODE) continue;
    SCOPED_TRACE(a.id());
    const auto& c = child_nodes[a.id()];
    const auto& r = reps[a.id()];
    if (c.empty() && r.empty()) continue;
    int64_t nodes_sum = 0;
    std::vector<int64_t> months(12, 0);
    for (int i : c) {
      nodes_sum += plan.allocations(i).annual_quota().minor_units();
      for (int m = 0; m < 12; ++m) months[m] += plan.allocations(i).monthly_quota(m).minor_units();
    }
    if (r.empty()) {
      EXPECT_EQ(nodes_sum, a.annual_quota().minor_units()) << "children do not add up";
      for (int m = 0; m < 12; ++m)
        EXPECT_EQ(months[m], a.monthly_quota(m).minor_units()) << "month " << m;
      continue;
    }
    const int64_t pool = a.annual_quota().minor_units() - nodes_sum;
    EXPECT_GE(pool, 0);
    int64_t carried = 0;
    bool all_overridden = true;
    for (int i : r) {
      carried += plan.allocations(i).annual_quota().minor_units();
      all_overridden = all_overridden && overridden.count(plan.allocations(i).id());
    }
    if (!all_overridden) {
      const int64_t extra =
          std::llround(static_cast<double>(pool) * oa / static_cast<double>(unit)) * unit;
      EXPECT_EQ(carried, pool + extra) << "the reps do not carry the pool";
    }
  }
}

absl::StatusOr<v1::Plan> Build(const v1::CreatePlanRequest& r, const ForecastFn& f = NoForecast()) {
  auto plan = BuildPlan(r, f);
  if (plan.ok()) ExpectPlanTotals(*plan);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

TEST(PlanBuilderTest, EqualSplit) {
  auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  r.set_created_by("maria");
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->allocations_size(), 6);
  EXPECT_EQ(plan->allocations(0).id(), "CO");  // parents first
  EXPECT_EQ(Annual(*plan, "NA"), 50'000'000);
  EXPECT_EQ(Annual(*plan, "u1"), 25'000'000);
  EXPECT_EQ(Annual(*plan, "u3"), 50'000'000);
  EXPECT_EQ(Find(*plan, "u3").quarterly_quota(0).minor_units(), 12'500'000);
  EXPECT_EQ(Find(*plan, "u3").parent_id(), "EU");
  EXPECT_EQ(Find(*plan, "NA").name(), "Name of NA");
  EXPECT_EQ(Find(*plan, "u1").kind(), v1::ALLOCATION_KIND_REP);
  EXPECT_DOUBLE_EQ(Find(*plan, "NA").share_of_parent(), 0.5);
  EXPECT_DOUBLE_EQ(Find(*plan, "CO").share_of_parent(), 1.0);
  // The plan records what it was made from.
  EXPECT_EQ(plan->fiscal_year(), 2027);
  EXPECT_EQ(plan->fiscal_quarter(), 0);
  EXPECT_EQ(plan->method(), v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  EXPECT_EQ(plan->created_by(), "maria");
  EXPECT_EQ(plan->inputs().SerializeAsString(), r.SerializeAsString());
  EXPECT_FALSE(plan->engine_version().empty());
  EXPECT_EQ(plan->rep_quota_total().minor_units(), 100'000'000);
  EXPECT_FALSE(plan->has_capacity_total());  // no capacity settings: nothing to report
}

TEST(PlanBuilderTest, HistoricalShareOverTheWindow) {
  auto r = Request(v1::ALLOCATION_METHOD_HISTORICAL_SHARE);
  r.set_history_window_months(2);
  // Only the last two months count: u1 30, u2 10, u3 40 -> NA 40 : EU 40.
  AddHistory(r, "u1", {1000, 0, 10, 20});
  AddHistory(r, "u2", {0, 0, 5, 5});
  AddHistory(r, "u3", {0, 0, 20, 20});
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "NA"), 50'000'000);
  EXPECT_EQ(Annual(*plan, "u1"), 37'500'000);
  EXPECT_EQ(Annual(*plan, "u2"), 12'500'000);
}

// 12 months of FY2026 (2025-02 .. 2026-01): u1 60, u2 20, u3 20 in all -> NA 80 : EU 20.
void AddYearOfHistory(v1::CreatePlanRequest& r) {
  AddHistory(r, "u1", std::vector<double>(12, 5));
  AddHistory(r, "u2", {2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1});
  AddHistory(r, "u3", {1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 3, 3});
}

TEST(PlanBuilderTest, BlendedHalfEqualHalfHistorical) {
  // NA = 0.5 * 1/2 + 0.5 * 80/100 = 0.65, EU = 0.35: 65,000,000 / 35,000,000.
  // NA's reps: u1 = 0.5 * 1/2 + 0.5 * 60/80 = 0.625, u2 = 0.375: 40,625,000 / 24,375,000.
  auto r = Request(v1::ALLOCATION_METHOD_BLENDED);
  r.mutable_blend()->set_equal_split(0.5);
  r.mutable_blend()->set_historical_share(0.5);
  AddYearOfHistory(r);
  auto plan = Build(r);  // no forecast weight: ForecastService is not asked
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "NA"), 65'000'000);
  EXPECT_EQ(Annual(*plan, "EU"), 35'000'000);
  EXPECT_EQ(Annual(*plan, "u1"), 40'625'000);
  EXPECT_EQ(Annual(*plan, "u2"), 24'375'000);
  EXPECT_DOUBLE_EQ(Find(*plan, "NA").share_of_parent(), 0.65);
}

TEST(PlanBuilderTest, BlendedWithAForecastWeight) {
  // 20% equal, 30% history, 50% forecast. The forecast of FY2027 (12 months after the history):
  // NA 1 a month, EU 3 -> 1/4 : 3/4; u1 and u2 the same -> 1/2 : 1/2.
  //   NA = 0.2 * 0.5 + 0.3 * 0.8 + 0.5 * 0.25 = 0.465 -> 46,500,000; EU 53,500,000.
  //   u1 = 0.2 * 0.5 + 0.3 * 0.75 + 0.5 * 0.5 = 0.575 -> 26,737,500; u2 19,762,500.
  auto r = Request(v1::ALLOCATION_METHOD_BLENDED);
  r.mutable_blend()->set_equal_split(0.2);
  r.mutable_blend()->set_historical_share(0.3);
  r.mutable_blend()->set_forecast_share(0.5);
  AddYearOfHistory(r);
  int calls = 0;
  auto plan = Build(r, Canned([](const std::string& id, int) { return id == "node:EU" ? 3.0 : 1.0; },
                              &calls, 12));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Annual(*plan, "NA"), 46'500'000);
  EXPECT_EQ(Annual(*plan, "EU"), 53'500'000);
  EXPECT_EQ(Annual(*plan, "u1"), 26'737'500);
  EXPECT_EQ(Annual(*plan, "u2"), 19'762'500);
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
      EXPECT_EQ(s.granularity(), v1::GRANULARITY_MONTH);
      // Nodes: NA 3x EU. Reps: u1 1, u2 3 (of NA), u3 anything.
      double per_month = s.id() == "node:NA" ? 3 : s.id() == "rep:u2" ? 3 : 1;
      for (int h = 0; h < request.horizon(); ++h) f->add_mean(per_month);
    }
    return response;
  };
  auto plan = Build(r, forecast);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Annual(*plan, "NA"), 75'000'000);
  EXPECT_EQ(Annual(*plan, "u2"), 56'250'000);
  EXPECT_EQ(Annual(*plan, "u1"), 18'750'000);
}

TEST(PlanBuilderTest, ForecastShareMidYearCountsTheYearsActuals) {
  auto r = Request(v1::ALLOCATION_METHOD_FORECAST_SHARE);
  // History 2025-02 .. 2026-04: the plan year FY2027 (from 2026-02) has 3 months of actuals.
  std::vector<double> u1(15, 0), u3(15, 0);
  u1[12] = u1[13] = u1[14] = 100;  // u1 booked 300 in FY2027 so far
  u3[0] = 50;                      // u3 only before the year
  AddHistory(r, "u1", u1);
  AddHistory(r, "u3", u3);
  // Everyone is forecast at 10 a month for the 9 months left (2026-05 .. 2027-01).
  auto plan = Build(r, Canned([](const std::string&, int) { return 10.0; }, nullptr, 9));
  ASSERT_TRUE(plan.ok()) << plan.status();
  // NA: 300 + 90 = 390; EU: 0 + 90 = 90 -> NA gets 390/480 of the target.
  EXPECT_EQ(Annual(*plan, "NA"), 81'250'000);
  // u2 has no history and no forecast: no share of NA.
  EXPECT_EQ(Annual(*plan, "u2"), 0);
}

TEST(PlanBuilderTest, NegativeForecastsCountAsZero) {
  auto r = Request(v1::ALLOCATION_METHOD_FORECAST_SHARE);
  AddHistory(r, "u1", std::vector<double>(12, 10));
  AddHistory(r, "u3", std::vector<double>(12, 10));
  auto plan = Build(r, Canned([](const std::string& id, int) {
    return id == "node:EU" ? -5.0 : 1.0;
  }));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "NA"), 100'000'000);
  EXPECT_EQ(Annual(*plan, "EU"), 0);
}

TEST(PlanBuilderTest, ForecastFailurePropagates) {
  auto r = Request(v1::ALLOCATION_METHOD_FORECAST_SHARE);
  AddHistory(r, "u1", std::vector<double>(12, 10));
  ForecastFn down = [](const v1::ForecastRequest&) -> absl::StatusOr<v1::ForecastResponse> {
    return absl::UnavailableError("forecast service: connection refused");
  };
  EXPECT_EQ(BuildPlan(r, down).status().code(), absl::StatusCode::kUnavailable);
  // A response with the wrong number of forecasts is not trusted.
  ForecastFn short_answer = [](const v1::ForecastRequest&) -> absl::StatusOr<v1::ForecastResponse> {
    return v1::ForecastResponse();
  };
  EXPECT_EQ(BuildPlan(r, short_answer).status().code(), absl::StatusCode::kInternal);
}

TEST(PlanBuilderTest, RepsWhoLeftBeforeTheYearCarryNoQuota) {
  auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  *r.mutable_reps(1)->mutable_end_date() = Day(2025, 12, 31);  // u2 left before FY2027
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Annual(*plan, "u1"), 50'000'000);
  EXPECT_FALSE(Has(*plan, "u2"));
}

// ---------------------------------------------------------------------------------------------
// Over-assignment, rounding, quarter plans, overrides
// ---------------------------------------------------------------------------------------------

TEST(PlanBuilderTest, OverAssignmentIsReported) {
  // Target 100,000,001: NA 50,000,001, EU 50,000,000. 15% over:
  //   NA's reps carry round(1.15 * 50,000,001) = round(57,500,001.15) = 57,500,001
  //   EU's rep carries 57,500,000; rep_quota_total 115,000,001 = round(1.15 * 100,000,001).
  auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  r.mutable_target()->set_minor_units(100'000'001);
  r.set_over_assignment(0.15);
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "CO"), 100'000'001);
  EXPECT_EQ(Annual(*plan, "NA"), 50'000'001);
  EXPECT_EQ(Annual(*plan, "u1") + Annual(*plan, "u2"), 57'500'001);
  EXPECT_EQ(Annual(*plan, "u1"), 28'750'001);
  EXPECT_EQ(Annual(*plan, "u3"), 57'500'000);
  EXPECT_EQ(plan->rep_quota_total().minor_units(), 115'000'001);
  EXPECT_EQ(plan->rep_quota_total().currency_code(), "USD");
}

TEST(PlanBuilderTest, RoundingUnit) {
  // History u1 1, u2 2 (NA 3), u3 4: NA 3/7 of 1,000 units of 1,000.00 = 428.57 -> 429 (the larger
  // remainder), EU 571. NA's reps 429 * 1/3 = 143 and 286 units.
  auto r = Request(v1::ALLOCATION_METHOD_HISTORICAL_SHARE);
  r.set_rounding_unit(100'000);
  AddHistory(r, "u1", {1});
  AddHistory(r, "u2", {2});
  AddHistory(r, "u3", {4});
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "NA"), 42'900'000);
  EXPECT_EQ(Annual(*plan, "EU"), 57'100'000);
  EXPECT_EQ(Annual(*plan, "u1"), 14'300'000);
  EXPECT_EQ(Annual(*plan, "u2"), 28'600'000);
  for (const auto& a : plan->allocations()) {
    EXPECT_EQ(a.annual_quota().minor_units() % 100'000, 0) << a.id();
    for (const auto& m : a.monthly_quota()) EXPECT_EQ(m.minor_units() % 100'000, 0) << a.id();
  }
  // A target 50 (0.50) off the unit: the 50 goes down the largest parts: EU, then u3, their first
  // quarter and first month. Everything else stays on the unit.
  r.mutable_target()->set_minor_units(100'000'050);
  plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "NA"), 42'900'000);
  EXPECT_EQ(Annual(*plan, "EU"), 57'100'050);
  EXPECT_EQ(Annual(*plan, "u3"), 57'100'050);
  for (const char* id : {"NA", "u1", "u2"}) {
    EXPECT_EQ(Annual(*plan, id) % 100'000, 0) << id;
    for (int64_t m : Months(*plan, id)) EXPECT_EQ(m % 100'000, 0) << id;
  }
  const auto u3 = Months(*plan, "u3");
  EXPECT_EQ(u3[0] % 100'000, 50);
  for (int m = 1; m < 12; ++m) EXPECT_EQ(u3[m] % 100'000, 0) << m;
}

TEST(PlanBuilderTest, QuarterPlan) {
  // FY2027 Q2 = 2026-05 .. 2026-07. The target is the quarter's. u2, hired 2026-08-01, starts
  // after it and carries nothing; u1 takes all of NA.
  auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  r.set_fiscal_quarter(2);
  r.mutable_target()->set_minor_units(30'000'000);
  *r.mutable_reps(1)->mutable_hire_date() = Day(2026, 8, 1);
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->fiscal_quarter(), 2);
  EXPECT_FALSE(Has(*plan, "u2"));
  EXPECT_EQ(Annual(*plan, "u1"), 15'000'000);
  EXPECT_EQ(Months(*plan, "u1"),
            (std::vector<int64_t>{0, 0, 0, 5'000'000, 5'000'000, 5'000'000, 0, 0, 0, 0, 0, 0}));
  const auto& co = Find(*plan, "CO");
  EXPECT_EQ(co.quarterly_quota(1).minor_units(), 30'000'000);
  EXPECT_EQ(co.quarterly_quota(0).minor_units() + co.quarterly_quota(2).minor_units() +
                co.quarterly_quota(3).minor_units(),
            0);
  // In Q3 u2 is there, from the first day.
  r.set_fiscal_quarter(3);
  plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "u2"), 7'500'000);
  EXPECT_EQ(Find(*plan, "u2").quarterly_quota(2).minor_units(), 7'500'000);
}

TEST(PlanBuilderTest, OverridesLockAndTheRestRebalances) {
  auto r = Request(v1::ALLOCATION_METHOD_HISTORICAL_SHARE);
  AddHistory(r, "u1", {1});
  AddHistory(r, "u2", {3});
  AddHistory(r, "u3", {4});  // NA 4 : EU 4; u1 1 : u2 3
  AddOverride(r, "NA", 60'000'000);
  AddOverride(r, "u1", 30'000'000);
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "NA"), 60'000'000);
  EXPECT_EQ(Annual(*plan, "EU"), 40'000'000);
  EXPECT_EQ(Annual(*plan, "u1"), 30'000'000);
  EXPECT_EQ(Annual(*plan, "u2"), 30'000'000);
  EXPECT_EQ(Annual(*plan, "u3"), 40'000'000);
  // With 10% over-assignment NA's reps carry 66,000,000: u1 keeps 30,000,000, u2 the rest.
  r.set_over_assignment(0.1);
  plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "u1"), 30'000'000);
  EXPECT_EQ(Annual(*plan, "u2"), 36'000'000);
  EXPECT_EQ(plan->rep_quota_total().minor_units(), 66'000'000 + 44'000'000);
}

TEST(PlanBuilderTest, OverridesThatCannotHoldAreInvalid) {
  {
    auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
    AddOverride(r, "u1", 70'000'000);  // NA gets 50,000,000
    auto plan = BuildPlan(r, NoForecast());
    EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(plan.status().message()), StartsWith("overrides: ")) << plan.status();
  }
  {
    auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
    AddOverride(r, "NA", 70'000'000);
    AddOverride(r, "EU", 20'000'000);  // every child locked: 90,000,000 is not the target
    auto plan = BuildPlan(r, NoForecast());
    EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(plan.status().message()), StartsWith("overrides: ")) << plan.status();
  }
  {
    auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
    AddOverride(r, "u3", 20'000'000);  // EU's only rep, EU gets 50,000,000
    auto plan = BuildPlan(r, NoForecast());
    EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(plan.status().message()), StartsWith("overrides: ")) << plan.status();
    AddOverride(r, "EU", 20'000'000);  // ... fine once EU is locked with it
    auto fixed = Build(r);
    ASSERT_TRUE(fixed.ok()) << fixed.status();
    EXPECT_EQ(Annual(*fixed, "NA"), 80'000'000);
  }
}

// ---------------------------------------------------------------------------------------------
// Seasonality
// ---------------------------------------------------------------------------------------------

// |month - quota * profile[m] / sum(profile)| <= 2 (year -> quarters -> months, each rounded).
void ExpectMonthsInProportion(const std::vector<int64_t>& months, const std::vector<double>& profile) {
  ASSERT_EQ(months.size(), 12u);
  double total = 0;
  int64_t quota = 0;
  for (int m = 0; m < 12; ++m) {
    total += profile[m];
    quota += months[m];
  }
  for (int m = 0; m < 12; ++m)
    EXPECT_NEAR(static_cast<double>(months[m]), quota * profile[m] / total, 2.0) << "month " << m;
}

TEST(PlanBuilderTest, SeasonalityLastYear) {
  // FY2026's bookings: u3 (EU's only rep) 1 : 1 : 2 in every quarter; u1 flat; u2 only in the second
  // half. Older bookings (FY2025, huge) do not count: only the last 12 months do.
  auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  r.set_seasonality(v1::SEASONALITY_SOURCE_LAST_YEAR);
  std::vector<double> u3(12, 1e6);
  for (double x : {1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2}) u3.push_back(1000 * x);
  AddHistory(r, "u3", u3, 2024, 2);
  AddHistory(r, "u1", std::vector<double>(12, 1000));
  AddHistory(r, "u2", {0, 0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 1000});
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  // EU 50,000,000: quarters 12,500,000, months 3,125,000 / 3,125,000 / 6,250,000. u3 follows EU.
  const std::vector<int64_t> eu = {3'125'000, 3'125'000, 6'250'000, 3'125'000, 3'125'000, 6'250'000,
                                   3'125'000, 3'125'000, 6'250'000, 3'125'000, 3'125'000, 6'250'000};
  EXPECT_EQ(Months(*plan, "EU"), eu);
  EXPECT_EQ(Months(*plan, "u3"), eu);
  // NA's bookings were 1,000 a month in the first half, 2,000 in the second: months 1 : 2.
  ExpectMonthsInProportion(Months(*plan, "NA"), {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2});
  ExpectMonthsInProportion(Months(*plan, "u2"), {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2});
  EXPECT_EQ(Find(*plan, "NA").quarterly_quota(0).minor_units(), 8'333'333);
  EXPECT_EQ(Find(*plan, "NA").quarterly_quota(2).minor_units(), 16'666'667);
  // The company: month by month the sum of its regions.
  const auto co = Months(*plan, "CO"), na = Months(*plan, "NA");
  for (int m = 0; m < 12; ++m) EXPECT_EQ(co[m], na[m] + eu[m]) << m;
}

TEST(PlanBuilderTest, SeasonalityLastYearPlacesMonthsOnTheFiscalCalendar) {
  // The last 12 months are 2025-05 .. 2026-04, i.e. FY2026 M04..M12 and FY2027 M01..M03. u3 booked
  // the fiscal month's number each month, so EU's months go 1 : 2 : ... : 12.
  auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  r.set_seasonality(v1::SEASONALITY_SOURCE_LAST_YEAR);
  AddHistory(r, "u3", {4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3}, 2025, 5);
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ExpectMonthsInProportion(Months(*plan, "EU"), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  // NA had no bookings: even.
  ExpectMonthsInProportion(Months(*plan, "NA"), std::vector<double>(12, 1));
}

TEST(PlanBuilderTest, SeasonalityFromTheForecast) {
  // EQUAL_SPLIT with FORECAST seasonality: the forecast is asked once for FY2027 (12 months after
  // the history); EU's forecast rises 1, 2, ..., 12, NA's is flat.
  auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  r.set_seasonality(v1::SEASONALITY_SOURCE_FORECAST);
  AddYearOfHistory(r);
  int calls = 0;
  auto plan = Build(r, Canned([](const std::string& id, int step) {
    return id == "node:EU" || id == "rep:u3" ? step + 1.0 : 5.0;
  }, &calls, 12));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Annual(*plan, "EU"), 50'000'000);  // the split itself stays equal
  ExpectMonthsInProportion(Months(*plan, "EU"), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  ExpectMonthsInProportion(Months(*plan, "u3"), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  EXPECT_EQ(Months(*plan, "NA"),
            (std::vector<int64_t>{4'166'667, 4'166'667, 4'166'666, 4'166'667, 4'166'667, 4'166'666,
                                  4'166'667, 4'166'667, 4'166'666, 4'166'667, 4'166'667, 4'166'666}));
}

TEST(PlanBuilderTest, SeasonalityFromTheForecastMidYearUsesTheActualsSoFar) {
  // History runs to 2026-04: FY2027's first three months are actuals (u3: 10, 20, 30), the other nine
  // are forecast (40, 50, ..., 120): EU's months go 1 : 2 : ... : 12.
  auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  r.set_seasonality(v1::SEASONALITY_SOURCE_FORECAST);
  std::vector<double> u3(12, 7);
  for (double x : {10, 20, 30}) u3.push_back(x);
  AddHistory(r, "u3", u3);
  auto plan = Build(r, Canned([](const std::string& id, int step) {
    return id == "node:EU" ? 40.0 + 10 * step : 1.0;
  }, nullptr, 9));
  ASSERT_TRUE(plan.ok()) << plan.status();
  ExpectMonthsInProportion(Months(*plan, "EU"), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
}

// ---------------------------------------------------------------------------------------------
// Capacity
// ---------------------------------------------------------------------------------------------

void SetCapacity(v1::CreatePlanRequest& r, int64_t full_annual_quota, std::vector<double> ramp,
                 double attrition = 0) {
  auto* c = r.mutable_capacity();
  *c->mutable_full_annual_quota() = Usd(full_annual_quota);
  c->mutable_ramp()->Assign(ramp.begin(), ramp.end());
  c->set_annual_attrition(attrition);
}

void AddPlannedHire(v1::CreatePlanRequest& r, const std::string& id, const std::string& territory,
                    v1::Date start) {
  v1::Rep* rep = r.mutable_capacity()->add_planned_hires()->mutable_rep();
  rep->set_id(id);
  rep->set_territory_id(territory);
  *rep->mutable_hire_date() = start;
}

// A small company, FY2027 = 2026-02 .. 2027-01 (fiscal months 1..12), full quota 1,200,000.00 a
// year (10,000,000 minor units a month), ramp 25% / 50% / 75%, no attrition:
//   T1: a, hired 2019-03-15 (fully ramped)                     12 months      120,000,000
//       b, hired 2026-05-01 (fiscal month 4)   0 0 0 .25 .5 .75 1 1 1 1 1 1    75,000,000
//   T2: c, no hire date (fully ramped)                          12 months      120,000,000
//       p, planned hire from 2026-11-01 (fiscal month 10)       .25 .5 .75     15,000,000
// Capacity: T1 195,000,000, T2 135,000,000, in all 330,000,000.
v1::CreatePlanRequest CapacityCompany(v1::AllocationMethod method) {
  v1::CreatePlanRequest r;
  r.set_name("FY2027 capacity");
  r.set_fiscal_year(2027);
  r.mutable_calendar()->set_start_month(2);
  *r.mutable_target() = Usd(264'000'000);
  r.set_method(method);
  for (auto [id, parent] : {std::pair{"CO", ""}, {"T1", "CO"}, {"T2", "CO"}}) {
    auto* n = r.add_territories();
    n->set_id(id);
    n->set_parent_id(parent);
  }
  for (auto [id, t] : {std::pair{"a", "T1"}, {"b", "T1"}, {"c", "T2"}}) {
    auto* rep = r.add_reps();
    rep->set_id(id);
    rep->set_territory_id(t);
  }
  *r.mutable_reps(0)->mutable_hire_date() = Day(2019, 3, 15);
  *r.mutable_reps(1)->mutable_hire_date() = Day(2026, 5, 1);
  SetCapacity(r, 120'000'000, {0.25, 0.5, 0.75});
  AddPlannedHire(r, "p", "T2", Day(2026, 11, 1));
  return r;
}

TEST(PlanBuilderTest, CapacityHandWorked) {
  // Target 264,000,000: coverage 330 / 264 = 1.25.
  //   T1 = 264 * 195/330 = 156,000,000; T2 = 108,000,000.
  //   a = 156 * 120/195 = 96,000,000; b = 60,000,000; c = 108 * 120/135 = 96,000,000; p = 12,000,000.
  // A rep's months follow its capacity: 8,000,000 a fully ramped month; b 0 / 0 / 0 / 2,000,000 /
  // 4,000,000 / 6,000,000 / 8,000,000...; p 2,000,000 / 4,000,000 / 6,000,000 in its last three.
  auto plan = Build(CapacityCompany(v1::ALLOCATION_METHOD_CAPACITY));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->capacity_total().minor_units(), 330'000'000);
  EXPECT_EQ(plan->capacity_total().currency_code(), "USD");
  EXPECT_DOUBLE_EQ(plan->capacity_coverage(), 1.25);
  EXPECT_EQ(Annual(*plan, "T1"), 156'000'000);
  EXPECT_EQ(Annual(*plan, "T2"), 108'000'000);
  EXPECT_DOUBLE_EQ(Find(*plan, "T1").share_of_parent(), 195.0 / 330.0);
  EXPECT_EQ(Annual(*plan, "a"), 96'000'000);
  EXPECT_EQ(Annual(*plan, "b"), 60'000'000);
  EXPECT_EQ(Annual(*plan, "c"), 96'000'000);
  EXPECT_EQ(Annual(*plan, "p"), 12'000'000);
  EXPECT_EQ(Months(*plan, "a"), std::vector<int64_t>(12, 8'000'000));
  EXPECT_EQ(Months(*plan, "b"),
            (std::vector<int64_t>{0, 0, 0, 2'000'000, 4'000'000, 6'000'000, 8'000'000, 8'000'000,
                                  8'000'000, 8'000'000, 8'000'000, 8'000'000}));
  EXPECT_EQ(Months(*plan, "p"),
            (std::vector<int64_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 2'000'000, 4'000'000, 6'000'000}));
  // The planned hire joins the plan as a rep of T2.
  EXPECT_EQ(Find(*plan, "p").kind(), v1::ALLOCATION_KIND_REP);
  EXPECT_EQ(Find(*plan, "p").parent_id(), "T2");
  bool listed = false;
  for (const auto& rep : plan->reps()) listed = listed || rep.id() == "p";
  EXPECT_TRUE(listed);
  // Territories split their own quota evenly (EVEN seasonality); the company sums them.
  EXPECT_EQ(Months(*plan, "T1"), std::vector<int64_t>(12, 13'000'000));
  EXPECT_EQ(Months(*plan, "CO"), std::vector<int64_t>(12, 22'000'000));
}

TEST(PlanBuilderTest, CapacityOfAQuarter) {
  // Q1 (2026-02 .. 04): b (from 2026-05-01) and p are not there yet and carry nothing; a and c can
  // carry 30,000,000 each. Target 48,000,000: 24,000,000 each, coverage 1.25.
  auto r = CapacityCompany(v1::ALLOCATION_METHOD_CAPACITY);
  r.set_fiscal_quarter(1);
  r.mutable_target()->set_minor_units(48'000'000);
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_FALSE(Has(*plan, "b"));
  EXPECT_FALSE(Has(*plan, "p"));
  EXPECT_EQ(plan->capacity_total().minor_units(), 60'000'000);
  EXPECT_DOUBLE_EQ(plan->capacity_coverage(), 1.25);
  EXPECT_EQ(Annual(*plan, "a"), 24'000'000);
  EXPECT_EQ(Months(*plan, "a"),
            (std::vector<int64_t>{8'000'000, 8'000'000, 8'000'000, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  // Q2 (2026-05 .. 07): b ramps 0.25 + 0.5 + 0.75 = 1.5 months = 15,000,000; a and c 30,000,000;
  // T1 45 : T2 30 of 60,000,000 -> 36,000,000 / 24,000,000; b = 36 * 15/45 = 12,000,000, light
  // first: 2,000,000 / 4,000,000 / 6,000,000.
  r.set_fiscal_quarter(2);
  r.mutable_target()->set_minor_units(60'000'000);
  plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->capacity_total().minor_units(), 75'000'000);
  EXPECT_EQ(Annual(*plan, "T1"), 36'000'000);
  EXPECT_EQ(Annual(*plan, "b"), 12'000'000);
  EXPECT_EQ(Months(*plan, "b"),
            (std::vector<int64_t>{0, 0, 0, 2'000'000, 4'000'000, 6'000'000, 0, 0, 0, 0, 0, 0}));
}

TEST(PlanBuilderTest, CapacityWithAttrition) {
  // 20% attrition: every month of every rep is discounted by 0.8^((i + 0.5) / 12).
  auto r = CapacityCompany(v1::ALLOCATION_METHOD_CAPACITY);
  r.mutable_capacity()->set_annual_attrition(0.2);
  const double ramp_b[12] = {0, 0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 1, 1};
  const double ramp_p[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0.25, 0.5, 0.75};
  double t1 = 0, t2 = 0;
  for (int i = 0; i < 12; ++i) {
    const double survival = std::pow(0.8, (i + 0.5) / 12);
    t1 += 10'000'000 * survival * (1 + ramp_b[i]);
    t2 += 10'000'000 * survival * (1 + ramp_p[i]);
  }
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_NEAR(static_cast<double>(plan->capacity_total().minor_units()), t1 + t2, 1.0);
  EXPECT_NEAR(plan->capacity_coverage(), (t1 + t2) / 264'000'000, 1e-12);
  EXPECT_NEAR(static_cast<double>(Annual(*plan, "T1")), 264'000'000 * t1 / (t1 + t2), 1.0);
  // a's months fall month by month with survival.
  const auto a = Months(*plan, "a");
  for (int m = 1; m < 12; ++m) EXPECT_LT(a[m], a[m - 1]) << m;
}

TEST(PlanBuilderTest, CapacityIsReportedWithOtherMethods) {
  // EQUAL_SPLIT with capacity settings: the split is equal, capacity only reported.
  auto plan = Build(CapacityCompany(v1::ALLOCATION_METHOD_EQUAL_SPLIT));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "T1"), 132'000'000);
  EXPECT_EQ(Annual(*plan, "b"), 66'000'000);
  EXPECT_EQ(Months(*plan, "b"), std::vector<int64_t>(12, 5'500'000));  // no ramp in the months
  EXPECT_EQ(plan->capacity_total().minor_units(), 330'000'000);
  EXPECT_DOUBLE_EQ(plan->capacity_coverage(), 1.25);
}

TEST(PlanBuilderTest, CapacityOverridesAPlannedHire) {
  // p locked at 30,000,000: c takes the rest of T2 (108,000,000 - 30,000,000).
  auto r = CapacityCompany(v1::ALLOCATION_METHOD_CAPACITY);
  AddOverride(r, "p", 30'000'000);
  auto plan = Build(r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Annual(*plan, "p"), 30'000'000);
  EXPECT_EQ(Annual(*plan, "c"), 78'000'000);
}

// ---------------------------------------------------------------------------------------------
// Invalid requests: INVALID_ARGUMENT whose message starts with the field
// ---------------------------------------------------------------------------------------------

TEST(PlanBuilderTest, InvalidRequestsNameTheField) {
  struct Case {
    const char* field;  // the message starts with "<field>: "
    std::function<void(v1::CreatePlanRequest&)> mutate;
    const char* detail = "";  // and contains this
  };
  const std::vector<Case> cases = {
      {"target.minor_units", [](auto& r) { r.mutable_target()->set_minor_units(-5); }, "must be positive"},
      {"target.minor_units", [](auto& r) { r.mutable_target()->set_minor_units(0); }},
      {"target.currency_code", [](auto& r) { r.mutable_target()->set_currency_code("usd"); }},
      {"target", [](auto& r) { r.clear_target(); }, "required"},
      {"name", [](auto& r) { r.set_name(""); }},
      {"fiscal_year", [](auto& r) { r.set_fiscal_year(20270); }},
      {"fiscal_quarter", [](auto& r) { r.set_fiscal_quarter(5); }},
      {"fiscal_quarter", [](auto& r) { r.set_fiscal_quarter(-1); }},
      {"calendar.start_month", [](auto& r) { r.mutable_calendar()->set_start_month(13); }},
      {"method", [](auto& r) { r.set_method(v1::ALLOCATION_METHOD_UNSPECIFIED); }},
      {"method", [](auto& r) { r.set_method(static_cast<v1::AllocationMethod>(77)); }},
      {"seasonality", [](auto& r) { r.set_seasonality(static_cast<v1::SeasonalitySource>(9)); }},
      // The hierarchy.
      {"territories[1].parent_id", [](auto& r) { r.mutable_territories(1)->set_parent_id("MARS"); },
       "unknown node \"MARS\""},
      {"territories[1].parent_id",
       [](auto& r) {
         r.mutable_territories(1)->set_parent_id("EU");
         r.mutable_territories(2)->set_parent_id("NA");
       },
       "cycle"},
      {"territories", [](auto& r) { r.mutable_territories(0)->set_parent_id("NA"); }, "cycle"},
      {"reps[3].id",
       [](auto& r) {
         auto* rep = r.add_reps();
         rep->set_id("u1");
         rep->set_territory_id("EU");
       },
       "listed twice"},
      {"reps[0].territory_id", [](auto& r) { r.mutable_reps(0)->set_territory_id("APAC"); },
       "unknown territory \"APAC\""},
      {"reps[0].hire_date", [](auto& r) { *r.mutable_reps(0)->mutable_hire_date() = Day(2026, 13, 1); }},
      // Blend.
      {"blend",
       [](auto& r) {
         r.set_method(v1::ALLOCATION_METHOD_BLENDED);
         r.mutable_blend()->set_equal_split(0.5);
         r.mutable_blend()->set_historical_share(0.3);
         AddHistory(r, "u1", {1});
       },
       "sum to 1"},
      {"blend.historical_share",
       [](auto& r) {
         r.set_method(v1::ALLOCATION_METHOD_BLENDED);
         r.mutable_blend()->set_equal_split(1.0);
         r.mutable_blend()->set_historical_share(-0.5);
       }},
      {"blend.equal_split",
       [](auto& r) {
         r.set_method(v1::ALLOCATION_METHOD_BLENDED);
         r.mutable_blend()->set_equal_split(std::nan(""));
       }},
      {"history",
       [](auto& r) {
         r.set_method(v1::ALLOCATION_METHOD_BLENDED);
         r.mutable_blend()->set_equal_split(0.5);
         r.mutable_blend()->set_forecast_share(0.5);
       },
       "required"},
      // Over-assignment and rounding.
      {"over_assignment", [](auto& r) { r.set_over_assignment(1.0); }},
      {"over_assignment", [](auto& r) { r.set_over_assignment(-0.1); }},
      {"over_assignment", [](auto& r) { r.set_over_assignment(std::nan("")); }},
      {"rounding_unit", [](auto& r) { r.set_rounding_unit(-1); }},
      {"rounding_unit", [](auto& r) { r.set_rounding_unit(100'000'001); }},
      // Capacity.
      {"capacity", [](auto& r) { r.set_method(v1::ALLOCATION_METHOD_CAPACITY); }, "required"},
      {"capacity.full_annual_quota",
       [](auto& r) { r.mutable_capacity()->add_ramp(0.5); }, "required"},
      {"capacity.full_annual_quota.currency_code",
       [](auto& r) {
         SetCapacity(r, 1000, {});
         r.mutable_capacity()->mutable_full_annual_quota()->set_currency_code("EUR");
       }},
      {"capacity.full_annual_quota", [](auto& r) { SetCapacity(r, 0, {}); }},
      {"capacity.ramp[1]", [](auto& r) { SetCapacity(r, 1000, {0.5, 1.5}); }},
      {"capacity.annual_attrition", [](auto& r) { SetCapacity(r, 1000, {}, 1.0); }},
      {"capacity.planned_hires[0].rep.territory_id",
       [](auto& r) {
         SetCapacity(r, 1000, {});
         AddPlannedHire(r, "TBH-1", "MARS", Day(2026, 6, 1));
       },
       "unknown territory \"MARS\""},
      {"capacity.planned_hires[0].rep.hire_date",
       [](auto& r) {
         SetCapacity(r, 1000, {});
         AddPlannedHire(r, "TBH-1", "EU", v1::Date());
       }},
      {"capacity.planned_hires[1].rep.id",
       [](auto& r) {
         SetCapacity(r, 1000, {});
         AddPlannedHire(r, "TBH-1", "EU", Day(2026, 6, 1));
         AddPlannedHire(r, "u1", "EU", Day(2026, 6, 1));
       },
       "already a rep"},
      {"capacity.planned_hires[0].rep.id",
       [](auto& r) {
         SetCapacity(r, 1000, {});
         AddPlannedHire(r, "NA", "EU", Day(2026, 6, 1));  // a territory's id
       },
       "territory"},
      // Overrides.
      {"overrides[0].id", [](auto& r) { AddOverride(r, "MARS", 1); }, "unknown node or rep \"MARS\""},
      {"overrides[0].id", [](auto& r) { AddOverride(r, "CO", 100'000'000); }, "root"},
      {"overrides[0].id",
       [](auto& r) {
         *r.mutable_reps(1)->mutable_end_date() = Day(2025, 12, 31);  // left before FY2027
         AddOverride(r, r.reps(1).id(), 1000);
       },
       "not employed during the plan period"},
      {"overrides[1].id",
       [](auto& r) {
         AddOverride(r, "NA", 10);
         AddOverride(r, "NA", 20);
       },
       "a second override"},
      {"overrides[0].quota.currency_code", [](auto& r) { AddOverride(r, "NA", 10, "EUR"); }},
      {"overrides[0].quota.minor_units", [](auto& r) { AddOverride(r, "u1", -10); }},
      {"overrides[0].quota", [](auto& r) { r.add_overrides()->set_id("NA"); }, "required"},
      // History.
      {"history", [](auto& r) { r.set_method(v1::ALLOCATION_METHOD_HISTORICAL_SHARE); },
       "required for ALLOCATION_METHOD_HISTORICAL_SHARE"},
      {"history", [](auto& r) { r.set_method(v1::ALLOCATION_METHOD_FORECAST_SHARE); }, "required"},
      {"history", [](auto& r) { r.set_seasonality(v1::SEASONALITY_SOURCE_LAST_YEAR); },
       "required for seasonality SEASONALITY_SOURCE_LAST_YEAR"},
      {"history", [](auto& r) { r.set_seasonality(v1::SEASONALITY_SOURCE_FORECAST); }, "required"},
      {"history[0].id", [](auto& r) { AddHistory(r, "ghost", {1}); }, "unknown rep \"ghost\""},
      {"history[1].id",
       [](auto& r) {
         AddHistory(r, "u1", {1});
         AddHistory(r, "u1", {2});
       }},
      {"history[0].granularity",
       [](auto& r) {
         AddHistory(r, "u1", {1});
         r.mutable_history(0)->set_granularity(v1::GRANULARITY_WEEK);
       }},
      {"history[0].start", [](auto& r) { AddHistory(r, "u1", {1}); r.mutable_history(0)->mutable_start()->set_day(15); }},
      {"history[0].values[1]", [](auto& r) { AddHistory(r, "u1", {1, std::nan("")}); },
       "not a finite number"},
      {"history_window_months", [](auto& r) { r.set_history_window_months(-1); }},
      {"history_window_months", [](auto& r) { r.set_history_window_months(121); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
    c.mutate(r);
    const absl::Status validated = ValidateCreatePlanRequest(r);
    EXPECT_EQ(validated.code(), absl::StatusCode::kInvalidArgument) << validated;
    EXPECT_THAT(std::string(validated.message()), StartsWith(std::string(c.field) + ": "));
    EXPECT_THAT(std::string(validated.message()), HasSubstr(c.detail));
    auto plan = BuildPlan(r, NoForecast());
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.status(), validated);
  }
  // The base request is valid, and so is the edge of each range.
  auto r = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  EXPECT_TRUE(ValidateCreatePlanRequest(r).ok());
  r.set_over_assignment(0.99);
  r.set_fiscal_quarter(4);
  r.set_rounding_unit(100'000'000);
  EXPECT_TRUE(ValidateCreatePlanRequest(r).ok()) << ValidateCreatePlanRequest(r);
}

// ---------------------------------------------------------------------------------------------
// Random requests: every total of the plan holds
// ---------------------------------------------------------------------------------------------

TEST(PlanBuilderTest, RandomPlansKeepEveryTotal) {
  std::mt19937_64 rng(4);
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  auto coin = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  const v1::AllocationMethod methods[] = {
      v1::ALLOCATION_METHOD_EQUAL_SPLIT, v1::ALLOCATION_METHOD_HISTORICAL_SHARE,
      v1::ALLOCATION_METHOD_BLENDED, v1::ALLOCATION_METHOD_CAPACITY,
      v1::ALLOCATION_METHOD_FORECAST_SHARE};
  int built = 0, with_overrides = 0, capacity = 0, quarters = 0, over_assigned = 0;
  for (int trial = 0; trial < 150; ++trial) {
    SCOPED_TRACE(::testing::Message() << "trial " << trial);
    v1::CreatePlanRequest r;
    r.set_name("random");
    r.set_fiscal_year(2027);
    r.mutable_calendar()->set_start_month(static_cast<int>(uniform(1, 12)));
    r.set_method(methods[uniform(0, 4)]);
    r.set_fiscal_quarter(static_cast<int>(uniform(0, 4)));
    r.set_over_assignment(coin(0.5) ? 0 : std::uniform_real_distribution<double>(0, 0.3)(rng));
    const int64_t units[] = {0, 1, 100, 100'000};
    r.set_rounding_unit(units[uniform(0, 3)]);
    *r.mutable_target() = Usd(uniform(std::max<int64_t>(1, r.rounding_unit()), 10'000'000'000));
    const int n = static_cast<int>(uniform(1, 6));
    for (int i = 0; i < n; ++i) {
      auto* t = r.add_territories();
      t->set_id("T" + std::to_string(i));
      if (i > 0) t->set_parent_id("T" + std::to_string(coin(0.5) ? 0 : uniform(0, i - 1)));
    }
    const int reps = static_cast<int>(uniform(0, 8));
    for (int j = 0; j < reps; ++j) {
      auto* rep = r.add_reps();
      rep->set_id("r" + std::to_string(j));
      rep->set_territory_id("T" + std::to_string(uniform(0, n - 1)));
      if (coin(0.4)) *rep->mutable_hire_date() = Day(2025 + static_cast<int>(uniform(0, 2)), static_cast<int>(uniform(1, 12)), static_cast<int>(uniform(1, 28)));
      if (coin(0.15)) *rep->mutable_end_date() = Day(2026 + static_cast<int>(uniform(0, 1)), static_cast<int>(uniform(1, 12)), static_cast<int>(uniform(1, 28)));
      if (coin(0.8)) {
        std::vector<double> values(uniform(1, 30));
        for (double& v : values) v = coin(0.2) ? 0 : static_cast<double>(uniform(0, 100'000));
        AddHistory(r, rep->id().c_str(), values, 2024 + static_cast<int>(uniform(0, 1)),
                   static_cast<int>(uniform(1, 12)));
      }
    }
    if (r.method() == v1::ALLOCATION_METHOD_BLENDED) {
      r.mutable_blend()->set_equal_split(0.25);
      r.mutable_blend()->set_historical_share(0.25);
      r.mutable_blend()->set_forecast_share(0.5);
    }
    if (r.method() == v1::ALLOCATION_METHOD_CAPACITY || coin(0.2)) {
      SetCapacity(r, uniform(1'000'000, 100'000'000), {0.2, 0.5, 0.8}, coin(0.5) ? 0 : 0.15);
      for (int k = 0, hires = static_cast<int>(uniform(0, 2)); k < hires; ++k)
        AddPlannedHire(r, "h" + std::to_string(k), "T" + std::to_string(uniform(0, n - 1)),
                       Day(2026, static_cast<int>(uniform(1, 12)), 1));
    }
    const v1::SeasonalitySource seasons[] = {v1::SEASONALITY_SOURCE_UNSPECIFIED,
                                             v1::SEASONALITY_SOURCE_LAST_YEAR,
                                             v1::SEASONALITY_SOURCE_FORECAST};
    r.set_seasonality(seasons[uniform(0, 2)]);
    // Overrides on some (not all) of the root's child nodes, within the target.
    std::vector<std::string> top;
    for (const auto& t : r.territories())
      if (t.parent_id() == "T0") top.push_back(t.id());
    if (top.size() >= 2 && coin(0.7)) {
      int64_t budget = uniform(0, r.target().minor_units());
      for (size_t k = 0; k + 1 < top.size(); ++k) {
        if (!coin(0.5)) continue;
        const int64_t v = uniform(0, budget);
        AddOverride(r, top[k], v);
        budget -= v;
      }
    }
    // A fake forecast: a random level per series, with a seasonal wave.
    ForecastFn forecast = [&rng](const v1::ForecastRequest& request) -> absl::StatusOr<v1::ForecastResponse> {
      v1::ForecastResponse response;
      for (const auto& s : request.series()) {
        auto* f = response.add_forecasts();
        f->set_series_id(s.id());
        const double level = std::uniform_real_distribution<double>(0, 1000)(rng);
        for (int h = 0; h < request.horizon(); ++h) f->add_mean(level * (1.2 + std::sin(h)));
      }
      return response;
    };
    const absl::Status valid = ValidateCreatePlanRequest(r);
    if (!valid.ok()) {
      // Only the history a method or the seasonality needs can be missing.
      EXPECT_THAT(std::string(valid.message()), StartsWith("history: required")) << valid;
      continue;
    }
    auto plan = Build(r, forecast);
    ASSERT_TRUE(plan.ok()) << plan.status();
    if (r.has_capacity()) {
      EXPECT_TRUE(plan->has_capacity_total());
    }
    ++built;
    if (r.overrides_size() > 0) ++with_overrides;
    if (r.method() == v1::ALLOCATION_METHOD_CAPACITY) ++capacity;
    if (r.fiscal_quarter() != 0) ++quarters;
    if (r.over_assignment() > 0) ++over_assigned;
    if (HasFailure()) return;
  }
  EXPECT_GT(built, 100);
  EXPECT_GT(with_overrides, 25);
  EXPECT_GT(capacity, 15);
  EXPECT_GT(quarters, 50);
  EXPECT_GT(over_assigned, 40);
}

}  // namespace
}  // namespace salesops::quota
