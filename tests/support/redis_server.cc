#include "tests/support/redis_server.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/support/free_port.h"

namespace salesops::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string FindRedisServer() {
  if (const char* env = std::getenv("SALESOPS_REDIS_SERVER"); env != nullptr && *env != '\0') {
    return env;
  }
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      std::string candidate = absl::StrCat(dir, "/redis-server");
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "/usr/bin/redis-server";
}

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      absl::StrCat(base != nullptr && *base != '\0' ? base : "/tmp", "/salesops-redis-XXXXXX");
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    ADD_FAILURE() << "RedisServer: mkdtemp(" << templ << ") failed: " << std::strerror(errno);
    return "";
  }
  return buf.data();
}

struct ContextFree {
  void operator()(redisContext* c) const {
    if (c != nullptr) redisFree(c);
  }
};
struct ReplyFree {
  void operator()(void* r) const {
    if (r != nullptr) freeReplyObject(r);
  }
};

// True when the server on `port` answers and is the process `pid` (not some other server that
// happens to hold the port).
bool Answers(int port, const std::string& password, pid_t pid) {
  timeval connect_timeout{0, 200 * 1000};
  std::unique_ptr<redisContext, ContextFree> c(
      redisConnectWithTimeout("127.0.0.1", port, connect_timeout));
  if (c == nullptr || c->err != 0) return false;
  timeval command_timeout{0, 500 * 1000};
  redisSetTimeout(c.get(), command_timeout);
  if (!password.empty()) {
    const char* argv[] = {"AUTH", password.data()};
    const size_t lens[] = {4, password.size()};
    std::unique_ptr<redisReply, ReplyFree> r(
        static_cast<redisReply*>(redisCommandArgv(c.get(), 2, argv, lens)));
    if (r == nullptr || r->type == REDIS_REPLY_ERROR) return false;
  }
  // PING answers -LOADING until the append-only file has been replayed (INFO would not).
  std::unique_ptr<redisReply, ReplyFree> ping(static_cast<redisReply*>(redisCommand(c.get(), "PING")));
  if (ping == nullptr || ping->type != REDIS_REPLY_STATUS) return false;
  std::unique_ptr<redisReply, ReplyFree> r(
      static_cast<redisReply*>(redisCommand(c.get(), "INFO")));
  if (r == nullptr || r->type != REDIS_REPLY_STRING) return false;
  std::string info(r->str, r->len);
  return info.find(absl::StrCat("\nprocess_id:", pid, "\r\n")) != std::string::npos &&
         info.find("\nloading:0\r\n") != std::string::npos;
}

std::string Tail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

}  // namespace

RedisServer::RedisServer(RedisServerOptions options)
    : options_(std::move(options)), binary_(FindRedisServer()), dir_(MakeTempDir()) {}

RedisServer::~RedisServer() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string RedisServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::string RedisServer::url() const {
  if (options_.password.empty()) return absl::StrCat("redis://127.0.0.1:", port_);
  return absl::StrCat("redis://:", options_.password, "@127.0.0.1:", port_);
}

RedisOptions RedisServer::client_options() const {
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = port_;
  o.password = options_.password;
  return o;
}

::testing::AssertionResult RedisServer::Start() {
  if (running()) return ::testing::AssertionFailure() << "RedisServer: already running";
  if (dir_.empty()) return ::testing::AssertionFailure() << "RedisServer: no temporary directory";
  std::string errors;
  constexpr int kAttempts = 5;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    try {
      port_ = PickFreeLoopbackPort();
    } catch (const std::exception& e) {
      return ::testing::AssertionFailure() << "RedisServer: " << e.what();
    }
    std::string error;
    if (Launch(&error)) return ::testing::AssertionSuccess();
    absl::StrAppend(&errors, "\n  attempt ", attempt, " (port ", port_, "): ", error);
  }
  return ::testing::AssertionFailure()
         << "redis-server (" << binary_ << ") did not come up after " << kAttempts
         << " attempts:" << errors << "\n--- " << dir_ << "/redis.log (tail) ---\n"
         << LogTail();
}

::testing::AssertionResult RedisServer::Restart() {
  if (port_ == 0) return ::testing::AssertionFailure() << "RedisServer: Restart() before Start()";
  Stop();
  std::string errors;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    std::string error;
    if (Launch(&error)) return ::testing::AssertionSuccess();
    absl::StrAppend(&errors, "\n  attempt ", attempt, ": ", error);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return ::testing::AssertionFailure()
         << "redis-server did not come back on port " << port_ << ":" << errors << "\n--- "
         << dir_ << "/redis.log (tail) ---\n"
         << LogTail();
}

bool RedisServer::Launch(std::string* error) {
  const std::string port = std::to_string(port_);
  const std::string logfile = dir_ + "/redis.log";
  const std::string outfile = dir_ + "/redis.stdout";
  std::vector<std::string> args = {binary_,
                                   "--port", port,
                                   "--bind", "127.0.0.1",
                                   "--protected-mode", "yes",
                                   "--daemonize", "no",
                                   "--dir", dir_,
                                   "--logfile", logfile,
                                   "--save", "",
                                   "--enable-debug-command", "local"};
  if (options_.persistence) {
    args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  } else {
    args.insert(args.end(), {"--appendonly", "no"});
  }
  if (!options_.password.empty()) args.insert(args.end(), {"--requirepass", options_.password});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = absl::StrCat("fork: ", std::strerror(errno));
    return false;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(outfile.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in >= 0) ::dup2(in, 0);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    if (::close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 4096; ++fd) ::close(fd);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  paused_ = false;

  const Clock::time_point deadline = Clock::now() + options_.ready_timeout;
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        *error = absl::StrCat("could not run ", binary_);
      } else if (WIFEXITED(status)) {
        *error = absl::StrCat("redis-server exited with status ", WEXITSTATUS(status));
      } else {
        *error = absl::StrCat("redis-server died from signal ", WTERMSIG(status));
      }
      return false;
    }
    if (Answers(port_, options_.password, pid_)) return true;
    if (Clock::now() >= deadline) {
      *error = absl::StrCat("no answer to PING within ", options_.ready_timeout.count(), " ms");
      Kill();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool RedisServer::WaitForExit(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = -1;
      paused_ = false;
      return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void RedisServer::Stop() {
  if (!running()) return;
  if (paused_) Resume();
  ::kill(pid_, SIGTERM);
  if (WaitForExit(std::chrono::seconds(10))) return;
  ADD_FAILURE() << "redis-server (pid " << pid_ << ") ignored SIGTERM for 10 s; killing it";
  Kill();
}

void RedisServer::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, 0);
    if (r == pid_ || (r < 0 && errno != EINTR)) break;
  }
  pid_ = -1;
  paused_ = false;
}

void RedisServer::Pause() {
  if (!running() || paused_) return;
  ::kill(pid_, SIGSTOP);
  paused_ = true;
}

void RedisServer::Resume() {
  if (!running() || !paused_) return;
  ::kill(pid_, SIGCONT);
  paused_ = false;
}

std::string RedisServer::LogTail() const {
  std::string text = Tail(dir_ + "/redis.log", 2000);
  std::string out = Tail(dir_ + "/redis.stdout", 1000);
  if (!out.empty()) absl::StrAppend(&text, "\n--- stdout/stderr ---\n", out);
  return text;
}

}  // namespace salesops::testing
