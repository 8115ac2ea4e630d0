// How salesctl prints quota plans and what QuotaService says about them: the plan as a tree,
// its versions, a comparison of two plans and a simulation. Pure functions of the messages.
// Amounts are whole major units with thousands separators (FormatMoneyShort).
#ifndef SALESOPS_TOOLS_SALESCTL_PLAN_RENDER_H_
#define SALESOPS_TOOLS_SALESCTL_PLAN_RENDER_H_

#include <string>

#include "google/protobuf/timestamp.pb.h"
#include "salesops/v1/quota.pb.h"
#include "tools/salesctl/render.h"

namespace salesops::salesctl {

// "equal", "historical", "forecast", "blended", "capacity" (as --method spells them).
std::string MethodName(v1::AllocationMethod method);
// "DRAFT", "APPROVED", "ARCHIVED".
std::string StatusName(v1::PlanStatus status);
// "2026-05-01 14:03 UTC"; "" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& time);

// The plan as a tree, parents before children, each level indented two more spaces: node and rep
// names, the period quota (annual, or the quarter's for a quarter plan), its quarters (or the
// quarter's three months), share of parent. Overridden rows are marked "*". The last row is the
// total of the reps' quotas, its share the ratio to the target.
Table PlanTable(const v1::Plan& plan);
// The header (id, name, version, status, method, target, over-assignment, capacity, who/when/why),
// the tree, and a note on overrides.
std::string PlanText(const v1::Plan& plan);
Table PlanListTable(const v1::ListPlansResponse& plans);

// One row per version, newest first: version, status, action, author, time, target, method, reason.
Table PlanVersionsTable(const v1::ListPlanVersionsResponse& versions);
// Why an edit made on `read_version` was refused (ABORTED): who changed the plan since, and when.
std::string StalePlanText(const std::string& plan_id, int read_version,
                          const v1::ListPlanVersionsResponse& versions);

// One row per node and rep: id, name (indented by level), base, other, change, change %.
Table PlanDiffTable(const v1::ComparePlansResponse& diff);
// What is compared, the table, and the inputs that changed.
std::string PlanDiffText(const v1::ComparePlansResponse& diff);

// One row per rep, least likely to make quota first: rep, name, territory, quota, expected
// bookings, probability of quota, median attainment.
Table SimulationTable(const v1::SimulatePlanResponse& simulation);
// Company outlook (probability of reaching the target, P10/P50/P90, share of reps at quota against
// the 60-65% guideline), then the table.
std::string SimulationText(const v1::SimulatePlanResponse& simulation);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_PLAN_RENDER_H_
