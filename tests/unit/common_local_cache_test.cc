#include "common/local_cache.h"

#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/metrics.h"
#include "gtest/gtest.h"

namespace salesops {
namespace {

using std::chrono::seconds;
using Clock = LocalCache::Clock;

double MetricValue(const std::string& metric, const std::string& cache, const std::string& result) {
  std::istringstream in(Metrics::Get().Render());
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(metric + "{", 0) != 0) continue;
    if (line.find("cache=\"" + cache + "\"") == std::string::npos) continue;
    if (!result.empty() && line.find("result=\"" + result + "\"") == std::string::npos) continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return 0;
}

double Hits(const std::string& cache) {
  return MetricValue("salesops_local_cache_requests_total", cache, "hit");
}
double Misses(const std::string& cache) {
  return MetricValue("salesops_local_cache_requests_total", cache, "miss");
}
double Evictions(const std::string& cache) {
  return MetricValue("salesops_local_cache_evictions_total", cache, "");
}

// A clock that moves only when told to.
struct FakeClock {
  Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);
  LocalCache::NowFn fn() {
    return [this] { return now; };
  }
};

// What an entry of a 2-byte key and a 10-byte value costs.
constexpr size_t kCharge = 2 + 10 + LocalCache::kEntryOverhead;

std::string Value(char c) { return std::string(10, c); }

std::string Got(LocalCache& cache, std::string_view key) {
  auto v = cache.Get(key);
  return v ? *v : "<miss>";
}

TEST(LocalCacheTest, EvictsTheLeastRecentlyUsed) {
  FakeClock clock;
  LocalCache cache("lru", {.max_bytes = 3 * kCharge, .shards = 1, .now = clock.fn()});
  const auto later = clock.now + seconds(60);
  cache.Put("k1", Value('1'), later);
  cache.Put("k2", Value('2'), later);
  cache.Put("k3", Value('3'), later);
  EXPECT_EQ(cache.entries(), 3u);
  EXPECT_EQ(cache.bytes(), 3 * kCharge);

  // k1 used last: k2 is now the least recently used, and goes first.
  EXPECT_EQ(Got(cache, "k1"), Value('1'));
  cache.Put("k4", Value('4'), later);
  EXPECT_EQ(Evictions("lru"), 1);
  EXPECT_EQ(Got(cache, "k2"), "<miss>");
  EXPECT_EQ(Got(cache, "k3"), Value('3'));
  EXPECT_EQ(Got(cache, "k1"), Value('1'));
  EXPECT_EQ(Got(cache, "k4"), Value('4'));
  // Order now (most recent first): k4 k1 k3. Replacing k3 makes it the most recent, without
  // evicting anything.
  cache.Put("k3", Value('x'), later);
  EXPECT_EQ(Evictions("lru"), 1);
  cache.Put("k5", Value('5'), later);  // evicts k1
  EXPECT_EQ(Got(cache, "k1"), "<miss>");
  EXPECT_EQ(Got(cache, "k3"), Value('x'));
  EXPECT_EQ(Got(cache, "k4"), Value('4'));
  EXPECT_EQ(Got(cache, "k5"), Value('5'));
  EXPECT_EQ(cache.bytes(), 3 * kCharge);
  EXPECT_EQ(Evictions("lru"), 2);
  EXPECT_EQ(Hits("lru"), 7);
  EXPECT_EQ(Misses("lru"), 2);
}

TEST(LocalCacheTest, StaysWithinItsBytesAndSkipsAnOversizedValue) {
  FakeClock clock;
  const size_t max_bytes = 4096;
  LocalCache cache("bytes", {.max_bytes = max_bytes, .shards = 4, .now = clock.fn()});
  ASSERT_EQ(cache.shard_capacity(), 1024u);
  const auto later = clock.now + seconds(60);
  for (int i = 0; i < 1000; ++i) {
    cache.Put(absl::StrCat("key", i), std::string(i % 300, 'v'), later);
    ASSERT_LE(cache.bytes(), max_bytes) << i;
  }
  EXPECT_GT(Evictions("bytes"), 0);
  EXPECT_GT(cache.entries(), 4u);

  // One value bigger than a shard's share is not kept, and pushes nothing out.
  const size_t entries = cache.entries(), bytes = cache.bytes();
  const double evictions = Evictions("bytes");
  cache.Put("huge", std::string(cache.shard_capacity(), 'h'), later);
  EXPECT_EQ(Got(cache, "huge"), "<miss>");
  EXPECT_EQ(cache.entries(), entries);
  EXPECT_EQ(cache.bytes(), bytes);
  EXPECT_EQ(Evictions("bytes"), evictions);

  // One that just fits a shard is kept, alone in its shard.
  const std::string fits(cache.shard_capacity() - 3 - LocalCache::kEntryOverhead, 'f');
  cache.Put("fit", fits, later);
  EXPECT_EQ(Got(cache, "fit"), fits);
  EXPECT_LE(cache.bytes(), max_bytes);

  // A replaced value is charged once.
  LocalCache one("replace", {.max_bytes = 10 * kCharge, .shards = 1, .now = clock.fn()});
  for (int i = 0; i < 5; ++i) one.Put("k1", Value('a' + i), later);
  EXPECT_EQ(one.bytes(), kCharge);
  EXPECT_EQ(one.entries(), 1u);
}

TEST(LocalCacheTest, ZeroBytesKeepsNothing) {
  LocalCache cache("zero", {.max_bytes = 0});
  cache.Put("k1", "v", Clock::now() + seconds(60));
  EXPECT_EQ(cache.Get("k1"), nullptr);
  EXPECT_EQ(cache.entries(), 0u);
}

TEST(LocalCacheTest, EntriesExpire) {
  FakeClock clock;
  LocalCache cache("ttl", {.max_bytes = 1 << 20, .now = clock.fn()});
  cache.Put("k1", Value('1'), clock.now + seconds(10));
  cache.Put("k2", Value('2'), clock.now + seconds(20));
  clock.now += seconds(9);
  EXPECT_EQ(Got(cache, "k1"), Value('1'));
  clock.now += seconds(1);  // exactly at its expiry: gone
  EXPECT_EQ(Got(cache, "k1"), "<miss>");
  EXPECT_EQ(cache.entries(), 1u);  // and dropped
  EXPECT_EQ(Got(cache, "k2"), Value('2'));
  clock.now += seconds(11);
  EXPECT_EQ(Got(cache, "k2"), "<miss>");
  EXPECT_EQ(cache.bytes(), 0u);

  // Already expired: not stored.
  cache.Put("k3", Value('3'), clock.now);
  EXPECT_EQ(cache.entries(), 0u);
}

TEST(LocalCacheTest, ConcurrentUseIsSafeAndBounded) {
  const size_t max_bytes = 64 * 1024;
  LocalCache cache("concurrent", {.max_bytes = max_bytes, .shards = 8});
  std::atomic<int64_t> hits{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        const int k = (i * 7 + t * 13) % 800;
        const std::string key = absl::StrCat("key", k);
        if (auto v = cache.Get(key)) {
          ++hits;
          if (*v != absl::StrCat("value of ", key, std::string(k % 200, '.'))) ++wrong;
        } else {
          cache.Put(key, absl::StrCat("value of ", key, std::string(k % 200, '.')),
                    Clock::now() + seconds(60));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(hits.load(), 0);
  EXPECT_LE(cache.bytes(), max_bytes);
  EXPECT_GT(Evictions("concurrent"), 0);
}

}  // namespace
}  // namespace salesops
