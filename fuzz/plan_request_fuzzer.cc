// Fuzzes quota plan requests: ValidateCreatePlanRequest and, on requests that validate, BuildPlan
// (services/quota/plan_builder.h) with a stand-in ForecastService that answers every series with
// the mean of its last 12 values and an 80% interval around it. The input is a serialized
// v1::CreatePlanRequest; inputs that do not parse are skipped.
//
// Besides never crashing, it checks: a validation error is InvalidArgument; a plan has one
// allocation per node and rep (and planned hire) at most, each with 4 quarters and 12 months.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.h"
#include "fuzz/proto_mutator.h"
#include "services/quota/plan_builder.h"

namespace salesops::fuzz {
namespace {

absl::StatusOr<v1::ForecastResponse> StandInForecast(const v1::ForecastRequest& request) {
  v1::ForecastResponse response;
  for (const v1::TimeSeries& s : request.series()) {
    const int n = s.values_size();
    double sum = 0;
    for (int i = std::max(0, n - 12); i < n; ++i) sum += s.values(i);
    const double mean = n > 0 ? sum / std::min(n, 12) : 0;
    v1::SeriesForecast* f = response.add_forecasts();
    f->set_series_id(s.id());
    v1::PredictionInterval* interval = f->add_intervals();
    interval->set_level(80);
    for (int h = 0; h < request.horizon(); ++h) {
      f->add_mean(mean);
      interval->add_lower(mean * 0.8);
      interval->add_upper(mean * 1.2);
    }
  }
  return response;
}

}  // namespace
}  // namespace salesops::fuzz

SALESOPS_FUZZ_PROTO_MUTATOR(salesops::v1::CreatePlanRequest)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;
  using namespace salesops::fuzz;
  v1::CreatePlanRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) {
    Note("not a request");
    return 0;
  }
  absl::Status valid = quota::ValidateCreatePlanRequest(request);
  if (!valid.ok()) {
    Note("rejected", valid.message());
    Check(absl::IsInvalidArgument(valid), "validation error is not InvalidArgument", valid.ToString());
    return 0;
  }
  auto plan = quota::BuildPlan(request, StandInForecast);
  if (!plan.ok()) {
    Note("not built", plan.status().message());
    Check(absl::IsInvalidArgument(plan.status()) || absl::IsFailedPrecondition(plan.status()),
          "BuildPlan error on a valid request is neither InvalidArgument nor FailedPrecondition",
          plan.status().ToString());
    return 0;
  }
  Note("plan", std::to_string(plan->allocations_size()) + " allocations");
  const int most = request.territories_size() + request.reps_size() +
                   (request.has_capacity() ? request.capacity().planned_hires_size() : 0);
  Check(plan->allocations_size() <= most, "more allocations than nodes and reps",
        std::to_string(plan->allocations_size()) + " > " + std::to_string(most));
  for (const v1::Allocation& a : plan->allocations()) {
    Check(a.quarterly_quota_size() == 4 && a.monthly_quota_size() == 12,
          "an allocation without 4 quarters and 12 months", a.ShortDebugString());
  }
  return 0;
}
