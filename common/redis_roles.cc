#include "common/redis_roles.h"

#include "CLI/CLI.hpp"

namespace salesops {

void AddRedisFlags(CLI::App& app, RedisRolesConfig& c, bool with_store) {
  app.add_option("--cache-redis", c.cache_address, "result cache Redis; empty: no cache")
      ->envname("SALESOPS_CACHE_REDIS");
  app.add_option("--cache-ttl-seconds", c.cache_ttl_seconds, "how long cached results live")
      ->envname("SALESOPS_CACHE_TTL_SECONDS")
      ->check(CLI::Range(1, 30 * 86400))
      ->capture_default_str();
  app.add_option("--redis-timeout-ms", c.command_timeout_ms, "Redis command timeout")
      ->envname("SALESOPS_REDIS_TIMEOUT_MS")
      ->check(CLI::Range(10, 600000))
      ->capture_default_str();
  if (with_store) {
    app.add_option("--store-redis", c.store_address, "state store Redis (append-only file on)")
        ->envname("SALESOPS_STORE_REDIS")
        ->required();
  }
}

namespace {
absl::StatusOr<RedisOptions> OptionsFor(const std::string& address, int timeout_ms) {
  auto options = ParseRedisAddress(address);
  if (!options.ok()) return options.status();
  options->command_timeout = std::chrono::milliseconds(timeout_ms);
  return options;
}
}  // namespace

absl::StatusOr<std::unique_ptr<Cache>> MakeCache(const RedisRolesConfig& config,
                                                 const std::string& name) {
  std::shared_ptr<RedisClient> client;
  if (!config.cache_address.empty()) {
    auto options = OptionsFor(config.cache_address, config.command_timeout_ms);
    if (!options.ok()) return options.status();
    // A cache must never slow a caller down much: short connect timeout.
    options->connect_timeout = std::chrono::milliseconds(200);
    client = std::make_shared<RedisClient>(*options);
  }
  return std::make_unique<Cache>(client, name, std::chrono::seconds(config.cache_ttl_seconds));
}

absl::StatusOr<std::shared_ptr<RedisClient>> MakeStoreClient(const RedisRolesConfig& config) {
  if (config.store_address.empty())
    return absl::InvalidArgumentError("--store-redis: an address is required");
  auto options = OptionsFor(config.store_address, config.command_timeout_ms);
  if (!options.ok()) return options.status();
  return std::make_shared<RedisClient>(*options);
}

}  // namespace salesops
