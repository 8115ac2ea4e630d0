// Quota plans in the Redis store. Every version is kept under its own key and never rewritten:
//   salesops:plan:<id>:v<n>        serialized Plan, version n
//   salesops:plan:<id>:latest      n
//   salesops:plan:<id>:summary     serialized PlanSummary of the latest version
//   salesops:plan:<id>:versions    list of serialized PlanVersionSummary, oldest first
//   salesops:plans                 sorted set of plan ids by creation time (ms)
//   salesops:plans:fy:<year>       the same, per fiscal year
// A new version is written by one Lua script that first checks the latest version is the one the
// caller read (optimistic concurrency): all of it is stored, or nothing. Run the store with the
// append-only file on (appendfsync always) so an acknowledged version survives a crash.
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

  // Assigns a new plan id, version 1 and its time, stores the plan and returns it.
  absl::StatusOr<v1::Plan> Create(v1::Plan plan);
  // Stores `plan` as version expected_version + 1 of plan.plan_id() (its version and time are set
  // here). Aborted when the latest version is no longer expected_version; NotFound when the plan
  // does not exist.
  absl::StatusOr<v1::Plan> Append(v1::Plan plan, int expected_version);
  // NotFound when the plan or version does not exist. version 0 = latest.
  absl::StatusOr<v1::Plan> Get(const std::string& plan_id, int version);
  // Newest first. page_token is an opaque offset from a previous call.
  absl::StatusOr<v1::ListPlansResponse> List(int fiscal_year, int page_size,
                                             const std::string& page_token);
  // Newest first. NotFound when the plan does not exist.
  absl::StatusOr<v1::ListPlanVersionsResponse> Versions(const std::string& plan_id);

 private:
  std::shared_ptr<RedisClient> redis_;
};

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_PLAN_STORE_H_
