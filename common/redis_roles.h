// The two Redis roles of DESIGN.md, each with its own address: `cache` (results with a TTL; losing
// it costs only time) and `store` (snapshots, plans, jobs; append-only file, nothing evicted).
#ifndef SALESOPS_COMMON_REDIS_ROLES_H_
#define SALESOPS_COMMON_REDIS_ROLES_H_

#include <cstdint>
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
  // Bytes of the in-process cache in front of the cache Redis (common/local_cache.h); 0: none.
  int64_t local_cache_bytes = static_cast<int64_t>(Cache::kDefaultLocalBytes);
  // Same forms; required by services that keep state.
  std::string store_address;
  int command_timeout_ms = 2000;
  // Files holding the password of each role (a mounted Kubernetes Secret); when set they take
  // precedence over a password in the address, so the address can stay in a ConfigMap.
  std::string cache_password_file;
  std::string store_password_file;
};

// --cache-redis / SALESOPS_CACHE_REDIS, --cache-ttl-seconds / SALESOPS_CACHE_TTL_SECONDS,
// --local-cache-bytes / SALESOPS_LOCAL_CACHE_BYTES,
// --redis-timeout-ms / SALESOPS_REDIS_TIMEOUT_MS, --cache-redis-password-file /
// SALESOPS_CACHE_REDIS_PASSWORD_FILE and, when `with_store`, --store-redis / SALESOPS_STORE_REDIS
// (required) and --store-redis-password-file / SALESOPS_STORE_REDIS_PASSWORD_FILE.
// AddStoreRedisPasswordFlag adds only --store-redis-password-file (for a binary whose
// --store-redis is its own, optional flag).
void AddStoreRedisPasswordFlag(CLI::App& app, RedisRolesConfig& config);
void AddRedisFlags(CLI::App& app, RedisRolesConfig& config, bool with_store);

// Both check at start that the server accepts the credentials: a wrong or missing password is an
// error (naming the role and Redis's reason, never the password); a server that is down is not
// (the cache is optional and the store may come back), only a warning in the log.

// The result cache named `name` (a cache that always misses when no address is configured).
absl::StatusOr<std::unique_ptr<Cache>> MakeCache(const RedisRolesConfig& config,
                                                 const std::string& name);
// The store client; InvalidArgument when no address is configured.
absl::StatusOr<std::shared_ptr<RedisClient>> MakeStoreClient(const RedisRolesConfig& config);

}  // namespace salesops

#endif  // SALESOPS_COMMON_REDIS_ROLES_H_
