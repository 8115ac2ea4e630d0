// Cache-aside result cache in Redis.
//
// Keys are "salesops:cache:<namespace>:<engine version>:<hex sha256 of the request>", so results of
// an older engine are never served. Values expire after a TTL. The cache is an optimisation only:
// every failure (Redis down, timeout, corrupt value) is logged, counted and treated as a miss, and a
// failed write is dropped. A Cache built without a client is a cache that always misses.
//
// In front of Redis there may be a small in-process LRU cache (common/local_cache.h, bounded in
// bytes): a lookup tries it first, a Redis hit and every Put fill it. Values never change under a
// key (the key hashes the request and the engine version), so the only thing to respect is the
// TTL: a Put keeps the entry locally for the TTL from just before the SET, a Redis hit for the
// key's remaining PTTL (read in the same round trip as the GET), so a local entry never outlives
// the Redis one. A local hit counts as a hit in salesops_cache_requests_total too.
#ifndef SALESOPS_COMMON_CACHE_H_
#define SALESOPS_COMMON_CACHE_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "google/protobuf/message.h"
#include "common/local_cache.h"
#include "common/redis_client.h"

namespace salesops {

class Cache {
 public:
  // The services' default size of the in-process cache (--local-cache-bytes).
  static constexpr size_t kDefaultLocalBytes = size_t{64} << 20;

  // `redis` may be null (caching disabled). `name` labels the metrics and the keys, e.g. "forecast".
  // `local.max_bytes` > 0 puts an in-process cache of that size in front of Redis (only when
  // `redis` is set).
  Cache(std::shared_ptr<RedisClient> redis, std::string name, std::chrono::seconds ttl,
        LocalCache::Options local = {});

  // The cache key for a request: engine version + method + deterministic serialization of the
  // request, hashed.
  std::string KeyFor(std::string_view method, const google::protobuf::Message& request) const;

  // The cached value, or nullopt on a miss or any failure.
  std::optional<std::string> Get(const std::string& key);
  // Stores a value with the TTL; failures are counted and dropped.
  void Put(const std::string& key, std::string_view value);

  // Typed helpers: parse a cached message / store a message.
  bool GetMessage(const std::string& key, google::protobuf::Message* out);
  void PutMessage(const std::string& key, const google::protobuf::Message& message);

  bool enabled() const { return redis_ != nullptr; }
  // The in-process cache, or null when there is none.
  const LocalCache* local() const { return local_.get(); }

 private:
  struct Found;
  // The value under `key`, from the local cache or Redis; counts errors, not hits or misses.
  Found Find(const std::string& key);
  // Keeps a value that came from Redis locally for what remains of its TTL there.
  void Fill(const std::string& key, std::string_view value, const Found& found);

  std::shared_ptr<RedisClient> redis_;
  std::string name_;
  std::chrono::seconds ttl_;
  std::unique_ptr<LocalCache> local_;
};

}  // namespace salesops

#endif  // SALESOPS_COMMON_CACHE_H_
