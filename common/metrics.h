// Prometheus metrics for a service process, served over HTTP at /metrics.
//
//   salesops_rpc_started_total{method}             RPCs received (started minus finished: in flight)
//   salesops_rpc_requests_total{method, code}      finished RPCs by gRPC status code
//   salesops_rpc_latency_seconds{method}           RPC latency histogram
//   salesops_cache_requests_total{cache, result}   result = hit | miss | error
//   salesops_local_cache_requests_total{cache, result}  the in-process cache in front of Redis
//                                                  (common/local_cache.h): result = hit | miss
//   salesops_local_cache_evictions_total{cache}    its entries dropped to make room
//   salesops_redis_errors_total{role}              failed Redis calls by role (cache, store)
//   salesops_batch_tasks_total{outcome}            batch tasks a worker handled: completed,
//                                                  duplicate (already stored), failed (an attempt),
//                                                  parked, reclaimed, dropped (cancelled job)
#ifndef SALESOPS_COMMON_METRICS_H_
#define SALESOPS_COMMON_METRICS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace prometheus {
class Registry;
class Exposer;
}  // namespace prometheus

namespace salesops {

class Metrics {
 public:
  // The process-wide instance.
  static Metrics& Get();

  // Serves /metrics on `address` ("127.0.0.1:0" picks a free port). Returns the bound port.
  absl::StatusOr<int> Serve(const std::string& address);

  // A call of `method` was received; RecordRpc when it has finished.
  void RecordRpcStarted(std::string_view method);
  void RecordRpc(std::string_view method, int grpc_code, double seconds);
  enum class CacheResult { kHit, kMiss, kError };
  void RecordCache(std::string_view cache, CacheResult result);
  enum class LocalCacheEvent { kHit, kMiss, kEviction };
  void RecordLocalCache(std::string_view cache, LocalCacheEvent event, int64_t count = 1);
  void RecordRedisError(std::string_view role);
  void RecordBatchTask(std::string_view outcome);

  // Text exposition of every metric (what /metrics returns); used by tests and logs.
  std::string Render() const;

 private:
  Metrics();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace salesops

#endif  // SALESOPS_COMMON_METRICS_H_
