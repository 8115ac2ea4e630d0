// `salesctl plan` output on hand-built messages: the plan tree with its header and totals, the
// versions table, a stale edit, a comparison and a simulation.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/salesctl/plan_render.h"

namespace salesops::salesctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kMillion = 100'000'000;  // 1,000,000.00 USD in cents

v1::Money Usd(int64_t minor_units) {
  v1::Money m;
  m.set_currency_code("USD");
  m.set_minor_units(minor_units);
  return m;
}

google::protobuf::Timestamp May1() {
  google::protobuf::Timestamp t;
  t.set_seconds(1777644180);  // 2026-05-01 14:03:00 UTC
  return t;
}

void AddAllocation(v1::Plan* plan, const std::string& id, const std::string& name, v1::AllocationKind kind,
                   const std::string& parent, int64_t annual, double share) {
  v1::Allocation* a = plan->add_allocations();
  a->set_id(id);
  a->set_name(name);
  a->set_kind(kind);
  a->set_parent_id(parent);
  *a->mutable_annual_quota() = Usd(annual);
  for (int q = 0; q < 4; ++q) *a->add_quarterly_quota() = Usd(annual / 4);
  for (int m = 0; m < 12; ++m) *a->add_monthly_quota() = Usd(annual / 12);
  a->set_share_of_parent(share);
}

// Acme (48M) -> EMEA (20M: Alice, Bob), AMER (28M: Carol); reps over-assigned by 15%.
v1::Plan HandBuiltPlan() {
  v1::Plan plan;
  plan.set_plan_id("pl-7");
  plan.set_version(3);
  plan.set_name("FY2027 baseline");
  plan.set_fiscal_year(2027);
  *plan.mutable_target() = Usd(48 * kMillion);
  plan.set_method(v1::ALLOCATION_METHOD_BLENDED);
  plan.set_status(v1::PLAN_STATUS_DRAFT);
  AddAllocation(&plan, "CO", "Acme", v1::ALLOCATION_KIND_NODE, "", 48 * kMillion, 1);
  AddAllocation(&plan, "EMEA", "Europe", v1::ALLOCATION_KIND_NODE, "CO", 20 * kMillion, 20.0 / 48);
  AddAllocation(&plan, "r1", "Alice", v1::ALLOCATION_KIND_REP, "EMEA", 11'500'000'00, 0.5);
  AddAllocation(&plan, "r2", "Bob", v1::ALLOCATION_KIND_REP, "EMEA", 11'500'000'00, 0.5);
  AddAllocation(&plan, "AMER", "Americas", v1::ALLOCATION_KIND_NODE, "CO", 28 * kMillion, 28.0 / 48);
  AddAllocation(&plan, "r3", "Carol", v1::ALLOCATION_KIND_REP, "AMER", 32'200'000'00, 1);
  *plan.mutable_rep_quota_total() = Usd(55'200'000'00);
  *plan.mutable_capacity_total() = Usd(50'100'000'00);
  plan.set_capacity_coverage(50.1 / 48);
  v1::CreatePlanRequest* inputs = plan.mutable_inputs();
  inputs->mutable_blend()->set_equal_split(0.2);
  inputs->mutable_blend()->set_historical_share(0.4);
  inputs->mutable_blend()->set_forecast_share(0.4);
  inputs->set_over_assignment(0.15);
  inputs->set_rounding_unit(100'000);
  inputs->set_seasonality(v1::SEASONALITY_SOURCE_FORECAST);
  *inputs->mutable_capacity()->mutable_full_annual_quota() = Usd(12 * kMillion / 10);
  for (double r : {0.25, 0.5, 0.75}) inputs->mutable_capacity()->add_ramp(r);
  inputs->mutable_capacity()->set_annual_attrition(0.12);
  inputs->mutable_capacity()->add_planned_hires()->mutable_rep()->set_id("TBH-1");
  v1::QuotaOverride* o = inputs->add_overrides();
  o->set_id("EMEA");
  *o->mutable_quota() = Usd(20 * kMillion);
  plan.mutable_change()->set_author("alice");
  *plan.mutable_change()->mutable_time() = May1();
  plan.mutable_change()->set_reason("raise EMEA");
  plan.mutable_change()->set_action("updated");
  return plan;
}

TEST(PlanRenderTest, PlanTextIsATreeWithTotals) {
  EXPECT_EQ(PlanText(HandBuiltPlan()),
            "plan pl-7 \"FY2027 baseline\" version 3, DRAFT\n"
            "FY2027 (full year); method blended (equal 20%, historical 40%, forecast 40%); seasonality "
            "forecast; rounded to 1,000; amounts in USD\n"
            "target 48,000,000; rep quotas 55,200,000, 115.0% of target (over-assignment 15.0%)\n"
            "capacity 50,100,000, 104.4% of target (full quota 1,200,000; ramp 25/50/75%; attrition 12.0%; "
            "1 planned hire)\n"
            "version 3: updated by alice, 2026-05-01 14:03 UTC: \"raise EMEA\"\n"
            "\n"
            "node / rep           annual          Q1          Q2          Q3          Q4   share\n"
            "---------------  ----------  ----------  ----------  ----------  ----------  ------\n"
            "Acme             48,000,000  12,000,000  12,000,000  12,000,000  12,000,000  100.0%\n"
            "  Europe *       20,000,000   5,000,000   5,000,000   5,000,000   5,000,000   41.7%\n"
            "    Alice (r1)   11,500,000   2,875,000   2,875,000   2,875,000   2,875,000   50.0%\n"
            "    Bob (r2)     11,500,000   2,875,000   2,875,000   2,875,000   2,875,000   50.0%\n"
            "  Americas       28,000,000   7,000,000   7,000,000   7,000,000   7,000,000   58.3%\n"
            "    Carol (r3)   32,200,000   8,050,000   8,050,000   8,050,000   8,050,000  100.0%\n"
            "total of 3 reps  55,200,000  13,800,000  13,800,000  13,800,000  13,800,000  115.0%\n"
            "\n"
            "* manual override (1), locked: rebalancing never changes it\n");
}

TEST(PlanRenderTest, MoneyIsWholeMajorUnitsWithSeparators) {
  EXPECT_EQ(FormatMoneyShort(Usd(123456789)), "1,234,568");
  EXPECT_EQ(FormatMoneyShort(Usd(-99'999'949)), "-999,999");
  v1::Money yen;
  yen.set_currency_code("JPY");
  yen.set_minor_units(1'234'567);
  EXPECT_EQ(FormatMoneyShort(yen), "1,234,567");
}

TEST(PlanRenderTest, QuarterPlanShowsTheQuartersMonths) {
  v1::Plan plan;
  plan.set_plan_id("q");
  plan.set_version(1);
  plan.set_fiscal_year(2027);
  plan.set_fiscal_quarter(3);
  *plan.mutable_target() = Usd(12 * kMillion);
  AddAllocation(&plan, "CO", "", v1::ALLOCATION_KIND_NODE, "", 12 * kMillion, 1);
  AddAllocation(&plan, "r1", "", v1::ALLOCATION_KIND_REP, "CO", 12 * kMillion, 1);
  const std::string text = PlanText(plan);
  EXPECT_THAT(text, HasSubstr("FY2027 Q3 only; method unspecified; seasonality even; amounts in USD\n"));
  EXPECT_THAT(text, HasSubstr("target 12,000,000; rep quotas 12,000,000, 100.0% of target (no over-assignment)\n"));
  EXPECT_THAT(text, Not(HasSubstr("capacity")));
  EXPECT_THAT(text, HasSubstr("node / rep              Q3        M07        M08        M09   share\n"));
  EXPECT_THAT(text, HasSubstr("  r1            12,000,000  1,000,000  1,000,000  1,000,000  100.0%\n"));
  EXPECT_THAT(text, HasSubstr("total of 1 rep  12,000,000"));
}

TEST(PlanRenderTest, ShortCapacityIsCalledOut) {
  v1::Plan plan = HandBuiltPlan();
  plan.set_capacity_coverage(0.9);
  EXPECT_THAT(PlanText(plan), HasSubstr("90.0% of target (full quota"));
  EXPECT_THAT(PlanText(plan), HasSubstr("short: the target needs more people than the plan has\n"));
}

TEST(PlanRenderTest, PlanTableCsvHasTheTotalsRow) {
  std::string csv = PlanTable(HandBuiltPlan()).ToCsv();
  EXPECT_THAT(csv, HasSubstr("node / rep,annual,Q1,Q2,Q3,Q4,share\n"));
  EXPECT_THAT(csv, HasSubstr("\"    Alice (r1)\",\"11,500,000\""));
  EXPECT_THAT(csv, HasSubstr("total of 3 reps,\"55,200,000\""));
}

v1::ListPlanVersionsResponse Versions() {
  v1::ListPlanVersionsResponse versions;
  versions.set_plan_id("pl-7");
  for (int v = 4; v >= 1; --v) {
    v1::PlanVersionSummary* s = versions.add_versions();
    s->set_version(v);
    s->set_status(v == 4 ? v1::PLAN_STATUS_APPROVED : v1::PLAN_STATUS_DRAFT);
    s->mutable_change()->set_author(v == 4 ? "bob" : "alice");
    s->mutable_change()->set_action(v == 1 ? "created" : v == 4 ? "approved" : "updated");
    s->mutable_change()->set_reason(v == 4 ? "signed off" : "");
    *s->mutable_change()->mutable_time() = May1();
    s->mutable_change()->mutable_time()->set_seconds(May1().seconds() + 3600 * v);
    *s->mutable_target() = Usd(48 * kMillion);
    s->set_method(v1::ALLOCATION_METHOD_FORECAST_SHARE);
  }
  return versions;
}

TEST(PlanRenderTest, VersionsTable) {
  EXPECT_EQ(PlanVersionsTable(Versions()).ToText(),
            "version  status    action    author  time                      target  method    reason\n"
            "-------  --------  --------  ------  --------------------  ----------  --------  ----------\n"
            "4        APPROVED  approved  bob     2026-05-01 18:03 UTC  48,000,000  forecast  signed off\n"
            "3        DRAFT     updated   alice   2026-05-01 17:03 UTC  48,000,000  forecast\n"
            "2        DRAFT     updated   alice   2026-05-01 16:03 UTC  48,000,000  forecast\n"
            "1        DRAFT     created   alice   2026-05-01 15:03 UTC  48,000,000  forecast\n");
}

TEST(PlanRenderTest, StaleEditSaysWhoChangedThePlan) {
  EXPECT_EQ(StalePlanText("pl-7", 3, Versions()),
            "plan pl-7 was changed by someone else since you read version 3:\n"
            "  version 4 (APPROVED): approved by bob, 2026-05-01 18:03 UTC: \"signed off\"\n"
            "Nothing was written. Run the command again to apply your change to the latest version.\n");
  EXPECT_THAT(StalePlanText("pl-7", 3, v1::ListPlanVersionsResponse{}),
              HasSubstr("(the newer versions could not be listed)"));
}

TEST(PlanRenderTest, DiffTableAndInputChanges) {
  v1::ComparePlansResponse diff;
  diff.mutable_base()->set_plan_id("pl-7");
  diff.mutable_base()->set_version(2);
  diff.mutable_other()->set_plan_id("pl-7");
  diff.mutable_other()->set_version(3);
  auto row = [&](const std::string& id, const std::string& name, v1::AllocationKind kind, const std::string& parent,
                 bool in_base, bool in_other, int64_t base, int64_t other) {
    v1::QuotaComparison* r = diff.add_rows();
    r->set_id(id);
    r->set_name(name);
    r->set_kind(kind);
    r->set_parent_id(parent);
    r->set_in_base(in_base);
    r->set_in_other(in_other);
    *r->mutable_base_quota() = Usd(base);
    *r->mutable_other_quota() = Usd(other);
    *r->mutable_change() = Usd(other - base);
    r->set_change_ratio(base == 0 ? 0 : static_cast<double>(other - base) / static_cast<double>(base));
  };
  row("CO", "Acme", v1::ALLOCATION_KIND_NODE, "", true, true, 48 * kMillion, 50 * kMillion);
  row("EMEA", "Europe", v1::ALLOCATION_KIND_NODE, "CO", true, true, 20 * kMillion, 19 * kMillion);
  row("r1", "Alice", v1::ALLOCATION_KIND_REP, "EMEA", true, true, 20 * kMillion, 19 * kMillion);
  row("AMER", "Americas", v1::ALLOCATION_KIND_NODE, "CO", true, true, 28 * kMillion, 31 * kMillion);
  row("TBH-1", "", v1::ALLOCATION_KIND_REP, "AMER", false, true, 0, 6 * kMillion);
  row("r9", "Ivan", v1::ALLOCATION_KIND_REP, "AMER", true, false, 3 * kMillion, 0);
  row("r10", "Jo", v1::ALLOCATION_KIND_REP, "AMER", true, true, 2 * kMillion, 2 * kMillion);
  diff.add_input_changes("target: 48,000,000.00 USD -> 50,000,000.00 USD");
  diff.add_input_changes("planned hires: + TBH-1");
  EXPECT_EQ(PlanDiffText(diff),
            "plan pl-7: version 2 (base) -> version 3; amounts in USD\n"
            "\n"
            "id     name              base       other      change  change %\n"
            "-----  ----------  ----------  ----------  ----------  --------\n"
            "CO     Acme        48,000,000  50,000,000  +2,000,000     +4.2%\n"
            "EMEA     Europe    20,000,000  19,000,000  -1,000,000     -5.0%\n"
            "r1         Alice   20,000,000  19,000,000  -1,000,000     -5.0%\n"
            "AMER     Americas  28,000,000  31,000,000  +3,000,000    +10.7%\n"
            "TBH-1                       -   6,000,000  +6,000,000       new\n"
            "r9         Ivan     3,000,000           -  -3,000,000   removed\n"
            "r10        Jo       2,000,000   2,000,000           0      0.0%\n"
            "\n"
            "inputs changed:\n"
            "  target: 48,000,000.00 USD -> 50,000,000.00 USD\n"
            "  planned hires: + TBH-1\n");
  diff.clear_input_changes();
  diff.mutable_other()->set_plan_id("pl-8");
  diff.mutable_other()->set_version(1);
  const std::string text = PlanDiffText(diff);
  EXPECT_THAT(text, HasSubstr("plan pl-7 version 2 (base) -> plan pl-8 version 1; amounts in USD\n"));
  EXPECT_THAT(text, HasSubstr("inputs: no change\n"));
  EXPECT_THAT(PlanDiffTable(diff).ToCsv(), HasSubstr("id,name,base,other,change,change %\nCO,Acme,\"48,000,000\""));
}

v1::SimulatePlanResponse Simulation(double share_at_quota) {
  v1::SimulatePlanResponse s;
  s.mutable_plan()->set_plan_id("pl-7");
  s.mutable_plan()->set_version(3);
  s.set_paths(20000);
  s.set_probability_target_reached(0.623);
  *s.mutable_company_p10() = Usd(41 * kMillion);
  *s.mutable_company_p50() = Usd(47'900'000'00);
  *s.mutable_company_p90() = Usd(55 * kMillion);
  s.set_expected_share_of_reps_at_quota(share_at_quota);
  s.set_share_of_reps_at_quota_p10(0.5);
  s.set_share_of_reps_at_quota_p90(2.0 / 3);
  s.set_rep_variability(0.25);
  s.set_rep_years_observed(120);
  auto rep = [&](const std::string& id, const std::string& name, int64_t quota, int64_t p50, double p, double att) {
    v1::RepOutlook* r = s.add_reps();
    r->set_rep_id(id);
    r->set_name(name);
    r->set_territory_id(id == "r3" ? "AMER" : "EMEA");
    *r->mutable_quota() = Usd(quota);
    *r->mutable_expected_bookings() = Usd(p50);
    r->set_probability_of_quota(p);
    r->set_median_attainment(att);
  };
  rep("r1", "Alice", 11'500'000'00, 12 * kMillion, 0.71, 1.043);
  rep("r2", "Bob", 11'500'000'00, 9 * kMillion, 0.22, 0.783);
  rep("r3", "Carol", 32'200'000'00, 32 * kMillion, 0.48, 0.994);
  rep("r4", "Dan", 0, 0, 0.71, 0);
  return s;
}

TEST(PlanRenderTest, SimulationText) {
  EXPECT_EQ(SimulationText(Simulation(0.581)),
            "simulation of plan pl-7 version 3: 20,000 paths; amounts in USD\n"
            "probability the company reaches its target: 62.3%\n"
            "company bookings: P10 41,000,000, P50 47,900,000, P90 55,000,000\n"
            "expected share of reps at or above quota: 58.1% (P10 50.0%, P90 66.7%), below the 60-65% sales "
            "leaders aim for: quotas may be too high\n"
            "rep variability: 0.25 (log scale), learned from 120 rep-years\n"
            "\n"
            "reps, least likely to make quota first:\n"
            "rep  name   territory       quota  P50 bookings  P(quota)  median attain\n"
            "---  -----  ---------  ----------  ------------  --------  -------------\n"
            "r2   Bob    EMEA       11,500,000     9,000,000     22.0%          78.3%\n"
            "r3   Carol  AMER       32,200,000    32,000,000     48.0%          99.4%\n"
            "r1   Alice  EMEA       11,500,000    12,000,000     71.0%         104.3%\n"
            "r4   Dan    EMEA                0             0     71.0%              -\n");
}

TEST(PlanRenderTest, SimulationGuideline) {
  EXPECT_THAT(SimulationText(Simulation(0.62)), HasSubstr("62.0% (P10 50.0%, P90 66.7%), within the 60-65%"));
  EXPECT_THAT(SimulationText(Simulation(0.5996)), HasSubstr("60.0% (P10 50.0%, P90 66.7%), within the 60-65%"));
  EXPECT_THAT(SimulationText(Simulation(0.70)), HasSubstr("above the 60-65% sales leaders aim for: quotas may be too low"));
  v1::SimulatePlanResponse s = Simulation(0.6);
  s.set_rep_years_observed(0);
  EXPECT_THAT(SimulationText(s), HasSubstr("rep variability: 0.25 (log scale), a default (too little history to learn from)\n"));
}

TEST(PlanRenderTest, Names) {
  EXPECT_EQ(MethodName(v1::ALLOCATION_METHOD_CAPACITY), "capacity");
  EXPECT_EQ(StatusName(v1::PLAN_STATUS_ARCHIVED), "ARCHIVED");
  EXPECT_EQ(FormatTimestamp(google::protobuf::Timestamp{}), "");
  EXPECT_EQ(FormatTimestamp(May1()), "2026-05-01 14:03 UTC");
}

}  // namespace
}  // namespace salesops::salesctl
