#include "common/calendar.h"

#include <charconv>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace salesops {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;

std::optional<int> ParseInt(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<Date> Make(std::optional<int> y, std::optional<int> m, std::optional<int> d) {
  if (!y || !m || !d) return std::nullopt;
  Date date{year(*y), month(static_cast<unsigned>(*m)), day(static_cast<unsigned>(*d))};
  if (*m < 1 || *m > 12 || *d < 1 || !date.ok() || *y < 1900 || *y > 2200) return std::nullopt;
  return date;
}

}  // namespace

std::optional<Date> ParseDate(std::string_view text) {
  // Trim blanks and a trailing time part ("2026-03-01 00:00:00" or "2026-03-01T00:00:00Z").
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  if (auto cut = text.find_first_of(" T"); cut != std::string_view::npos && cut >= 8)
    text = text.substr(0, cut);
  if (text.size() == 10 && (text[4] == '-' || text[4] == '/') && text[7] == text[4]) {
    return Make(ParseInt(text.substr(0, 4)), ParseInt(text.substr(5, 2)),
                ParseInt(text.substr(8, 2)));
  }
  // US style M/D/YYYY, as spreadsheet-edited CRM exports often are.
  auto first = text.find('/');
  auto second = first == std::string_view::npos ? first : text.find('/', first + 1);
  if (second != std::string_view::npos) {
    return Make(ParseInt(text.substr(second + 1)), ParseInt(text.substr(0, first)),
                ParseInt(text.substr(first + 1, second - first - 1)));
  }
  return std::nullopt;
}

std::string FormatDate(Date date) {
  return absl::StrFormat("%04d-%02d-%02d", static_cast<int>(date.year()),
                         static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

int DayNumber(Date date) { return sys_days(date).time_since_epoch().count(); }

Date FromDayNumber(int days) { return Date(sys_days(std::chrono::days(days))); }

int MonthNumber(Date date) {
  return static_cast<int>(date.year()) * 12 + static_cast<int>(static_cast<unsigned>(date.month())) -
         1;
}

Date FirstDayOfMonthNumber(int month_number) {
  int y = month_number / 12;
  int m = month_number % 12 + 1;
  return Date{year(y), month(static_cast<unsigned>(m)), day(1)};
}

int DaysInMonth(Date date) {
  auto last = std::chrono::year_month_day_last(date.year(), std::chrono::month_day_last(date.month()));
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

int FirstMonthNumberOfFiscalYear(int fiscal_year, int start_month) {
  start_month = NormalizeStartMonth(start_month);
  // The fiscal year ends in calendar year `fiscal_year`; with start_month 1 it starts that year too.
  int start_year = start_month == 1 ? fiscal_year : fiscal_year - 1;
  return start_year * 12 + (start_month - 1);
}

int FiscalYearOf(Date date, int start_month) {
  start_month = NormalizeStartMonth(start_month);
  int y = static_cast<int>(date.year());
  int m = static_cast<int>(static_cast<unsigned>(date.month()));
  if (start_month == 1) return y;
  return m >= start_month ? y + 1 : y;
}

int FiscalMonthOf(Date date, int start_month) {
  int first = FirstMonthNumberOfFiscalYear(FiscalYearOf(date, start_month), start_month);
  return MonthNumber(date) - first + 1;
}

FiscalPeriod PeriodContaining(Date date, PeriodKind kind, int start_month) {
  FiscalPeriod p;
  p.kind = kind;
  p.fiscal_year = FiscalYearOf(date, start_month);
  int fm = FiscalMonthOf(date, start_month);
  switch (kind) {
    case PeriodKind::kMonth: p.index = fm; break;
    case PeriodKind::kQuarter: p.index = (fm - 1) / 3 + 1; break;
    case PeriodKind::kYear: p.index = 1; break;
  }
  return p;
}

DateRange RangeOf(const FiscalPeriod& period, int start_month) {
  int first_month = FirstMonthNumberOfFiscalYear(period.fiscal_year, start_month);
  int begin = first_month, months = 12;
  switch (period.kind) {
    case PeriodKind::kMonth: begin += period.index - 1; months = 1; break;
    case PeriodKind::kQuarter: begin += 3 * (period.index - 1); months = 3; break;
    case PeriodKind::kYear: break;
  }
  Date first = FirstDayOfMonthNumber(begin);
  Date last = FromDayNumber(DayNumber(FirstDayOfMonthNumber(begin + months)) - 1);
  return {first, last};
}

namespace {
int PeriodsPerYear(PeriodKind kind) {
  return kind == PeriodKind::kMonth ? 12 : kind == PeriodKind::kQuarter ? 4 : 1;
}
// Periods since fiscal year 0: a running count that Shift and Between work on.
int Ordinal(const FiscalPeriod& p) {
  return p.kind == PeriodKind::kYear ? p.fiscal_year
                                     : p.fiscal_year * PeriodsPerYear(p.kind) + (p.index - 1);
}
}  // namespace

FiscalPeriod ShiftPeriod(const FiscalPeriod& period, int n) {
  const int per_year = PeriodsPerYear(period.kind);
  const int ordinal = Ordinal(period) + n;
  FiscalPeriod out = period;
  // Floor division keeps the index in 1..per_year for ordinals of any sign.
  out.fiscal_year = ordinal >= 0 ? ordinal / per_year : -((-ordinal + per_year - 1) / per_year);
  if (period.kind != PeriodKind::kYear) out.index = ordinal - out.fiscal_year * per_year + 1;
  return out;
}

int PeriodsBetween(const FiscalPeriod& from, const FiscalPeriod& to) { return Ordinal(to) - Ordinal(from); }

std::string PeriodName(const FiscalPeriod& period) {
  switch (period.kind) {
    case PeriodKind::kMonth: return absl::StrFormat("FY%d M%02d", period.fiscal_year, period.index);
    case PeriodKind::kQuarter: return absl::StrFormat("FY%d Q%d", period.fiscal_year, period.index);
    case PeriodKind::kYear: return absl::StrFormat("FY%d", period.fiscal_year);
  }
  return "";
}

}  // namespace salesops
