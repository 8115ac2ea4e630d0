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

// "equal", "historical", "forecast", "blended" or "capacity" (also the enum names).
absl::StatusOr<v1::AllocationMethod> ParseAllocationMethod(const std::string& text);

// Closed-won bookings (minor units) with a close date in the fiscal year, or in its fiscal quarter
// `fiscal_quarter` (1..4; 0 means the whole year).
int64_t BookingsInFiscalYear(const DemoCompany& company, int fiscal_year, int fiscal_quarter = 0);

// The plan target: `target` in major units of the export's currency ("48000000", "48,000,000"),
// or, when `target` is empty, the previous fiscal year's bookings (of the same quarter for a
// quarter plan) grown by `growth_pct` percent.
absl::StatusOr<int64_t> PlanTarget(const DemoCompany& company, int fiscal_year,
                                   const std::string& target, double growth_pct,
                                   int fiscal_quarter = 0);

// A plan for `fiscal_year` with a target in minor units of the export's currency. The bookings
// history goes with every method: SimulatePlan and last-year seasonality read it too.
v1::CreatePlanRequest PlanRequestFromExport(const DemoCompany& company, const std::string& name,
                                            int fiscal_year, int64_t target_minor_units,
                                            v1::AllocationMethod method);

// `plan create` flag values. Each parser checks the syntax and names its flag; whether the plan
// makes sense (weights summing to 1, a known territory...) is the server's to judge.

// "equal=0.2,historical=0.4,forecast=0.4": the blend weights, those not named 0.
absl::StatusOr<v1::BlendWeights> ParseBlend(const std::string& text);
// "25,50,75": a ramp profile in percent, as fractions (0.25, 0.5, 0.75).
absl::StatusOr<std::vector<double>> ParseRamp(const std::string& text);
// "TBH-EMEA-1:EMEA:2027-03-01": a planned hire (rep id, territory, start date).
absl::StatusOr<v1::PlannedHire> ParsePlannedHire(const std::string& text);
// "even", "last-year" or "forecast" (also the enum names).
absl::StatusOr<v1::SeasonalitySource> ParseSeasonality(const std::string& text);

// The `plan create` options beyond the export, as typed on the command line.
struct PlanFlags {
  std::string method;              // empty: "blended" with --blend, else "forecast"
  std::string blend;               // --blend
  int fiscal_quarter = 0;          // --quarter
  double over_assignment = 0;      // --over-assign
  std::string rounding;            // --round, in major units
  std::string seasonality;         // --seasonality; empty: the server's default (even)
  std::string full_quota;          // --full-quota, in major units
  std::string ramp;                // --ramp
  double attrition = 0;            // --attrition
  std::vector<std::string> hires;  // --hire, each ID:TERRITORY:YYYY-MM-DD
  std::string reason;              // --reason
  std::string author;              // --author
};

// Sets the request's method and options from `flags`; amounts are in major units of the
// request's target currency. Capacity settings are sent only when a capacity flag is given.
absl::Status ApplyPlanFlags(const PlanFlags& flags, v1::CreatePlanRequest* request);

// `plan override` edits of a plan's inputs: each of `sets` is "ID=AMOUNT" (major units of the
// target's currency), adding or replacing that id's override with `note`; each of `clears`
// removes an existing override.
absl::Status EditOverrides(const std::vector<std::string>& sets, const std::vector<std::string>& clears,
                           const std::string& note, v1::CreatePlanRequest* inputs);

// "FY2027-Q4", "FY2027 Q4", "2027Q4", "FY2027-M05", "FY2027": a fiscal period.
absl::StatusOr<v1::Period> ParsePeriod(const std::string& text);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_PLAN_REQUEST_H_
