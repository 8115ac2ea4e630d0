#include "services/forecasting/batch_worker.h"

#include <unistd.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "common/metrics.h"

namespace salesops::forecast {

std::string DefaultConsumerName(int n) {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat(host[0] ? host : "worker", "-", ::getpid(), "-", n);
}

BatchWorker::BatchWorker(BatchStore& store, ThreadPool& compute, BatchWorkerOptions options)
    : store_(store), compute_(compute), options_(std::move(options)) {}

absl::StatusOr<int> BatchWorker::RunOnce() {
  int handled = 0;
  // One at a time: a task claimed but left waiting would look abandoned again.
  auto reclaimed = store_.Reclaim(options_.consumer, 1, options_.visibility);
  if (!reclaimed.ok()) return reclaimed.status();
  for (const BatchTask& task : *reclaimed) {
    Metrics::Get().RecordBatchTask("reclaimed");
    log::Info("batch_task_reclaimed", {{"batch_id", task.batch_id}, {"task", task.task},
                                       {"deliveries", task.deliveries}});
    if (auto s = Handle(task); !s.ok()) return s;
    ++handled;
  }
  auto fresh = store_.ReadNew(options_.consumer, 1, options_.block);
  if (!fresh.ok()) return fresh.status();
  for (const BatchTask& task : *fresh) {
    if (auto s = Handle(task); !s.ok()) return s;
    ++handled;
  }
  return handled;
}

void BatchWorker::Run(const std::atomic<bool>& stop) {
  if (auto s = store_.EnsureGroup(); !s.ok())
    log::Warn("batch_group_unavailable", {{"error", s.ToString()}});
  while (!stop.load()) {
    auto handled = RunOnce();
    if (!handled.ok()) {
      log::Warn("batch_worker_error", {{"consumer", options_.consumer}, {"error", handled.status().ToString()}});
      std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the store may be restarting
    }
  }
  // Leave the group tidy (pods come and go); a consumer with a pending task stays, so that the
  // task can still be taken over.
  if (auto s = store_.RemoveConsumer(options_.consumer); !s.ok())
    log::Warn("batch_consumer_not_removed", {{"consumer", options_.consumer}, {"error", s.ToString()}});
}

absl::Status BatchWorker::Handle(const BatchTask& task) {
  if (task.batch_id.empty() || task.task < 0) {  // not one of ours: nothing to store it under
    Metrics::Get().RecordBatchTask("dropped");
    log::Warn("batch_task_unreadable", {{"entry", task.entry_id}});
    return store_.Drop(task);
  }
  auto wanted = store_.Wanted(task);
  if (!wanted.ok()) return wanted.status();
  if (!*wanted) {  // cancelled or expired
    Metrics::Get().RecordBatchTask("dropped");
    return store_.Drop(task);
  }
  if (task.deliveries > options_.max_attempts) {
    auto parked = store_.Park(task, "failed on every attempt");
    if (!parked.ok()) return parked.status();
    Metrics::Get().RecordBatchTask(*parked ? "parked" : "duplicate");
    log::Warn("batch_task_parked", {{"batch_id", task.batch_id}, {"task", task.task},
                                    {"deliveries", task.deliveries}});
    return absl::OkStatus();
  }

  // Everything that can fail from here is the task's own problem: record it and leave the task
  // pending, to be tried again (elsewhere) and parked after max_attempts.
  absl::StatusOr<v1::ForecastResponse> response = [&]() -> absl::StatusOr<v1::ForecastResponse> {
    v1::ForecastRequest request;
    if (!request.ParseFromString(task.request))
      return absl::DataLossError("the task's request does not parse");
    if (auto s = ValidateForecastRequest(request, options_.limits); !s.ok()) return s;
    // While computing, a heartbeat keeps the task ours: slow is not dead.
    absl::Mutex mu;
    bool computed = false;
    std::thread heartbeat([&] {
      absl::MutexLock lock(&mu);
      const absl::Duration every = absl::FromChrono(options_.visibility) / 3;
      bool ours = true;
      while (ours && !mu.AwaitWithTimeout(absl::Condition(&computed), every)) {
        mu.Unlock();
        auto touched = store_.Touch(task, options_.consumer);
        if (!touched.ok())
          log::Warn("batch_heartbeat_failed", {{"batch_id", task.batch_id}, {"error", touched.status().ToString()}});
        ours = !touched.ok() || *touched;  // taken over (we were too slow to answer): let it go
        mu.Lock();
      }
    });
    auto result = ComputeForecasts(request, compute_);
    {
      absl::MutexLock lock(&mu);
      computed = true;
    }
    heartbeat.join();
    return result;
  }();
  if (!response.ok()) {
    Metrics::Get().RecordBatchTask("failed");
    log::Warn("batch_task_failed", {{"batch_id", task.batch_id}, {"task", task.task},
                                    {"deliveries", task.deliveries},
                                    {"error", response.status().ToString()}});
    return store_.RecordError(task, response.status().ToString());
  }
  auto stored = store_.Complete(task, *response);
  if (!stored.ok()) return stored.status();
  Metrics::Get().RecordBatchTask(*stored ? "completed" : "duplicate");
  return absl::OkStatus();
}

}  // namespace salesops::forecast
