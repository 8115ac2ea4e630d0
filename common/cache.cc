#include "common/cache.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/metrics.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

#ifndef SALESOPS_ENGINE_VERSION
#error "SALESOPS_ENGINE_VERSION must be defined by the build (common/CMakeLists.txt)"
#endif

namespace salesops {
namespace {

using Clock = std::chrono::steady_clock;

// One warning per second per cache at most, so a dead Redis does not flood the log; the next
// warning says how many were held back.
class WarningLimiter {
 public:
  static WarningLimiter& Get() {
    static auto* limiter = new WarningLimiter;
    return *limiter;
  }

  void Warn(const std::string& cache, std::string_view operation, const absl::Status& status) {
    int64_t suppressed = 0;
    {
      absl::MutexLock lock(&mu_);
      Entry& e = entries_[cache];
      const Clock::time_point now = Clock::now();
      if (e.last != Clock::time_point{} && now - e.last < std::chrono::seconds(1)) {
        ++e.suppressed;
        return;
      }
      e.last = now;
      suppressed = std::exchange(e.suppressed, 0);
    }
    nlohmann::json fields = {{"cache", cache},
                             {"operation", operation},
                             {"code", absl::StatusCodeToString(status.code())},
                             {"error", std::string(status.message())}};
    if (suppressed > 0) fields["suppressed"] = suppressed;
    log::Warn("cache_error", fields);
  }

 private:
  struct Entry {
    Clock::time_point last{};
    int64_t suppressed = 0;
  };
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

// `redis_error`: Redis itself failed (as opposed to a value that does not parse).
void CountFailure(const std::string& cache, std::string_view operation, const absl::Status& status,
                  bool redis_error = true) {
  Metrics::Get().RecordCache(cache, Metrics::CacheResult::kError);
  if (redis_error) Metrics::Get().RecordRedisError("cache");
  WarningLimiter::Get().Warn(cache, operation, status);
}

// The raw value under `key`: a value, nullopt when absent, or an error.
absl::StatusOr<std::optional<std::string>> Fetch(RedisClient& redis, const std::string& key) {
  absl::StatusOr<RedisReply> reply = redis.Command({"GET", key});
  if (!reply.ok()) return reply.status();
  switch (reply->type) {
    case RedisReply::Type::kNil:
      return std::nullopt;
    case RedisReply::Type::kString:
      return std::move(reply->str);
    default:
      return absl::InternalError("GET returned something other than a string");
  }
}

}  // namespace

Cache::Cache(std::shared_ptr<RedisClient> redis, std::string name, std::chrono::seconds ttl)
    : redis_(std::move(redis)), name_(std::move(name)), ttl_(ttl) {}

std::string Cache::KeyFor(std::string_view method,
                          const google::protobuf::Message& request) const {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    // Map entries in key order, so equal requests give equal bytes.
    coded.SetSerializationDeterministic(true);
    // Partial: a request with unset proto2 required fields must still hash, not abort.
    request.SerializePartialToCodedStream(&coded);
  }
  // Each part with its length, so that no two (method, type, request) triples run together.
  Sha256 h;
  const std::string& type = request.GetDescriptor()->full_name();
  for (std::string_view part : {method, std::string_view(type), std::string_view(bytes)}) {
    h.Update(absl::StrCat(part.size(), ":"));
    h.Update(part);
  }
  return absl::StrCat("salesops:cache:", name_, ":", SALESOPS_ENGINE_VERSION, ":", h.HexDigest());
}

std::optional<std::string> Cache::Get(const std::string& key) {
  if (!redis_) return std::nullopt;
  absl::StatusOr<std::optional<std::string>> value = Fetch(*redis_, key);
  if (!value.ok()) {
    CountFailure(name_, "get", value.status());
    return std::nullopt;
  }
  Metrics::Get().RecordCache(
      name_, value->has_value() ? Metrics::CacheResult::kHit : Metrics::CacheResult::kMiss);
  return *std::move(value);
}

void Cache::Put(const std::string& key, std::string_view value) {
  if (!redis_ || ttl_.count() <= 0) return;  // a non-positive TTL caches nothing
  absl::StatusOr<RedisReply> reply =
      redis_->Command({"SET", key, std::string(value), "EX", std::to_string(ttl_.count())});
  if (!reply.ok()) {
    CountFailure(name_, "put", reply.status());
  } else if (reply->type != RedisReply::Type::kStatus) {
    CountFailure(name_, "put", absl::InternalError("SET did not answer OK"));
  }
}

bool Cache::GetMessage(const std::string& key, google::protobuf::Message* out) {
  if (!redis_) return false;
  absl::StatusOr<std::optional<std::string>> value = Fetch(*redis_, key);
  if (!value.ok()) {
    CountFailure(name_, "get", value.status());
    return false;
  }
  if (!value->has_value()) {
    Metrics::Get().RecordCache(name_, Metrics::CacheResult::kMiss);
    return false;
  }
  if (!out->ParseFromString(**value)) {
    out->Clear();
    CountFailure(name_, "get",
                 absl::DataLossError(absl::StrCat("cached value is not a valid ",
                                                  out->GetDescriptor()->full_name())),
                 /*redis_error=*/false);
    return false;
  }
  Metrics::Get().RecordCache(name_, Metrics::CacheResult::kHit);
  return true;
}

void Cache::PutMessage(const std::string& key, const google::protobuf::Message& message) {
  if (!redis_ || ttl_.count() <= 0) return;
  std::string bytes;
  if (!message.SerializeToString(&bytes)) {
    CountFailure(name_, "put", absl::InternalError("cannot serialize the value"),
                 /*redis_error=*/false);
    return;
  }
  Put(key, bytes);
}

}  // namespace salesops
