// A small, thread-safe Redis client over hiredis.
//
// Each call borrows one connection from a pool (so every thread in flight has its own connection),
// with a connect timeout and a command timeout. A broken connection is dropped and replaced on the
// next call; after a failed connect the client fails fast (UNAVAILABLE) for a short back-off
// instead of making every caller wait for the connect timeout.
//
// Details of the implementation (common/redis_client.cc):
//  - A connection that saw an I/O error or a timeout is closed, never returned to the pool. When a
//    pooled connection turns out to be dead before any reply came back (Redis restarted since it
//    was last used), the other idle connections are dropped too and the call is retried once on a
//    fresh connection.
//  - A command timeout counts like a failed connect: a server that stopped answering is not asked
//    again until the back-off has passed, so a hung Redis costs one timeout per back-off period
//    rather than one per call. After the back-off one caller probes while the others keep failing
//    fast. Blocking commands (BLPOP, XREADGROUP BLOCK) must therefore block for less than
//    command_timeout.
//  - A call that leaves per-connection state behind (SELECT, MULTI without EXEC, WATCH, SUBSCRIBE,
//    CLIENT ..., AUTH) closes its connection afterwards instead of pooling it, so the next caller
//    never inherits it. A MULTI ... EXEC transaction inside one Pipeline is fine.
//  - Error replies that mean "not now" (LOADING after a restart, BUSY, MASTERDOWN, TRYAGAIN,
//    READONLY, OOM) become Unavailable, like connection problems, so callers can retry them.
//  - Error messages name "redis host:port" and the command name, never arguments or the password.
//  - SIGPIPE from writing to a connection Redis closed is blocked and discarded on the calling
//    thread; the process's signal handling is left alone.
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
// Also accepted: IPv6 literals in brackets ("[::1]:6379"), a URL without a port (6379), a
// percent-encoded password, and the user name "default" ("redis://default:password@host:port").
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

  // The status of an error reply, as Command would give it: for the kError replies Pipeline
  // returns in its slots. Unavailable for the "not now" errors (LOADING while the append-only
  // file is replayed, BUSY, ...), FailedPrecondition for WRONGTYPE and the like, else Internal;
  // the message names the server and `command`.
  absl::Status ReplyError(const RedisReply& reply, const std::string& command) const;

  const RedisOptions& options() const { return options_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  using Context = std::unique_ptr<redisContext, ContextDeleter>;

  absl::StatusOr<Context> Acquire();
  void Release(Context context);
  absl::StatusOr<Context> Connect();

  // Borrows a connection: an idle one if there is one (then *reused = true), else a new one; fails
  // fast while the server is marked down. With `fresh` (the retry after a dead pooled connection)
  // always a new connection, and no fail-fast: the caller is already the one probing.
  absl::StatusOr<Context> Acquire(bool fresh, bool* reused);
  // Runs the commands (pointers, so that large arguments are not copied) on one borrowed connection,
  // retrying once as described above.
  absl::StatusOr<std::vector<RedisReply>> Run(
      const std::vector<const std::vector<std::string>*>& commands);
  // Fails calls fast for reconnect_backoff, remembering why for the error messages.
  void MarkDown(std::string reason);
  // Closes every idle connection.
  void DropIdle();

  const std::string where_;  // "redis host:port", for error messages
  const RedisOptions options_;
  absl::Mutex mu_;
  std::vector<Context> idle_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point down_until_ ABSL_GUARDED_BY(mu_){};
  std::string down_reason_ ABSL_GUARDED_BY(mu_);
};

}  // namespace salesops

#endif  // SALESOPS_COMMON_REDIS_CLIENT_H_
