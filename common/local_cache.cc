#include "common/local_cache.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "common/metrics.h"

namespace salesops {

LocalCache::LocalCache(std::string name, Options options)
    : name_(std::move(name)), now_(std::move(options.now)) {
  const int shards = std::max(1, options.shards);
  shards_.reserve(shards);
  for (int i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
  shard_capacity_ = options.max_bytes / shards;
}

LocalCache::Shard& LocalCache::ShardFor(std::string_view key) {
  // The map inside the shard hashes the key again; the extra mix keeps the shard choice
  // independent of the map's own bucket choice.
  const size_t h = absl::HashOf(key, 0x5a17);
  return *shards_[h % shards_.size()];
}

void LocalCache::Erase(Shard& shard, std::list<Entry>::iterator it) {
  shard.bytes -= it->charge;
  shard.index.erase(std::string_view(it->key));
  shard.lru.erase(it);
}

std::shared_ptr<const std::string> LocalCache::Get(std::string_view key) {
  std::shared_ptr<const std::string> value;
  if (shard_capacity_ > 0) {
    const Clock::time_point now = Now();
    Shard& shard = ShardFor(key);
    absl::MutexLock lock(&shard.mu);
    auto found = shard.index.find(key);
    if (found != shard.index.end()) {
      auto it = found->second;
      if (it->expires <= now) {
        Erase(shard, it);  // past its TTL: Redis has dropped it too
      } else {
        shard.lru.splice(shard.lru.begin(), shard.lru, it);
        value = it->value;
      }
    }
  }
  Metrics::Get().RecordLocalCache(
      name_, value ? Metrics::LocalCacheEvent::kHit : Metrics::LocalCacheEvent::kMiss);
  return value;
}

void LocalCache::Put(std::string_view key, std::string_view value, Clock::time_point expires) {
  const size_t charge = key.size() + value.size() + kEntryOverhead;
  if (charge > shard_capacity_ || expires <= Now()) return;
  // Copy the bytes before taking the lock.
  auto shared = std::make_shared<const std::string>(value);
  int64_t evicted = 0;
  {
    Shard& shard = ShardFor(key);
    absl::MutexLock lock(&shard.mu);
    if (auto found = shard.index.find(key); found != shard.index.end()) Erase(shard, found->second);
    while (shard.bytes + charge > shard_capacity_ && !shard.lru.empty()) {
      Erase(shard, std::prev(shard.lru.end()));
      ++evicted;
    }
    shard.lru.push_front(Entry{std::string(key), std::move(shared), expires, charge});
    shard.index.emplace(std::string_view(shard.lru.front().key), shard.lru.begin());
    shard.bytes += charge;
  }
  if (evicted > 0) Metrics::Get().RecordLocalCache(name_, Metrics::LocalCacheEvent::kEviction, evicted);
}

size_t LocalCache::bytes() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    total += shard->bytes;
  }
  return total;
}

size_t LocalCache::entries() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    total += shard->lru.size();
  }
  return total;
}

}  // namespace salesops
