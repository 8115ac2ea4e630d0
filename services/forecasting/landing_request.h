// ForecastLandingRequest <-> the engine's deal-level landing forecast.
#ifndef SALESOPS_SERVICES_FORECASTING_LANDING_REQUEST_H_
#define SALESOPS_SERVICES_FORECASTING_LANDING_REQUEST_H_

#include "absl/status/statusor.h"
#include "salesops/v1/forecasting.pb.h"

namespace salesops::forecast {

// Validates (InvalidArgument naming the field), converts, runs the Monte Carlo.
absl::StatusOr<v1::ForecastLandingResponse> ComputeLanding(const v1::ForecastLandingRequest& request);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_LANDING_REQUEST_H_
