// The two Redis roles of DESIGN.md, each with its own address: `cache` (results with a TTL; losing
// it costs only time) and `store` (snapshots, plans, jobs; append-only file, nothing evicted).
#ifndef SALESOPS_COMMON_REDIS_ROLES_H_
#define SALESOPS_COMMON_REDIS_ROLES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/cache.h"
#include "common/redis_client.h"

namespace CLI {
class App;
}

namespace salesops {

struct RedisRolesConfig {
  // "host:port" or "redis://[:password@]host:port[/db]"; empty disables the cache.
  std::string cache_address;
  int cache_ttl_seconds = 3600;
  // Same forms; required by services that keep state.
  std::string store_address;
  int command_timeout_ms = 2000;
};

// --cache-redis / SALESOPS_CACHE_REDIS, --cache-ttl-seconds / SALESOPS_CACHE_TTL_SECONDS,
// --redis-timeout-ms / SALESOPS_REDIS_TIMEOUT_MS and, when `with_store`,
// --store-redis / SALESOPS_STORE_REDIS (required).
void AddRedisFlags(CLI::App& app, RedisRolesConfig& config, bool with_store);

// The result cache named `name` (a cache that always misses when no address is configured).
absl::StatusOr<std::unique_ptr<Cache>> MakeCache(const RedisRolesConfig& config,
                                                 const std::string& name);
// The store client; InvalidArgument when no address is configured.
absl::StatusOr<std::shared_ptr<RedisClient>> MakeStoreClient(const RedisRolesConfig& config);

}  // namespace salesops

#endif  // SALESOPS_COMMON_REDIS_ROLES_H_
