// ForecastLandingRequest <-> the engine's deal-level landing forecast.
#ifndef SALESOPS_SERVICES_FORECASTING_LANDING_REQUEST_H_
#define SALESOPS_SERVICES_FORECASTING_LANDING_REQUEST_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "salesops/v1/forecasting.pb.h"
#include "services/forecasting/forecast_request.h"

namespace salesops::forecast {

// The request's size against the limits: open deals and history (InvalidArgument naming the field
// and the limit). The service checks it before anything else (ComputeLanding does not).
absl::Status ValidateLandingSize(const v1::ForecastLandingRequest& request,
                                 const ForecastLimits& limits);

// Validates every field (InvalidArgument naming it), converts, runs the Monte Carlo.
absl::StatusOr<v1::ForecastLandingResponse> ComputeLanding(const v1::ForecastLandingRequest& request);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_LANDING_REQUEST_H_
