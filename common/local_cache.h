// An in-process, byte-bounded LRU map from key to an immutable value with an expiry time: the
// small cache that salesops::Cache (common/cache.h) keeps in front of Redis, so that a repeated
// request costs no Redis round trip.
//
// Thread-safe. The keys are spread over shards by hash, each with its own mutex, LRU list and
// share of the byte budget (max_bytes / shards), so concurrent lookups rarely wait for each other.
// An entry costs its key and value sizes plus a fixed overhead (kEntryOverhead); a value that would
// not fit in one shard's share is not kept at all. Lookups of expired entries are misses (and drop
// the entry). Values are handed out as shared_ptr to const, so a lookup holds the shard's lock only
// to copy a pointer, never to copy the bytes.
//
// Metrics (common/metrics.h), labelled with `name`: salesops_local_cache_requests_total{result=hit
// |miss}, salesops_local_cache_evictions_total (entries dropped to make room).
#ifndef SALESOPS_COMMON_LOCAL_CACHE_H_
#define SALESOPS_COMMON_LOCAL_CACHE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace salesops {

class LocalCache {
 public:
  using Clock = std::chrono::steady_clock;
  // The time source; tests inject their own to expire entries without sleeping.
  using NowFn = std::function<Clock::time_point()>;

  // Bookkeeping bytes charged per entry on top of key and value (list node, map slot, strings).
  static constexpr size_t kEntryOverhead = 128;

  struct Options {
    size_t max_bytes = 0;  // 0: keeps nothing
    int shards = 16;
    NowFn now;             // null: Clock::now
  };

  LocalCache(std::string name, Options options);
  LocalCache(const LocalCache&) = delete;
  LocalCache& operator=(const LocalCache&) = delete;

  // The value under `key` if present and not expired (it becomes the most recently used), else
  // null.
  std::shared_ptr<const std::string> Get(std::string_view key);
  // Stores `value` until `expires`, replacing an entry under the same key; evicts the least
  // recently used entries of the shard until it fits. Does nothing when the entry alone exceeds a
  // shard's share or `expires` has already passed.
  void Put(std::string_view key, std::string_view value, Clock::time_point expires);

  Clock::time_point Now() const { return now_ ? now_() : Clock::now(); }

  // Totals over the shards (for tests and diagnostics).
  size_t bytes() const;
  size_t entries() const;
  size_t shard_capacity() const { return shard_capacity_; }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const std::string> value;
    Clock::time_point expires;
    size_t charge;  // key + value + kEntryOverhead
  };
  struct Shard {
    mutable absl::Mutex mu;
    std::list<Entry> lru ABSL_GUARDED_BY(mu);  // most recently used first
    // Views into the keys of `lru`'s nodes (list nodes never move).
    absl::flat_hash_map<std::string_view, std::list<Entry>::iterator> index ABSL_GUARDED_BY(mu);
    size_t bytes ABSL_GUARDED_BY(mu) = 0;
  };

  Shard& ShardFor(std::string_view key);
  static void Erase(Shard& shard, std::list<Entry>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const std::string name_;
  const NowFn now_;
  std::vector<std::unique_ptr<Shard>> shards_;
  size_t shard_capacity_ = 0;
};

}  // namespace salesops

#endif  // SALESOPS_COMMON_LOCAL_CACHE_H_
