// Turns a CreatePlanRequest into a Plan: validation (errors name the field), share weights from
// the bookings history or from forecasts, top-down allocation, and the Plan message.
#ifndef SALESOPS_SERVICES_QUOTA_PLAN_BUILDER_H_
#define SALESOPS_SERVICES_QUOTA_PLAN_BUILDER_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/hierarchy.h"
#include "salesops/v1/forecasting.pb.h"
#include "salesops/v1/quota.pb.h"
#include "services/quota/plan_history.h"

namespace salesops::quota {


// OK, or InvalidArgument whose message starts with the offending field.
absl::Status ValidateCreatePlanRequest(const v1::CreatePlanRequest& request,
                                       const HierarchyLimits& limits = {});

// Builds the plan (without plan_id, version and created_at, which the store assigns). `forecast`
// is only called for FORECAST_SHARE.
absl::StatusOr<v1::Plan> BuildPlan(const v1::CreatePlanRequest& request, const ForecastFn& forecast,
                                   const HierarchyLimits& limits = {});

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_PLAN_BUILDER_H_
