// `salesctl plan` flag parsing: --method, --blend, --ramp, --hire, --seasonality, the create flags
// as a request, and `plan override`'s --set / --clear edits.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/salesctl/plan_request.h"

namespace salesops::salesctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Error(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return std::string(status.message());
}

v1::CreatePlanRequest UsdRequest() {
  v1::CreatePlanRequest request;
  request.mutable_target()->set_currency_code("USD");
  request.mutable_target()->set_minor_units(4'800'000'000);
  return request;
}

TEST(PlanFlagsTest, Methods) {
  EXPECT_EQ(*ParseAllocationMethod("equal"), v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  EXPECT_EQ(*ParseAllocationMethod("historical"), v1::ALLOCATION_METHOD_HISTORICAL_SHARE);
  EXPECT_EQ(*ParseAllocationMethod("Forecast"), v1::ALLOCATION_METHOD_FORECAST_SHARE);
  EXPECT_EQ(*ParseAllocationMethod("blended"), v1::ALLOCATION_METHOD_BLENDED);
  EXPECT_EQ(*ParseAllocationMethod("capacity"), v1::ALLOCATION_METHOD_CAPACITY);
  EXPECT_EQ(*ParseAllocationMethod("ALLOCATION_METHOD_CAPACITY"), v1::ALLOCATION_METHOD_CAPACITY);
  EXPECT_THAT(Error(ParseAllocationMethod("random").status()),
              HasSubstr("--method: \"random\" is not one of equal, historical, forecast, blended, capacity"));
}

TEST(PlanFlagsTest, Blend) {
  auto blend = ParseBlend("equal=0.2,historical=0.4,forecast=0.4");
  ASSERT_TRUE(blend.ok()) << blend.status();
  EXPECT_DOUBLE_EQ(blend->equal_split(), 0.2);
  EXPECT_DOUBLE_EQ(blend->historical_share(), 0.4);
  EXPECT_DOUBLE_EQ(blend->forecast_share(), 0.4);

  // Unnamed weights are 0; whether they sum to 1 is the server's call.
  blend = ParseBlend(" historical = 0.5 , forecast=0.7");
  ASSERT_TRUE(blend.ok()) << blend.status();
  EXPECT_EQ(blend->equal_split(), 0);
  EXPECT_DOUBLE_EQ(blend->historical_share(), 0.5);
  EXPECT_DOUBLE_EQ(blend->forecast_share(), 0.7);

  EXPECT_THAT(Error(ParseBlend("equal=0.5,capacity=0.5").status()), HasSubstr("\"capacity\", not equal, historical or forecast"));
  EXPECT_THAT(Error(ParseBlend("equal=0.5,equal=0.5").status()), HasSubstr("names equal twice"));
  EXPECT_THAT(Error(ParseBlend("equal=half").status()), HasSubstr("\"half\" is not a number"));
  EXPECT_THAT(Error(ParseBlend("equal").status()), HasSubstr("--blend: \"equal\" is not like equal=0.2"));
  EXPECT_THAT(Error(ParseBlend("").status()), HasSubstr("--blend"));
}

TEST(PlanFlagsTest, Ramp) {
  auto ramp = ParseRamp("25,50,75");
  ASSERT_TRUE(ramp.ok()) << ramp.status();
  EXPECT_THAT(*ramp, ElementsAre(0.25, 0.5, 0.75));
  ramp = ParseRamp("0, 33.5%,100");
  ASSERT_TRUE(ramp.ok()) << ramp.status();
  EXPECT_THAT(*ramp, ElementsAre(0.0, 0.335, 1.0));
  EXPECT_THAT(Error(ParseRamp("25,,75").status()), HasSubstr("--ramp: \"25,,75\" is not a list of percentages"));
  EXPECT_THAT(Error(ParseRamp("25,150").status()), HasSubstr("has 150, not a percentage in 0..100"));
  EXPECT_THAT(Error(ParseRamp("-5").status()), HasSubstr("not a percentage in 0..100"));
}

TEST(PlanFlagsTest, PlannedHire) {
  auto hire = ParsePlannedHire("TBH-EMEA-1:EMEA:2027-03-01");
  ASSERT_TRUE(hire.ok()) << hire.status();
  EXPECT_EQ(hire->rep().id(), "TBH-EMEA-1");
  EXPECT_EQ(hire->rep().territory_id(), "EMEA");
  EXPECT_EQ(hire->rep().hire_date().year(), 2027);
  EXPECT_EQ(hire->rep().hire_date().month(), 3);
  EXPECT_EQ(hire->rep().hire_date().day(), 1);
  EXPECT_THAT(Error(ParsePlannedHire("TBH-1:EMEA").status()), HasSubstr("is not ID:TERRITORY:YYYY-MM-DD"));
  EXPECT_THAT(Error(ParsePlannedHire("TBH-1:EMEA:2027-02-30").status()), HasSubstr("\"2027-02-30\", not a date"));
  EXPECT_THAT(Error(ParsePlannedHire(":EMEA:2027-02-01").status()), HasSubstr("has no rep id"));
  EXPECT_THAT(Error(ParsePlannedHire("TBH-1: :2027-02-01").status()), HasSubstr("has no territory"));
}

TEST(PlanFlagsTest, Seasonality) {
  EXPECT_EQ(*ParseSeasonality("even"), v1::SEASONALITY_SOURCE_EVEN);
  EXPECT_EQ(*ParseSeasonality("last-year"), v1::SEASONALITY_SOURCE_LAST_YEAR);
  EXPECT_EQ(*ParseSeasonality("FORECAST"), v1::SEASONALITY_SOURCE_FORECAST);
  EXPECT_THAT(Error(ParseSeasonality("monthly").status()), HasSubstr("not one of even, last-year, forecast"));
}

TEST(PlanFlagsTest, ApplyEveryFlag) {
  PlanFlags flags;
  flags.method = "capacity";
  flags.fiscal_quarter = 3;
  flags.over_assignment = 0.15;
  flags.rounding = "1,000";
  flags.seasonality = "last-year";
  flags.full_quota = "1200000";
  flags.ramp = "25,50,75";
  flags.attrition = 0.12;
  flags.hires = {"TBH-1:EMEA:2027-03-01", "TBH-2:AMER:2027-06-15"};
  flags.reason = "FY27 kickoff";
  flags.author = "alice";
  v1::CreatePlanRequest request = UsdRequest();
  ASSERT_TRUE(ApplyPlanFlags(flags, &request).ok());
  EXPECT_EQ(request.method(), v1::ALLOCATION_METHOD_CAPACITY);
  EXPECT_EQ(request.fiscal_quarter(), 3);
  EXPECT_DOUBLE_EQ(request.over_assignment(), 0.15);
  EXPECT_EQ(request.rounding_unit(), 100'000);  // 1,000.00 in cents
  EXPECT_EQ(request.seasonality(), v1::SEASONALITY_SOURCE_LAST_YEAR);
  EXPECT_EQ(request.capacity().full_annual_quota().currency_code(), "USD");
  EXPECT_EQ(request.capacity().full_annual_quota().minor_units(), 120'000'000);
  EXPECT_THAT(request.capacity().ramp(), ElementsAre(0.25, 0.5, 0.75));
  EXPECT_DOUBLE_EQ(request.capacity().annual_attrition(), 0.12);
  ASSERT_EQ(request.capacity().planned_hires_size(), 2);
  EXPECT_EQ(request.capacity().planned_hires(1).rep().territory_id(), "AMER");
  EXPECT_EQ(request.reason(), "FY27 kickoff");
  EXPECT_EQ(request.created_by(), "alice");
}

TEST(PlanFlagsTest, ApplyDefaults) {
  v1::CreatePlanRequest request = UsdRequest();
  ASSERT_TRUE(ApplyPlanFlags(PlanFlags{}, &request).ok());
  EXPECT_EQ(request.method(), v1::ALLOCATION_METHOD_FORECAST_SHARE);
  EXPECT_FALSE(request.has_capacity());  // no capacity flag, no capacity settings
  EXPECT_FALSE(request.has_blend());
  EXPECT_EQ(request.rounding_unit(), 0);
  EXPECT_EQ(request.seasonality(), v1::SEASONALITY_SOURCE_UNSPECIFIED);

  // --blend alone means blended.
  PlanFlags flags;
  flags.blend = "historical=0.5,forecast=0.5";
  request = UsdRequest();
  ASSERT_TRUE(ApplyPlanFlags(flags, &request).ok());
  EXPECT_EQ(request.method(), v1::ALLOCATION_METHOD_BLENDED);
  EXPECT_DOUBLE_EQ(request.blend().historical_share(), 0.5);

  // A capacity setting goes with any method (the plan then reports its capacity coverage).
  flags = PlanFlags{};
  flags.method = "historical";
  flags.full_quota = "900000";
  request = UsdRequest();
  ASSERT_TRUE(ApplyPlanFlags(flags, &request).ok());
  EXPECT_EQ(request.capacity().full_annual_quota().minor_units(), 90'000'000);
}

TEST(PlanFlagsTest, ApplyErrorsNameTheFlag) {
  auto apply = [](PlanFlags flags) {
    v1::CreatePlanRequest request = UsdRequest();
    return Error(ApplyPlanFlags(flags, &request));
  };
  PlanFlags flags;
  flags.method = "forecast";
  flags.blend = "equal=1";
  EXPECT_THAT(apply(flags), HasSubstr("--blend: only with --method blended (not forecast)"));
  flags = PlanFlags{};
  flags.rounding = "a thousand";
  EXPECT_THAT(apply(flags), HasSubstr("--round: \"a thousand\" is not an amount in USD"));
  flags = PlanFlags{};
  flags.full_quota = "lots";
  EXPECT_THAT(apply(flags), HasSubstr("--full-quota: \"lots\" is not an amount"));
  flags = PlanFlags{};
  flags.hires = {"TBH-1:EMEA:2027-03-01", "TBH-2"};
  EXPECT_THAT(apply(flags), HasSubstr("--hire: \"TBH-2\""));
  flags = PlanFlags{};
  flags.seasonality = "weekly";
  EXPECT_THAT(apply(flags), HasSubstr("--seasonality"));
}

v1::CreatePlanRequest WithOverrides() {
  v1::CreatePlanRequest inputs = UsdRequest();
  auto* o = inputs.add_overrides();
  o->set_id("EMEA");
  o->mutable_quota()->set_currency_code("USD");
  o->mutable_quota()->set_minor_units(1'000'000'000);
  o->set_note("old");
  o = inputs.add_overrides();
  o->set_id("r7");
  o->mutable_quota()->set_currency_code("USD");
  o->mutable_quota()->set_minor_units(50'000'000);
  return inputs;
}

TEST(PlanOverrideEditTest, SetReplacesOrAdds) {
  v1::CreatePlanRequest inputs = WithOverrides();
  ASSERT_TRUE(EditOverrides({"EMEA=12,500,000", "r3=400000.50"}, {}, "bigger EMEA", &inputs).ok());
  ASSERT_EQ(inputs.overrides_size(), 3);
  EXPECT_EQ(inputs.overrides(0).id(), "EMEA");
  EXPECT_EQ(inputs.overrides(0).quota().minor_units(), 1'250'000'000);
  EXPECT_EQ(inputs.overrides(0).note(), "bigger EMEA");
  EXPECT_EQ(inputs.overrides(1).id(), "r7");  // untouched
  EXPECT_EQ(inputs.overrides(1).quota().minor_units(), 50'000'000);
  EXPECT_EQ(inputs.overrides(2).id(), "r3");
  EXPECT_EQ(inputs.overrides(2).quota().currency_code(), "USD");
  EXPECT_EQ(inputs.overrides(2).quota().minor_units(), 40'000'050);
}

TEST(PlanOverrideEditTest, Clear) {
  v1::CreatePlanRequest inputs = WithOverrides();
  ASSERT_TRUE(EditOverrides({}, {"EMEA"}, "", &inputs).ok());
  ASSERT_EQ(inputs.overrides_size(), 1);
  EXPECT_EQ(inputs.overrides(0).id(), "r7");
}

TEST(PlanOverrideEditTest, Errors) {
  v1::CreatePlanRequest inputs = WithOverrides();
  EXPECT_THAT(Error(EditOverrides({"EMEA"}, {}, "", &inputs)), HasSubstr("--set: \"EMEA\" is not ID=AMOUNT"));
  EXPECT_THAT(Error(EditOverrides({"=5"}, {}, "", &inputs)), HasSubstr("is not ID=AMOUNT"));
  EXPECT_THAT(Error(EditOverrides({"EMEA=five"}, {}, "", &inputs)), HasSubstr("\"five\" is not an amount in USD"));
  EXPECT_THAT(Error(EditOverrides({"r1=5", "r1=6"}, {}, "", &inputs)), HasSubstr("sets r1 a second time"));
  EXPECT_THAT(Error(EditOverrides({"r1=5"}, {"r1"}, "", &inputs)), HasSubstr("--clear: \"r1\" is also given to --set"));
  EXPECT_THAT(Error(EditOverrides({}, {"APAC"}, "", &inputs)), HasSubstr("--clear: \"APAC\" has no override"));
}

TEST(PlanTargetTest, QuarterGrowsLastYearsQuarter) {
  DemoCompany company;
  company.header.set_currency_code("USD");
  company.header.mutable_calendar()->set_start_month(2);  // FY2027 = 2026-02 .. 2027-01
  auto won = [&](int y, int m, int64_t amount) {
    v1::Opportunity o;
    o.set_closed(true);
    o.set_won(true);
    o.mutable_close_date()->set_year(y);
    o.mutable_close_date()->set_month(m);
    o.mutable_close_date()->set_day(15);
    o.mutable_amount()->set_currency_code("USD");
    o.mutable_amount()->set_minor_units(amount);
    company.opportunities.push_back(o);
  };
  won(2025, 2, 100);   // FY2026 Q1
  won(2025, 8, 1000);  // FY2026 Q3
  won(2025, 10, 500);  // FY2026 Q3 (fiscal month 9)
  won(2026, 1, 7);     // FY2026 Q4
  EXPECT_EQ(BookingsInFiscalYear(company, 2026), 1607);
  EXPECT_EQ(BookingsInFiscalYear(company, 2026, 3), 1500);
  EXPECT_EQ(*PlanTarget(company, 2027, "", 10, 3), 1650);
  EXPECT_EQ(*PlanTarget(company, 2027, "", 0, 0), 1607);
  EXPECT_THAT(Error(PlanTarget(company, 2027, "", 10, 2).status()), HasSubstr("no bookings in FY2026 Q2"));
}

}  // namespace
}  // namespace salesops::salesctl
