// Fuzzes the landing forecast (ComputeLanding, services/forecasting/landing_request.h): validation
// of a v1::ForecastLandingRequest and the calibration and Monte Carlo behind it. The input is a
// serialized request; inputs that do not parse are skipped. A valid number of simulations (or 0,
// the default 20,000) is replaced by 1,000, the least allowed, so each run is fast; invalid numbers
// are kept, to be rejected.
//
// Besides never crashing, it checks: an error is InvalidArgument; an answer has p10 <= p50 <= p90,
// a probability of quota in [0, 1] and the simulations it ran.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.h"
#include "fuzz/proto_mutator.h"
#include "services/forecasting/landing_request.h"

SALESOPS_FUZZ_PROTO_MUTATOR(salesops::v1::ForecastLandingRequest)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;
  using namespace salesops::fuzz;
  v1::ForecastLandingRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) {
    Note("not a request");
    return 0;
  }
  if (request.simulations() == 0 || (request.simulations() >= 1000 && request.simulations() <= 1000000)) {
    request.set_simulations(1000);
  }
  auto response = forecast::ComputeLanding(request);
  if (!response.ok()) {
    Note("rejected", response.status().message());
    Check(absl::IsInvalidArgument(response.status()), "ComputeLanding error is not InvalidArgument",
          response.status().ToString());
    return 0;
  }
  Note("landing", response->expected().ShortDebugString());
  Check(response->p10().minor_units() <= response->p50().minor_units() &&
            response->p50().minor_units() <= response->p90().minor_units(),
        "percentiles out of order", response->ShortDebugString());
  Check(response->probability_of_quota() >= 0 && response->probability_of_quota() <= 1,
        "probability of quota outside [0, 1]", response->ShortDebugString());
  Check(response->simulations() == 1000, "simulations not as asked", response->ShortDebugString());
  return 0;
}
