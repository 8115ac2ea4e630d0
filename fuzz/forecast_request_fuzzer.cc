// Fuzzes ForecastRequest validation (ValidateForecastRequest, services/forecasting/
// forecast_request.h) and, on requests that validate under small limits, the forecasts themselves
// (ComputeForecasts: every model of the engine). The input is a serialized v1::ForecastRequest;
// inputs that do not parse are skipped.
//
// The small limits (a few short series, a short horizon) keep each run fast; the service's own
// limits are larger, the code the same. Besides never crashing, it checks:
//  - a validation error is InvalidArgument; what passes the small limits passes the default ones;
//  - a forecast has, per series, `horizon` means and one interval of `horizon` bounds per level
//    (80 and 95 when none are asked for).
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/thread_pool.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/proto_mutator.h"
#include "services/forecasting/forecast_request.h"

SALESOPS_FUZZ_PROTO_MUTATOR(salesops::v1::ForecastRequest)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;
  using namespace salesops::fuzz;
  v1::ForecastRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) {
    Note("not a request");
    return 0;
  }

  const forecast::ForecastLimits defaults;
  absl::Status valid = forecast::ValidateForecastRequest(request, defaults);
  if (!valid.ok()) {
    Check(absl::IsInvalidArgument(valid), "validation error is not InvalidArgument", valid.ToString());
  }
  forecast::ForecastLimits small;
  small.max_series = 3;
  small.max_series_length = 120;
  small.max_horizon = 36;
  small.max_season_length = 24;
  small.max_levels = 4;
  absl::Status small_valid = forecast::ValidateForecastRequest(request, small);
  if (!small_valid.ok()) {
    Note("rejected", small_valid.message());
    Check(absl::IsInvalidArgument(small_valid), "validation error is not InvalidArgument",
          small_valid.ToString());
    return 0;
  }
  Check(valid.ok(), "valid under small limits but not under the default ones", valid.ToString());

  static ThreadPool* pool = new ThreadPool(1);
  auto response = forecast::ComputeForecasts(request, *pool);
  if (!response.ok()) {
    Note("not forecast", response.status().message());
    // A named model that does not suit a series (too short, zeros for a multiplicative model...).
    Check(absl::IsInvalidArgument(response.status()) || absl::IsFailedPrecondition(response.status()),
          "ComputeForecasts error is neither InvalidArgument nor FailedPrecondition",
          response.status().ToString());
    return 0;
  }
  Note("forecast", response->forecasts(0).model());
  Check(response->forecasts_size() == request.series_size(), "one forecast per series");
  const int levels = request.levels_size() > 0 ? request.levels_size() : 2;
  for (const v1::SeriesForecast& f : response->forecasts()) {
    Check(f.mean_size() == request.horizon(), "horizon means per series", f.ShortDebugString());
    Check(f.intervals_size() == levels, "one interval per level", f.ShortDebugString());
    for (const v1::PredictionInterval& interval : f.intervals()) {
      Check(interval.lower_size() == request.horizon() && interval.upper_size() == request.horizon(),
            "horizon bounds per interval", f.ShortDebugString());
    }
  }
  return 0;
}
