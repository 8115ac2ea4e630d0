// QuotaService.SimulatePlan: a stored plan's outlook, by Monte Carlo (plan_simulation.h) over
// what the plan's own history says:
//   - the company's bookings for the plan period: actual months as they were, the rest as
//     ForecastService forecasts the company total; the period's sd from the monthly forecasts'
//     sds, taken as independent (which understates the spread when forecast errors persist from
//     month to month);
//   - each rep's expected share: the rep's own expected bookings for the period (actuals plus
//     forecast); reps without history (new hires) are expected to book as much of their quota as
//     the reps with history together are of theirs;
//   - rep variability: year-over-year changes of reps' shares over the complete fiscal years of the
//     history, counting only the years a rep was employed throughout.
#ifndef SALESOPS_SERVICES_QUOTA_PLAN_OUTLOOK_H_
#define SALESOPS_SERVICES_QUOTA_PLAN_OUTLOOK_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "salesops/v1/quota.pb.h"
#include "services/quota/plan_history.h"

namespace salesops::quota {

// FailedPrecondition when the plan has no bookings history (nothing to simulate from) or no rep
// carries quota.
absl::StatusOr<v1::SimulatePlanResponse> SimulatePlanOutlook(const v1::Plan& plan,
                                                             const ForecastFn& forecast, int paths,
                                                             uint64_t seed);

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_PLAN_OUTLOOK_H_
