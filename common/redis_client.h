// A small, thread-safe Redis client over hiredis.
//
// Each call borrows one connection from a pool (so every thread in flight has its own connection),
// with a connect timeout and a command timeout. A broken connection is dropped and replaced on the
// next call; after a failed connect the client fails fast (UNAVAILABLE) for a short back-off
// instead of making every caller wait for the connect timeout.
#ifndef SALESOPS_COMMON_REDIS_CLIENT_H_
#define SALESOPS_COMMON_REDIS_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

struct redisContext;

namespace salesops {

// A decoded Redis reply.
struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;                  // kString, kStatus, kError
  int64_t integer = 0;              // kInteger
  std::vector<RedisReply> elements; // kArray

  bool is_nil() const { return type == Type::kNil; }
};

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  // AUTH password; empty for none. Never logged.
  std::string password;
  // SELECT this database after connecting.
  int database = 0;
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{2000};
  // After a failed connect, calls fail at once for this long.
  std::chrono::milliseconds reconnect_backoff{250};
  // Idle connections kept for reuse.
  int max_idle_connections = 16;
};

// Parses "host:port" or "redis://[:password@]host:port[/db]" into options (other fields keep their
// defaults). InvalidArgument for anything else.
absl::StatusOr<RedisOptions> ParseRedisAddress(std::string_view address);

class RedisClient {
 public:
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command, e.g. Command({"SET", key, value}). Arguments are binary-safe.
  // A Redis error reply becomes an error Status (Internal, or FailedPrecondition for
  // WRONGTYPE/NOSCRIPT-style errors); connection problems and timeouts become Unavailable.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args);

  // Sends all commands in one round trip and returns their replies in order. Fails as a whole on a
  // connection problem; a Redis error reply for one command is returned as a kError reply in its
  // slot, not as a failed Status.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // True when a PING succeeds now.
  bool Ping();

  const RedisOptions& options() const { return options_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  using Context = std::unique_ptr<redisContext, ContextDeleter>;

  absl::StatusOr<Context> Acquire();
  void Release(Context context);
  absl::StatusOr<Context> Connect();

  const RedisOptions options_;
  absl::Mutex mu_;
  std::vector<Context> idle_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point down_until_ ABSL_GUARDED_BY(mu_){};
};

}  // namespace salesops

#endif  // SALESOPS_COMMON_REDIS_CLIENT_H_
