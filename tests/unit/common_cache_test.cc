#include "common/cache.h"

#include <chrono>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "common/hash.h"
#include "common/metrics.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "tests/support/redis_server.h"

namespace salesops {
namespace {

using ::salesops::testing::RedisServer;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The value of salesops_<metric>{...labels...} in the process's metrics, 0 when absent.
double MetricValue(const std::string& metric, const std::vector<std::string>& labels) {
  std::istringstream in(Metrics::Get().Render());
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(metric + "{", 0) != 0) continue;
    bool all = true;
    for (const std::string& l : labels) all = all && line.find(l) != std::string::npos;
    if (!all) continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return 0;
}

double CacheCount(const std::string& cache, const std::string& result) {
  return MetricValue("salesops_cache_requests_total",
                     {"cache=\"" + cache + "\"", "result=\"" + result + "\""});
}

double RedisErrors() { return MetricValue("salesops_redis_errors_total", {"role=\"cache\""}); }

google::protobuf::Struct Request(int horizon, const std::string& territory) {
  google::protobuf::Struct s;
  (*s.mutable_fields())["horizon"].set_number_value(horizon);
  (*s.mutable_fields())["territory"].set_string_value(territory);
  return s;
}

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    RedisOptions o = server_.client_options();
    o.command_timeout = milliseconds(500);
    redis_ = std::make_shared<RedisClient>(o);
  }

  RedisServer server_;
  std::shared_ptr<RedisClient> redis_;
};

TEST(CacheKeyTest, FormatNamesCacheAndEngineVersion) {
  Cache cache(nullptr, "forecast", seconds(60));
  const std::string key = cache.KeyFor("Forecast", Request(4, "EMEA"));
  EXPECT_THAT(key, StartsWith(std::string("salesops:cache:forecast:") + SALESOPS_ENGINE_VERSION + ":"));
  EXPECT_TRUE(std::regex_match(key, std::regex("salesops:cache:forecast:[^:]+:[0-9a-f]{64}")))
      << key;
  EXPECT_FALSE(std::string(SALESOPS_ENGINE_VERSION).empty());
}

TEST(CacheKeyTest, DeterministicAndDistinct) {
  Cache cache(nullptr, "forecast", seconds(60));
  const std::string key = cache.KeyFor("Forecast", Request(4, "EMEA"));
  // Same request, built separately and with map entries inserted in the other order.
  google::protobuf::Struct reordered;
  (*reordered.mutable_fields())["territory"].set_string_value("EMEA");
  (*reordered.mutable_fields())["horizon"].set_number_value(4);
  EXPECT_EQ(cache.KeyFor("Forecast", reordered), key);
  EXPECT_EQ(Cache(nullptr, "forecast", seconds(5)).KeyFor("Forecast", Request(4, "EMEA")), key);

  EXPECT_NE(cache.KeyFor("Forecast", Request(5, "EMEA")), key);
  EXPECT_NE(cache.KeyFor("Forecast", Request(4, "AMER")), key);
  EXPECT_NE(cache.KeyFor("Backtest", Request(4, "EMEA")), key);
  EXPECT_NE(Cache(nullptr, "quota", seconds(60)).KeyFor("Forecast", Request(4, "EMEA")), key);

  // Two messages of different types with the same (empty) serialization.
  google::protobuf::StringValue s;
  google::protobuf::Int64Value i;
  EXPECT_NE(cache.KeyFor("M", s), cache.KeyFor("M", i));
  // Method and request bytes do not run into each other.
  google::protobuf::StringValue a;
  a.set_value("x");
  EXPECT_NE(cache.KeyFor("M", a), cache.KeyFor("M\n", google::protobuf::StringValue()));
}

TEST(CacheKeyTest, DisabledCacheAlwaysMisses) {
  Cache cache(nullptr, "disabled", seconds(60));
  EXPECT_FALSE(cache.enabled());
  const std::string key = cache.KeyFor("M", Request(1, "x"));
  cache.Put(key, "value");
  EXPECT_EQ(cache.Get(key), std::nullopt);
  cache.PutMessage(key, Request(1, "x"));
  google::protobuf::Struct out;
  EXPECT_FALSE(cache.GetMessage(key, &out));
}

TEST_F(CacheTest, MissThenHit) {
  Cache cache(redis_, "hitmiss", seconds(60));
  EXPECT_TRUE(cache.enabled());
  const std::string key = cache.KeyFor("Forecast", Request(4, "EMEA"));
  EXPECT_EQ(cache.Get(key), std::nullopt);
  EXPECT_EQ(CacheCount("hitmiss", "miss"), 1);
  EXPECT_EQ(CacheCount("hitmiss", "hit"), 0);

  const std::string value("binary\0value\r\n", 14);
  cache.Put(key, value);
  auto got = cache.Get(key);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, value);
  EXPECT_EQ(CacheCount("hitmiss", "hit"), 1);
  EXPECT_EQ(CacheCount("hitmiss", "error"), 0);

  // A different request is a different entry.
  EXPECT_EQ(cache.Get(cache.KeyFor("Forecast", Request(4, "AMER"))), std::nullopt);
  EXPECT_EQ(CacheCount("hitmiss", "miss"), 2);

  // The value really is in Redis under that key.
  auto raw = redis_->Command({"GET", key});
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->str, value);
}

TEST_F(CacheTest, MessagesRoundTrip) {
  Cache cache(redis_, "messages", seconds(60));
  const std::string key = cache.KeyFor("Forecast", Request(4, "EMEA"));
  google::protobuf::Struct out;
  EXPECT_FALSE(cache.GetMessage(key, &out));
  EXPECT_EQ(CacheCount("messages", "miss"), 1);

  google::protobuf::Struct response = Request(8, "APAC");
  cache.PutMessage(key, response);
  ASSERT_TRUE(cache.GetMessage(key, &out));
  EXPECT_EQ(out.fields().at("territory").string_value(), "APAC");
  EXPECT_EQ(out.fields().at("horizon").number_value(), 8);
  EXPECT_EQ(CacheCount("messages", "hit"), 1);
}

TEST_F(CacheTest, CorruptValueIsAMissAndCounted) {
  Cache cache(redis_, "corrupt", seconds(60));
  const std::string key = cache.KeyFor("Forecast", Request(1, "x"));
  ASSERT_TRUE(redis_->Command({"SET", key, "\xff\xff\xff not a protobuf"}).ok());
  google::protobuf::Struct out;
  EXPECT_FALSE(cache.GetMessage(key, &out));
  EXPECT_EQ(out.fields_size(), 0);
  EXPECT_EQ(CacheCount("corrupt", "error"), 1);
  EXPECT_EQ(CacheCount("corrupt", "hit"), 0);

  // A key of the wrong type is an error too, and still just a miss.
  ASSERT_TRUE(redis_->Command({"DEL", key}).ok());
  ASSERT_TRUE(redis_->Command({"RPUSH", key, "x"}).ok());
  EXPECT_EQ(cache.Get(key), std::nullopt);
  EXPECT_EQ(CacheCount("corrupt", "error"), 2);
}

TEST_F(CacheTest, EntriesHaveTheTtl) {
  Cache cache(redis_, "ttl", seconds(90));
  const std::string key = cache.KeyFor("M", Request(1, "x"));
  cache.Put(key, "v");
  auto ttl = redis_->Command({"TTL", key});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  EXPECT_GT(ttl->integer, 80);
  EXPECT_LE(ttl->integer, 90);
}

TEST_F(CacheTest, EntriesExpire) {
  Cache cache(redis_, "expiry", seconds(1));
  const std::string key = cache.KeyFor("M", Request(1, "x"));
  cache.Put(key, "v");
  ASSERT_EQ(cache.Get(key), std::optional<std::string>("v"));
  bool expired = false;
  for (auto deadline = Clock::now() + seconds(5); Clock::now() < deadline;) {
    std::this_thread::sleep_for(milliseconds(100));
    if (!cache.Get(key).has_value()) {
      expired = true;
      break;
    }
  }
  EXPECT_TRUE(expired);
}

TEST_F(CacheTest, RedisDownIsAQuickMiss) {
  Cache cache(redis_, "down", seconds(60));
  const std::string key = cache.KeyFor("M", Request(1, "x"));
  cache.Put(key, "v");
  ASSERT_TRUE(cache.Get(key).has_value());
  server_.Stop();

  const double redis_errors_before = RedisErrors();
  ::testing::internal::CaptureStderr();
  const auto start = Clock::now();
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(cache.Get(key), std::nullopt);
    cache.Put(key, "v");
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_LT(elapsed, 2.0);
  EXPECT_EQ(CacheCount("down", "error"), 200);
  EXPECT_EQ(RedisErrors() - redis_errors_before, 200);

  // Logged, but not 200 times: at most one warning per second for this cache.
  size_t warnings = 0;
  for (size_t pos = log.find("cache_error"); pos != std::string::npos;
       pos = log.find("cache_error", pos + 1)) {
    ++warnings;
  }
  EXPECT_GE(warnings, 1u);
  EXPECT_LE(warnings, 1u + static_cast<size_t>(elapsed) + 1u);
  EXPECT_THAT(log, HasSubstr("\"cache\":\"down\""));
  EXPECT_THAT(log, HasSubstr(server_.address()));
}

TEST_F(CacheTest, HungRedisIsABoundedMiss) {
  RedisOptions o = server_.client_options();
  o.command_timeout = milliseconds(200);
  o.reconnect_backoff = milliseconds(250);
  Cache cache(std::make_shared<RedisClient>(o), "hung", seconds(60));
  const std::string key = cache.KeyFor("M", Request(1, "x"));
  cache.Put(key, "v");
  server_.Pause();
  const auto start = Clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(cache.Get(key), std::nullopt);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 2.0);
  EXPECT_EQ(CacheCount("hung", "error"), 100);
  server_.Resume();
}

TEST_F(CacheTest, RecoversWhenRedisComesBack) {
  RedisOptions o = server_.client_options();
  o.reconnect_backoff = milliseconds(50);
  Cache cache(std::make_shared<RedisClient>(o), "back", seconds(60));
  const std::string key = cache.KeyFor("M", Request(1, "x"));
  server_.Kill();
  EXPECT_EQ(cache.Get(key), std::nullopt);
  ASSERT_TRUE(server_.Restart());
  std::this_thread::sleep_for(milliseconds(100));
  cache.Put(key, "again");
  EXPECT_EQ(cache.Get(key), std::optional<std::string>("again"));
}

// --- The in-process cache in front of Redis ---------------------------------------------------

double LocalCount(const std::string& cache, const std::string& result) {
  return MetricValue("salesops_local_cache_requests_total",
                     {"cache=\"" + cache + "\"", "result=\"" + result + "\""});
}

// A clock for the local cache that moves only when told to (Redis keeps its own time).
struct FakeClock {
  LocalCache::Clock::time_point now = LocalCache::Clock::time_point{} + std::chrono::hours(1);
  LocalCache::Options Local(size_t bytes = 1 << 20) {
    return {.max_bytes = bytes, .now = [this] { return now; }};
  }
};

TEST(CacheKeyTest, NoLocalCacheWithoutRedis) {
  Cache cache(nullptr, "nolocal", seconds(60), {.max_bytes = 1 << 20});
  EXPECT_EQ(cache.local(), nullptr);
  cache.Put("k", "v");
  EXPECT_EQ(cache.Get("k"), std::nullopt);
}

TEST_F(CacheTest, WithALocalCacheTheRedisPathStillWorks) {
  Cache cache(redis_, "local-redis", seconds(60), {.max_bytes = 1 << 20});
  ASSERT_NE(cache.local(), nullptr);
  const std::string key = cache.KeyFor("Forecast", Request(4, "EMEA"));
  EXPECT_EQ(cache.Get(key), std::nullopt);
  EXPECT_EQ(CacheCount("local-redis", "miss"), 1);
  EXPECT_EQ(LocalCount("local-redis", "miss"), 1);

  google::protobuf::Struct response = Request(8, "APAC");
  cache.PutMessage(key, response);
  // Written through to Redis, with the TTL.
  auto ttl = redis_->Command({"TTL", key});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  EXPECT_GT(ttl->integer, 50);
  // Served locally now: even with the Redis entry gone.
  ASSERT_TRUE(redis_->Command({"DEL", key}).ok());
  google::protobuf::Struct out;
  ASSERT_TRUE(cache.GetMessage(key, &out));
  EXPECT_EQ(out.fields().at("territory").string_value(), "APAC");
  EXPECT_EQ(CacheCount("local-redis", "hit"), 1);
  EXPECT_EQ(LocalCount("local-redis", "hit"), 1);

  // A value only Redis has (another replica wrote it): fetched, then kept locally.
  const std::string other = cache.KeyFor("Forecast", Request(4, "AMER"));
  ASSERT_TRUE(redis_->Command({"SET", other, "from redis", "EX", "60"}).ok());
  EXPECT_EQ(cache.Get(other), std::optional<std::string>("from redis"));
  EXPECT_EQ(LocalCount("local-redis", "miss"), 2);
  ASSERT_TRUE(redis_->Command({"DEL", other}).ok());
  EXPECT_EQ(cache.Get(other), std::optional<std::string>("from redis"));
  EXPECT_EQ(LocalCount("local-redis", "hit"), 2);
  EXPECT_EQ(CacheCount("local-redis", "hit"), 3);
  EXPECT_EQ(CacheCount("local-redis", "error"), 0);

  // Redis errors are still errors (and still misses).
  const std::string wrong = cache.KeyFor("Forecast", Request(1, "wrong type"));
  ASSERT_TRUE(redis_->Command({"RPUSH", wrong, "x"}).ok());
  EXPECT_EQ(cache.Get(wrong), std::nullopt);
  EXPECT_EQ(CacheCount("local-redis", "error"), 1);
}

TEST_F(CacheTest, ALocalEntryNeverOutlivesTheRedisTtl) {
  FakeClock clock;
  Cache cache(redis_, "local-ttl", seconds(60), clock.Local());
  // Filled from Redis: for what remains of the key's TTL there (5 s), not the cache's 60 s.
  const std::string key = cache.KeyFor("M", Request(1, "x"));
  ASSERT_TRUE(redis_->Command({"SET", key, "v", "PX", "5000"}).ok());
  EXPECT_EQ(cache.Get(key), std::optional<std::string>("v"));
  ASSERT_TRUE(redis_->Command({"DEL", key}).ok());  // from now on only the local copy answers
  clock.now += seconds(4);
  EXPECT_EQ(cache.Get(key), std::optional<std::string>("v"));
  clock.now += seconds(1);
  EXPECT_EQ(cache.Get(key), std::nullopt);

  // Put: for the cache's TTL.
  cache.Put(key, "w");
  ASSERT_TRUE(redis_->Command({"DEL", key}).ok());
  clock.now += seconds(59);
  EXPECT_EQ(cache.Get(key), std::optional<std::string>("w"));
  clock.now += seconds(1);
  EXPECT_EQ(cache.Get(key), std::nullopt);

  // A Redis key without an expiry (not one of ours): at most the cache's TTL.
  ASSERT_TRUE(redis_->Command({"SET", key, "forever"}).ok());
  EXPECT_EQ(cache.Get(key), std::optional<std::string>("forever"));
  ASSERT_TRUE(redis_->Command({"DEL", key}).ok());
  clock.now += seconds(59);
  EXPECT_EQ(cache.Get(key), std::optional<std::string>("forever"));
  clock.now += seconds(1);
  EXPECT_EQ(cache.Get(key), std::nullopt);
}

TEST_F(CacheTest, ACorruptValueIsNotKeptLocally) {
  Cache cache(redis_, "local-corrupt", seconds(60), {.max_bytes = 1 << 20});
  const std::string key = cache.KeyFor("Forecast", Request(1, "x"));
  ASSERT_TRUE(redis_->Command({"SET", key, "\xff\xff\xff not a protobuf", "EX", "60"}).ok());
  google::protobuf::Struct out;
  EXPECT_FALSE(cache.GetMessage(key, &out));
  EXPECT_EQ(CacheCount("local-corrupt", "error"), 1);
  EXPECT_EQ(cache.local()->entries(), 0u);
}

TEST_F(CacheTest, TheLocalCacheAnswersWhileRedisIsDown) {
  Cache cache(redis_, "local-down", seconds(60), {.max_bytes = 1 << 20});
  const std::string key = cache.KeyFor("M", Request(1, "x"));
  cache.Put(key, "v");
  server_.Stop();
  EXPECT_EQ(cache.Get(key), std::optional<std::string>("v"));
  EXPECT_EQ(CacheCount("local-down", "error"), 0);
  // Anything else is a miss, counted as an error as without the local cache.
  EXPECT_EQ(cache.Get(cache.KeyFor("M", Request(2, "x"))), std::nullopt);
  EXPECT_EQ(CacheCount("local-down", "error"), 1);
}

}  // namespace
}  // namespace salesops
