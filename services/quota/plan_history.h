// A plan's bookings history, as the plan builder and the plan simulation read it: every rep's
// monthly bookings on one month axis, node totals, and what each node and rep is expected to book
// in each month of the plan's fiscal year (actuals where the history covers it, ForecastService's
// forecast for the rest).
#ifndef SALESOPS_SERVICES_QUOTA_PLAN_HISTORY_H_
#define SALESOPS_SERVICES_QUOTA_PLAN_HISTORY_H_

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/hierarchy.h"
#include "salesops/v1/forecasting.pb.h"
#include "salesops/v1/quota.pb.h"
#include "services/quota/allocation.h"

namespace salesops::quota {

// Asks ForecastService (over gRPC in the service, in-process in tests).
using ForecastFn =
    std::function<absl::StatusOr<v1::ForecastResponse>(const v1::ForecastRequest& request)>;

// Monthly bookings of every rep on one month axis [first_month, first_month + months).
struct History {
  int first_month = 0;  // MonthNumber
  int months = 0;
  std::vector<std::vector<double>> by_rep;  // indexed like Hierarchy reps; empty: no history

  bool empty() const { return months == 0; }
};

// The request's history series (validated) placed on one axis; reps without a series stay empty.
History AlignHistory(const v1::CreatePlanRequest& request, const Hierarchy& h);

// Sum of the history of every rep below (and at) each node, month by month.
std::vector<std::vector<double>> NodeHistories(const Hierarchy& h, const History& history);

// The sum of the last `window` values (never below 0).
double SumLast(const std::vector<double>& values, int window);

// A monthly TimeSeries starting at MonthNumber first_month.
v1::TimeSeries MonthlySeries(std::string id, int first_month, const std::vector<double>& values);

// Expected bookings of every node and rep in each month of the plan's fiscal year: the months
// already in the history as they were, the rest as ForecastService forecasts them (never below 0).
// Nodes and reps without history have no entry. With `sd`, also each month's forecast standard
// deviation (from the 80% interval; 0 for actual months), for nodes only.
struct YearExpectation {
  std::vector<std::optional<MonthProfile>> nodes;
  std::vector<std::optional<MonthProfile>> reps;
  std::vector<MonthProfile> node_sd;
};
absl::StatusOr<YearExpectation> ExpectedYear(const v1::CreatePlanRequest& request,
                                             const Hierarchy& h, const History& history,
                                             const ForecastFn& forecast);

// Bookings of the last 12 months of history, placed on the fiscal months they fall in.
MonthProfile LastYearProfile(const std::vector<double>& values, int first_month, int fy_first);

// The sum of the months in the period.
double SumPeriod(const MonthProfile& months, const std::array<bool, 12>& period);

// The plan period's months: the whole year (quarter 0) or one fiscal quarter (1..4).
std::array<bool, 12> PeriodMonths(int fiscal_quarter);

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_PLAN_HISTORY_H_
