#include "common/redis_client.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/redis_server.h"

namespace salesops {
namespace {

using ::salesops::testing::RedisServer;
using ::salesops::testing::RedisServerOptions;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---------------------------------------------------------------------------------------------
// ParseRedisAddress

TEST(ParseRedisAddressTest, HostPort) {
  auto o = ParseRedisAddress("redis.internal:6380");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "redis.internal");
  EXPECT_EQ(o->port, 6380);
  EXPECT_EQ(o->password, "");
  EXPECT_EQ(o->database, 0);
  // Other fields keep their defaults.
  EXPECT_EQ(o->connect_timeout, RedisOptions().connect_timeout);
  EXPECT_EQ(o->command_timeout, RedisOptions().command_timeout);
}

TEST(ParseRedisAddressTest, Ipv6) {
  auto o = ParseRedisAddress("[::1]:7000");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(o->port, 7000);
  o = ParseRedisAddress("redis://[fe80::1]:7001/2");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "fe80::1");
  EXPECT_EQ(o->port, 7001);
  EXPECT_EQ(o->database, 2);
}

TEST(ParseRedisAddressTest, Urls) {
  auto o = ParseRedisAddress("redis://10.0.0.5:6390");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "10.0.0.5");
  EXPECT_EQ(o->port, 6390);
  EXPECT_EQ(o->password, "");
  EXPECT_EQ(o->database, 0);

  o = ParseRedisAddress("redis://:s3cret@cache:6379/4");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "cache");
  EXPECT_EQ(o->port, 6379);
  EXPECT_EQ(o->password, "s3cret");
  EXPECT_EQ(o->database, 4);

  o = ParseRedisAddress("redis://default:pw@store:1234/");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->password, "pw");
  EXPECT_EQ(o->database, 0);

  o = ParseRedisAddress("redis://store");  // default port
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "store");
  EXPECT_EQ(o->port, 6379);

  o = ParseRedisAddress("REDIS://store:1");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->port, 1);
}

TEST(ParseRedisAddressTest, PasswordSpecialCharacters) {
  auto o = ParseRedisAddress("redis://:p%40ss%3Aw%2Fo%25rd@h:1/0");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->password, "p@ss:w/o%rd");
  // Unencoded '@' and '/' in the password: the host starts after the last '@'.
  o = ParseRedisAddress("redis://:a@b/c@h:2/3");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->password, "a@b/c");
  EXPECT_EQ(o->host, "h");
  EXPECT_EQ(o->port, 2);
  EXPECT_EQ(o->database, 3);
}

TEST(ParseRedisAddressTest, Invalid) {
  for (const char* bad : {"", "host", "host:", ":6379", "host:0", "host:65536", "host:-1",
                          "host:+1", "host:12ab", "host: 1", "::1:6379", "[::1]", "[::1]6379",
                          "[::1:6379", "[127.0.0.1]:1", "a b:1", "rediss://h:1", "unix:///tmp/s",
                          "http://h:1", "redis://", "redis://:1", "redis://h:1/x", "redis://h:1/-1",
                          "redis://h:1?db=2", "redis://user:pw@h:1", "redis://pw@h:1",
                          "redis://:bad%zz@h:1", "redis://:bad%4@h:1", "redis://h:99999"}) {
    auto o = ParseRedisAddress(bad);
    EXPECT_FALSE(o.ok()) << "accepted \"" << bad << "\" as " << o->host << ":" << o->port;
    if (!o.ok()) {
      EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ParseRedisAddressTest, ErrorsDoNotEchoThePassword) {
  auto o = ParseRedisAddress("redis://:topsecret@h:notaport");
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(Msg(o.status()), Not(HasSubstr("topsecret")));
  o = ParseRedisAddress("redis://:topsecret@h:1/db");
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(Msg(o.status()), Not(HasSubstr("topsecret")));
}

// ---------------------------------------------------------------------------------------------
// Against a real redis-server

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()); }

  RedisOptions Options() const {
    RedisOptions o = server_.client_options();
    o.connect_timeout = milliseconds(500);
    o.command_timeout = milliseconds(2000);
    o.reconnect_backoff = milliseconds(100);
    return o;
  }

  RedisServer server_;
};

TEST_F(RedisClientTest, ReplyTypes) {
  RedisClient client(Options());
  EXPECT_TRUE(client.Ping());

  auto r = client.Command({"SET", "k", "v"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->type, RedisReply::Type::kStatus);
  EXPECT_EQ(r->str, "OK");

  r = client.Command({"GET", "k"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->type, RedisReply::Type::kString);
  EXPECT_EQ(r->str, "v");

  r = client.Command({"GET", "missing"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->is_nil());

  r = client.Command({"INCRBY", "n", "-42"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->type, RedisReply::Type::kInteger);
  EXPECT_EQ(r->integer, -42);
  r = client.Command({"INCRBY", "big", "9223372036854775807"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->integer, INT64_MAX);

  r = client.Command({"RPUSH", "list", "a", "b", "c"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->integer, 3);
  r = client.Command({"LRANGE", "list", "0", "-1"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->type, RedisReply::Type::kArray);
  ASSERT_EQ(r->elements.size(), 3u);
  EXPECT_EQ(r->elements[0].str, "a");
  EXPECT_EQ(r->elements[2].str, "c");

  r = client.Command({"LRANGE", "nolist", "0", "-1"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->type, RedisReply::Type::kArray);
  EXPECT_TRUE(r->elements.empty());

  r = client.Command({"MGET", "k", "missing"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->elements.size(), 2u);
  EXPECT_EQ(r->elements[0].str, "v");
  EXPECT_TRUE(r->elements[1].is_nil());

  // Nested arrays with every element type, from Lua.
  r = client.Command({"EVAL", "return {1, 'two', {3, {'four'}}, redis.status_reply('FINE')}", "0"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->type, RedisReply::Type::kArray);
  ASSERT_EQ(r->elements.size(), 4u);
  EXPECT_EQ(r->elements[0].type, RedisReply::Type::kInteger);
  EXPECT_EQ(r->elements[0].integer, 1);
  EXPECT_EQ(r->elements[1].str, "two");
  ASSERT_EQ(r->elements[2].type, RedisReply::Type::kArray);
  ASSERT_EQ(r->elements[2].elements.size(), 2u);
  EXPECT_EQ(r->elements[2].elements[0].integer, 3);
  ASSERT_EQ(r->elements[2].elements[1].elements.size(), 1u);
  EXPECT_EQ(r->elements[2].elements[1].elements[0].str, "four");
  EXPECT_EQ(r->elements[3].type, RedisReply::Type::kStatus);
  EXPECT_EQ(r->elements[3].str, "FINE");
}

TEST_F(RedisClientTest, ErrorReplies) {
  RedisClient client(Options());
  ASSERT_TRUE(client.Command({"SET", "str", "x"}).ok());

  auto r = client.Command({"LPUSH", "str", "y"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(r.status()), HasSubstr("WRONGTYPE"));
  EXPECT_THAT(Msg(r.status()), HasSubstr("LPUSH"));
  EXPECT_THAT(Msg(r.status()), HasSubstr(server_.address()));

  r = client.Command({"NOSUCHCOMMAND", "secret-argument"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(Msg(r.status()), HasSubstr("unknown command"));

  r = client.Command({"INCR", "str"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(Msg(r.status()), HasSubstr("not an integer"));

  r = client.Command({"EVALSHA", "0123456789012345678901234567890123456789", "0"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(r.status()), HasSubstr("NOSCRIPT"));

  ASSERT_TRUE(client.Command({"XGROUP", "CREATE", "stream", "g", "$", "MKSTREAM"}).ok());
  r = client.Command({"XGROUP", "CREATE", "stream", "g", "$"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(r.status()), HasSubstr("BUSYGROUP"));

  // An error reply leaves the connection usable.
  r = client.Command({"GET", "str"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str, "x");

  r = client.Command({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisClientTest, BinarySafeArgumentsAndValues) {
  RedisClient client(Options());
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  const std::string key("key\0with\r\nnul", 13);
  const std::string value = absl::StrCat(std::string("\0\0\r\n$3\r\n*1\0", 11), all_bytes);

  ASSERT_TRUE(client.Command({"SET", key, value}).ok());
  auto r = client.Command({"GET", key});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str, value);
  EXPECT_EQ(r->str.size(), value.size());
  // The key really has its NUL: the truncated name does not exist.
  r = client.Command({"EXISTS", "key"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->integer, 0);

  // Empty string is a value, not nil.
  ASSERT_TRUE(client.Command({"SET", "empty", ""}).ok());
  r = client.Command({"GET", "empty"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, RedisReply::Type::kString);
  EXPECT_EQ(r->str, "");

  // A large value.
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) % 251);
  ASSERT_TRUE(client.Command({"SET", "big", big}).ok());
  r = client.Command({"GET", "big"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->str == big);
}

TEST_F(RedisClientTest, PipelineKeepsOrder) {
  RedisClient client(Options());
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 500; ++i) {
    commands.push_back({"SET", absl::StrCat("p", i), std::string("v\0", 2) + std::to_string(i)});
    commands.push_back({"INCR", "counter"});
    commands.push_back({"GET", absl::StrCat("p", i)});
  }
  auto replies = client.Pipeline(commands);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), commands.size());
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ((*replies)[3 * i].str, "OK");
    EXPECT_EQ((*replies)[3 * i + 1].integer, i + 1);
    EXPECT_EQ((*replies)[3 * i + 2].str, std::string("v\0", 2) + std::to_string(i));
  }

  EXPECT_TRUE(client.Pipeline({}).ok());
  EXPECT_TRUE(client.Pipeline({}).value().empty());
  EXPECT_EQ(client.Pipeline({{"PING"}, {}}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisClientTest, PipelineErrorStaysInItsSlot) {
  RedisClient client(Options());
  auto replies = client.Pipeline({{"SET", "s", "text"},
                                  {"INCR", "s"},
                                  {"NOSUCHCOMMAND"},
                                  {"GET", "s"},
                                  {"GET", "nothing"},
                                  {"MULTI"},
                                  {"INCR", "t"},
                                  {"EXEC"}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 8u);
  EXPECT_EQ((*replies)[0].type, RedisReply::Type::kStatus);
  EXPECT_EQ((*replies)[1].type, RedisReply::Type::kError);
  EXPECT_THAT((*replies)[1].str, HasSubstr("not an integer"));
  EXPECT_EQ((*replies)[2].type, RedisReply::Type::kError);
  EXPECT_EQ((*replies)[3].str, "text");
  EXPECT_TRUE((*replies)[4].is_nil());
  EXPECT_EQ((*replies)[5].str, "OK");
  EXPECT_EQ((*replies)[6].str, "QUEUED");
  ASSERT_EQ((*replies)[7].type, RedisReply::Type::kArray);
  ASSERT_EQ((*replies)[7].elements.size(), 1u);
  EXPECT_EQ((*replies)[7].elements[0].integer, 1);
}

// A pipeline's error slots get the codes Command gives: a store replaying its append-only file
// answers LOADING, which is "not now" (UNAVAILABLE), not a bug (INTERNAL).
TEST_F(RedisClientTest, ReplyErrorClassifiesPipelineErrorsAsCommandDoes) {
  RedisClient client(Options());
  auto error = [](const char* text) {
    RedisReply r;
    r.type = RedisReply::Type::kError;
    r.str = text;
    return r;
  };
  absl::Status loading = client.ReplyError(error("LOADING Redis is loading the dataset in memory"), "RPUSH");
  EXPECT_EQ(loading.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Msg(loading), HasSubstr("RPUSH: LOADING Redis is loading"));
  EXPECT_THAT(Msg(loading), HasSubstr("127.0.0.1:"));
  EXPECT_EQ(client.ReplyError(error("BUSY Redis is busy running a script"), "GET").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(client.ReplyError(error("WRONGTYPE Operation against a key"), "GET").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client.ReplyError(error("ERR value is not an integer"), "INCR").code(),
            absl::StatusCode::kInternal);
  // The same as Command's for the same reply.
  ASSERT_TRUE(client.Command({"SET", "s", "text"}).ok());
  auto replies = client.Pipeline({{"INCR", "s"}});
  ASSERT_TRUE(replies.ok());
  EXPECT_EQ(client.ReplyError((*replies)[0], "INCR"), client.Command({"INCR", "s"}).status());
}

TEST_F(RedisClientTest, ConnectionStateDoesNotLeakToTheNextCall) {
  RedisOptions o = Options();
  o.max_idle_connections = 1;
  RedisClient client(o);
  // A transaction left open...
  auto p = client.Pipeline({{"MULTI"}, {"SET", "a", "1"}});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)[1].str, "QUEUED");
  // ...is not what the next caller gets (it would answer QUEUED).
  auto r = client.Command({"GET", "a"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->is_nil());
  // A WATCH left behind would make a later EXEC on that connection fail.
  ASSERT_TRUE(client.Command({"WATCH", "w"}).ok());
  ASSERT_TRUE(client.Command({"SET", "w", "changed"}).ok());
  p = client.Pipeline({{"MULTI"}, {"INCR", "n"}, {"EXEC"}});
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ((*p)[2].type, RedisReply::Type::kArray);  // nil would mean the WATCH leaked
  EXPECT_EQ((*p)[2].elements[0].integer, 1);
  // A complete transaction keeps its connection pooled and usable.
  for (int i = 0; i < 3; ++i) {
    p = client.Pipeline({{"MULTI"}, {"INCR", "m"}, {"EXEC"}});
    ASSERT_TRUE(p.ok()) << p.status();
    ASSERT_EQ((*p)[2].elements.size(), 1u);
    EXPECT_EQ((*p)[2].elements[0].integer, i + 1);
  }
}

TEST_F(RedisClientTest, SelectsTheDatabase) {
  RedisOptions o = Options();
  o.database = 3;
  RedisClient db3(o);
  RedisClient db0(Options());
  ASSERT_TRUE(db3.Command({"SET", "where", "three"}).ok());
  auto r = db0.Command({"GET", "where"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_nil());
  // A SELECT through Command does not leak into the pool: the next call is in database 0 again.
  ASSERT_TRUE(db0.Command({"SELECT", "3"}).ok());
  r = db0.Command({"GET", "where"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_nil());
  auto url = ParseRedisAddress(absl::StrCat("redis://", server_.address(), "/3"));
  ASSERT_TRUE(url.ok());
  RedisClient by_url(*url);
  r = by_url.Command({"GET", "where"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str, "three");

  o.database = 100000;  // beyond the server's 16 databases
  RedisClient bad(o);
  r = bad.Command({"PING"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Msg(r.status()), HasSubstr("SELECT"));
}

TEST_F(RedisClientTest, StoppedServerIsUnavailable) {
  RedisClient client(Options());
  ASSERT_TRUE(client.Ping());
  server_.Stop();
  const auto start = Clock::now();
  auto r = client.Command({"GET", "k"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Msg(r.status()), HasSubstr(server_.address()));
  EXPECT_FALSE(client.Ping());
  auto p = client.Pipeline({{"PING"}, {"PING"}});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(SecondsSince(start), 5.0);
}

TEST_F(RedisClientTest, PausedServerTimesOut) {
  RedisOptions o = Options();
  o.command_timeout = milliseconds(200);
  o.reconnect_backoff = milliseconds(300);
  RedisClient client(o);
  ASSERT_TRUE(client.Ping());
  server_.Pause();
  auto start = Clock::now();
  auto r = client.Command({"GET", "k"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Msg(r.status()), HasSubstr("200 ms"));
  EXPECT_THAT(Msg(r.status()), HasSubstr(server_.address()));
  EXPECT_LT(SecondsSince(start), 5.0);

  // A hung server is not waited for again by every call: they fail fast during the back-off.
  start = Clock::now();
  for (int i = 0; i < 20; ++i) {
    auto again = client.Command({"GET", "k"});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable);
  }
  EXPECT_LT(SecondsSince(start), 1.0);

  server_.Resume();
  bool recovered = false;
  for (auto deadline = Clock::now() + std::chrono::seconds(5); Clock::now() < deadline;) {
    if (client.Ping()) {
      recovered = true;
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(recovered);
}

// A connection whose command timed out has a late reply on its way; it must never be reused, or
// the next command would read the previous command's reply.
TEST_F(RedisClientTest, TimedOutConnectionIsDiscarded) {
  RedisOptions o = Options();
  o.command_timeout = milliseconds(300);
  o.reconnect_backoff = milliseconds(50);
  RedisClient client(o);
  ASSERT_TRUE(client.Command({"SET", "k", "late reply"}).ok());

  RedisOptions slow = Options();
  slow.command_timeout = milliseconds(10000);
  RedisClient admin(slow);
  std::thread sleeper([&] {
    auto r = admin.Command({"DEBUG", "SLEEP", "2"});
    EXPECT_TRUE(r.ok()) << r.status();
  });
  std::this_thread::sleep_for(milliseconds(300));  // let DEBUG SLEEP begin
  auto r = client.Command({"GET", "k"});
  EXPECT_FALSE(r.ok());
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(Msg(r.status()), HasSubstr("no reply within 300 ms"));
  }
  sleeper.join();

  r = absl::UnavailableError("not run");
  for (auto deadline = Clock::now() + std::chrono::seconds(5); Clock::now() < deadline;) {
    r = client.Command({"INCR", "fresh-counter"});
    if (r.ok()) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->type, RedisReply::Type::kInteger);
  EXPECT_EQ(r->integer, 1);
}

TEST_F(RedisClientTest, FailsFastDuringBackoffThenReconnects) {
  RedisOptions o = Options();
  o.reconnect_backoff = milliseconds(1000);
  RedisClient client(o);
  server_.Stop();

  const auto first_failure = Clock::now();
  auto r = client.Command({"PING"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Msg(r.status()), HasSubstr("connect"));

  // Straight away: no connect attempt, a clear fail-fast error.
  r = client.Command({"PING"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Msg(r.status()), HasSubstr("failing fast"));
  EXPECT_THAT(Msg(r.status()), HasSubstr(server_.address()));

  ASSERT_TRUE(server_.Restart());
  const auto after_backoff = first_failure + milliseconds(1100);
  if (Clock::now() < first_failure + milliseconds(900)) {
    // Still inside the back-off although the server is back.
    r = client.Command({"PING"});
    EXPECT_FALSE(r.ok());
  }
  std::this_thread::sleep_until(after_backoff);
  r = client.Command({"PING"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str, "PONG");
}

// Writing a large command to a connection Redis has closed raises SIGPIPE on the second write;
// that must neither kill the process nor fail the call.
TEST_F(RedisClientTest, ConnectionClosedByServerIsReplacedWithoutSigpipe) {
  RedisClient client(Options());
  ASSERT_TRUE(client.Command({"SET", "a", "1"}).ok());
  RedisClient admin(Options());
  for (int round = 0; round < 3; ++round) {
    auto killed = admin.Command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
    ASSERT_TRUE(killed.ok()) << killed.status();
    std::this_thread::sleep_for(milliseconds(50));  // let the FIN arrive
    const std::string big(32 << 20, 'x');
    auto r = client.Command({"SET", "big", big});
    ASSERT_TRUE(r.ok()) << r.status();
    r = client.Command({"STRLEN", "big"});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->integer, static_cast<int64_t>(big.size()));
  }
}

TEST_F(RedisClientTest, ConcurrentCallsShareOneClient) {
  RedisOptions o = Options();
  o.max_idle_connections = 4;
  RedisClient client(o);
  constexpr int kThreads = 8;
  constexpr int kOps = 300;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        const std::string key = absl::StrCat("t", t);
        const std::string value = absl::StrCat(t, ":", i);
        auto set = client.Command({"SET", key, value});
        auto get = client.Command({"GET", key});
        auto incr = client.Command({"INCR", "shared"});
        auto pipe = client.Pipeline({{"INCR", "piped"}, {"GET", key}});
        if (!set.ok() || !get.ok() || get->str != value || !incr.ok() || !pipe.ok() ||
            (*pipe)[1].str != value) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto r = client.Command({"GET", "shared"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->str, std::to_string(kThreads * kOps));
  r = client.Command({"GET", "piped"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->str, std::to_string(kThreads * kOps));

  // At most max_idle_connections stay open once the burst is over.
  RedisClient observer(Options());
  int64_t clients = -1;
  for (auto deadline = Clock::now() + std::chrono::seconds(5); Clock::now() < deadline;) {
    auto list = observer.Command({"CLIENT", "LIST"});
    ASSERT_TRUE(list.ok()) << list.status();
    clients = std::count(list->str.begin(), list->str.end(), '\n');
    if (clients <= o.max_idle_connections + 1) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_LE(clients, o.max_idle_connections + 1);
}

// ---------------------------------------------------------------------------------------------
// Password

class RedisClientAuthTest : public ::testing::Test {
 protected:
  static RedisServerOptions WithPassword() {
    RedisServerOptions o;
    o.password = "pa55-w0rd";
    return o;
  }
  RedisClientAuthTest() : server_(WithPassword()) {}
  void SetUp() override { ASSERT_TRUE(server_.Start()); }
  RedisServer server_;
};

TEST_F(RedisClientAuthTest, RightPassword) {
  RedisClient client(server_.client_options());
  auto r = client.Command({"SET", "a", "1"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(client.Ping());

  auto url = ParseRedisAddress(server_.url());
  ASSERT_TRUE(url.ok()) << url.status();
  RedisClient by_url(*url);
  r = by_url.Command({"GET", "a"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str, "1");
}

TEST_F(RedisClientAuthTest, WrongPassword) {
  RedisOptions o = server_.client_options();
  o.password = "not-the-password";
  RedisClient client(o);
  auto r = client.Command({"PING"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Msg(r.status()), HasSubstr("AUTH"));
  EXPECT_THAT(Msg(r.status()), HasSubstr(server_.address()));
  EXPECT_THAT(Msg(r.status()), Not(HasSubstr("not-the-password")));
  EXPECT_FALSE(client.Ping());
  r = client.Command({"PING"});  // during the back-off
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(Msg(r.status()), Not(HasSubstr("not-the-password")));
}

TEST_F(RedisClientAuthTest, NoPassword) {
  RedisOptions o = server_.client_options();
  o.password.clear();
  RedisClient client(o);
  auto r = client.Command({"GET", "a"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(r.status()), HasSubstr("NOAUTH"));
}

TEST_F(RedisClientAuthTest, PasswordNeverInErrors) {
  RedisOptions o = server_.client_options();
  RedisClient client(o);
  ASSERT_TRUE(client.Ping());
  server_.Stop();
  for (int i = 0; i < 3; ++i) {
    auto r = client.Command({"AUTH", o.password});
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(Msg(r.status()), Not(HasSubstr(o.password)));
  }
}

// ---------------------------------------------------------------------------------------------
// Restarts

TEST(RedisClientRestartTest, ReconnectsAfterCrashAndKeepsAofData) {
  RedisServerOptions persistent;
  persistent.persistence = true;
  RedisServer server(persistent);
  ASSERT_TRUE(server.Start());
  RedisOptions o = server.client_options();
  o.reconnect_backoff = milliseconds(100);
  RedisClient client(o);
  ASSERT_TRUE(client.Command({"SET", "durable", "yes"}).ok());
  ASSERT_TRUE(client.Command({"RPUSH", "jobs", "1", "2"}).ok());

  server.Kill();
  ASSERT_TRUE(server.Restart());

  // The pooled connection is dead; the call is retried once on a fresh connection and succeeds.
  auto r = client.Command({"GET", "durable"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str, "yes");
  r = client.Command({"LLEN", "jobs"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->integer, 2);
}

TEST(RedisClientRestartTest, EveryPooledConnectionIsReplaced) {
  RedisServer server;
  ASSERT_TRUE(server.Start());
  RedisOptions o = server.client_options();
  o.max_idle_connections = 8;
  RedisClient client(o);
  // Fill the pool with several connections.
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(client.Command({"INCR", "x"}).ok());
    });
  }
  for (auto& t : threads) t.join();

  server.Stop();
  ASSERT_TRUE(server.Restart());
  for (int i = 0; i < 10; ++i) {
    auto r = client.Command({"INCR", "after"});
    ASSERT_TRUE(r.ok()) << "call " << i << ": " << r.status();
    EXPECT_EQ(r->integer, i + 1);
  }
  auto p = client.Pipeline({{"PING"}, {"GET", "after"}});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)[1].str, "10");
}

TEST(RedisClientRestartTest, PipelineRetriedAfterRestart) {
  RedisServer server;
  ASSERT_TRUE(server.Start());
  RedisClient client(server.client_options());
  ASSERT_TRUE(client.Ping());
  server.Kill();
  ASSERT_TRUE(server.Restart());
  auto p = client.Pipeline({{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)[2].str, "2");  // ran exactly once
}

}  // namespace
}  // namespace salesops
