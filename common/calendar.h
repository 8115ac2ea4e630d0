// Calendar dates and fiscal periods.
//
// Dates are std::chrono::year_month_day; arithmetic goes through std::chrono::sys_days. A fiscal
// year has 12 months starting in `start_month` and is named after the calendar year in which it
// ends (start_month = 2: FY2027 is 2026-02-01 .. 2027-01-31).
#ifndef SALESOPS_COMMON_CALENDAR_H_
#define SALESOPS_COMMON_CALENDAR_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace salesops {

using Date = std::chrono::year_month_day;

// Parses "YYYY-MM-DD" (also accepts "YYYY/MM/DD" and "MM/DD/YYYY", as CRM exports write them).
// Returns nullopt for anything that is not a valid calendar date.
std::optional<Date> ParseDate(std::string_view text);

// "YYYY-MM-DD".
std::string FormatDate(Date date);

// Days since 1970-01-01.
int DayNumber(Date date);
Date FromDayNumber(int days);

// A month counter: year * 12 + (month - 1). Consecutive months differ by 1.
int MonthNumber(Date date);
// The first day of the month with that counter.
Date FirstDayOfMonthNumber(int month_number);
// Number of days in the month containing `date`.
int DaysInMonth(Date date);

enum class PeriodKind { kMonth, kQuarter, kYear };

// A fiscal period: a fiscal month (index 1..12), quarter (1..4) or the year (index ignored).
struct FiscalPeriod {
  PeriodKind kind = PeriodKind::kQuarter;
  int fiscal_year = 0;
  int index = 1;
};

// First and last day (inclusive) of a fiscal period.
struct DateRange {
  Date first;
  Date last;
  int Days() const { return DayNumber(last) - DayNumber(first) + 1; }
  bool Contains(Date d) const { return first <= d && d <= last; }
};

// Normalises a start month: 0 (unset) means January. Values outside 0..12 are invalid.
inline int NormalizeStartMonth(int start_month) { return start_month == 0 ? 1 : start_month; }

// The fiscal year containing `date`.
int FiscalYearOf(Date date, int start_month);
// The fiscal month (1..12) containing `date`.
int FiscalMonthOf(Date date, int start_month);
// The fiscal period of `kind` containing `date`.
FiscalPeriod PeriodContaining(Date date, PeriodKind kind, int start_month);
// The dates of a fiscal period. The period must be valid (index in range).
DateRange RangeOf(const FiscalPeriod& period, int start_month);
// The MonthNumber of the first month of a fiscal year.
int FirstMonthNumberOfFiscalYear(int fiscal_year, int start_month);

// The period `n` periods of the same kind after `period` (n < 0: before it).
FiscalPeriod ShiftPeriod(const FiscalPeriod& period, int n);
// How many periods of their (common) kind `to` is after `from` (negative when before).
int PeriodsBetween(const FiscalPeriod& from, const FiscalPeriod& to);

// Readable name, e.g. "FY2027 Q2", "FY2027 M05", "FY2027".
std::string PeriodName(const FiscalPeriod& period);

}  // namespace salesops

#endif  // SALESOPS_COMMON_CALENDAR_H_
