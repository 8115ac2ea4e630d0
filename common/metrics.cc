#include "common/metrics.h"

#include <exception>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace salesops {
namespace {

const char* CodeName(int code) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
}

const char* CacheResultName(Metrics::CacheResult r) {
  switch (r) {
    case Metrics::CacheResult::kHit: return "hit";
    case Metrics::CacheResult::kMiss: return "miss";
    case Metrics::CacheResult::kError: return "error";
  }
  return "error";
}

}  // namespace

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& started =
      prometheus::BuildCounter()
          .Name("salesops_rpc_started_total")
          .Help("RPCs received by method; minus the finished ones, those in flight")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("salesops_rpc_requests_total")
          .Help("Finished RPCs by method and gRPC status code")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency =
      prometheus::BuildHistogram()
          .Name("salesops_rpc_latency_seconds")
          .Help("RPC latency in seconds, from receipt to status sent")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& cache =
      prometheus::BuildCounter()
          .Name("salesops_cache_requests_total")
          .Help("Result cache lookups and failures by cache and result")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& local_cache =
      prometheus::BuildCounter()
          .Name("salesops_local_cache_requests_total")
          .Help("In-process result cache lookups by cache and result (hit, miss)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& local_cache_evictions =
      prometheus::BuildCounter()
          .Name("salesops_local_cache_evictions_total")
          .Help("In-process result cache entries dropped to make room, by cache")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& redis_errors =
      prometheus::BuildCounter()
          .Name("salesops_redis_errors_total")
          .Help("Failed Redis calls by role (cache, store)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& batch_tasks =
      prometheus::BuildCounter()
          .Name("salesops_batch_tasks_total")
          .Help("Batch tasks handled by forecast workers, by outcome")
          .Register(*registry);

  absl::Mutex mu;
  std::unique_ptr<prometheus::Exposer> exposer ABSL_GUARDED_BY(mu);
  // Histograms are looked up per method; keep the metric pointers to avoid re-hashing labels.
  std::map<std::string, prometheus::Histogram*, std::less<>> latency_by_method ABSL_GUARDED_BY(mu);
};

Metrics& Metrics::Get() {
  static Metrics* metrics = new Metrics();
  return *metrics;
}

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}

absl::StatusOr<int> Metrics::Serve(const std::string& address) {
  absl::MutexLock lock(&impl_->mu);
  if (impl_->exposer) return absl::FailedPreconditionError("metrics already served");
  try {
    impl_->exposer = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError("cannot serve metrics on " + address + ": " + e.what());
  }
  impl_->exposer->RegisterCollectable(impl_->registry);
  auto ports = impl_->exposer->GetListeningPorts();
  if (ports.empty()) return absl::UnavailableError("metrics server has no listening port");
  return ports.front();
}

void Metrics::RecordRpcStarted(std::string_view method) {
  impl_->started.Add({{"method", std::string(method)}}).Increment();
}

void Metrics::RecordRpc(std::string_view method, int grpc_code, double seconds) {
  impl_->requests.Add({{"method", std::string(method)}, {"code", CodeName(grpc_code)}}).Increment();
  prometheus::Histogram* histogram = nullptr;
  {
    absl::MutexLock lock(&impl_->mu);
    auto it = impl_->latency_by_method.find(method);
    if (it == impl_->latency_by_method.end()) {
      // Buckets from 0.5 ms to 30 s.
      static const prometheus::Histogram::BucketBoundaries kBuckets = {
          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
      histogram = &impl_->latency.Add({{"method", std::string(method)}}, kBuckets);
      impl_->latency_by_method.emplace(std::string(method), histogram);
    } else {
      histogram = it->second;
    }
  }
  histogram->Observe(seconds);
}

void Metrics::RecordCache(std::string_view cache, CacheResult result) {
  impl_->cache.Add({{"cache", std::string(cache)}, {"result", CacheResultName(result)}}).Increment();
}

void Metrics::RecordLocalCache(std::string_view cache, LocalCacheEvent event, int64_t count) {
  if (event == LocalCacheEvent::kEviction) {
    impl_->local_cache_evictions.Add({{"cache", std::string(cache)}}).Increment(count);
    return;
  }
  impl_->local_cache
      .Add({{"cache", std::string(cache)},
            {"result", event == LocalCacheEvent::kHit ? "hit" : "miss"}})
      .Increment();
}

void Metrics::RecordRedisError(std::string_view role) {
  impl_->redis_errors.Add({{"role", std::string(role)}}).Increment();
}

void Metrics::RecordBatchTask(std::string_view outcome) {
  impl_->batch_tasks.Add({{"outcome", std::string(outcome)}}).Increment();
}

std::string Metrics::Render() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(impl_->registry->Collect());
}

}  // namespace salesops
