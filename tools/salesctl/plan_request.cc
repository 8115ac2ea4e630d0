#include "tools/salesctl/plan_request.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
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
  if (t == "blended" || t == "allocation_method_blended") return v1::ALLOCATION_METHOD_BLENDED;
  if (t == "capacity" || t == "allocation_method_capacity") return v1::ALLOCATION_METHOD_CAPACITY;
  return absl::InvalidArgumentError(absl::StrCat(
      "--method: \"", text, "\" is not one of equal, historical, forecast, blended, capacity"));
}

int64_t BookingsInFiscalYear(const DemoCompany& company, int fiscal_year, int fiscal_quarter) {
  const int start_month = company.header.calendar().start_month();
  int64_t total = 0;
  for (const v1::Opportunity& o : company.opportunities) {
    if (!o.closed() || !o.won()) continue;
    auto close = FromProto(o.close_date());
    if (!close.ok() || FiscalYearOf(*close, start_month) != fiscal_year) continue;
    if (fiscal_quarter != 0 && (FiscalMonthOf(*close, start_month) - 1) / 3 + 1 != fiscal_quarter) continue;
    total += o.amount().minor_units();
  }
  return total;
}

absl::StatusOr<int64_t> PlanTarget(const DemoCompany& company, int fiscal_year,
                                   const std::string& target, double growth_pct, int fiscal_quarter) {
  if (!target.empty()) {
    auto amount = ParseAmount(target, CurrencyMinorDigits(company.header.currency_code()));
    if (!amount) return absl::InvalidArgumentError(absl::StrCat("--target: \"", target, "\" is not an amount"));
    return *amount;
  }
  int64_t last_year = BookingsInFiscalYear(company, fiscal_year - 1, fiscal_quarter);
  if (last_year <= 0)
    return absl::InvalidArgumentError(absl::StrCat(
        "--target: required (no bookings in FY", fiscal_year - 1,
        fiscal_quarter != 0 ? absl::StrCat(" Q", fiscal_quarter) : "", " to grow from)"));
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
  for (auto& s : RepBookingsHistory(company)) *request.add_history() = std::move(s);
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

namespace {

absl::Status FlagError(const std::string& flag, const std::string& text, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": \"", text, "\" ", what));
}

// A number, or nullopt (blanks around it allowed).
std::optional<double> ParseNumber(absl::string_view text) {
  double v;
  if (!absl::SimpleAtod(absl::StripAsciiWhitespace(text), &v) || !std::isfinite(v)) return std::nullopt;
  return v;
}

// An amount in major units of `currency` as minor units, or a flag error.
absl::StatusOr<int64_t> FlagAmount(const std::string& flag, const std::string& text,
                                   const std::string& currency) {
  auto amount = ParseAmount(text, CurrencyMinorDigits(currency));
  if (!amount) return FlagError(flag, text, absl::StrCat("is not an amount in ", currency, " (major units)"));
  return *amount;
}

}  // namespace

absl::StatusOr<v1::BlendWeights> ParseBlend(const std::string& text) {
  const std::string usage = "is not like equal=0.2,historical=0.4,forecast=0.4";
  v1::BlendWeights weights;
  std::set<std::string> seen;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::vector<std::string> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    if (kv.size() != 2) return FlagError("--blend", text, usage);
    std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(kv[0]));
    std::optional<double> value = ParseNumber(kv[1]);
    if (!value) return FlagError("--blend", text, absl::StrCat(usage, " (\"", kv[1], "\" is not a number)"));
    if (!seen.insert(key).second) return FlagError("--blend", text, absl::StrCat("names ", key, " twice"));
    if (key == "equal" || key == "equal-split" || key == "equal_split") {
      weights.set_equal_split(*value);
    } else if (key == "historical" || key == "historical-share" || key == "historical_share") {
      weights.set_historical_share(*value);
    } else if (key == "forecast" || key == "forecast-share" || key == "forecast_share") {
      weights.set_forecast_share(*value);
    } else {
      return FlagError("--blend", text, absl::StrCat("names \"", key, "\", not equal, historical or forecast"));
    }
  }
  return weights;
}

absl::StatusOr<std::vector<double>> ParseRamp(const std::string& text) {
  std::vector<double> ramp;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::optional<double> pct = ParseNumber(absl::StripSuffix(absl::StripAsciiWhitespace(part), "%"));
    if (!pct) return FlagError("--ramp", text, "is not a list of percentages like 25,50,75");
    if (*pct < 0 || *pct > 100)
      return FlagError("--ramp", text, absl::StrCat("has ", *pct, ", not a percentage in 0..100"));
    ramp.push_back(*pct / 100);
  }
  return ramp;
}

absl::StatusOr<v1::PlannedHire> ParsePlannedHire(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() != 3) return FlagError("--hire", text, "is not ID:TERRITORY:YYYY-MM-DD");
  for (auto& p : parts) p = std::string(absl::StripAsciiWhitespace(p));
  if (parts[0].empty()) return FlagError("--hire", text, "has no rep id (ID:TERRITORY:YYYY-MM-DD)");
  if (parts[1].empty()) return FlagError("--hire", text, "has no territory (ID:TERRITORY:YYYY-MM-DD)");
  std::optional<Date> start = ParseDate(parts[2]);
  if (!start) return FlagError("--hire", text, absl::StrCat("has \"", parts[2], "\", not a date YYYY-MM-DD"));
  v1::PlannedHire hire;
  hire.mutable_rep()->set_id(parts[0]);
  hire.mutable_rep()->set_territory_id(parts[1]);
  *hire.mutable_rep()->mutable_hire_date() = ToProto(*start);
  return hire;
}

absl::StatusOr<v1::SeasonalitySource> ParseSeasonality(const std::string& text) {
  std::string t = absl::AsciiStrToLower(text);
  if (t == "even" || t == "seasonality_source_even") return v1::SEASONALITY_SOURCE_EVEN;
  if (t == "last-year" || t == "last_year" || t == "seasonality_source_last_year")
    return v1::SEASONALITY_SOURCE_LAST_YEAR;
  if (t == "forecast" || t == "seasonality_source_forecast") return v1::SEASONALITY_SOURCE_FORECAST;
  return FlagError("--seasonality", text, "is not one of even, last-year, forecast");
}

absl::Status ApplyPlanFlags(const PlanFlags& flags, v1::CreatePlanRequest* request) {
  const std::string currency = request->target().currency_code();
  std::string method_text = flags.method.empty() ? (flags.blend.empty() ? "forecast" : "blended") : flags.method;
  auto method = ParseAllocationMethod(method_text);
  if (!method.ok()) return method.status();
  request->set_method(*method);
  if (!flags.blend.empty()) {
    if (*method != v1::ALLOCATION_METHOD_BLENDED)
      return absl::InvalidArgumentError(absl::StrCat("--blend: only with --method blended (not ", method_text, ")"));
    auto blend = ParseBlend(flags.blend);
    if (!blend.ok()) return blend.status();
    *request->mutable_blend() = *blend;
  }
  request->set_fiscal_quarter(flags.fiscal_quarter);
  request->set_over_assignment(flags.over_assignment);
  if (!flags.rounding.empty()) {
    auto unit = FlagAmount("--round", flags.rounding, currency);
    if (!unit.ok()) return unit.status();
    request->set_rounding_unit(*unit);
  }
  if (!flags.seasonality.empty()) {
    auto seasonality = ParseSeasonality(flags.seasonality);
    if (!seasonality.ok()) return seasonality.status();
    request->set_seasonality(*seasonality);
  }
  if (!flags.full_quota.empty() || !flags.ramp.empty() || flags.attrition != 0 || !flags.hires.empty()) {
    v1::CapacitySettings* capacity = request->mutable_capacity();
    if (!flags.full_quota.empty()) {
      auto full = FlagAmount("--full-quota", flags.full_quota, currency);
      if (!full.ok()) return full.status();
      *capacity->mutable_full_annual_quota() = MakeMoney(currency, *full);
    }
    if (!flags.ramp.empty()) {
      auto ramp = ParseRamp(flags.ramp);
      if (!ramp.ok()) return ramp.status();
      for (double r : *ramp) capacity->add_ramp(r);
    }
    capacity->set_annual_attrition(flags.attrition);
    for (const std::string& text : flags.hires) {
      auto hire = ParsePlannedHire(text);
      if (!hire.ok()) return hire.status();
      *capacity->add_planned_hires() = *hire;
    }
  }
  if (!flags.reason.empty()) request->set_reason(flags.reason);
  if (!flags.author.empty()) request->set_created_by(flags.author);
  return absl::OkStatus();
}

absl::Status EditOverrides(const std::vector<std::string>& sets, const std::vector<std::string>& clears,
                           const std::string& note, v1::CreatePlanRequest* inputs) {
  const std::string currency = inputs->target().currency_code();
  std::set<std::string> set_ids;
  for (const std::string& text : sets) {
    std::vector<std::string> kv = absl::StrSplit(text, absl::MaxSplits('=', 1));
    std::string id = kv.size() == 2 ? std::string(absl::StripAsciiWhitespace(kv[0])) : "";
    if (id.empty()) return FlagError("--set", text, "is not ID=AMOUNT");
    if (!set_ids.insert(id).second) return FlagError("--set", text, absl::StrCat("sets ", id, " a second time"));
    auto amount = FlagAmount("--set", kv[1], currency);
    if (!amount.ok()) return amount.status();
    v1::QuotaOverride* target = nullptr;
    for (auto& o : *inputs->mutable_overrides())
      if (o.id() == id) target = &o;
    if (target == nullptr) {
      target = inputs->add_overrides();
      target->set_id(id);
    }
    *target->mutable_quota() = MakeMoney(currency, *amount);
    target->set_note(note);
  }
  for (const std::string& id : clears) {
    if (set_ids.count(id)) return FlagError("--clear", id, "is also given to --set");
    auto* overrides = inputs->mutable_overrides();
    auto it = std::find_if(overrides->begin(), overrides->end(),
                           [&](const v1::QuotaOverride& o) { return o.id() == id; });
    if (it == overrides->end()) return FlagError("--clear", id, "has no override in this plan");
    overrides->erase(it);
  }
  return absl::OkStatus();
}

}  // namespace salesops::salesctl
