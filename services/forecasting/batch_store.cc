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

// Writes a task's outcome once and counts it in the job, then acknowledges and deletes the entry.
//   KEYS: job, outcome hash (results or failed), the other outcome hash, stream
//   ARGV: task, value, series, failed (0/1), now_ms, entry id, group
// Returns 1 when this call stored the outcome, 0 when the task had one (or the job is gone).
constexpr char kStoreOutcomeScript[] = R"lua(
local stored = 0
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0
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
    if done >= tonumber(redis.call('HGET', KEYS[1], 'tasks_total')) then
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
  const int64_t retention_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count();
  absl::BitGen random;
  const std::string id = absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random),
                                         absl::Uniform<uint64_t>(random));
  if (!request_id.empty()) {
    // The key names the job before the job exists: a second submission with it finds the first.
    const std::string key = absl::StrCat(kRequestKeyPrefix, request_id);
    auto set = redis_->Command({"SET", key, id, "NX", "PX", absl::StrCat(retention_ms)});
    if (!set.ok()) return StoreError(set.status());
    if (set->is_nil()) {
      auto existing = redis_->Command({"GET", key});
      if (!existing.ok()) return StoreError(existing.status());
      if (!existing->is_nil()) {
        auto status = Status(existing->str);
        // A job that was never queued (the store failed between the two steps): queue it now,
        // under the key.
        if (!absl::IsNotFound(status.status())) return status;
        auto reset = redis_->Command({"SET", key, id, "PX", absl::StrCat(retention_ms)});
        if (!reset.ok()) return StoreError(reset.status());
      }
    }
  }
  if (auto s = EnsureGroup(); !s.ok()) return s;

  const int series = request.series_size();
  const int tasks = (series + series_per_task - 1) / series_per_task;
  const int64_t now = NowMs();
  v1::ForecastRequest spec = request;
  spec.clear_series();
  const std::string job = BatchKey(id);
  std::vector<std::vector<std::string>> commands = {{"MULTI"}};
  commands.push_back({"HSET", job, "state", "QUEUED", "series_total", absl::StrCat(series),
                      "tasks_total", absl::StrCat(tasks), "series_done", "0", "series_failed", "0",
                      "tasks_done", "0", "tasks_failed", "0", "submitted_ms", absl::StrCat(now),
                      "finished_ms", "0", "expire_ms", absl::StrCat(now + retention_ms), "spec",
                      spec.SerializeAsString()});
  commands.push_back({"PEXPIREAT", job, absl::StrCat(now + retention_ms)});
  for (int t = 0; t < tasks; ++t) {
    v1::ForecastRequest task = spec;
    const int end = std::min(series, (t + 1) * series_per_task);
    for (int i = t * series_per_task; i < end; ++i) *task.add_series() = request.series(i);
    commands.push_back({"XADD", kBatchStream, "*", "batch", id, "task", absl::StrCat(t), "request",
                        task.SerializeAsString()});
  }
  commands.push_back({"EXEC"});
  auto replies = redis_->Pipeline(commands);
  if (!replies.ok()) return StoreError(replies.status());
  const RedisReply& exec = replies->back();
  if (exec.type != RedisReply::Type::kArray)
    return StoreError(absl::UnavailableError(absl::StrCat("queueing the batch failed: ", exec.str)));
  for (const RedisReply& r : exec.elements) {
    if (r.type == RedisReply::Type::kError)
      return StoreError(absl::InternalError(absl::StrCat("queueing the batch failed: ", r.str)));
  }
  return Status(id);
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
  int task = std::max(0, first_task);
  int series = 0;
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
      if (done.is_nil() && parked.is_nil()) {  // not finished yet: the page ends here
        stop = true;
        break;
      }
      v1::ForecastResponse forecasts;
      v1::GetBatchResultsResponse failures;
      const bool ok = done.is_nil() ? failures.ParseFromString(parked.str)
                                    : forecasts.ParseFromString(done.str);
      if (!ok) return absl::DataLossError(absl::StrCat("batch store: corrupt outcome of task ", t));
      const int n = forecasts.forecasts_size() + failures.failed_size();
      if (series > 0 && series + n > max_series) {
        stop = true;
        break;
      }
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
  } else {  // the entry itself is unreadable: the whole task fails as one
    v1::FailedSeries* f = failures.add_failed();
    f->set_series_id(absl::StrCat("task ", task.task));
    f->set_error(why);
  }
  return StoreOutcome(task, true, failures.SerializeAsString(), failures.failed_size());
}

absl::Status BatchStore::Drop(const BatchTask& task) {
  auto replies = redis_->Pipeline({{"XACK", kBatchStream, kBatchGroup, task.entry_id},
                                   {"XDEL", kBatchStream, task.entry_id}});
  if (!replies.ok()) return StoreError(replies.status());
  return absl::OkStatus();
}

}  // namespace salesops::forecast
