#include "services/quota/plan_compare.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "common/money.h"
#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::quota {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

// Minor units of whole millions of USD: M(48) is 48,000,000.00.
constexpr int64_t M(int64_t millions) { return millions * 100'000'000; }

v1::Date Day(int y, int m, int d) {
  v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

v1::TerritoryNode Node(const std::string& id, const std::string& parent) {
  v1::TerritoryNode n;
  n.set_id(id);
  n.set_name(id + " name");
  n.set_parent_id(parent);
  n.set_level(parent.empty() ? "company" : "region");
  return n;
}

v1::Rep Rep(const std::string& id, const std::string& territory) {
  v1::Rep r;
  r.set_id(id);
  r.set_name("Rep " + id);
  r.set_territory_id(territory);
  *r.mutable_hire_date() = Day(2020, 1, 6);
  return r;
}

v1::Allocation Alloc(const std::string& id, v1::AllocationKind kind, const std::string& parent,
                     int64_t minor, double share) {
  v1::Allocation a;
  a.set_id(id);
  a.set_name(id + " name");
  a.set_kind(kind);
  a.set_parent_id(parent);
  *a.mutable_annual_quota() = MakeMoney("USD", minor);
  a.set_share_of_parent(share);
  return a;
}

constexpr auto kNode = v1::ALLOCATION_KIND_NODE;
constexpr auto kRep = v1::ALLOCATION_KIND_REP;

// Version 1 of a small plan: CO -> EMEA (u1, u2), AMER (u3); 48M USD, historical share.
v1::Plan BasePlan() {
  v1::Plan plan;
  plan.set_plan_id("p1");
  plan.set_version(1);
  plan.set_status(v1::PLAN_STATUS_DRAFT);
  plan.set_name("FY2027 baseline");
  plan.set_fiscal_year(2027);
  *plan.mutable_target() = MakeMoney("USD", M(48));
  plan.set_method(v1::ALLOCATION_METHOD_HISTORICAL_SHARE);

  v1::CreatePlanRequest& in = *plan.mutable_inputs();
  in.set_name("FY2027 baseline");
  in.set_fiscal_year(2027);
  *in.mutable_target() = MakeMoney("USD", M(48));
  in.set_method(v1::ALLOCATION_METHOD_HISTORICAL_SHARE);
  *in.add_territories() = Node("CO", "");
  *in.add_territories() = Node("EMEA", "CO");
  *in.add_territories() = Node("AMER", "CO");
  *in.add_reps() = Rep("u1", "EMEA");
  *in.add_reps() = Rep("u2", "EMEA");
  *in.add_reps() = Rep("u3", "AMER");
  for (const char* id : {"u1", "u2"}) {
    v1::TimeSeries& s = *in.add_history();
    s.set_id(id);
    *s.mutable_start() = Day(2025, 1, 1);
    s.set_granularity(v1::GRANULARITY_MONTH);
    for (int i = 0; i < 12; ++i) s.add_values(1000 * (i + 1));
  }
  v1::QuotaOverride& o = *in.add_overrides();
  o.set_id("u3");
  *o.mutable_quota() = MakeMoney("USD", M(24));
  o.set_note("key account");
  v1::CapacitySettings& c = *in.mutable_capacity();
  *c.mutable_full_annual_quota() = MakeMoney("USD", M(12) / 10);
  for (double r : {0.25, 0.5, 0.75}) c.add_ramp(r);
  c.set_annual_attrition(0.1);
  v1::Rep& hire = *c.add_planned_hires()->mutable_rep();
  hire = Rep("TBH-1", "EMEA");
  *hire.mutable_hire_date() = Day(2026, 4, 1);
  *plan.mutable_territories() = in.territories();
  *plan.mutable_reps() = in.reps();

  *plan.add_allocations() = Alloc("CO", kNode, "", M(48), 1.0);
  *plan.add_allocations() = Alloc("EMEA", kNode, "CO", M(24), 0.5);
  *plan.add_allocations() = Alloc("u1", kRep, "EMEA", M(12), 0.5);
  *plan.add_allocations() = Alloc("u2", kRep, "EMEA", M(12), 0.5);
  *plan.add_allocations() = Alloc("AMER", kNode, "CO", M(24), 0.5);
  *plan.add_allocations() = Alloc("u3", kRep, "AMER", M(24), 1.0);
  return plan;
}

// Version 2: target 50M, u2 left, u4 joined EMEA.
v1::Plan OtherPlan() {
  v1::Plan plan = BasePlan();
  plan.set_version(2);
  *plan.mutable_target() = MakeMoney("USD", M(50));
  v1::CreatePlanRequest& in = *plan.mutable_inputs();
  *in.mutable_target() = MakeMoney("USD", M(50));
  in.mutable_reps()->erase(in.mutable_reps()->begin() + 1);  // u2
  *in.add_reps() = Rep("u4", "EMEA");
  plan.clear_allocations();
  *plan.add_allocations() = Alloc("CO", kNode, "", M(50), 1.0);
  *plan.add_allocations() = Alloc("EMEA", kNode, "CO", M(25), 0.5);
  *plan.add_allocations() = Alloc("u1", kRep, "EMEA", M(15), 0.6);
  *plan.add_allocations() = Alloc("u4", kRep, "EMEA", M(10), 0.4);
  *plan.add_allocations() = Alloc("AMER", kNode, "CO", M(25), 0.5);
  *plan.add_allocations() = Alloc("u3", kRep, "AMER", M(25), 1.0);
  return plan;
}

std::vector<std::string> Ids(const v1::ComparePlansResponse& r) {
  std::vector<std::string> ids;
  for (const auto& row : r.rows()) ids.push_back(row.id());
  return ids;
}

const v1::QuotaComparison& RowOf(const v1::ComparePlansResponse& r, const std::string& id) {
  for (const auto& row : r.rows()) {
    if (row.id() == id) return row;
  }
  ADD_FAILURE() << "no row " << id;
  static const v1::QuotaComparison kEmpty;
  return kEmpty;
}

std::vector<std::string> Changes(const v1::ComparePlansResponse& r) {
  return {r.input_changes().begin(), r.input_changes().end()};
}

TEST(FormatMoneyTest, GroupsThousandsAndShowsEveryMinorDigit) {
  EXPECT_EQ(FormatMoney(MakeMoney("USD", M(48))), "48,000,000.00 USD");
  EXPECT_EQ(FormatMoney(MakeMoney("USD", 0)), "0.00 USD");
  EXPECT_EQ(FormatMoney(MakeMoney("USD", -5)), "-0.05 USD");
  EXPECT_EQ(FormatMoney(MakeMoney("EUR", -123456789)), "-1,234,567.89 EUR");
  EXPECT_EQ(FormatMoney(MakeMoney("JPY", 1234567)), "1,234,567 JPY");
  EXPECT_EQ(FormatMoney(MakeMoney("KWD", 1234)), "1.234 KWD");
  EXPECT_EQ(FormatMoney(MakeMoney("", 100050)), "1,000.50");
  EXPECT_EQ(FormatMinorUnits(std::numeric_limits<int64_t>::min(), 2), "-92,233,720,368,547,758.08");
  EXPECT_EQ(FormatMinorUnits(999, 0), "999");
  EXPECT_EQ(FormatMinorUnits(1000, 0), "1,000");
}

TEST(ComparePlansTest, RowsInOtherOrderThenBaseOnlyWithChangesRatiosAndShares) {
  const v1::ComparePlansResponse r = ComparePlans(BasePlan(), OtherPlan());
  EXPECT_EQ(r.base().plan_id(), "p1");
  EXPECT_EQ(r.base().version(), 1);
  EXPECT_EQ(r.other().plan_id(), "p1");
  EXPECT_EQ(r.other().version(), 2);
  EXPECT_THAT(Ids(r), ElementsAre("CO", "EMEA", "u1", "u4", "AMER", "u3", "u2"));

  const auto& co = RowOf(r, "CO");
  EXPECT_TRUE(co.in_base());
  EXPECT_TRUE(co.in_other());
  EXPECT_EQ(co.kind(), kNode);
  EXPECT_EQ(co.parent_id(), "");
  EXPECT_EQ(co.base_quota().minor_units(), M(48));
  EXPECT_EQ(co.base_quota().currency_code(), "USD");
  EXPECT_EQ(co.other_quota().minor_units(), M(50));
  EXPECT_EQ(co.change().minor_units(), M(2));
  EXPECT_EQ(co.change().currency_code(), "USD");
  EXPECT_DOUBLE_EQ(co.change_ratio(), 2.0 / 48.0);
  EXPECT_DOUBLE_EQ(co.base_share_of_parent(), 1.0);
  EXPECT_DOUBLE_EQ(co.other_share_of_parent(), 1.0);

  const auto& u1 = RowOf(r, "u1");
  EXPECT_EQ(u1.name(), "u1 name");
  EXPECT_EQ(u1.kind(), kRep);
  EXPECT_EQ(u1.parent_id(), "EMEA");
  EXPECT_EQ(u1.change().minor_units(), M(3));
  EXPECT_DOUBLE_EQ(u1.change_ratio(), 0.25);
  EXPECT_DOUBLE_EQ(u1.base_share_of_parent(), 0.5);
  EXPECT_DOUBLE_EQ(u1.other_share_of_parent(), 0.6);

  // Only in other: base shows 0, ratio 0.
  const auto& u4 = RowOf(r, "u4");
  EXPECT_FALSE(u4.in_base());
  EXPECT_TRUE(u4.in_other());
  EXPECT_EQ(u4.base_quota().minor_units(), 0);
  EXPECT_EQ(u4.base_quota().currency_code(), "USD");
  EXPECT_EQ(u4.other_quota().minor_units(), M(10));
  EXPECT_EQ(u4.change().minor_units(), M(10));
  EXPECT_EQ(u4.change_ratio(), 0.0);
  EXPECT_EQ(u4.base_share_of_parent(), 0.0);
  EXPECT_DOUBLE_EQ(u4.other_share_of_parent(), 0.4);

  // Only in base: last, described from base, other shows 0.
  const auto& u2 = RowOf(r, "u2");
  EXPECT_TRUE(u2.in_base());
  EXPECT_FALSE(u2.in_other());
  EXPECT_EQ(u2.name(), "u2 name");
  EXPECT_EQ(u2.kind(), kRep);
  EXPECT_EQ(u2.parent_id(), "EMEA");
  EXPECT_EQ(u2.other_quota().minor_units(), 0);
  EXPECT_EQ(u2.other_quota().currency_code(), "USD");
  EXPECT_EQ(u2.change().minor_units(), -M(12));
  EXPECT_DOUBLE_EQ(u2.change_ratio(), -1.0);
  EXPECT_DOUBLE_EQ(u2.base_share_of_parent(), 0.5);
  EXPECT_EQ(u2.other_share_of_parent(), 0.0);

  EXPECT_THAT(Changes(r), ElementsAre("target: 48,000,000.00 USD -> 50,000,000.00 USD",
                                      "rep u4 added (territory EMEA)",
                                      "rep u2 removed (was in territory EMEA)"));
}

TEST(ComparePlansTest, BaseOnlyRowsKeepBaseOrderParentsFirst) {
  // Other drops the whole AMER branch: AMER then u3 come last, in base's order.
  v1::Plan other = BasePlan();
  other.set_version(2);
  other.mutable_allocations()->DeleteSubrange(4, 2);
  const v1::ComparePlansResponse r = ComparePlans(BasePlan(), other);
  EXPECT_THAT(Ids(r), ElementsAre("CO", "EMEA", "u1", "u2", "AMER", "u3"));
  EXPECT_FALSE(RowOf(r, "AMER").in_other());
  EXPECT_FALSE(RowOf(r, "u3").in_other());
  EXPECT_TRUE(RowOf(r, "u2").in_other());
}

TEST(ComparePlansTest, ZeroBaseGivesZeroRatio) {
  v1::Plan base = BasePlan();
  v1::Plan other = BasePlan();
  base.mutable_allocations(3)->mutable_annual_quota()->set_minor_units(0);  // u2
  other.mutable_allocations(3)->mutable_annual_quota()->set_minor_units(M(1));
  const v1::ComparePlansResponse r = ComparePlans(base, other);  // RowOf points into it
  const auto& u2 = RowOf(r, "u2");
  EXPECT_TRUE(u2.in_base());
  EXPECT_TRUE(u2.in_other());
  EXPECT_EQ(u2.change().minor_units(), M(1));
  EXPECT_EQ(u2.change_ratio(), 0.0);
  // And a fall to zero is -100%.
  EXPECT_DOUBLE_EQ(RowOf(ComparePlans(other, base), "u2").change_ratio(), -1.0);
}

TEST(ComparePlansTest, IdenticalPlansHaveNoChanges) {
  const v1::Plan plan = OtherPlan();
  const v1::ComparePlansResponse r = ComparePlans(plan, plan);
  EXPECT_THAT(r.input_changes(), IsEmpty());
  ASSERT_EQ(r.rows_size(), plan.allocations_size());
  for (const auto& row : r.rows()) {
    SCOPED_TRACE(row.id());
    EXPECT_TRUE(row.in_base());
    EXPECT_TRUE(row.in_other());
    EXPECT_EQ(row.change().minor_units(), 0);
    EXPECT_EQ(row.change_ratio(), 0.0);
    EXPECT_EQ(row.base_quota().minor_units(), row.other_quota().minor_units());
    EXPECT_EQ(row.base_share_of_parent(), row.other_share_of_parent());
  }
}

TEST(ComparePlansTest, NodeAndRepWithTheSameIdAreDifferentRows) {
  v1::Plan base = BasePlan();
  v1::Plan other = BasePlan();
  *other.add_allocations() = Alloc("AMER", kRep, "AMER", M(1), 0.0);
  const v1::ComparePlansResponse r = ComparePlans(base, other);
  ASSERT_EQ(r.rows_size(), 7);
  EXPECT_EQ(r.rows(4).kind(), kNode);
  EXPECT_EQ(r.rows(4).change().minor_units(), 0);
  EXPECT_EQ(r.rows(6).kind(), kRep);
  EXPECT_FALSE(r.rows(6).in_base());
}

TEST(ComparePlansTest, DifferentCurrenciesStillCompareAndSaySo) {
  v1::Plan other = BasePlan();
  *other.mutable_target() = MakeMoney("EUR", M(44));
  *other.mutable_inputs()->mutable_target() = MakeMoney("EUR", M(44));
  for (auto& a : *other.mutable_allocations()) a.mutable_annual_quota()->set_currency_code("EUR");
  const v1::ComparePlansResponse r = ComparePlans(BasePlan(), other);
  ASSERT_EQ(r.rows_size(), 6);
  EXPECT_EQ(r.rows(0).base_quota().currency_code(), "USD");
  EXPECT_EQ(r.rows(0).other_quota().currency_code(), "EUR");
  EXPECT_EQ(r.rows(0).change().currency_code(), "EUR");
  EXPECT_EQ(r.rows(0).change().minor_units(), 0);  // raw difference (all quotas left as they were)
  EXPECT_THAT(Changes(r),
              ElementsAre("currency: USD -> EUR (amounts in different currencies are not comparable: "
                          "changes and ratios are raw differences)",
                          "target: 48,000,000.00 USD -> 44,000,000.00 EUR"));
}

TEST(ComparePlansTest, DefaultsCompareAsWhatTheyMean) {
  v1::Plan base = BasePlan();
  v1::Plan other = BasePlan();
  v1::CreatePlanRequest& a = *base.mutable_inputs();
  v1::CreatePlanRequest& b = *other.mutable_inputs();
  a.set_seasonality(v1::SEASONALITY_SOURCE_UNSPECIFIED);
  b.set_seasonality(v1::SEASONALITY_SOURCE_EVEN);
  a.set_history_window_months(0);
  b.set_history_window_months(12);
  a.set_rounding_unit(0);
  b.set_rounding_unit(1);
  b.mutable_calendar()->set_start_month(1);
  b.mutable_blend();  // set, all zero
  // Records, not inputs.
  b.set_created_by("someone else");
  b.set_reason("another reason");
  EXPECT_THAT(ComparePlans(base, other).input_changes(), IsEmpty());
}

TEST(ComparePlansTest, PlanWithoutInputsFallsBackOnItsOwnFields) {
  v1::Plan base = BasePlan();
  v1::Plan other = OtherPlan();
  base.clear_inputs();
  other.clear_inputs();
  EXPECT_THAT(Changes(ComparePlans(base, other)),
              ElementsAre("target: 48,000,000.00 USD -> 50,000,000.00 USD"));
  // Identical otherwise: the reps recorded on the plan did not change.
}

struct InputCase {
  std::string what;
  std::function<void(v1::Plan&)> edit;  // applied to a copy of BasePlan(), the other side
  std::vector<std::string> want;
};

TEST(ComparePlansTest, EveryKindOfInputChangeHasItsLine) {
  auto in = [](v1::Plan& p) -> v1::CreatePlanRequest& { return *p.mutable_inputs(); };
  auto rep = [&](v1::Plan& p, const std::string& id) -> v1::Rep& {
    for (auto& r : *in(p).mutable_reps()) {
      if (r.id() == id) return r;
    }
    throw std::logic_error("no rep " + id);
  };
  auto hire = [&](v1::Plan& p) -> v1::Rep& { return *in(p).mutable_capacity()->mutable_planned_hires(0)->mutable_rep(); };
  const std::vector<InputCase> cases = {
      {"name", [&](v1::Plan& p) { in(p).set_name("FY2027 stretch"); },
       {"name: \"FY2027 baseline\" -> \"FY2027 stretch\""}},
      {"target", [&](v1::Plan& p) { *in(p).mutable_target() = MakeMoney("USD", M(50)); },
       {"target: 48,000,000.00 USD -> 50,000,000.00 USD"}},
      {"method", [&](v1::Plan& p) { in(p).set_method(v1::ALLOCATION_METHOD_BLENDED); },
       {"method: HISTORICAL_SHARE -> BLENDED"}},
      {"fiscal year", [&](v1::Plan& p) { in(p).set_fiscal_year(2028); }, {"fiscal year: 2027 -> 2028"}},
      {"fiscal quarter", [&](v1::Plan& p) { in(p).set_fiscal_quarter(2); },
       {"fiscal quarter: full year -> Q2"}},
      {"calendar", [&](v1::Plan& p) { in(p).mutable_calendar()->set_start_month(2); },
       {"fiscal year start month: 1 -> 2"}},
      {"blend",
       [&](v1::Plan& p) {
         in(p).mutable_blend()->set_equal_split(0.2);
         in(p).mutable_blend()->set_historical_share(0.4);
         in(p).mutable_blend()->set_forecast_share(0.4);
       },
       {"blend weights (equal / historical / forecast): 0% / 0% / 0% -> 20% / 40% / 40%"}},
      {"over-assignment", [&](v1::Plan& p) { in(p).set_over_assignment(0.125); },
       {"over-assignment: 0% -> 12.5%"}},
      {"rounding", [&](v1::Plan& p) { in(p).set_rounding_unit(100000); },
       {"rounding unit: none -> 1,000.00 USD"}},
      {"seasonality", [&](v1::Plan& p) { in(p).set_seasonality(v1::SEASONALITY_SOURCE_LAST_YEAR); },
       {"seasonality: EVEN -> LAST_YEAR"}},
      {"history window", [&](v1::Plan& p) { in(p).set_history_window_months(24); },
       {"history window: 12 months -> 24 months"}},
      {"history series added",
       [&](v1::Plan& p) {
         v1::TimeSeries s = in(p).history(0);
         s.set_id("u3");
         s.mutable_values()->Truncate(6);
         *in(p).add_history() = s;
       },
       {"history series u3 added (6 values)"}},
      {"history series removed", [&](v1::Plan& p) { in(p).mutable_history()->RemoveLast(); },
       {"history series u2 removed (was 12 values)"}},
      {"history values", [&](v1::Plan& p) { in(p).mutable_history(0)->set_values(3, 1); },
       {"history series u1: 1 of 12 values changed"}},
      {"history length", [&](v1::Plan& p) { in(p).mutable_history(0)->add_values(5); },
       {"history series u1: 12 values -> 13 values"}},
      {"history start", [&](v1::Plan& p) { *in(p).mutable_history(1)->mutable_start() = Day(2025, 2, 1); },
       {"history series u2: start 2025-01-01 -> 2025-02-01"}},
      {"history labels", [&](v1::Plan& p) { (*in(p).mutable_history(1)->mutable_labels())["k"] = "v"; },
       {"history series u2: changed"}},
      {"override added",
       [&](v1::Plan& p) {
         v1::QuotaOverride& o = *in(p).add_overrides();
         o.set_id("EMEA");
         *o.mutable_quota() = MakeMoney("USD", M(12));
       },
       {"override EMEA added: 12,000,000.00 USD"}},
      {"override removed", [&](v1::Plan& p) { in(p).clear_overrides(); },
       {"override u3 removed (was 24,000,000.00 USD)"}},
      {"override changed", [&](v1::Plan& p) { in(p).mutable_overrides(0)->mutable_quota()->set_minor_units(M(20)); },
       {"override u3: 24,000,000.00 USD -> 20,000,000.00 USD"}},
      {"override note", [&](v1::Plan& p) { in(p).mutable_overrides(0)->set_note("renewal"); },
       {"override u3: note \"key account\" -> \"renewal\""}},
      {"rep added", [&](v1::Plan& p) { *in(p).add_reps() = Rep("u9", "AMER"); },
       {"rep u9 added (territory AMER)"}},
      {"rep removed", [&](v1::Plan& p) { in(p).mutable_reps()->RemoveLast(); },
       {"rep u3 removed (was in territory AMER)"}},
      {"rep moved", [&](v1::Plan& p) { rep(p, "u1").set_territory_id("AMER"); },
       {"rep u1: territory EMEA -> AMER"}},
      {"rep renamed", [&](v1::Plan& p) { rep(p, "u1").set_name("Ann"); },
       {"rep u1: name \"Rep u1\" -> \"Ann\""}},
      {"rep hire date", [&](v1::Plan& p) { *rep(p, "u1").mutable_hire_date() = Day(2021, 3, 1); },
       {"rep u1: hire date 2020-01-06 -> 2021-03-01"}},
      {"rep end date", [&](v1::Plan& p) { *rep(p, "u2").mutable_end_date() = Day(2026, 6, 30); },
       {"rep u2: end date unset -> 2026-06-30"}},
      {"territory added", [&](v1::Plan& p) { *in(p).add_territories() = Node("APAC", "CO"); },
       {"territory APAC added (under CO)"}},
      {"territory removed", [&](v1::Plan& p) { in(p).mutable_territories()->RemoveLast(); },
       {"territory AMER removed (was under CO)"}},
      {"territory re-parented", [&](v1::Plan& p) { in(p).mutable_territories(2)->set_parent_id("EMEA"); },
       {"territory AMER: parent CO -> EMEA"}},
      {"territory renamed", [&](v1::Plan& p) { in(p).mutable_territories(1)->set_name("Europe"); },
       {"territory EMEA: name \"EMEA name\" -> \"Europe\""}},
      {"territory level", [&](v1::Plan& p) { in(p).mutable_territories(1)->set_level("area"); },
       {"territory EMEA: level \"region\" -> \"area\""}},
      {"capacity full quota",
       [&](v1::Plan& p) { in(p).mutable_capacity()->mutable_full_annual_quota()->set_minor_units(M(15) / 10); },
       {"capacity full annual quota: 1,200,000.00 USD -> 1,500,000.00 USD"}},
      {"capacity ramp", [&](v1::Plan& p) { in(p).mutable_capacity()->mutable_ramp()->RemoveLast(); },
       {"capacity ramp: 25% / 50% / 75% -> 25% / 50%"}},
      {"capacity ramp cleared", [&](v1::Plan& p) { in(p).mutable_capacity()->clear_ramp(); },
       {"capacity ramp: 25% / 50% / 75% -> none"}},
      {"capacity attrition", [&](v1::Plan& p) { in(p).mutable_capacity()->set_annual_attrition(0.12); },
       {"capacity annual attrition: 10% -> 12%"}},
      {"capacity removed", [&](v1::Plan& p) { in(p).clear_capacity(); },
       {"capacity full annual quota: 1,200,000.00 USD -> none", "capacity ramp: 25% / 50% / 75% -> none",
        "capacity annual attrition: 10% -> 0%",
        "planned hire TBH-1 removed (was territory EMEA, starting 2026-04-01)"}},
      {"planned hire added",
       [&](v1::Plan& p) {
         v1::Rep& r = *in(p).mutable_capacity()->add_planned_hires()->mutable_rep();
         r = Rep("TBH-2", "AMER");
         *r.mutable_hire_date() = Day(2026, 7, 1);
       },
       {"planned hire TBH-2 added (territory AMER, starts 2026-07-01)"}},
      {"planned hire removed", [&](v1::Plan& p) { in(p).mutable_capacity()->clear_planned_hires(); },
       {"planned hire TBH-1 removed (was territory EMEA, starting 2026-04-01)"}},
      {"planned hire moved",
       [&](v1::Plan& p) {
         *hire(p).mutable_hire_date() = Day(2026, 7, 1);
         hire(p).set_territory_id("AMER");
       },
       {"planned hire TBH-1: territory EMEA -> AMER", "planned hire TBH-1: start 2026-04-01 -> 2026-07-01"}},
      {"status", [&](v1::Plan& p) { p.set_status(v1::PLAN_STATUS_APPROVED); }, {"status: DRAFT -> APPROVED"}},
  };
  for (const InputCase& c : cases) {
    SCOPED_TRACE(c.what);
    v1::Plan other = BasePlan();
    other.set_version(2);
    c.edit(other);
    const v1::ComparePlansResponse r = ComparePlans(BasePlan(), other);
    EXPECT_THAT(Changes(r), ElementsAreArray(c.want));
    // Inputs alone never move a row: the allocations are the same.
    for (const auto& row : r.rows()) EXPECT_EQ(row.change().minor_units(), 0) << row.id();
  }
}

TEST(ComparePlansTest, SeveralChangesComeInAFixedOrder) {
  v1::Plan other = BasePlan();
  other.set_status(v1::PLAN_STATUS_APPROVED);
  other.mutable_inputs()->set_method(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  other.mutable_inputs()->set_name("v2");
  other.mutable_inputs()->mutable_reps(0)->set_territory_id("AMER");
  EXPECT_THAT(Changes(ComparePlans(BasePlan(), other)),
              ElementsAre("name: \"FY2027 baseline\" -> \"v2\"", "method: HISTORICAL_SHARE -> EQUAL_SPLIT",
                          "rep u1: territory EMEA -> AMER", "status: DRAFT -> APPROVED"));
}

}  // namespace
}  // namespace salesops::quota
