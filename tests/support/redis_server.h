// A real redis-server for tests, on a free 127.0.0.1 port, in a temporary directory it owns.
//
//   salesops::testing::RedisServer redis({.persistence = true});
//   ASSERT_TRUE(redis.Start());
//   RedisClient client(redis.client_options());
//   ...
//   redis.Kill();                  // crash: SIGKILL
//   ASSERT_TRUE(redis.Restart());  // same port, same directory: the append-only file is replayed
//
// The binary is $SALESOPS_REDIS_SERVER if set, else redis-server from PATH, else
// /usr/bin/redis-server. The server is started with --bind 127.0.0.1 --protected-mode yes
// --daemonize no, logs to redis.log in its directory, and dies with the thread that started it
// (PR_SET_PDEATHSIG), so a crashed test leaves no server behind. DEBUG is enabled for local
// connections (DEBUG SLEEP is handy to make a server stall).
//
// Not thread-safe: drive it from the test's main thread.
#ifndef SALESOPS_TESTS_SUPPORT_REDIS_SERVER_H_
#define SALESOPS_TESTS_SUPPORT_REDIS_SERVER_H_

#include <sys/types.h>

#include <chrono>
#include <string>

#include "common/redis_client.h"
#include "gtest/gtest.h"

namespace salesops::testing {

struct RedisServerOptions {
  // true: append-only file on (appendfsync always), so acknowledged writes survive Kill().
  // false: no persistence at all (--save "" --appendonly no).
  bool persistence = false;
  // --requirepass; empty for none.
  std::string password;
  // How long Start() and Restart() wait for the server to answer PING.
  std::chrono::milliseconds ready_timeout{5000};
};

class RedisServer {
 public:
  explicit RedisServer(RedisServerOptions options = {});
  // Stops the server (if running) and removes its directory.
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts on a free port (trying other ports if the start fails) and waits until it answers.
  // Use as ASSERT_TRUE(server.Start()); the failure message includes the tail of the server log.
  ::testing::AssertionResult Start();
  // SIGTERM, then waits for the process to exit (SIGKILL after 10 s).
  void Stop();
  // SIGKILL, then waits: a crash.
  void Kill();
  // SIGSTOP / SIGCONT: the server keeps its socket but stops answering (connections are still
  // accepted by the kernel, commands time out).
  void Pause();
  void Resume();
  // Stops the server if running, then starts it again on the same port with the same directory.
  ::testing::AssertionResult Restart();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // "127.0.0.1:<port>"
  std::string address() const;
  // "redis://[:password@]127.0.0.1:<port>"
  std::string url() const;
  // Options for a RedisClient talking to this server (host, port, password).
  RedisOptions client_options() const;
  // The server's working directory (AOF files, redis.log).
  const std::string& dir() const { return dir_; }
  const RedisServerOptions& options() const { return options_; }

 private:
  // Starts redis-server on port_; true when it answered PING before the deadline. On failure the
  // process is gone and *error says why.
  bool Launch(std::string* error);
  // Waits for the child to exit, up to `timeout`; true if it did.
  bool WaitForExit(std::chrono::milliseconds timeout);
  std::string LogTail() const;

  const RedisServerOptions options_;
  std::string binary_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool paused_ = false;
};

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_SUPPORT_REDIS_SERVER_H_
