// Capacity planning: how much quota one rep can carry in each month of a plan year, given when the
// rep was hired, when (if ever) the rep leaves, how long a new hire takes to ramp up, and attrition.
//
// The plan covers 12 consecutive months, month i = 0..11 starting at `first_month_number` (a
// MonthNumber, usually FirstMonthNumberOfFiscalYear). Quarterly plans use 3 of them; all 12 are
// always returned. The capacity of one rep in plan month i is
//
//   full_annual_quota / 12 * ramp(k) * survival(i) * presence(i)
//
//   k           whole months from the hire month to month i (MonthNumber difference; the hire day
//               does not matter). k < 0: not hired yet, capacity 0.
//   ramp(k)     ramp[k] while k < ramp.size(), 1.0 after (fully ramped).
//   survival(i) (1 - annual_attrition)^((i + 0.5) / 12): the chance the rep is still there in the
//               middle of month i, counted from the start of the plan.
//   presence(i) the fraction of month i's days the rep is employed: from the hire day on (when the
//               hire date falls in the month) up to and including the end day (when the end date
//               falls in the month). 0 for months wholly before the hire or after the end.
//
// No hire date: hired long before the plan and fully ramped (ramp 1.0, present from day 1).
// No end date: stays through the plan. Dates must be valid calendar dates.
#ifndef SALESOPS_SERVICES_QUOTA_CAPACITY_H_
#define SALESOPS_SERVICES_QUOTA_CAPACITY_H_

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/calendar.h"

namespace salesops::quota {

// The longest ramp profile accepted, in months.
inline constexpr int kMaxRampMonths = 36;

struct CapacityModel {
  // Annual quota of a fully ramped rep, in minor units of money; > 0.
  double full_annual_quota = 0;
  // ramp[k]: productivity (0..1) in the k-th month since hire, k = 0 being the month of hire.
  // At most kMaxRampMonths entries; 1.0 after the last one. Empty: fully productive at once.
  std::vector<double> ramp;
  // Share of reps lost over a year, in [0, 1).
  double annual_attrition = 0;
};

// OK, or InvalidArgument "<field_prefix>.<field>: <why>", e.g.
// "capacity.ramp[2]: must be in [0, 1], got 1.5". An empty prefix names the bare field ("ramp[2]").
absl::Status ValidateCapacityModel(const CapacityModel& model, std::string_view field_prefix);

// Capacity of one rep in each of the 12 plan months (see the formula above). The model must be
// valid (ValidateCapacityModel).
std::array<double, 12> RepMonthlyCapacity(const CapacityModel& model, std::optional<Date> hire,
                                          std::optional<Date> end, int first_month_number);

// Sum of months[first .. first + count - 1] (clamped to 0..11): the whole year by default, a fiscal
// quarter q (1..4) with first = 3 * (q - 1), count = 3.
double SumMonths(const std::array<double, 12>& months, int first = 0, int count = 12);

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_CAPACITY_H_
