// Cache-aside result cache in Redis.
//
// Keys are "salesops:cache:<namespace>:<engine version>:<hex sha256 of the request>", so results of
// an older engine are never served. Values expire after a TTL. The cache is an optimisation only:
// every failure (Redis down, timeout, corrupt value) is logged, counted and treated as a miss, and a
// failed write is dropped. A Cache built without a client is a cache that always misses.
#ifndef SALESOPS_COMMON_CACHE_H_
#define SALESOPS_COMMON_CACHE_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "google/protobuf/message.h"
#include "common/redis_client.h"

namespace salesops {

class Cache {
 public:
  // `redis` may be null (caching disabled). `name` labels the metrics and the keys, e.g. "forecast".
  Cache(std::shared_ptr<RedisClient> redis, std::string name, std::chrono::seconds ttl);

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

 private:
  std::shared_ptr<RedisClient> redis_;
  std::string name_;
  std::chrono::seconds ttl_;
};

}  // namespace salesops

#endif  // SALESOPS_COMMON_CACHE_H_
