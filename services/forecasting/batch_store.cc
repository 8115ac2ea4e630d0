#include "services/forecasting/batch_store.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace salesops::forecast {
namespace {

constexpr char kRequestKeyPrefix[] = "salesops:batch-request:";
// Tasks whose outcomes Results reads per round trip.
constexpr int kResultsBatch = 64;
// A results page stops before this size (gRPC clients accept 4 MiB by default), unless its first
// task alone is larger.
constexpr size_t kMaxPageBytes = 3 << 20;

// Writes a task's outcome once and counts it in the job, then acknowledges and deletes the entry.
//   KEYS: job, outcome hash (results or failed), the other outcome hash, stream
//   ARGV: task, value, series, failed (0/1), now_ms, entry id, group
// Returns 1 when this call stored the outcome, 0 when the task had one, or the job is gone, or the
// entry names a task the job does not have.
constexpr char kStoreOutcomeScript[] = R"lua(
local stored = 0
local total = tonumber(redis.call('HGET', KEYS[1], 'tasks_total') or '0')
if tonumber(ARGV[1]) < total and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0
    and redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  redis.call('PEXPIREAT', KEYS[2], redis.call('HGET', KEYS[1], 'expire_ms'))
  if ARGV[4] == '1' then
    redis.call('HINCRBY', KEYS[1], 'tasks_failed', 1)
    redis.call('HINCRBY', KEYS[1], 'series_failed', ARGV[3])
  else
    redis.call('HINCRBY', KEYS[1], 'series_done', ARGV[3])
  end
  local done = redis.call('HINCRBY', KEYS[1], 'tasks_done', 1)
  if redis.call('HGET', KEYS[1], 'state') ~= 'CANCELLED' then
    if done >= total then
      redis.call('HSET', KEYS[1], 'state', 'DONE', 'finished_ms', ARGV[5])
    else
      redis.call('HSET', KEYS[1], 'state', 'RUNNING')
    end
  end
  stored = 1
end
redis.call('XACK', KEYS[4], ARGV[7], ARGV[6])
redis.call('XDEL', KEYS[4], ARGV[6])
return stored
)lua";

// Queues a job: with an idempotency key (ARGV[1] == '1') that already names a job, returns that
// job's id and does nothing else; else sets the key (when given), writes the job's hash and adds
// one stream entry per task. Atomic, so a key never names a job that does not exist and two
// concurrent submissions with one key queue once.
//   KEYS: request key, job, stream
//   ARGV: has key, id, expire_ms, retention_ms, series, tasks, series_per_task, now_ms, spec,
//         then the tasks' requests
constexpr char kSubmitScript[] = R"lua(
if ARGV[1] == '1' then
  local existing = redis.call('GET', KEYS[1])
  if existing then return existing end
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
end
redis.call('HSET', KEYS[2], 'state', 'QUEUED', 'series_total', ARGV[5], 'tasks_total', ARGV[6],
           'series_per_task', ARGV[7], 'series_done', 0, 'series_failed', 0, 'tasks_done', 0,
           'tasks_failed', 0, 'submitted_ms', ARGV[8], 'finished_ms', 0, 'expire_ms', ARGV[3],
           'spec', ARGV[9])
redis.call('PEXPIREAT', KEYS[2], ARGV[3])
for i = 10, #ARGV do
  redis.call('XADD', KEYS[3], '*', 'batch', ARGV[2], 'task', i - 10, 'request', ARGV[i])
end
return ARGV[2]
)lua";

// Resets the idle time of an entry its consumer is still working on, without counting a delivery
// (XCLAIM ... JUSTID) — only while that consumer still owns it: one that another worker took over
// meanwhile stays taken. KEYS: stream; ARGV: group, entry id, consumer. 1 when touched.
constexpr char kTouchScript[] = R"lua(
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 1 and pending[1][2] == ARGV[3] then
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
  return 1
end
return 0
)lua";

// Cancels a job that has not finished. KEYS: job; ARGV: now_ms. 0 when there is no such job.
constexpr char kCancelScript[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'DONE' and state ~= 'CANCELLED' then
  redis.call('HSET', KEYS[1], 'state', 'CANCELLED', 'finished_ms', ARGV[1])
end
return 1
)lua";

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

absl::Status StoreError(const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat("batch store: ", s.message()));
}

v1::BatchState StateOf(const std::string& name) {
  if (name == "RUNNING") return v1::BATCH_STATE_RUNNING;
  if (name == "DONE") return v1::BATCH_STATE_DONE;
  if (name == "CANCELLED") return v1::BATCH_STATE_CANCELLED;
  return v1::BATCH_STATE_QUEUED;
}

int64_t Int(const std::string& s) {
  int64_t v = 0;
  return absl::SimpleAtoi(s, &v) ? v : 0;
}

// Stream entries as XREADGROUP / XCLAIM return them: [[id, [field, value, ...]], ...].
std::vector<BatchTask> ParseEntries(const RedisReply& entries) {
  std::vector<BatchTask> tasks;
  for (const RedisReply& entry : entries.elements) {
    if (entry.elements.size() < 2) continue;  // an entry deleted meanwhile
    BatchTask t;
    t.entry_id = entry.elements[0].str;
    const auto& fields = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "batch") t.batch_id = fields[i + 1].str;
      if (fields[i].str == "task") t.task = static_cast<int>(Int(fields[i + 1].str));
      if (fields[i].str == "request") t.request = fields[i + 1].str;
    }
    tasks.push_back(std::move(t));
  }
  return tasks;
}

}  // namespace

std::string BatchKey(const std::string& batch_id, const char* suffix) {
  return suffix ? absl::StrCat("salesops:batch:", batch_id, ":", suffix)
                : absl::StrCat("salesops:batch:", batch_id);
}

BatchStore::BatchStore(std::shared_ptr<RedisClient> redis, BatchStoreOptions options)
    : redis_(std::move(redis)), options_(options) {}

absl::Status BatchStore::EnsureGroup() {
  auto reply = redis_->Command({"XGROUP", "CREATE", kBatchStream, kBatchGroup, "0", "MKSTREAM"});
  if (reply.ok() || absl::StrContains(reply.status().message(), "BUSYGROUP")) return absl::OkStatus();
  return StoreError(reply.status());
}

absl::StatusOr<v1::BatchStatus> BatchStore::Submit(const v1::ForecastRequest& request,
                                                   int series_per_task,
                                                   const std::string& request_id) {
  if (auto s = EnsureGroup(); !s.ok()) return s;
  const int64_t retention_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count();
  absl::BitGen random;
  const std::string id = absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random),
                                         absl::Uniform<uint64_t>(random));
  const int series = request.series_size();
  const int tasks = (series + series_per_task - 1) / series_per_task;
  const int64_t now = NowMs();
  v1::ForecastRequest spec = request;
  spec.clear_series();
  // One script: the idempotency key, the job and its tasks, or nothing (see kSubmitScript).
  std::vector<std::string> command = {
      "EVAL", kSubmitScript, "3", absl::StrCat(kRequestKeyPrefix, request_id), BatchKey(id),
      kBatchStream, request_id.empty() ? "0" : "1", id, absl::StrCat(now + retention_ms),
      absl::StrCat(retention_ms), absl::StrCat(series), absl::StrCat(tasks),
      absl::StrCat(series_per_task), absl::StrCat(now), spec.SerializeAsString()};
  command.reserve(command.size() + tasks);
  for (int t = 0; t < tasks; ++t) {
    v1::ForecastRequest task = spec;
    const int end = std::min(series, (t + 1) * series_per_task);
    for (int i = t * series_per_task; i < end; ++i) *task.add_series() = request.series(i);
    command.push_back(task.SerializeAsString());
  }
  auto reply = redis_->Command(command);
  if (!reply.ok()) return StoreError(reply.status());
  return Status(reply->str);  // this job's, or the one the key already named
}

absl::StatusOr<v1::BatchStatus> BatchStore::Status(const std::string& batch_id) {
  auto reply = redis_->Command({"HGETALL", BatchKey(batch_id)});
  if (!reply.ok()) return StoreError(reply.status());
  if (reply->elements.empty())
    return absl::NotFoundError(absl::StrCat("batch_id: no batch \"", batch_id, "\" (unknown or expired)"));
  v1::BatchStatus status;
  status.set_batch_id(batch_id);
  status.set_engine_version(SALESOPS_ENGINE_VERSION);
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    const std::string& field = reply->elements[i].str;
    const std::string& value = reply->elements[i + 1].str;
    if (field == "state") status.set_state(StateOf(value));
    else if (field == "series_total") status.set_series_total(Int(value));
    else if (field == "series_done") status.set_series_done(Int(value));
    else if (field == "series_failed") status.set_series_failed(Int(value));
    else if (field == "tasks_total") status.set_tasks_total(static_cast<int>(Int(value)));
    else if (field == "tasks_done") status.set_tasks_done(static_cast<int>(Int(value)));
    else if (field == "tasks_failed") status.set_tasks_failed(static_cast<int>(Int(value)));
    else if (field == "submitted_ms") status.set_submitted_unix_ms(Int(value));
    else if (field == "finished_ms") status.set_finished_unix_ms(Int(value));
  }
  return status;
}

absl::StatusOr<v1::BatchStatus> BatchStore::Cancel(const std::string& batch_id) {
  auto reply = redis_->Command({"EVAL", kCancelScript, "1", BatchKey(batch_id), absl::StrCat(NowMs())});
  if (!reply.ok()) return StoreError(reply.status());
  if (reply->integer == 0)
    return absl::NotFoundError(absl::StrCat("batch_id: no batch \"", batch_id, "\" (unknown or expired)"));
  return Status(batch_id);
}

absl::StatusOr<v1::GetBatchResultsResponse> BatchStore::Results(const std::string& batch_id,
                                                                int first_task, int max_series,
                                                                int* next_task) {
  auto status = Status(batch_id);
  if (!status.ok()) return status.status();
  v1::GetBatchResultsResponse page;
  const bool cancelled = status->state() == v1::BATCH_STATE_CANCELLED;
  int task = std::max(0, first_task);
  int series = 0;
  size_t bytes = 0;
  bool stop = false;
  while (!stop && task < status->tasks_total()) {
    const int end = std::min(status->tasks_total(), task + kResultsBatch);
    const int base = task;  // `task` advances in the loop below
    std::vector<std::string> results = {"HMGET", BatchKey(batch_id, "results")};
    std::vector<std::string> failed = {"HMGET", BatchKey(batch_id, "failed")};
    for (int t = task; t < end; ++t) {
      results.push_back(absl::StrCat(t));
      failed.push_back(absl::StrCat(t));
    }
    auto replies = redis_->Pipeline({results, failed});
    if (!replies.ok()) return StoreError(replies.status());
    for (int t = task; t < end; ++t) {
      const RedisReply& done = (*replies)[0].elements[t - base];
      const RedisReply& parked = (*replies)[1].elements[t - base];
      if (done.is_nil() && parked.is_nil()) {
        if (cancelled) {  // skipped: it will never have an outcome
          task = t + 1;
          continue;
        }
        stop = true;  // not finished yet: the page ends here
        break;
      }
      v1::ForecastResponse forecasts;
      v1::GetBatchResultsResponse failures;
      const bool ok = done.is_nil() ? failures.ParseFromString(parked.str)
                                    : forecasts.ParseFromString(done.str);
      if (!ok) return absl::DataLossError(absl::StrCat("batch store: corrupt outcome of task ", t));
      const int n = forecasts.forecasts_size() + failures.failed_size();
      const size_t size = done.is_nil() ? parked.str.size() : done.str.size();
      if (series > 0 && (series + n > max_series || bytes + size > kMaxPageBytes)) {
        stop = true;
        break;
      }
      bytes += size;
      for (auto& f : *forecasts.mutable_forecasts()) *page.add_forecasts() = std::move(f);
      for (auto& f : *failures.mutable_failed()) *page.add_failed() = std::move(f);
      series += n;
      task = t + 1;
    }
  }
  *next_task = task;
  *page.mutable_status() = std::move(*status);
  return page;
}

absl::StatusOr<std::vector<BatchTask>> BatchStore::ReadNew(const std::string& consumer, int count,
                                                           std::chrono::milliseconds block) {
  const std::vector<std::string> command = {
      "XREADGROUP", "GROUP", kBatchGroup, consumer, "COUNT", absl::StrCat(count), "BLOCK",
      absl::StrCat(block.count()), "STREAMS", kBatchStream, ">"};
  auto reply = redis_->Command(command);
  if (!reply.ok() && absl::StrContains(reply.status().message(), "NOGROUP")) {
    if (auto s = EnsureGroup(); !s.ok()) return s;
    reply = redis_->Command(command);
  }
  if (!reply.ok()) return StoreError(reply.status());
  std::vector<BatchTask> tasks;
  for (const RedisReply& stream : reply->elements) {  // nil (no element) on timeout
    if (stream.elements.size() < 2) continue;
    auto parsed = ParseEntries(stream.elements[1]);
    tasks.insert(tasks.end(), parsed.begin(), parsed.end());
  }
  return tasks;
}

absl::StatusOr<std::vector<BatchTask>> BatchStore::Reclaim(const std::string& consumer, int count,
                                                           std::chrono::milliseconds min_idle) {
  // XPENDING gives the delivery counts; XCLAIM with the same idle bound takes each entry only if
  // no other worker took it meanwhile, and counts this delivery.
  auto pending = redis_->Command({"XPENDING", kBatchStream, kBatchGroup, "IDLE",
                                  absl::StrCat(min_idle.count()), "-", "+", absl::StrCat(count)});
  if (!pending.ok()) {
    if (absl::StrContains(pending.status().message(), "NOGROUP")) return std::vector<BatchTask>{};
    return StoreError(pending.status());
  }
  if (pending->elements.empty()) return std::vector<BatchTask>{};
  std::vector<std::string> claim = {"XCLAIM", kBatchStream, kBatchGroup, consumer,
                                    absl::StrCat(min_idle.count())};
  absl::flat_hash_map<std::string, int64_t> deliveries;
  for (const RedisReply& p : pending->elements) {
    if (p.elements.size() < 4) continue;
    claim.push_back(p.elements[0].str);
    deliveries[p.elements[0].str] = p.elements[3].integer + 1;
  }
  auto claimed = redis_->Command(claim);
  if (!claimed.ok()) return StoreError(claimed.status());
  std::vector<BatchTask> tasks = ParseEntries(*claimed);
  for (BatchTask& t : tasks) t.deliveries = deliveries[t.entry_id];
  return tasks;
}

absl::StatusOr<bool> BatchStore::Wanted(const BatchTask& task) {
  auto state = redis_->Command({"HGET", BatchKey(task.batch_id), "state"});
  if (!state.ok()) return StoreError(state.status());
  return !state->is_nil() && (state->str == "QUEUED" || state->str == "RUNNING");
}

absl::StatusOr<bool> BatchStore::StoreOutcome(const BatchTask& task, bool failed,
                                              const std::string& value, int64_t series) {
  auto reply = redis_->Command(
      {"EVAL", kStoreOutcomeScript, "4", BatchKey(task.batch_id),
       BatchKey(task.batch_id, failed ? "failed" : "results"),
       BatchKey(task.batch_id, failed ? "results" : "failed"), kBatchStream, absl::StrCat(task.task),
       value, absl::StrCat(series), failed ? "1" : "0", absl::StrCat(NowMs()), task.entry_id,
       kBatchGroup});
  if (!reply.ok()) return StoreError(reply.status());
  return reply->integer == 1;
}

absl::StatusOr<bool> BatchStore::Complete(const BatchTask& task, const v1::ForecastResponse& response) {
  return StoreOutcome(task, false, response.SerializeAsString(), response.forecasts_size());
}

absl::Status BatchStore::RecordError(const BatchTask& task, const std::string& error) {
  const std::string key = BatchKey(task.batch_id, "errors");
  auto replies = redis_->Pipeline({{"HSET", key, absl::StrCat(task.task), error},
                                   {"PEXPIRE", key, absl::StrCat(std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count())}});
  if (!replies.ok()) return StoreError(replies.status());
  return absl::OkStatus();
}

absl::StatusOr<bool> BatchStore::Park(const BatchTask& task, const std::string& error) {
  auto last = redis_->Command({"HGET", BatchKey(task.batch_id, "errors"), absl::StrCat(task.task)});
  if (!last.ok()) return StoreError(last.status());
  const std::string why = last->is_nil() ? error : last->str;
  v1::GetBatchResultsResponse failures;
  v1::ForecastRequest request;
  if (request.ParseFromString(task.request) && request.series_size() > 0) {
    for (const auto& s : request.series()) {
      v1::FailedSeries* f = failures.add_failed();
      f->set_series_id(s.id());
      f->set_error(why);
    }
  } else {  // the entry itself is unreadable: the whole task fails as one entry
    v1::FailedSeries* f = failures.add_failed();
    f->set_series_id(absl::StrCat("task ", task.task));
    f->set_error(why);
  }
  // Count the task's series as the job split them, so done + failed adds up to the total even
  // for an unreadable entry.
  int64_t series = failures.failed_size();
  auto split = redis_->Command({"HMGET", BatchKey(task.batch_id), "series_total", "series_per_task"});
  if (!split.ok()) return StoreError(split.status());
  if (split->elements.size() == 2 && !split->elements[0].is_nil() && !split->elements[1].is_nil()) {
    const int64_t total = Int(split->elements[0].str), per_task = Int(split->elements[1].str);
    series = std::clamp<int64_t>(total - static_cast<int64_t>(task.task) * per_task, 0, per_task);
  }
  return StoreOutcome(task, true, failures.SerializeAsString(), series);
}

absl::StatusOr<bool> BatchStore::Touch(const BatchTask& task, const std::string& consumer) {
  auto reply = redis_->Command({"EVAL", kTouchScript, "1", kBatchStream, kBatchGroup, task.entry_id, consumer});
  if (!reply.ok()) return StoreError(reply.status());
  return reply->integer == 1;
}

absl::Status BatchStore::RemoveConsumer(const std::string& consumer) {
  // Only without pending entries: deleting a consumer drops its pending list, and those tasks
  // could then never be taken over.
  auto pending = redis_->Command({"XPENDING", kBatchStream, kBatchGroup, "-", "+", "1", consumer});
  if (!pending.ok()) return StoreError(pending.status());
  if (!pending->elements.empty()) return absl::OkStatus();
  auto reply = redis_->Command({"XGROUP", "DELCONSUMER", kBatchStream, kBatchGroup, consumer});
  if (!reply.ok()) return StoreError(reply.status());
  return absl::OkStatus();
}

absl::Status BatchStore::Drop(const BatchTask& task) {
  auto replies = redis_->Pipeline({{"XACK", kBatchStream, kBatchGroup, task.entry_id},
                                   {"XDEL", kBatchStream, task.entry_id}});
  if (!replies.ok()) return StoreError(replies.status());
  return absl::OkStatus();
}

}  // namespace salesops::forecast
