#include "services/quota/capacity.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::quota {
namespace {

using ::testing::StartsWith;

Date D(int y, unsigned m, unsigned d) { return std::chrono::year{y} / m / d; }

// Plans below run January..December 2026 unless said otherwise.
const int kJan2026 = MonthNumber(D(2026, 1, 1));

// 1,200,000 a year: 100,000 a month for a fully ramped rep, so the numbers read easily.
CapacityModel Model(std::vector<double> ramp = {}, double attrition = 0) {
  return CapacityModel{.full_annual_quota = 1'200'000, .ramp = std::move(ramp),
                       .annual_attrition = attrition};
}

void ExpectMonths(const std::array<double, 12>& got, const std::array<double, 12>& want) {
  for (int i = 0; i < 12; ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << "month " << i;
}

TEST(RepMonthlyCapacityTest, HiredLongBeforeWithoutAttritionIsFullEveryMonth) {
  // No hire date, or a hire date years ago: fully ramped, 100,000 every month, 1,200,000 a year.
  for (std::optional<Date> hire : {std::optional<Date>(), std::optional<Date>(D(2019, 5, 20))}) {
    auto c = RepMonthlyCapacity(Model({0.25, 0.5, 0.75}), hire, std::nullopt, kJan2026);
    ExpectMonths(c, {1e5, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5});
    EXPECT_NEAR(SumMonths(c), 1'200'000, 1e-6);
    EXPECT_NEAR(SumMonths(c, 3, 3), 300'000, 1e-6);  // Q2
  }
}

TEST(RepMonthlyCapacityTest, AttritionDiscountsByMidMonthSurvival) {
  // a = 0.2: survival(i) = 0.8^((i + 0.5) / 12). ln 0.8 = -0.2231436, so
  //   i = 0:  0.8^(1/24)  = e^(-0.0092977) = 0.9907454
  //   i = 5:  0.8^(11/24) = e^(-0.1022741) = 0.9027820
  //   i = 11: 0.8^(23/24) = e^(-0.2138459) = 0.8074728
  // and each month is the previous one times 0.8^(1/12) = 0.9815765.
  // Year: 100,000 * 0.8^(1/24) * (1 - 0.8) / (1 - 0.8^(1/12)) = 1,075,525.33 (geometric series).
  auto c = RepMonthlyCapacity(Model({}, 0.2), std::nullopt, std::nullopt, kJan2026);
  EXPECT_NEAR(c[0], 99'074.54, 0.01);
  EXPECT_NEAR(c[5], 90'278.20, 0.01);
  EXPECT_NEAR(c[11], 80'747.28, 0.01);
  for (int i = 1; i < 12; ++i) EXPECT_NEAR(c[i] / c[i - 1], 0.9815765, 1e-7) << i;
  EXPECT_NEAR(SumMonths(c), 1'075'525.33, 0.01);

  // a = 0: survival is exactly 1.
  auto none = RepMonthlyCapacity(Model({}, 0), std::nullopt, std::nullopt, kJan2026);
  for (double x : none) EXPECT_EQ(x, 100'000);
}

TEST(RepMonthlyCapacityTest, HiredMidYearOnTheFirstRampsUp) {
  // Hired 2026-04-01, ramp 25% / 50% / 75%, no attrition:
  //   Jan..Mar 0 (not hired), Apr 25,000, May 50,000, Jun 75,000, Jul..Dec 100,000.
  //   Year: 150,000 + 6 * 100,000 = 750,000.
  auto c = RepMonthlyCapacity(Model({0.25, 0.5, 0.75}), D(2026, 4, 1), std::nullopt, kJan2026);
  ExpectMonths(c, {0, 0, 0, 25e3, 50e3, 75e3, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5});
  EXPECT_NEAR(SumMonths(c), 750'000, 1e-6);
  EXPECT_NEAR(SumMonths(c, 0, 3), 0, 1e-9);         // Q1
  EXPECT_NEAR(SumMonths(c, 3, 3), 150'000, 1e-6);   // Q2

  // With attrition 0.2, April (i = 3) is 100,000 * 0.25 * 0.8^(3.5/12) = 25,000 * 0.9369892.
  auto a = RepMonthlyCapacity(Model({0.25, 0.5, 0.75}, 0.2), D(2026, 4, 1), std::nullopt, kJan2026);
  EXPECT_NEAR(a[3], 23'424.73, 0.01);
  EXPECT_EQ(a[2], 0);
}

TEST(RepMonthlyCapacityTest, HiredOnThe16thOfA30DayMonthIsPresentHalfTheMonth) {
  // April has 30 days; hired on the 16th: present on the 16th..30th = 15 of 30 days.
  // Without a ramp: April 50,000, then 100,000.
  auto flat = RepMonthlyCapacity(Model(), D(2026, 4, 16), std::nullopt, kJan2026);
  ExpectMonths(flat, {0, 0, 0, 50e3, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5});
  // With the ramp, April is still ramp month 0 (whole months, not days):
  //   April 100,000 * 0.25 * 0.5 = 12,500, May 50,000, June 75,000.
  auto ramped = RepMonthlyCapacity(Model({0.25, 0.5, 0.75}), D(2026, 4, 16), std::nullopt, kJan2026);
  ExpectMonths(ramped, {0, 0, 0, 12.5e3, 50e3, 75e3, 1e5, 1e5, 1e5, 1e5, 1e5, 1e5});
  // Hired on the last day of a 31-day month: 1/31 of it.
  auto last_day = RepMonthlyCapacity(Model(), D(2026, 1, 31), std::nullopt, kJan2026);
  EXPECT_NEAR(last_day[0], 100'000.0 / 31, 1e-9);
}

TEST(RepMonthlyCapacityTest, LeavingMidYear) {
  // Leaves 2026-06-15; June has 30 days, the end day counts: 15/30 -> 50,000, then nothing.
  auto c = RepMonthlyCapacity(Model(), std::nullopt, D(2026, 6, 15), kJan2026);
  ExpectMonths(c, {1e5, 1e5, 1e5, 1e5, 1e5, 50e3, 0, 0, 0, 0, 0, 0});
  EXPECT_NEAR(SumMonths(c), 550'000, 1e-6);
  // Leaving on the last day of a month: that month is whole, the next is 0.
  auto eom = RepMonthlyCapacity(Model(), std::nullopt, D(2026, 2, 28), kJan2026);
  EXPECT_NEAR(eom[1], 100'000, 1e-9);
  EXPECT_EQ(eom[2], 0);
  // Left before the plan: nothing.
  auto gone = RepMonthlyCapacity(Model(), D(2020, 1, 1), D(2025, 12, 31), kJan2026);
  for (double x : gone) EXPECT_EQ(x, 0);
}

TEST(RepMonthlyCapacityTest, HiredAndLeavingInTheSameMonth) {
  // March has 31 days; employed 10th..20th inclusive = 11 days, ramp month 0 (25%):
  //   100,000 * 0.25 * 11/31 = 8,870.97.
  auto c = RepMonthlyCapacity(Model({0.25, 0.5}), D(2026, 3, 10), D(2026, 3, 20), kJan2026);
  EXPECT_NEAR(c[2], 100'000 * 0.25 * 11 / 31, 1e-9);
  EXPECT_NEAR(SumMonths(c), c[2], 1e-9);
}

TEST(RepMonthlyCapacityTest, HiredAfterThePlanYearHasNoCapacity) {
  auto c = RepMonthlyCapacity(Model({0.5}), D(2027, 1, 1), std::nullopt, kJan2026);
  for (double x : c) EXPECT_EQ(x, 0);
}

TEST(RepMonthlyCapacityTest, RampLongerThanTheYear) {
  // 18-month ramp, ramp[k] = k / 18. Hired 2025-10-01, three months before the plan: January is
  // ramp month 3, December ramp month 14, so month i is 100,000 * (i + 3) / 18.
  std::vector<double> ramp(18);
  for (int k = 0; k < 18; ++k) ramp[k] = k / 18.0;
  auto c = RepMonthlyCapacity(Model(ramp), D(2025, 10, 1), std::nullopt, kJan2026);
  for (int i = 0; i < 12; ++i) EXPECT_NEAR(c[i], 100'000.0 * (i + 3) / 18, 1e-6) << i;
  // Hired 2025-01-01: January 2026 is ramp month 12, so Jan..May use 12/18..16/18, June ramp[17]
  // = 17/18, and July on (k >= 18) is fully ramped.
  auto later = RepMonthlyCapacity(Model(ramp), D(2025, 1, 1), std::nullopt, kJan2026);
  EXPECT_NEAR(later[0], 100'000.0 * 12 / 18, 1e-6);
  EXPECT_NEAR(later[5], 100'000.0 * 17 / 18, 1e-6);
  EXPECT_NEAR(later[6], 100'000, 1e-6);
}

TEST(RepMonthlyCapacityTest, FiscalYearAcrossTheCalendarYear) {
  // FY2027 with start month 2 runs 2026-02 .. 2027-01. Hired 2026-12-01 with ramp 25% / 50%:
  // December is plan month 10 (25,000) and January 2027 plan month 11 (50,000).
  int first = FirstMonthNumberOfFiscalYear(2027, 2);
  ASSERT_EQ(first, MonthNumber(D(2026, 2, 1)));
  auto c = RepMonthlyCapacity(Model({0.25, 0.5}), D(2026, 12, 1), std::nullopt, first);
  ExpectMonths(c, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25e3, 50e3});
  EXPECT_NEAR(SumMonths(c, 9, 3), 75'000, 1e-6);  // fiscal Q4
}

TEST(SumMonthsTest, ClampsToTheYear) {
  std::array<double, 12> m{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  EXPECT_EQ(SumMonths(m), 78);
  EXPECT_EQ(SumMonths(m, 9, 3), 33);
  EXPECT_EQ(SumMonths(m, 10, 5), 23);
  EXPECT_EQ(SumMonths(m, 0, 0), 0);
}

TEST(ValidateCapacityModelTest, AcceptsAValidModel) {
  EXPECT_TRUE(ValidateCapacityModel(Model({0, 0.5, 1}, 0.3), "capacity").ok());
  EXPECT_TRUE(ValidateCapacityModel(Model(std::vector<double>(kMaxRampMonths, 0.5)), "c").ok());
}

TEST(ValidateCapacityModelTest, ErrorsNameTheField) {
  auto message = [](const CapacityModel& m) {
    absl::Status s = ValidateCapacityModel(m, "capacity");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    return std::string(s.message());
  };
  CapacityModel m = Model();
  m.full_annual_quota = 0;
  EXPECT_THAT(message(m), StartsWith("capacity.full_annual_quota: must be positive"));
  m.full_annual_quota = -5;
  EXPECT_THAT(message(m), StartsWith("capacity.full_annual_quota: "));
  m.full_annual_quota = NAN;
  EXPECT_THAT(message(m), StartsWith("capacity.full_annual_quota: "));

  EXPECT_EQ(message(Model({0.25, 0.5, 1.5})), "capacity.ramp[2]: must be in [0, 1], got 1.5");
  EXPECT_THAT(message(Model({-0.1})), StartsWith("capacity.ramp[0]: must be in [0, 1]"));
  EXPECT_THAT(message(Model({0.5, NAN})), StartsWith("capacity.ramp[1]: "));
  EXPECT_THAT(message(Model(std::vector<double>(kMaxRampMonths + 1, 0.5))),
              StartsWith("capacity.ramp: at most 36 months"));

  EXPECT_THAT(message(Model({}, 1.0)), StartsWith("capacity.annual_attrition: must be in [0, 1)"));
  EXPECT_THAT(message(Model({}, -0.1)), StartsWith("capacity.annual_attrition: "));
  EXPECT_THAT(message(Model({}, NAN)), StartsWith("capacity.annual_attrition: "));

  // No prefix: the bare field.
  EXPECT_THAT(std::string(ValidateCapacityModel(Model({2}), "").message()),
              StartsWith("ramp[0]: "));
}

}  // namespace
}  // namespace salesops::quota
