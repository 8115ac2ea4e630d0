#include "tools/salesctl/plan_request.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/calendar.h"
#include "common/proto_convert.h"
#include "tools/salesctl/crm_csv.h"

namespace salesops::salesctl {

std::vector<v1::TimeSeries> RepBookingsHistory(const DemoCompany& company) {
  auto as_of = FromProto(company.header.as_of());
  if (!as_of.ok()) return {};
  const int last_month = MonthNumber(*as_of) - 1;  // the last complete month
  std::map<std::string, std::map<int, double>> by_rep;
  int first_month = last_month + 1;
  for (const v1::Opportunity& o : company.opportunities) {
    if (!o.closed() || !o.won()) continue;
    auto close = FromProto(o.close_date());
    if (!close.ok()) continue;
    int m = MonthNumber(*close);
    if (m > last_month) continue;
    by_rep[o.owner_rep_id()][m] += static_cast<double>(o.amount().minor_units());
    first_month = std::min(first_month, m);
  }
  std::vector<v1::TimeSeries> out;
  for (const auto& [rep, months] : by_rep) {
    v1::TimeSeries s;
    s.set_id(rep);
    s.set_granularity(v1::GRANULARITY_MONTH);
    // Each rep's series starts at its first win, so months before a hire are not read as zeros.
    int start = months.begin()->first;
    *s.mutable_start() = ToProto(FirstDayOfMonthNumber(start));
    for (int m = start; m <= last_month; ++m) {
      auto it = months.find(m);
      s.add_values(it == months.end() ? 0.0 : it->second);
    }
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<v1::AllocationMethod> ParseAllocationMethod(const std::string& text) {
  std::string t = absl::AsciiStrToLower(text);
  if (t == "equal" || t == "equal-split" || t == "allocation_method_equal_split")
    return v1::ALLOCATION_METHOD_EQUAL_SPLIT;
  if (t == "historical" || t == "historical-share" || t == "allocation_method_historical_share")
    return v1::ALLOCATION_METHOD_HISTORICAL_SHARE;
  if (t == "forecast" || t == "forecast-share" || t == "allocation_method_forecast_share")
    return v1::ALLOCATION_METHOD_FORECAST_SHARE;
  return absl::InvalidArgumentError(
      absl::StrCat("--method: \"", text, "\" is not one of equal, historical, forecast"));
}

int64_t BookingsInFiscalYear(const DemoCompany& company, int fiscal_year) {
  const int start_month = company.header.calendar().start_month();
  int64_t total = 0;
  for (const v1::Opportunity& o : company.opportunities) {
    if (!o.closed() || !o.won()) continue;
    auto close = FromProto(o.close_date());
    if (close.ok() && FiscalYearOf(*close, start_month) == fiscal_year) total += o.amount().minor_units();
  }
  return total;
}

absl::StatusOr<int64_t> PlanTarget(const DemoCompany& company, int fiscal_year,
                                   const std::string& target, double growth_pct) {
  if (!target.empty()) {
    auto amount = ParseAmount(target, CurrencyMinorDigits(company.header.currency_code()));
    if (!amount) return absl::InvalidArgumentError(absl::StrCat("--target: \"", target, "\" is not an amount"));
    return *amount;
  }
  int64_t last_year = BookingsInFiscalYear(company, fiscal_year - 1);
  if (last_year <= 0)
    return absl::InvalidArgumentError(absl::StrCat(
        "--target: required (no bookings in FY", fiscal_year - 1, " to grow from)"));
  return static_cast<int64_t>(std::llround(static_cast<double>(last_year) * (1 + growth_pct / 100)));
}

v1::CreatePlanRequest PlanRequestFromExport(const DemoCompany& company, const std::string& name,
                                            int fiscal_year, int64_t target_minor_units,
                                            v1::AllocationMethod method) {
  v1::CreatePlanRequest request;
  request.set_name(name);
  request.set_fiscal_year(fiscal_year);
  *request.mutable_calendar() = company.header.calendar();
  *request.mutable_target() = MakeMoney(company.header.currency_code(), target_minor_units);
  request.set_method(method);
  for (const auto& t : company.territories) *request.add_territories() = t;
  for (const auto& r : company.reps) *request.add_reps() = r;
  if (method != v1::ALLOCATION_METHOD_EQUAL_SPLIT) {
    for (auto& s : RepBookingsHistory(company)) *request.add_history() = std::move(s);
  }
  request.set_created_by("salesctl");
  return request;
}

absl::StatusOr<v1::Period> ParsePeriod(const std::string& text) {
  static const std::regex kPattern(R"(^\s*(?:FY)?\s*(\d{4})\s*[- ]?\s*(?:([QM])\s*(\d{1,2}))?\s*$)",
                                   std::regex::icase);
  std::smatch m;
  if (!std::regex_match(text, m, kPattern))
    return absl::InvalidArgumentError(absl::StrCat(
        "--period: \"", text, "\" is not a fiscal period like FY2027-Q4, FY2027-M05 or FY2027"));
  v1::Period period;
  period.set_fiscal_year(std::stoi(m[1].str()));
  if (!m[2].matched) {
    period.set_type(v1::PERIOD_TYPE_YEAR);
  } else {
    period.set_type(absl::AsciiStrToUpper(m[2].str()) == "Q" ? v1::PERIOD_TYPE_QUARTER
                                                             : v1::PERIOD_TYPE_MONTH);
    period.set_index(std::stoi(m[3].str()));
  }
  if (auto s = ValidatePeriod(period, "--period"); !s.ok()) return s;
  return period;
}

}  // namespace salesops::salesctl
