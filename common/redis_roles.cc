#include "common/redis_roles.h"

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/secret_file.h"

namespace salesops {

void AddRedisFlags(CLI::App& app, RedisRolesConfig& c, bool with_store) {
  app.add_option("--cache-redis", c.cache_address, "result cache Redis; empty: no cache")
      ->envname("SALESOPS_CACHE_REDIS");
  app.add_option("--cache-ttl-seconds", c.cache_ttl_seconds, "how long cached results live")
      ->envname("SALESOPS_CACHE_TTL_SECONDS")
      ->check(CLI::Range(1, 30 * 86400))
      ->capture_default_str();
  app.add_option("--local-cache-bytes", c.local_cache_bytes,
                 "bytes of the in-process cache in front of the cache Redis; 0: none")
      ->envname("SALESOPS_LOCAL_CACHE_BYTES")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--redis-timeout-ms", c.command_timeout_ms, "Redis command timeout")
      ->envname("SALESOPS_REDIS_TIMEOUT_MS")
      ->check(CLI::Range(10, 600000))
      ->capture_default_str();
  app.add_option("--cache-redis-password-file", c.cache_password_file,
                 "file holding the cache Redis password")
      ->envname("SALESOPS_CACHE_REDIS_PASSWORD_FILE");
  if (with_store) {
    app.add_option("--store-redis", c.store_address, "state store Redis (append-only file on)")
        ->envname("SALESOPS_STORE_REDIS")
        ->required();
    AddStoreRedisPasswordFlag(app, c);
  }
}

void AddStoreRedisPasswordFlag(CLI::App& app, RedisRolesConfig& c) {
  app.add_option("--store-redis-password-file", c.store_password_file,
                 "file holding the store Redis password")
      ->envname("SALESOPS_STORE_REDIS_PASSWORD_FILE");
}

namespace {
absl::StatusOr<RedisOptions> OptionsFor(const std::string& address, int timeout_ms,
                                         const char* password_flag,
                                         const std::string& password_file) {
  auto options = ParseRedisAddress(address);
  if (!options.ok()) return options.status();
  options->command_timeout = std::chrono::milliseconds(timeout_ms);
  if (!password_file.empty()) {
    auto password = ReadOneLineSecret(password_flag, password_file);
    if (!password.ok()) return password.status();
    options->password = *password;
  }
  return options;
}

// Redis's replies to bad credentials: WRONGPASS (6+), NOAUTH (no password sent), "invalid
// password" (before 6).
bool IsAuthFailure(const absl::Status& status) {
  return absl::StrContains(status.message(), "WRONGPASS") ||
         absl::StrContains(status.message(), "NOAUTH") ||
         absl::StrContains(status.message(), "invalid password");
}

// Fails on credentials the server rejects; a server that cannot be reached is only logged.
absl::Status CheckCredentials(RedisClient& client, const char* role) {
  auto reply = client.Command({"PING"});
  if (reply.ok()) return absl::OkStatus();
  if (IsAuthFailure(reply.status())) {
    return absl::FailedPreconditionError(
        absl::StrCat(role, " Redis rejected the credentials: ", reply.status().message()));
  }
  log::Warn("redis_unreachable_at_start", {{"role", role}, {"error", reply.status().ToString()}});
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<std::unique_ptr<Cache>> MakeCache(const RedisRolesConfig& config,
                                                 const std::string& name) {
  std::shared_ptr<RedisClient> client;
  if (!config.cache_address.empty()) {
    auto options = OptionsFor(config.cache_address, config.command_timeout_ms,
                              "--cache-redis-password-file", config.cache_password_file);
    if (!options.ok()) return options.status();
    // A cache must never slow a caller down much: short connect timeout.
    options->connect_timeout = std::chrono::milliseconds(200);
    client = std::make_shared<RedisClient>(*options);
    if (auto s = CheckCredentials(*client, "cache"); !s.ok()) return s;
  }
  LocalCache::Options local;
  local.max_bytes = static_cast<size_t>(config.local_cache_bytes);
  return std::make_unique<Cache>(client, name, std::chrono::seconds(config.cache_ttl_seconds),
                                 std::move(local));
}

absl::StatusOr<std::shared_ptr<RedisClient>> MakeStoreClient(const RedisRolesConfig& config) {
  if (config.store_address.empty())
    return absl::InvalidArgumentError("--store-redis: an address is required");
  auto options = OptionsFor(config.store_address, config.command_timeout_ms,
                            "--store-redis-password-file", config.store_password_file);
  if (!options.ok()) return options.status();
  auto client = std::make_shared<RedisClient>(*options);
  if (auto s = CheckCredentials(*client, "store"); !s.ok()) return s;
  return client;
}

}  // namespace salesops
