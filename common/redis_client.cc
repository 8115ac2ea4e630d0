#include "common/redis_client.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace salesops {
namespace {

using Clock = std::chrono::steady_clock;

timeval ToTimeval(std::chrono::milliseconds ms) {
  if (ms.count() < 1) ms = std::chrono::milliseconds(1);  // 0 would mean "wait forever"
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// `message` without a leading "redis host:port: ".
// (Debian's abseil has its own string_view, distinct from std::string_view.)
std::string WithoutPrefix(absl::string_view message, absl::string_view where) {
  if (absl::StartsWith(message, where)) message.remove_prefix(where.size());
  if (absl::StartsWith(message, ": ")) message.remove_prefix(2);
  return std::string(message);
}

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string HostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

// hiredis writes with write(2): a write to a connection the server has closed raises SIGPIPE, whose
// default action kills the process. Block it on this thread while talking to Redis and swallow any
// SIGPIPE the calls raised, leaving the process's signal dispositions alone.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec zero{};
        while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    case REDIS_REPLY_NIL:
    default:
      out.type = RedisReply::Type::kNil;
      break;
  }
  return out;
}

struct ReplyDeleter {
  void operator()(void* r) const {
    if (r != nullptr) freeReplyObject(r);
  }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// What went wrong talking to one connection.
enum class Failure {
  kNone,
  kStale,    // the peer had closed the connection (EOF, reset, broken pipe): Redis went away
  kTimeout,  // no answer within command_timeout
  kBroken,   // anything else (protocol error, out of memory)
};

struct Outcome {
  Failure failure = Failure::kNone;
  absl::Status status;
  size_t replies = 0;  // replies read before the failure
};

// Classifies the error hiredis recorded in `c`; `saved_errno` is errno right after the failed call.
Failure Classify(const redisContext* c, int saved_errno) {
  if (c->err == REDIS_ERR_EOF) return Failure::kStale;
  if (c->err == REDIS_ERR_IO) {
    if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT) {
      return Failure::kTimeout;
    }
    if (saved_errno == ECONNRESET || saved_errno == EPIPE || saved_errno == ECONNABORTED) {
      return Failure::kStale;
    }
  }
  return Failure::kBroken;
}

std::string CommandName(const std::vector<std::string>& args) {
  if (args.empty()) return "(empty command)";
  // Only the name: arguments may be secrets (AUTH) or large values.
  std::string name = args[0].substr(0, 32);
  for (char& ch : name) {
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7e) ch = '?';
  }
  return name;
}

// The commands of one call; pointers, so that large values are not copied.
using Batch = std::vector<const std::vector<std::string>*>;

std::string Describe(const Batch& commands) {
  if (commands.size() == 1) return CommandName(*commands[0]);
  return absl::StrCat("pipeline of ", commands.size(), " commands");
}

Outcome Fail(const redisContext* c, int saved_errno, const std::string& where,
             const Batch& commands,
             std::chrono::milliseconds timeout, size_t replies) {
  Outcome out;
  out.replies = replies;
  out.failure = c->err != 0 ? Classify(c, saved_errno) : Failure::kBroken;
  std::string what = Describe(commands);
  if (out.failure == Failure::kTimeout) {
    out.status = absl::UnavailableError(
        absl::StrCat(where, ": ", what, ": no reply within ", timeout.count(), " ms"));
  } else {
    std::string detail = c->err != 0 ? std::string(c->errstr) : "no reply";
    out.status = absl::UnavailableError(absl::StrCat(where, ": ", what, ": ", detail));
  }
  return out;
}

// Sends `commands` on `c` and reads one reply per command into `replies`.
Outcome Execute(redisContext* c, const Batch& commands,
                const std::string& where, std::chrono::milliseconds timeout,
                std::vector<RedisReply>* replies) {
  ScopedSigpipeBlock no_sigpipe;
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  auto fill = [&](const std::vector<std::string>& args) {
    argv.clear();
    argvlen.clear();
    for (const std::string& a : args) {
      argv.push_back(a.data());
      argvlen.push_back(a.size());
    }
  };

  if (commands.size() == 1) {
    fill(*commands[0]);
    errno = 0;
    ReplyPtr reply(static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), argvlen.data())));
    int saved = errno;
    if (reply == nullptr) return Fail(c, saved, where, commands, timeout, 0);
    replies->push_back(Convert(reply.get()));
    return {};
  }

  for (const std::vector<std::string>* args : commands) {
    fill(*args);
    if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), argvlen.data()) !=
        REDIS_OK) {
      return Fail(c, errno, where, commands, timeout, 0);
    }
  }
  replies->reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    errno = 0;
    int rc = redisGetReply(c, &raw);
    int saved = errno;
    ReplyPtr reply(static_cast<redisReply*>(raw));
    if (rc != REDIS_OK || reply == nullptr) return Fail(c, saved, where, commands, timeout, i);
    replies->push_back(Convert(reply.get()));
  }
  return {};
}

// False when the commands leave per-connection state behind that the next borrower of the
// connection must not inherit: another database, an open transaction or WATCH, subscriptions,
// MONITOR, changed CLIENT settings, another user.
bool LeavesConnectionClean(const Batch& commands) {
  bool in_multi = false;
  bool watching = false;
  for (const std::vector<std::string>* args : commands) {
    const std::string& name = (*args)[0];
    auto is = [&](absl::string_view n) { return absl::EqualsIgnoreCase(name, n); };
    for (absl::string_view n : {"SELECT", "AUTH", "HELLO", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE",
                                "MONITOR", "CLIENT", "RESET", "READONLY", "READWRITE", "QUIT", "SYNC",
                                "PSYNC", "REPLCONF"}) {
      if (is(n)) return false;
    }
    if (is("MULTI")) in_multi = true;
    if (is("WATCH")) watching = true;
    if (is("UNWATCH")) watching = false;
    if (is("EXEC") || is("DISCARD")) in_multi = watching = false;
  }
  return !in_multi && !watching;
}

// The status for a Redis error reply ("WRONGTYPE Operation against a key...").
absl::Status ErrorReplyStatus(const std::string& where, const std::string& command,
                              const std::string& message) {
  std::string_view code = message;
  code = code.substr(0, code.find(' '));
  std::string text = absl::StrCat(where, ": ", command, ": ", message);
  // The request cannot succeed in the current state of the data (or of the connection's rights).
  for (std::string_view c : {"WRONGTYPE", "NOSCRIPT", "BUSYGROUP", "NOGROUP", "BUSYKEY", "NOAUTH",
                             "WRONGPASS", "NOPERM", "EXECABORT", "NOTBUSY"}) {
    if (code == c) return absl::FailedPreconditionError(text);
  }
  // Redis is there but cannot serve right now: loading its data, busy in a script, a read-only
  // replica, out of memory. Worth retrying later, like a connection problem.
  for (std::string_view c : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "READONLY", "OOM"}) {
    if (code == c) return absl::UnavailableError(text);
  }
  return absl::InternalError(text);
}

// Parses a decimal integer in [lo, hi]; false for anything else (signs, spaces, overflow).
bool ParseInt(std::string_view s, int lo, int hi, int* out) {
  if (s.empty() || s.size() > 9 || s[0] < '0' || s[0] > '9') return false;
  int value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || value < lo || value > hi) return false;
  *out = value;
  return true;
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;  // needs two hex digits
    unsigned value = 0;
    const char* first = in.data() + i + 1;
    if (*first == '-' || *first == '+') return false;
    auto [ptr, ec] = std::from_chars(first, first + 2, value, 16);
    if (ec != std::errc() || ptr != first + 2) return false;
    out->push_back(static_cast<char>(value));
    i += 2;
  }
  return true;
}

// "host:port", "[v6]:port", or (when port_optional) "host" / "[v6]".
absl::Status ParseHostPort(std::string_view s, bool port_optional, std::string_view original,
                           RedisOptions* options) {
  auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid Redis address \"", Absl(original), "\": ", Absl(why),
                     " (expected host:port, [ipv6]:port or redis://[:password@]host:port[/db])"));
  };
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return invalid("unterminated '['");
    host = s.substr(1, close - 1);
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return invalid("unexpected text after ']'");
      port = rest.substr(1);
      has_port = true;
    }
    if (host.find(':') == std::string_view::npos) return invalid("brackets are for IPv6 addresses");
  } else {
    size_t colon = s.find(':');
    if (colon != std::string_view::npos) {
      if (s.find(':', colon + 1) != std::string_view::npos) {
        return invalid("put an IPv6 address in brackets, e.g. [::1]:6379");
      }
      host = s.substr(0, colon);
      port = s.substr(colon + 1);
      has_port = true;
    } else {
      host = s;
    }
  }
  if (host.empty()) return invalid("missing host");
  for (char ch : host) {
    const auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u >= 0x7f || ch == '/' || ch == '@' || ch == '?' || ch == '#' || ch == '[' ||
        ch == ']') {
      return invalid("bad character in host");
    }
  }
  int port_number = 6379;
  if (has_port) {
    if (!ParseInt(port, 1, 65535, &port_number)) return invalid("port must be 1..65535");
  } else if (!port_optional) {
    return invalid("missing port");
  }
  options->host = std::string(host);
  options->port = port_number;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RedisOptions> ParseRedisAddress(std::string_view address) {
  RedisOptions options;
  auto invalid = [&](std::string_view why) {
    // Never echo a URL that may carry a password.
    return absl::InvalidArgumentError(absl::StrCat("invalid Redis URL: ", Absl(why)));
  };
  constexpr std::string_view kScheme = "redis://";
  if (!absl::StartsWithIgnoreCase(Absl(address), Absl(kScheme))) {
    if (address.find("://") != std::string_view::npos) {
      return absl::InvalidArgumentError(
          "invalid Redis address: only redis:// URLs are supported (no TLS, no unix sockets)");
    }
    absl::Status s = ParseHostPort(address, /*port_optional=*/false, address, &options);
    if (!s.ok()) return s;
    return options;
  }
  std::string_view rest = address.substr(kScheme.size());
  // userinfo ends at the last '@' (a password may contain '@' or '/' unencoded).
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return invalid("put the password after a colon: redis://:password@host:port");
    }
    std::string_view user = userinfo.substr(0, colon);
    if (!user.empty() && user != "default") {
      return invalid("user names other than \"default\" are not supported");
    }
    if (!PercentDecode(userinfo.substr(colon + 1), &options.password)) {
      return invalid("bad percent-encoding in the password");
    }
  }
  size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (hostport.find_first_of("?#") != std::string_view::npos) {
    return invalid("query parameters are not supported");
  }
  // The part without the password is safe to show.
  absl::Status s = ParseHostPort(hostport, /*port_optional=*/true,
                                 absl::StrCat("redis://", Absl(hostport)), &options);
  if (!s.ok()) return s;
  if (slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !ParseInt(db, 0, 1 << 20, &options.database)) {
      return invalid("the database after '/' must be a non-negative number");
    }
  }
  return options;
}

void RedisClient::ContextDeleter::operator()(redisContext* c) const {
  if (c != nullptr) redisFree(c);
}

RedisClient::RedisClient(RedisOptions options)
    : where_(absl::StrCat("redis ", HostPort(options.host, options.port))),
      options_(std::move(options)) {}

RedisClient::~RedisClient() = default;

absl::StatusOr<RedisClient::Context> RedisClient::Connect() {
  ScopedSigpipeBlock no_sigpipe;
  Context c(redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                    ToTimeval(options_.connect_timeout)));
  if (c == nullptr) return absl::UnavailableError(absl::StrCat(where_, ": out of memory"));
  if (c->err != 0) {
    std::string why = c->errstr;
    if (why.empty() || absl::StrContains(why, "in progress")) {
      why = absl::StrCat("no connection within ", options_.connect_timeout.count(), " ms");
    }
    return absl::UnavailableError(absl::StrCat(where_, ": connect failed: ", why));
  }
  if (redisSetTimeout(c.get(), ToTimeval(options_.command_timeout)) != REDIS_OK) {
    return absl::UnavailableError(
        absl::StrCat(where_, ": cannot set the command timeout: ", c->errstr));
  }
  std::vector<std::vector<std::string>> setup;
  if (!options_.password.empty()) setup.push_back({"AUTH", options_.password});
  if (options_.database != 0) setup.push_back({"SELECT", std::to_string(options_.database)});
  for (const auto& command : setup) {
    std::vector<RedisReply> replies;
    Outcome outcome = Execute(c.get(), {&command}, where_, options_.command_timeout, &replies);
    if (!outcome.status.ok()) return outcome.status;
    if (replies[0].type == RedisReply::Type::kError) {
      // Redis's message never contains the password.
      return absl::UnavailableError(absl::StrCat(where_, ": ", command[0],
                                                 " after connecting failed: ", replies[0].str));
    }
  }
  return c;
}

absl::StatusOr<RedisClient::Context> RedisClient::Acquire() {
  bool reused = false;
  return Acquire(/*fresh=*/false, &reused);
}

absl::StatusOr<RedisClient::Context> RedisClient::Acquire(bool fresh, bool* reused) {
  *reused = false;
  if (!fresh) {
    absl::MutexLock lock(&mu_);
    const Clock::time_point now = Clock::now();
    if (now < down_until_) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(down_until_ - now).count();
      return absl::UnavailableError(absl::StrCat(where_, " is unavailable (", down_reason_,
                                                 "); failing fast, next attempt in ", left, " ms"));
    }
    if (down_until_ != Clock::time_point{}) {
      // The back-off is over: this caller probes; the others keep failing fast meanwhile.
      down_until_ = now + options_.reconnect_backoff;
    }
    if (!idle_.empty()) {
      Context c = std::move(idle_.back());
      idle_.pop_back();
      *reused = true;
      return c;
    }
  }
  absl::StatusOr<Context> c = Connect();
  if (!c.ok()) MarkDown(WithoutPrefix(c.status().message(), where_));
  return c;
}

void RedisClient::Release(Context context) {
  Context surplus;
  {
    absl::MutexLock lock(&mu_);
    // The server answered: whatever marked it down is over.
    down_until_ = Clock::time_point{};
    down_reason_.clear();
    if (context != nullptr && static_cast<int>(idle_.size()) < options_.max_idle_connections) {
      idle_.push_back(std::move(context));
    } else {
      surplus = std::move(context);
    }
  }
  // `surplus` closes outside the lock.
}

void RedisClient::MarkDown(std::string reason) {
  absl::MutexLock lock(&mu_);
  down_until_ = Clock::now() + options_.reconnect_backoff;
  down_reason_ = std::move(reason);
}

void RedisClient::DropIdle() {
  std::vector<Context> dead;
  {
    absl::MutexLock lock(&mu_);
    dead.swap(idle_);
  }
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Run(
    const Batch& commands) {
  const bool clean = LeavesConnectionClean(commands);
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    absl::StatusOr<Context> c = Acquire(/*fresh=*/attempt > 0, &reused);
    if (!c.ok()) return c.status();
    std::vector<RedisReply> replies;
    Outcome outcome = Execute(c->get(), commands, where_, options_.command_timeout, &replies);
    if (outcome.failure == Failure::kNone) {
      // A connection left in a transaction, another database, subscribed... is not reused.
      if (!clean) c->reset();
      Release(*std::move(c));
      return replies;
    }
    c->reset();  // never back into the pool
    if (outcome.failure == Failure::kStale && reused && outcome.replies == 0 && attempt == 0) {
      // Most likely Redis restarted since this connection was last used, and so are the other
      // idle ones. Nothing was answered (so most likely nothing was run): try once more, fresh.
      DropIdle();
      continue;
    }
    if (outcome.failure == Failure::kTimeout) {
      MarkDown(WithoutPrefix(outcome.status.message(), where_));
    }
    return outcome.status;
  }
}

absl::Status RedisClient::ReplyError(const RedisReply& reply, const std::string& command) const {
  return ErrorReplyStatus(where_, command, reply.str);
}

absl::StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  if (args.empty()) return absl::InvalidArgumentError("Redis command: no arguments");
  absl::StatusOr<std::vector<RedisReply>> replies = Run({&args});
  if (!replies.ok()) return replies.status();
  RedisReply& reply = replies->front();
  if (reply.type == RedisReply::Type::kError) {
    return ErrorReplyStatus(where_, CommandName(args), reply.str);
  }
  return std::move(reply);
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty()) return std::vector<RedisReply>{};
  Batch batch;
  batch.reserve(commands.size());
  for (const auto& args : commands) {
    if (args.empty()) return absl::InvalidArgumentError("Redis pipeline: a command has no arguments");
    batch.push_back(&args);
  }
  return Run(batch);
}

bool RedisClient::Ping() {
  absl::StatusOr<RedisReply> reply = Command({"PING"});
  return reply.ok() && reply->type == RedisReply::Type::kStatus && reply->str == "PONG";
}

}  // namespace salesops
