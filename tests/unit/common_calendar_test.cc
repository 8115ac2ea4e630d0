#include "common/calendar.h"

#include "gtest/gtest.h"

namespace salesops {
namespace {

Date D(const char* s) { return *ParseDate(s); }

TEST(CalendarTest, ParsesCrmDateFormats) {
  EXPECT_EQ(FormatDate(D("2026-11-28")), "2026-11-28");
  EXPECT_EQ(FormatDate(D("2026/11/28")), "2026-11-28");
  EXPECT_EQ(FormatDate(D("11/28/2026")), "2026-11-28");
  EXPECT_EQ(FormatDate(D("2026-11-28T10:00:00Z")), "2026-11-28");
  EXPECT_EQ(FormatDate(D(" 2026-11-28 ")), "2026-11-28");
  EXPECT_FALSE(ParseDate("2026-13-01"));
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_TRUE(ParseDate("2024-02-29"));
  EXPECT_FALSE(ParseDate(""));
  EXPECT_FALSE(ParseDate("yesterday"));
  EXPECT_FALSE(ParseDate("2026-1-5x"));
}

TEST(CalendarTest, DayAndMonthNumbers) {
  EXPECT_EQ(DayNumber(D("1970-01-01")), 0);
  EXPECT_EQ(DayNumber(D("1970-01-02")), 1);
  EXPECT_EQ(FormatDate(FromDayNumber(DayNumber(D("2024-02-28")) + 1)), "2024-02-29");
  EXPECT_EQ(MonthNumber(D("2026-02-15")) - MonthNumber(D("2025-12-31")), 2);
  EXPECT_EQ(FormatDate(FirstDayOfMonthNumber(MonthNumber(D("2026-02-15")))), "2026-02-01");
  EXPECT_EQ(DaysInMonth(D("2024-02-10")), 29);
  EXPECT_EQ(DaysInMonth(D("2025-02-10")), 28);
  EXPECT_EQ(DaysInMonth(D("2025-12-10")), 31);
}

TEST(CalendarTest, FiscalYearNamedAfterTheYearItEnds) {
  // Start in February: FY2027 = 2026-02-01 .. 2027-01-31.
  EXPECT_EQ(FiscalYearOf(D("2026-02-01"), 2), 2027);
  EXPECT_EQ(FiscalYearOf(D("2026-01-31"), 2), 2026);
  EXPECT_EQ(FiscalYearOf(D("2027-01-31"), 2), 2027);
  EXPECT_EQ(FiscalMonthOf(D("2026-02-01"), 2), 1);
  EXPECT_EQ(FiscalMonthOf(D("2027-01-15"), 2), 12);
  // Calendar years.
  EXPECT_EQ(FiscalYearOf(D("2026-12-31"), 1), 2026);
  EXPECT_EQ(FiscalYearOf(D("2026-12-31"), 0), 2026);
  EXPECT_EQ(FiscalMonthOf(D("2026-12-31"), 1), 12);
}

TEST(CalendarTest, PeriodRanges) {
  auto q4 = RangeOf({PeriodKind::kQuarter, 2027, 4}, 2);
  EXPECT_EQ(FormatDate(q4.first), "2026-11-01");
  EXPECT_EQ(FormatDate(q4.last), "2027-01-31");
  EXPECT_EQ(q4.Days(), 92);
  auto year = RangeOf({PeriodKind::kYear, 2027, 1}, 2);
  EXPECT_EQ(FormatDate(year.first), "2026-02-01");
  EXPECT_EQ(FormatDate(year.last), "2027-01-31");
  auto m1 = RangeOf({PeriodKind::kMonth, 2024, 2}, 1);
  EXPECT_EQ(FormatDate(m1.last), "2024-02-29");
  EXPECT_TRUE(q4.Contains(D("2026-12-25")));
  EXPECT_FALSE(q4.Contains(D("2027-02-01")));
}

TEST(CalendarTest, PeriodContainingAndNames) {
  FiscalPeriod p = PeriodContaining(D("2026-11-28"), PeriodKind::kQuarter, 2);
  EXPECT_EQ(p.fiscal_year, 2027);
  EXPECT_EQ(p.index, 4);
  EXPECT_EQ(PeriodName(p), "FY2027 Q4");
  EXPECT_EQ(PeriodName(PeriodContaining(D("2026-03-05"), PeriodKind::kMonth, 2)), "FY2027 M02");
  EXPECT_EQ(PeriodName(PeriodContaining(D("2026-03-05"), PeriodKind::kYear, 2)), "FY2027");
  // Every day of a year falls in the period that contains it.
  for (int d = DayNumber(D("2025-01-01")); d < DayNumber(D("2027-01-01")); ++d) {
    for (int start = 1; start <= 12; ++start) {
      FiscalPeriod q = PeriodContaining(FromDayNumber(d), PeriodKind::kQuarter, start);
      ASSERT_TRUE(RangeOf(q, start).Contains(FromDayNumber(d))) << d << " " << start;
    }
  }
}

TEST(CalendarTest, ShiftPeriodAndPeriodsBetween) {
  const FiscalPeriod q4{PeriodKind::kQuarter, 2027, 4};
  EXPECT_EQ(PeriodName(ShiftPeriod(q4, 1)), "FY2028 Q1");
  EXPECT_EQ(PeriodName(ShiftPeriod(q4, -4)), "FY2026 Q4");
  EXPECT_EQ(PeriodName(ShiftPeriod(q4, -7)), "FY2026 Q1");
  EXPECT_EQ(PeriodName(ShiftPeriod(q4, -8)), "FY2025 Q4");
  const FiscalPeriod m1{PeriodKind::kMonth, 2027, 1};
  EXPECT_EQ(PeriodName(ShiftPeriod(m1, -1)), "FY2026 M12");
  EXPECT_EQ(PeriodName(ShiftPeriod(m1, 25)), "FY2029 M02");
  EXPECT_EQ(PeriodName(ShiftPeriod({PeriodKind::kYear, 2027, 1}, -2)), "FY2025");
  for (int n = -30; n <= 30; ++n) {
    EXPECT_EQ(PeriodsBetween(q4, ShiftPeriod(q4, n)), n);
    EXPECT_EQ(PeriodsBetween(m1, ShiftPeriod(m1, n)), n);
  }
}

}  // namespace
}  // namespace salesops
