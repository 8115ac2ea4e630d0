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

v1::PlanSummary SummaryOf(const v1::Plan& plan, const google::protobuf::Timestamp& created_at) {
  v1::PlanSummary s;
  s.set_plan_id(plan.plan_id());
  s.set_version(plan.version());
  s.set_name(plan.name());
  s.set_fiscal_year(plan.fiscal_year());
  *s.mutable_target() = plan.target();
  s.set_method(plan.method());
  *s.mutable_created_at() = created_at;
  s.set_created_by(plan.created_by());
  s.set_status(plan.status());
  return s;
}

v1::PlanVersionSummary VersionSummaryOf(const v1::Plan& plan) {
  v1::PlanVersionSummary s;
  s.set_version(plan.version());
  s.set_status(plan.status());
  *s.mutable_change() = plan.change();
  *s.mutable_target() = plan.target();
  s.set_method(plan.method());
  return s;
}

std::string VersionsKey(const std::string& id) { return absl::StrCat("salesops:plan:", id, ":versions"); }

// Writes version expected + 1 if the latest version is still `expected` (0: the plan is new).
// Fails with "STALE <latest>" otherwise, having written nothing.
constexpr char kAppendScript[] = R"lua(
local latest = redis.call('GET', KEYS[1])
local current = latest and tonumber(latest) or 0
if current ~= tonumber(ARGV[1]) then
  return redis.error_reply('STALE ' .. current)
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], tostring(current + 1))
redis.call('SET', KEYS[3], ARGV[3])
redis.call('RPUSH', KEYS[4], ARGV[4])
if current == 0 then
  redis.call('ZADD', KEYS[5], ARGV[5], ARGV[6])
  redis.call('ZADD', KEYS[6], ARGV[5], ARGV[6])
end
return current + 1
)lua";

google::protobuf::Timestamp Now() {
  const absl::Time now = absl::Now();
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(now));
  t.set_nanos(static_cast<int>(absl::ToUnixNanos(now) % 1000000000));
  return t;
}

// Stores `plan` as version expected + 1 (see kAppendScript). The plan summary keeps the creation
// time of version 1.
absl::StatusOr<v1::Plan> WriteVersion(RedisClient& redis, v1::Plan plan, int expected,
                                      const google::protobuf::Timestamp& plan_created_at) {
  plan.set_version(expected + 1);
  const std::string& id = plan.plan_id();
  const std::string score =
      absl::StrCat(plan_created_at.seconds() * 1000 + plan_created_at.nanos() / 1000000);
  auto reply = redis.Command({"EVAL", kAppendScript, "6", LatestKey(id), PlanKey(id, plan.version()),
                              SummaryKey(id), VersionsKey(id), IndexKey(0),
                              IndexKey(plan.fiscal_year()), absl::StrCat(expected),
                              plan.SerializeAsString(),
                              SummaryOf(plan, plan_created_at).SerializeAsString(),
                              VersionSummaryOf(plan).SerializeAsString(), score, id});
  if (!reply.ok()) {
    const std::string message(reply.status().message());
    const size_t stale = message.find("STALE ");
    if (stale == std::string::npos) return StoreError(reply.status());
    int latest = 0;
    (void)absl::SimpleAtoi(message.substr(stale + 6), &latest);
    if (latest == 0) return absl::NotFoundError(absl::StrCat("plan_id: no plan \"", id, "\""));
    return absl::AbortedError(absl::StrCat(
        "expected_version: plan \"", id, "\" is at version ", latest, ", not ", expected,
        "; someone changed it since you read it: read it again and re-apply your change"));
  }
  return plan;
}

}  // namespace

PlanStore::PlanStore(std::shared_ptr<RedisClient> redis) : redis_(std::move(redis)) {}

absl::StatusOr<v1::Plan> PlanStore::Create(v1::Plan plan) {
  plan.set_plan_id(NewPlanId());
  const google::protobuf::Timestamp now = Now();
  *plan.mutable_created_at() = now;
  *plan.mutable_change()->mutable_time() = now;
  return WriteVersion(*redis_, std::move(plan), 0, now);
}

absl::StatusOr<v1::Plan> PlanStore::Append(v1::Plan plan, int expected_version) {
  // The plan's creation time, which its summary keeps (a small read, not a whole version).
  auto reply = redis_->Command({"GET", SummaryKey(plan.plan_id())});
  if (!reply.ok()) return StoreError(reply.status());
  if (reply->is_nil())
    return absl::NotFoundError(absl::StrCat("plan_id: no plan \"", plan.plan_id(), "\""));
  v1::PlanSummary summary;
  if (!summary.ParseFromString(reply->str))
    return absl::DataLossError(absl::StrCat("plan store: corrupt summary of ", plan.plan_id()));
  const google::protobuf::Timestamp now = Now();
  *plan.mutable_created_at() = now;
  *plan.mutable_change()->mutable_time() = now;
  return WriteVersion(*redis_, std::move(plan), expected_version, summary.created_at());
}

absl::StatusOr<v1::ListPlanVersionsResponse> PlanStore::Versions(const std::string& plan_id) {
  auto reply = redis_->Command({"LRANGE", VersionsKey(plan_id), "0", "-1"});
  if (!reply.ok()) return StoreError(reply.status());
  if (reply->elements.empty())
    return absl::NotFoundError(absl::StrCat("plan_id: no plan \"", plan_id, "\""));
  v1::ListPlanVersionsResponse response;
  response.set_plan_id(plan_id);
  for (auto it = reply->elements.rbegin(); it != reply->elements.rend(); ++it) {
    if (!response.add_versions()->ParseFromString(it->str))
      return absl::DataLossError(absl::StrCat("plan store: corrupt version list of ", plan_id));
  }
  return response;
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
    if (r.type == RedisReply::Type::kError) return StoreError(redis_->ReplyError(r, "GET"));
    if (r.type != RedisReply::Type::kString) continue;  // deleted since the index was read
    if (!response.add_plans()->ParseFromString(r.str))
      return absl::DataLossError("plan store: corrupt plan summary");
  }
  if (ids->elements.size() > count) response.set_next_page_token(absl::StrCat(offset + count));
  return response;
}

}  // namespace salesops::quota
