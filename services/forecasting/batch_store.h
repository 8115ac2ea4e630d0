// Batch forecast jobs in the Redis store, processed through a Redis Stream by a consumer group.
//
//   salesops:batch:<id>              hash: the job's counters and state (see BatchStatus), its
//                                    expiry, and `spec` (the ForecastRequest without series)
//   salesops:batch:<id>:results      hash: task index -> ForecastResponse of the task's series
//   salesops:batch:<id>:failed       hash: task index -> GetBatchResultsResponse with the task's
//                                    FailedSeries (the task was parked)
//   salesops:batch:<id>:errors       hash: task index -> the last error a worker met on it
//   salesops:batch-request:<key>     the job of an idempotency key
//   salesops:batch:tasks             the stream: one entry per task (fields batch, task, request:
//                                    the task's ForecastRequest), read by the group forecast-workers
//
// Exactly once: a task's outcome (its forecasts, or its failure) is written by one Lua script that
// writes it only when the task has none yet and counts it in the job in the same step. A worker
// acknowledges (XACK) and deletes the stream entry only after that, so a worker that dies at any
// point leaves the task pending; another worker claims it once it has been idle for the
// visibility timeout, computes it again, and the script ignores a second outcome. A worker keeps a
// task it is still computing from looking abandoned (Touch), so only dead or stuck workers lose
// their tasks. A task delivered `max_attempts` times without an outcome is parked with its last
// error instead of being tried again. Every key of a job expires `retention` after submission.
#ifndef SALESOPS_SERVICES_FORECASTING_BATCH_STORE_H_
#define SALESOPS_SERVICES_FORECASTING_BATCH_STORE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis_client.h"
#include "salesops/v1/forecasting.pb.h"

namespace salesops::forecast {

inline constexpr char kBatchStream[] = "salesops:batch:tasks";
inline constexpr char kBatchGroup[] = "forecast-workers";

// One task as a worker receives it.
struct BatchTask {
  std::string entry_id;  // the stream entry
  std::string batch_id;
  int task = -1;
  std::string request;      // serialized ForecastRequest; may be anything if the entry is corrupt
  int64_t deliveries = 1;   // times the group has delivered it (this one included)
};

struct BatchStoreOptions {
  std::chrono::hours retention{24 * 7};
};

class BatchStore {
 public:
  explicit BatchStore(std::shared_ptr<RedisClient> redis, BatchStoreOptions options = {});

  // Queues a validated request's series in tasks of `series_per_task` (the caller checked both).
  // With a request_id seen before, the earlier job's status instead.
  absl::StatusOr<v1::BatchStatus> Submit(const v1::ForecastRequest& request, int series_per_task,
                                         const std::string& request_id);
  // NotFound ("batch_id: ...") for an unknown or expired job.
  absl::StatusOr<v1::BatchStatus> Status(const std::string& batch_id);
  // Marks the job cancelled (a finished job stays as it is) and returns its status.
  absl::StatusOr<v1::BatchStatus> Cancel(const std::string& batch_id);
  // The outcomes of tasks [first_task, ...) up to `max_series` series and about 3 MiB (at least
  // one task), stopping at the first task without an outcome (skipping those of a cancelled job,
  // which will never have one); *next_task is where the next page starts (tasks_total when done).
  absl::StatusOr<v1::GetBatchResultsResponse> Results(const std::string& batch_id, int first_task,
                                                      int max_series, int* next_task);

  // --- Workers.
  // Creates the consumer group if missing (idempotent).
  absl::Status EnsureGroup();
  // Up to `count` new tasks for `consumer`, waiting up to `block` for one.
  absl::StatusOr<std::vector<BatchTask>> ReadNew(const std::string& consumer, int count,
                                                 std::chrono::milliseconds block);
  // Up to `count` tasks pending for longer than `min_idle` (their worker died or is stuck), now
  // claimed by `consumer`, with their delivery counts.
  absl::StatusOr<std::vector<BatchTask>> Reclaim(const std::string& consumer, int count,
                                                 std::chrono::milliseconds min_idle);
  // Whether the task's job still wants it (false once cancelled, expired or finished).
  absl::StatusOr<bool> Wanted(const BatchTask& task);
  // Stores the task's forecasts (once: a repeat is ignored), then acknowledges and deletes the
  // entry. True when this call stored them.
  absl::StatusOr<bool> Complete(const BatchTask& task, const v1::ForecastResponse& response);
  // Remembers why the task failed this time (for parking); it stays pending.
  absl::Status RecordError(const BatchTask& task, const std::string& error);
  // Parks the task: its series fail with the last recorded error (or `error` when none), once;
  // then acknowledges and deletes the entry.
  absl::StatusOr<bool> Park(const BatchTask& task, const std::string& error);
  // Acknowledges and deletes an entry nobody wants (cancelled or expired job, corrupt entry).
  absl::Status Drop(const BatchTask& task);
  // Keeps a task `consumer` is still computing from looking abandoned (resets its idle time; not
  // a delivery). False when another worker has taken it over meanwhile (then it is left to them).
  absl::StatusOr<bool> Touch(const BatchTask& task, const std::string& consumer);
  // Removes the consumer from the group when it has no pending task (a worker stopping).
  absl::Status RemoveConsumer(const std::string& consumer);

 private:
  absl::StatusOr<bool> StoreOutcome(const BatchTask& task, bool failed, const std::string& value,
                                    int64_t series);

  std::shared_ptr<RedisClient> redis_;
  BatchStoreOptions options_;
};

// The key of a job's hash.
std::string BatchKey(const std::string& batch_id, const char* suffix = nullptr);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_BATCH_STORE_H_
