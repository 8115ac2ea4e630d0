// ReconcileRequest <-> the engine's hierarchical reconciliation.
#ifndef SALESOPS_SERVICES_FORECASTING_RECONCILE_REQUEST_H_
#define SALESOPS_SERVICES_FORECASTING_RECONCILE_REQUEST_H_

#include "absl/status/statusor.h"
#include "common/thread_pool.h"
#include "salesops/v1/forecasting.pb.h"
#include "services/forecasting/forecast_request.h"

namespace salesops::forecast {

// OK, or InvalidArgument naming the field: unknown or duplicate ids in aggregates, an aggregate
// that lists another aggregate, series of different lengths.
absl::Status ValidateReconcileRequest(const v1::ReconcileRequest& request, const ForecastLimits& limits);

absl::StatusOr<v1::ReconcileResponse> ComputeReconcile(const v1::ReconcileRequest& request, ThreadPool& pool);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_RECONCILE_REQUEST_H_
