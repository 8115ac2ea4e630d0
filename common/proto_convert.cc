#include "absl/strings/string_view.h"
#include "common/proto_convert.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace salesops {

absl::StatusOr<Date> FromProto(const v1::Date& date) {
  Date d{std::chrono::year(date.year()), std::chrono::month(static_cast<unsigned>(date.month())),
         std::chrono::day(static_cast<unsigned>(date.day()))};
  if (date.year() < 1900 || date.year() > 2200 || date.month() < 1 || date.month() > 12 ||
      date.day() < 1 || date.day() > 31 || !d.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("%04d-%02d-%02d is not a valid date",
                                                      date.year(), date.month(), date.day()));
  }
  return d;
}

absl::Status ValidateDate(const v1::Date& date, absl::string_view field) {
  auto d = FromProto(date);
  if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat(field, ": ", d.status().message()));
  return absl::OkStatus();
}

std::optional<Date> OptionalDate(const v1::Date& date) {
  if (IsUnset(date)) return std::nullopt;
  auto converted = FromProto(date);
  if (!converted.ok()) return std::nullopt;
  return *converted;
}

v1::Date ToProto(Date date) {
  v1::Date out;
  out.set_year(static_cast<int>(date.year()));
  out.set_month(static_cast<int>(static_cast<unsigned>(date.month())));
  out.set_day(static_cast<int>(static_cast<unsigned>(date.day())));
  return out;
}

absl::Status ValidateCalendar(const v1::FiscalCalendar& calendar, absl::string_view field) {
  if (calendar.start_month() < 0 || calendar.start_month() > 12)
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".start_month: must be 1..12 (0 means January), got ", calendar.start_month()));
  return absl::OkStatus();
}

absl::Status ValidatePeriod(const v1::Period& period, absl::string_view field) {
  if (period.fiscal_year() < 1900 || period.fiscal_year() > 2200)
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".fiscal_year: must be 1900..2200, got ", period.fiscal_year()));
  switch (period.type()) {
    case v1::PERIOD_TYPE_MONTH:
      if (period.index() < 1 || period.index() > 12)
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".index: a month is 1..12, got ", period.index()));
      break;
    case v1::PERIOD_TYPE_QUARTER:
      if (period.index() < 1 || period.index() > 4)
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".index: a quarter is 1..4, got ", period.index()));
      break;
    case v1::PERIOD_TYPE_YEAR: break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".type: must be MONTH, QUARTER or YEAR, got ", period.type()));
  }
  return absl::OkStatus();
}

FiscalPeriod FromProto(const v1::Period& period) {
  FiscalPeriod p;
  p.fiscal_year = period.fiscal_year();
  p.index = period.index();
  switch (period.type()) {
    case v1::PERIOD_TYPE_MONTH: p.kind = PeriodKind::kMonth; break;
    case v1::PERIOD_TYPE_YEAR: p.kind = PeriodKind::kYear; p.index = 1; break;
    default: p.kind = PeriodKind::kQuarter; break;
  }
  return p;
}

v1::Period ToProto(const FiscalPeriod& period) {
  v1::Period out;
  out.set_fiscal_year(period.fiscal_year);
  switch (period.kind) {
    case PeriodKind::kMonth: out.set_type(v1::PERIOD_TYPE_MONTH); out.set_index(period.index); break;
    case PeriodKind::kQuarter: out.set_type(v1::PERIOD_TYPE_QUARTER); out.set_index(period.index); break;
    case PeriodKind::kYear: out.set_type(v1::PERIOD_TYPE_YEAR); break;
  }
  return out;
}

absl::Status ValidateCurrencyCode(absl::string_view code, absl::string_view field) {
  bool ok = code.size() == 3;
  for (char c : code) ok = ok && absl::ascii_isupper(static_cast<unsigned char>(c));
  if (!ok)
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": must be a three-letter ISO 4217 code such as USD, got \"", code, "\""));
  return absl::OkStatus();
}

v1::Money MakeMoney(absl::string_view currency, int64_t minor_units) {
  v1::Money m;
  m.set_currency_code(std::string(currency));
  m.set_minor_units(minor_units);
  return m;
}

}  // namespace salesops
