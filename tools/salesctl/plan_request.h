// Builds QuotaService requests from a CRM export: the hierarchy and reps as they are, and each
// rep's monthly closed-won bookings as the history that share-based methods need.
#ifndef SALESOPS_TOOLS_SALESCTL_PLAN_REQUEST_H_
#define SALESOPS_TOOLS_SALESCTL_PLAN_REQUEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "salesops/v1/quota.pb.h"
#include "tools/salesctl/demo_data.h"

namespace salesops::salesctl {

// Monthly closed-won bookings per rep (minor units), from the first month with a win to the last
// complete month before the as-of date. One series per rep with at least one win in that range.
std::vector<v1::TimeSeries> RepBookingsHistory(const DemoCompany& company);

// "equal", "historical" or "forecast" (also the enum names).
absl::StatusOr<v1::AllocationMethod> ParseAllocationMethod(const std::string& text);

// Closed-won bookings (minor units) with a close date in the fiscal year.
int64_t BookingsInFiscalYear(const DemoCompany& company, int fiscal_year);

// The plan target: `target` in major units of the export's currency ("48000000", "48,000,000"),
// or, when `target` is empty, the previous fiscal year's bookings grown by `growth_pct` percent.
absl::StatusOr<int64_t> PlanTarget(const DemoCompany& company, int fiscal_year,
                                   const std::string& target, double growth_pct);

// A plan for `fiscal_year` with a target in minor units of the export's currency.
v1::CreatePlanRequest PlanRequestFromExport(const DemoCompany& company, const std::string& name,
                                            int fiscal_year, int64_t target_minor_units,
                                            v1::AllocationMethod method);

// "FY2027-Q4", "FY2027 Q4", "2027Q4", "FY2027-M05", "FY2027": a fiscal period.
absl::StatusOr<v1::Period> ParsePeriod(const std::string& text);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_PLAN_REQUEST_H_
