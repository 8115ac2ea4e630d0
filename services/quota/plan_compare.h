// Two quota plans, or two versions of one plan, side by side: the engine behind
// QuotaService.ComparePlans (pure C++; the service reads both plans from the store).
//
// Rows: one per node and rep, keyed by (kind, id): every allocation of `other` in its order
// (parents before children), then those only `base` has, in base's order. Each side's annual quota
// is in that side's plan currency; a side without the id shows 0 with in_base / in_other false.
// change = other - base, change_ratio = change / base (0 when base is 0), and each side's share of
// its parent. Name, kind and parent come from `other` when it has the id, else from `base`.
//
// input_changes: one readable line per difference between the plans' inputs (Plan.inputs; a plan
// stored without inputs falls back to its own name, fiscal year, calendar, target, method,
// hierarchy, reps and quarter) and their status, e.g.
//   "target: 48,000,000.00 USD -> 50,000,000.00 USD"
//   "rep u7: territory T1 -> T2"
//   "override EMEA added: 12,000,000.00 USD"
//   "status: DRAFT -> APPROVED"
// Defaults compare as their meaning: seasonality UNSPECIFIED = EVEN, history window 0 = 12 months,
// rounding unit 0 = 1 = none, calendar start month 0 = 1. Who asked (created_by) and why (reason)
// are records, not inputs, and are not compared. When the plans use different currencies the first
// line says so: the amounts are then not comparable (changes are raw differences of minor units).
#ifndef SALESOPS_SERVICES_QUOTA_PLAN_COMPARE_H_
#define SALESOPS_SERVICES_QUOTA_PLAN_COMPARE_H_

#include "salesops/v1/quota.pb.h"

namespace salesops::quota {

// `base` is the "before" side, `other` the "after" side. The response's PlanRefs are the plans'
// own plan_id and version.
v1::ComparePlansResponse ComparePlans(const v1::Plan& base, const v1::Plan& other);

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_PLAN_COMPARE_H_
