// A forecast worker: takes batch tasks from the stream (new ones, and those another worker left
// pending for longer than the visibility timeout), computes them and stores each task's forecasts
// once (BatchStore). Runs in salesops-forecast-worker, or inside salesops-forecast with
// --batch-workers when no separate worker runs.
//
// A task that fails (an entry that does not parse, a request the engine rejects) is left pending
// with its error recorded; it comes back after the visibility timeout, and once delivered
// `max_attempts` times it is parked: its series are reported failed with that error. While a
// task computes, a heartbeat (every third of the visibility timeout) keeps it from being taken
// over: only a worker that died or hangs loses its task. A worker computes on the calling thread
// plus the compute pool's threads.
#ifndef SALESOPS_SERVICES_FORECASTING_BATCH_WORKER_H_
#define SALESOPS_SERVICES_FORECASTING_BATCH_WORKER_H_

#include <atomic>
#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "common/thread_pool.h"
#include "services/forecasting/batch_store.h"
#include "services/forecasting/forecast_request.h"

namespace salesops::forecast {

struct BatchWorkerOptions {
  // The consumer name in the group; unique per worker (DefaultConsumerName()).
  std::string consumer;
  // A task pending this long without an outcome is taken over by another worker.
  std::chrono::milliseconds visibility{30000};
  // Deliveries before a failing task is parked.
  int max_attempts = 3;
  // How long one read waits for a new task (below the Redis client's command timeout).
  std::chrono::milliseconds block{1000};
  // The same limits as Forecast calls.
  ForecastLimits limits;
};

// "<hostname>-<pid>-<n>": unique per worker in a process and across pods.
std::string DefaultConsumerName(int n);

class BatchWorker {
 public:
  // `compute` runs the series of a task in parallel.
  BatchWorker(BatchStore& store, ThreadPool& compute, BatchWorkerOptions options);

  // Handles tasks until `stop` is set (checked between tasks and every `block`). Store errors are
  // logged and retried after a pause.
  void Run(const std::atomic<bool>& stop);
  // One round: tasks left pending by others, then new ones (waiting up to `block`). Returns the
  // number of tasks handled.
  absl::StatusOr<int> RunOnce();

 private:
  // Computes and stores one task, or records why it failed, or parks it.
  absl::Status Handle(const BatchTask& task);

  BatchStore& store_;
  ThreadPool& compute_;
  BatchWorkerOptions options_;
};

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_BATCH_WORKER_H_
