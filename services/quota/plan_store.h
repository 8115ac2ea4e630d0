// Quota plans in the Redis store. Every version is kept under its own key and never rewritten:
//   salesops:plan:<id>:v<n>      serialized Plan, version n
//   salesops:plan:<id>:latest    n
//   salesops:plan:<id>:summary   serialized PlanSummary of the latest version
//   salesops:plans               sorted set of plan ids by creation time (ms)
//   salesops:plans:fy:<year>     the same, per fiscal year
// Writes go in one MULTI/EXEC transaction, so a plan is either fully stored or not at all.
#ifndef SALESOPS_SERVICES_QUOTA_PLAN_STORE_H_
#define SALESOPS_SERVICES_QUOTA_PLAN_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/redis_client.h"
#include "salesops/v1/quota.pb.h"

namespace salesops::quota {

class PlanStore {
 public:
  explicit PlanStore(std::shared_ptr<RedisClient> redis);

  // Assigns a new plan id, version 1 and created_at, stores the plan and returns it.
  absl::StatusOr<v1::Plan> Create(v1::Plan plan);
  // NotFound when the plan or version does not exist. version 0 = latest.
  absl::StatusOr<v1::Plan> Get(const std::string& plan_id, int version);
  // Newest first. page_token is an opaque offset from a previous call.
  absl::StatusOr<v1::ListPlansResponse> List(int fiscal_year, int page_size,
                                             const std::string& page_token);

 private:
  std::shared_ptr<RedisClient> redis_;
};

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_PLAN_STORE_H_
