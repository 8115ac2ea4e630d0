#include "common/cache.h"

#include <algorithm>
#include <utility>
#include <vector>

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

// A GET reply as a value, nullopt when absent, or an error (as the client's own errors are).
absl::StatusOr<std::optional<std::string>> FromGetReply(RedisReply reply, const RedisClient& redis) {
  switch (reply.type) {
    case RedisReply::Type::kNil:
      return std::nullopt;
    case RedisReply::Type::kString:
      return std::move(reply.str);
    case RedisReply::Type::kError:  // in a pipeline, e.g. WRONGTYPE
      return redis.ReplyError(reply, "GET");
    default:
      return absl::InternalError("GET returned something other than a string");
  }
}

}  // namespace

Cache::Cache(std::shared_ptr<RedisClient> redis, std::string name, std::chrono::seconds ttl,
             LocalCache::Options local)
    : redis_(std::move(redis)), name_(std::move(name)), ttl_(ttl) {
  if (redis_ && local.max_bytes > 0) local_ = std::make_unique<LocalCache>(name_, std::move(local));
}

struct Cache::Found {
  bool ok = true;                             // false: a failure, already counted
  std::shared_ptr<const std::string> local;   // a hit in the local cache
  std::optional<std::string> remote;          // a hit in Redis
  LocalCache::Clock::time_point expires{};    // when `remote` expires in Redis, on the local clock
};

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

Cache::Found Cache::Find(const std::string& key) {
  Found found;
  if (!local_) {
    absl::StatusOr<RedisReply> reply = redis_->Command({"GET", key});
    absl::StatusOr<std::optional<std::string>> value =
        reply.ok() ? FromGetReply(*std::move(reply), *redis_) : reply.status();
    if (!value.ok()) {
      CountFailure(name_, "get", value.status());
      found.ok = false;
    } else {
      found.remote = *std::move(value);
    }
    return found;
  }
  found.local = local_->Get(key);
  if (found.local) return found;
  // The remaining TTL comes with the value (one round trip): a local copy must not outlive it. The
  // clock is read before sending, so the local expiry is never later than Redis's.
  const LocalCache::Clock::time_point sent = local_->Now();
  absl::StatusOr<std::vector<RedisReply>> replies = redis_->Pipeline({{"GET", key}, {"PTTL", key}});
  absl::StatusOr<std::optional<std::string>> value =
      !replies.ok()             ? replies.status()
      : replies->size() != 2    ? absl::InternalError("GET+PTTL: wrong number of replies")
                                : FromGetReply(std::move((*replies)[0]), *redis_);
  if (!value.ok()) {
    CountFailure(name_, "get", value.status());
    found.ok = false;
    return found;
  }
  found.remote = *std::move(value);
  const RedisReply& pttl = (*replies)[1];
  if (pttl.type == RedisReply::Type::kInteger && pttl.integer == -1) {
    found.expires = sent + ttl_;  // no expiry in Redis (set by someone else): our TTL
  } else if (pttl.type == RedisReply::Type::kInteger && pttl.integer > 0) {
    found.expires = sent + std::min<std::chrono::milliseconds>(
                               std::chrono::milliseconds(pttl.integer), ttl_);
  } else {
    found.expires = sent;  // gone meanwhile, or an odd reply: not kept locally
  }
  return found;
}

void Cache::Fill(const std::string& key, std::string_view value, const Found& found) {
  if (local_) local_->Put(key, value, found.expires);
}

std::optional<std::string> Cache::Get(const std::string& key) {
  if (!redis_) return std::nullopt;
  Found found = Find(key);
  if (!found.ok) return std::nullopt;
  if (found.local) {
    Metrics::Get().RecordCache(name_, Metrics::CacheResult::kHit);
    return *found.local;
  }
  Metrics::Get().RecordCache(
      name_, found.remote.has_value() ? Metrics::CacheResult::kHit : Metrics::CacheResult::kMiss);
  if (found.remote) Fill(key, *found.remote, found);
  return std::move(found.remote);
}

void Cache::Put(const std::string& key, std::string_view value) {
  if (!redis_ || ttl_.count() <= 0) return;  // a non-positive TTL caches nothing
  // Kept locally for the TTL from before the SET, so Redis keeps it at least as long. Kept even
  // when the SET fails: the value is still right, and the TTL still bounds it.
  if (local_) local_->Put(key, value, local_->Now() + ttl_);
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
  Found found = Find(key);
  if (!found.ok) return false;
  const std::string* bytes = found.local ? found.local.get()
                             : found.remote ? &*found.remote
                                            : nullptr;
  if (bytes == nullptr) {
    Metrics::Get().RecordCache(name_, Metrics::CacheResult::kMiss);
    return false;
  }
  if (!out->ParseFromString(*bytes)) {
    out->Clear();
    CountFailure(name_, "get",
                 absl::DataLossError(absl::StrCat("cached value is not a valid ",
                                                  out->GetDescriptor()->full_name())),
                 /*redis_error=*/false);
    return false;
  }
  if (!found.local) Fill(key, *bytes, found);  // only values that parse
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
