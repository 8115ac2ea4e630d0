#include "services/quota/plan_store.h"

#include <algorithm>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/metrics.h"

namespace salesops::quota {
namespace {

std::string PlanKey(const std::string& id, int version) {
  return absl::StrCat("salesops:plan:", id, ":v", version);
}
std::string LatestKey(const std::string& id) { return absl::StrCat("salesops:plan:", id, ":latest"); }
std::string SummaryKey(const std::string& id) { return absl::StrCat("salesops:plan:", id, ":summary"); }
std::string IndexKey(int fiscal_year) {
  return fiscal_year ? absl::StrCat("salesops:plans:fy:", fiscal_year) : "salesops:plans";
}

absl::Status StoreError(const absl::Status& status) {
  Metrics::Get().RecordRedisError("store");
  return absl::Status(status.code() == absl::StatusCode::kUnavailable ? status.code()
                                                                      : absl::StatusCode::kInternal,
                      absl::StrCat("plan store: ", status.message()));
}

std::string NewPlanId() {
  static absl::Mutex mu;
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock lock(&mu);
  return absl::StrFormat("plan-%016x", absl::Uniform<uint64_t>(*gen));
}

v1::PlanSummary SummaryOf(const v1::Plan& plan) {
  v1::PlanSummary s;
  s.set_plan_id(plan.plan_id());
  s.set_version(plan.version());
  s.set_name(plan.name());
  s.set_fiscal_year(plan.fiscal_year());
  *s.mutable_target() = plan.target();
  s.set_method(plan.method());
  *s.mutable_created_at() = plan.created_at();
  s.set_created_by(plan.created_by());
  return s;
}

}  // namespace

PlanStore::PlanStore(std::shared_ptr<RedisClient> redis) : redis_(std::move(redis)) {}

absl::StatusOr<v1::Plan> PlanStore::Create(v1::Plan plan) {
  plan.set_plan_id(NewPlanId());
  plan.set_version(1);
  absl::Time now = absl::Now();
  plan.mutable_created_at()->set_seconds(absl::ToUnixSeconds(now));
  plan.mutable_created_at()->set_nanos(static_cast<int>(absl::ToUnixNanos(now) % 1000000000));
  std::string score = absl::StrCat(absl::ToUnixMillis(now));
  auto replies = redis_->Pipeline({
      {"MULTI"},
      {"SET", PlanKey(plan.plan_id(), 1), plan.SerializeAsString()},
      {"SET", LatestKey(plan.plan_id()), "1"},
      {"SET", SummaryKey(plan.plan_id()), SummaryOf(plan).SerializeAsString()},
      {"ZADD", IndexKey(0), score, plan.plan_id()},
      {"ZADD", IndexKey(plan.fiscal_year()), score, plan.plan_id()},
      {"EXEC"},
  });
  if (!replies.ok()) return StoreError(replies.status());
  const RedisReply& exec = replies->back();
  if (exec.type != RedisReply::Type::kArray)
    return StoreError(absl::InternalError("transaction failed: " + exec.str));
  for (const RedisReply& r : exec.elements) {
    if (r.type == RedisReply::Type::kError) return StoreError(absl::InternalError(r.str));
  }
  return plan;
}

absl::StatusOr<v1::Plan> PlanStore::Get(const std::string& plan_id, int version) {
  if (version == 0) {
    auto latest = redis_->Command({"GET", LatestKey(plan_id)});
    if (!latest.ok()) return StoreError(latest.status());
    if (latest->is_nil()) return absl::NotFoundError(absl::StrCat("plan_id: no plan \"", plan_id, "\""));
    if (!absl::SimpleAtoi(latest->str, &version))
      return absl::DataLossError(absl::StrCat("plan store: corrupt latest version of ", plan_id));
  }
  auto reply = redis_->Command({"GET", PlanKey(plan_id, version)});
  if (!reply.ok()) return StoreError(reply.status());
  if (reply->is_nil()) {
    return absl::NotFoundError(absl::StrCat("plan_id/version: no version ", version, " of plan \"",
                                            plan_id, "\""));
  }
  v1::Plan plan;
  if (!plan.ParseFromString(reply->str))
    return absl::DataLossError(absl::StrCat("plan store: corrupt plan ", plan_id, " v", version));
  return plan;
}

absl::StatusOr<v1::ListPlansResponse> PlanStore::List(int fiscal_year, int page_size,
                                                      const std::string& page_token) {
  int offset = 0;
  if (!page_token.empty() && (!absl::SimpleAtoi(page_token, &offset) || offset < 0))
    return absl::InvalidArgumentError("page_token: not a token from a previous response");
  auto ids = redis_->Command({"ZREVRANGE", IndexKey(fiscal_year), absl::StrCat(offset),
                              absl::StrCat(offset + page_size)});  // one extra: is there more?
  if (!ids.ok()) return StoreError(ids.status());
  v1::ListPlansResponse response;
  size_t count = std::min<size_t>(ids->elements.size(), page_size);
  if (count == 0) return response;
  std::vector<std::vector<std::string>> gets;
  for (size_t i = 0; i < count; ++i) gets.push_back({"GET", SummaryKey(ids->elements[i].str)});
  auto summaries = redis_->Pipeline(gets);
  if (!summaries.ok()) return StoreError(summaries.status());
  for (const RedisReply& r : *summaries) {
    if (r.type != RedisReply::Type::kString) continue;
    if (!response.add_plans()->ParseFromString(r.str))
      return absl::DataLossError("plan store: corrupt plan summary");
  }
  if (ids->elements.size() > count) response.set_next_page_token(absl::StrCat(offset + count));
  return response;
}

}  // namespace salesops::quota
