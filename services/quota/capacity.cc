#include "services/quota/capacity.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"

namespace salesops::quota {
namespace {

// (This absl's StrCat does not take std::string_view, hence the std::string parameters.)
absl::Status Invalid(std::string_view prefix, const std::string& field, const std::string& why) {
  std::string name = prefix.empty() ? field : std::string(prefix) + "." + field;
  return absl::InvalidArgumentError(absl::StrCat(name, ": ", why));
}

}  // namespace

absl::Status ValidateCapacityModel(const CapacityModel& model, std::string_view field_prefix) {
  if (!std::isfinite(model.full_annual_quota) || model.full_annual_quota <= 0) {
    return Invalid(field_prefix, "full_annual_quota",
                   absl::StrCat("must be positive, got ", model.full_annual_quota));
  }
  if (model.ramp.size() > kMaxRampMonths) {
    return Invalid(field_prefix, "ramp",
                   absl::StrCat("at most ", kMaxRampMonths, " months, got ", model.ramp.size()));
  }
  for (size_t k = 0; k < model.ramp.size(); ++k) {
    double r = model.ramp[k];
    if (!(r >= 0 && r <= 1)) {  // also rejects NaN
      return Invalid(field_prefix, absl::StrCat("ramp[", k, "]"),
                     absl::StrCat("must be in [0, 1], got ", r));
    }
  }
  double a = model.annual_attrition;
  if (!(a >= 0 && a < 1)) {
    return Invalid(field_prefix, "annual_attrition", absl::StrCat("must be in [0, 1), got ", a));
  }
  return absl::OkStatus();
}

std::array<double, 12> RepMonthlyCapacity(const CapacityModel& model, std::optional<Date> hire,
                                          std::optional<Date> end, int first_month_number) {
  std::array<double, 12> capacity{};
  const double per_month = model.full_annual_quota / 12;
  for (int i = 0; i < 12; ++i) {
    const int month = first_month_number + i;
    double ramp = 1.0;
    if (hire) {
      const int k = month - MonthNumber(*hire);
      if (k < 0) continue;  // not hired yet
      if (k < static_cast<int>(model.ramp.size())) ramp = model.ramp[k];
    }

    const Date first_day = FirstDayOfMonthNumber(month);
    const int days = DaysInMonth(first_day);
    int from = DayNumber(first_day);
    int to = from + days - 1;
    if (hire) from = std::max(from, DayNumber(*hire));
    if (end) to = std::min(to, DayNumber(*end));
    if (to < from) continue;  // gone before this month (or left before being hired)
    const double presence = static_cast<double>(to - from + 1) / days;

    const double survival = std::pow(1 - model.annual_attrition, (i + 0.5) / 12);
    capacity[i] = per_month * ramp * survival * presence;
  }
  return capacity;
}

double SumMonths(const std::array<double, 12>& months, int first, int count) {
  const int begin = std::clamp(first, 0, 12);
  const int stop = std::clamp(first + count, begin, 12);
  double total = 0;
  for (int i = begin; i < stop; ++i) total += months[i];
  return total;
}

}  // namespace salesops::quota
