// Batch forecast jobs end to end (issue 6): a real store Redis (append-only file, fsync always),
// the real salesops-forecast with --store-redis, real salesops-forecast-worker processes, gRPC on
// loopback. No mocks: workers are killed with SIGKILL, the store too, and the outcome is read back
// through the API and checked against the stream itself (a RedisClient on the store).
//
// What is checked: every series of a batch gets exactly one forecast whatever dies when (the
// drill), a task computed twice is stored once, a poison task is parked rather than retried
// forever, cancel, the in-process workers, idempotent submission, validation, and a store crash.
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/redis_client.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"
#include "services/forecasting/snapshot_series.h"
#include "services/reporting/snapshot_store.h"

namespace salesops {
namespace {

using ::testing::HasSubstr;
using testing::MetricValue;
using testing::RedisServer;
using testing::RedisServerOptions;
using testing::ServiceProcess;
using Clock = std::chrono::steady_clock;

// The stream and group of services/forecasting/batch_store.h (spelled out: the test checks the
// layout the workers and the deployment's KEDA trigger rely on).
constexpr char kStream[] = "salesops:batch:tasks";
constexpr char kGroup[] = "forecast-workers";

std::unique_ptr<grpc::ClientContext> Context(int seconds = 60) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return context;
}

// Series `i` of a batch: `length` monthly values from 2023-01, deterministic, sales-like (level,
// trend, yearly season, a little noise from a hash of i and t).
v1::TimeSeries Series(int i, int length = 24) {
  v1::TimeSeries s;
  s.set_id(absl::StrFormat("acct-%05d/product-%d", i, i % 7));
  s.set_granularity(v1::GRANULARITY_MONTH);
  s.mutable_start()->set_year(2023);
  s.mutable_start()->set_month(1);
  s.mutable_start()->set_day(1);
  const double level = 100 + (i % 97) * 3;
  const double trend = ((i % 11) - 5) * 0.4;
  for (int t = 0; t < length; ++t) {
    const unsigned h = static_cast<unsigned>(i) * 2654435761u ^ static_cast<unsigned>(t) * 40503u;
    const double noise = static_cast<double>(h % 1000) / 100.0 - 5.0;
    s.add_values(level + trend * t + 0.15 * level * std::sin(2 * M_PI * t / 12.0) + noise);
  }
  return s;
}

v1::SubmitBatchRequest BatchRequest(int series, v1::ModelType model, int series_per_task,
                                    int length = 24, int first = 0) {
  v1::SubmitBatchRequest request;
  request.set_series_per_task(series_per_task);
  v1::ForecastRequest& forecast = *request.mutable_forecast();
  forecast.set_horizon(12);
  forecast.set_model(model);
  for (int i = 0; i < series; ++i) *forecast.add_series() = Series(first + i, length);
  return request;
}

grpc::Status Submit(v1::ForecastService::Stub& stub, const v1::SubmitBatchRequest& request,
                    v1::BatchStatus* status) {
  auto context = Context();
  return stub.SubmitBatch(context.get(), request, status);
}

v1::BatchStatus Get(v1::ForecastService::Stub& stub, const std::string& id) {
  v1::GetBatchRequest request;
  request.set_batch_id(id);
  v1::BatchStatus status;
  auto context = Context(10);
  grpc::Status s = stub.GetBatch(context.get(), request, &status);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return status;
}

bool Finished(const v1::BatchStatus& s) {
  return s.state() == v1::BATCH_STATE_DONE || s.state() == v1::BATCH_STATE_CANCELLED;
}

// WatchBatch until the job is finished (or `seconds` pass): the last status received. Fails the
// test when the stream ends without a finished status or with an error, or when progress ever goes
// backwards.
v1::BatchStatus Watch(v1::ForecastService::Stub& stub, const std::string& id, int seconds) {
  v1::GetBatchRequest request;
  request.set_batch_id(id);
  auto context = Context(seconds);
  auto reader = stub.WatchBatch(context.get(), request);
  v1::BatchStatus status, last;
  int updates = 0;
  while (reader->Read(&status)) {
    ++updates;
    EXPECT_EQ(status.batch_id(), id);
    EXPECT_GE(status.tasks_done(), last.tasks_done()) << "progress went backwards";
    EXPECT_LE(status.tasks_done(), status.tasks_total()) << status.ShortDebugString();
    last = status;
  }
  grpc::Status end = reader->Finish();
  EXPECT_TRUE(end.ok()) << "WatchBatch ended with " << end.error_code() << ": "
                        << end.error_message() << " after " << updates << " updates; last "
                        << last.ShortDebugString();
  EXPECT_TRUE(Finished(last)) << "not finished within " << seconds
                              << " s: " << last.ShortDebugString();
  return last;
}

struct Results {
  std::vector<v1::SeriesForecast> forecasts;
  std::vector<v1::FailedSeries> failed;
  int pages = 0;
  size_t largest_page_bytes = 0;
  bool stalled = false;  // a page that brought nothing and the same token back
  v1::BatchStatus status;
};

// Pages through GetBatchResults until the token is empty (or a page stops advancing).
Results AllResults(v1::ForecastService::Stub& stub, const std::string& id, int page_size = 0) {
  Results all;
  std::string token;
  for (int guard = 0; guard < 10000; ++guard) {
    v1::GetBatchResultsRequest request;
    request.set_batch_id(id);
    request.set_page_size(page_size);
    request.set_page_token(token);
    v1::GetBatchResultsResponse page;
    auto context = Context();
    grpc::Status s = stub.GetBatchResults(context.get(), request, &page);
    EXPECT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
    if (!s.ok()) break;
    ++all.pages;
    all.largest_page_bytes = std::max(all.largest_page_bytes, page.ByteSizeLong());
    for (const auto& f : page.forecasts()) all.forecasts.push_back(f);
    for (const auto& f : page.failed()) all.failed.push_back(f);
    all.status = page.status();
    if (page.next_page_token().empty()) break;
    if (page.forecasts_size() + page.failed_size() == 0 && page.next_page_token() == token) {
      all.stalled = true;
      break;
    }
    token = page.next_page_token();
  }
  return all;
}

// The store, read directly.
int64_t PendingTotal(RedisClient& redis) {
  auto reply = redis.Command({"XPENDING", kStream, kGroup});
  EXPECT_TRUE(reply.ok()) << reply.status();
  if (!reply.ok() || reply->elements.empty()) return -1;
  return reply->elements[0].integer;
}

int64_t PendingOf(RedisClient& redis, const std::string& consumer) {
  auto reply = redis.Command({"XPENDING", kStream, kGroup, "-", "+", "1000", consumer});
  EXPECT_TRUE(reply.ok()) << reply.status();
  return reply.ok() ? static_cast<int64_t>(reply->elements.size()) : -1;
}

int64_t StreamLength(RedisClient& redis) {
  auto reply = redis.Command({"XLEN", kStream});
  EXPECT_TRUE(reply.ok()) << reply.status();
  return reply.ok() ? reply->integer : -1;
}

double TaskMetric(const ServiceProcess& p, const std::string& outcome) {
  return MetricValue(p.ScrapeMetrics(),
                     absl::StrCat("salesops_batch_tasks_total{outcome=\"", outcome, "\"}"));
}

// Every series of `request` has exactly one forecast in `forecasts`, and no other series has one.
void ExpectExactlyOnce(const v1::SubmitBatchRequest& request,
                       const std::vector<v1::SeriesForecast>& forecasts) {
  std::map<std::string, int> count;
  for (const auto& f : forecasts) ++count[f.series_id()];
  int duplicates = 0, missing = 0, unknown = 0;
  std::set<std::string> ids;
  for (const auto& s : request.forecast().series()) {
    ids.insert(s.id());
    auto it = count.find(s.id());
    if (it == count.end()) {
      if (++missing <= 3) ADD_FAILURE() << "no forecast for " << s.id();
    } else if (it->second != 1) {
      if (++duplicates <= 3) ADD_FAILURE() << it->second << " forecasts for " << s.id();
    }
  }
  for (const auto& [id, n] : count) {
    if (!ids.contains(id) && ++unknown <= 3) ADD_FAILURE() << "forecast for unknown series " << id;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(unknown, 0);
  EXPECT_EQ(forecasts.size(), static_cast<size_t>(request.forecast().series_size()));
}

// A sample of the batch's forecasts equals what a direct Forecast call gives for those series.
void ExpectSameAsDirectForecast(v1::ForecastService::Stub& stub,
                                const v1::SubmitBatchRequest& request,
                                const std::vector<v1::SeriesForecast>& forecasts, int every) {
  std::map<std::string, const v1::SeriesForecast*> by_id;
  for (const auto& f : forecasts) by_id[f.series_id()] = &f;
  v1::ForecastRequest direct = request.forecast();
  direct.clear_series();
  for (int i = 0; i < request.forecast().series_size(); i += every)
    *direct.add_series() = request.forecast().series(i);
  v1::ForecastResponse response;
  auto context = Context();
  grpc::Status s = stub.Forecast(context.get(), direct, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.forecasts_size(), direct.series_size());
  int compared = 0;
  for (const auto& want : response.forecasts()) {
    auto it = by_id.find(want.series_id());
    ASSERT_NE(it, by_id.end()) << want.series_id();
    const v1::SeriesForecast& got = *it->second;
    ASSERT_EQ(got.mean_size(), want.mean_size()) << want.series_id();
    for (int h = 0; h < want.mean_size(); ++h)
      ASSERT_EQ(got.mean(h), want.mean(h)) << want.series_id() << " step " << h;  // identical
    EXPECT_EQ(got.model(), want.model()) << want.series_id();
    EXPECT_EQ(got.first_date().ShortDebugString(), want.first_date().ShortDebugString());
    ++compared;
  }
  EXPECT_GE(compared, 10);
}

class BatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Start());
    redis_ = std::make_unique<RedisClient>(store_.client_options());
  }

  // salesops-forecast on the store; extra flags after.
  void StartService(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--store-redis", store_.address(), "--compute-threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    service_ = std::make_unique<ServiceProcess>("salesops-forecast", args);
    ASSERT_TRUE(service_->Start());
    stub_ = v1::ForecastService::NewStub(service_->Channel());
  }

  // A salesops-forecast-worker named `consumer` on the store.
  std::unique_ptr<ServiceProcess> Worker(const std::string& consumer, int visibility_seconds,
                                         std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--store-redis",        store_.address(),
                                     "--consumer",           consumer,
                                     "--visibility-seconds", std::to_string(visibility_seconds),
                                     "--compute-threads",    "1"};
    if (std::find(extra.begin(), extra.end(), "--loops") == extra.end())
      args.insert(args.end(), {"--loops", "1"});
    args.insert(args.end(), extra.begin(), extra.end());
    auto worker = std::make_unique<ServiceProcess>("salesops-forecast-worker", args);
    EXPECT_TRUE(worker->Start());
    return worker;
  }

  RedisServer store_{RedisServerOptions{.persistence = true, .password = {}}};
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<ServiceProcess> service_;
  std::unique_ptr<v1::ForecastService::Stub> stub_;
};

// The drill of issue 6, short form: 20,000 series, three workers, one killed with SIGKILL while it
// holds a task and replaced; every series gets exactly one forecast, the same as a direct call.
TEST_F(BatchTest, DrillKillAWorkerMidJobEverySeriesExactlyOnce) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  std::vector<std::unique_ptr<ServiceProcess>> workers;
  for (const char* name : {"w1", "w2", "w3"}) workers.push_back(Worker(name, 2));
  for (const auto& w : workers) ASSERT_TRUE(w->running());

  constexpr int kSeries = 20000;
  const v1::SubmitBatchRequest request = BatchRequest(kSeries, v1::MODEL_TYPE_HOLT, 100);
  const auto start = Clock::now();
  v1::BatchStatus submitted;
  grpc::Status s = Submit(*stub_, request, &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(submitted.batch_id().size(), 32u);
  EXPECT_EQ(submitted.series_total(), kSeries);
  EXPECT_EQ(submitted.tasks_total(), 200);
  EXPECT_GT(submitted.submitted_unix_ms(), 0);

  // Wait until some tasks are done, then catch w1 holding a task: stop it (so it cannot finish the
  // task between the look and the kill), make sure the task is pending under its name, kill -9.
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Get(*stub_, submitted.batch_id()).tasks_done() < 20 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  v1::BatchStatus before_kill = Get(*stub_, submitted.batch_id());
  ASSERT_GE(before_kill.tasks_done(), 20);
  ASSERT_LT(before_kill.tasks_done(), before_kill.tasks_total()) << "the job ended before the kill";
  bool held = false;
  while (!held && Clock::now() < deadline) {
    ::kill(workers[0]->pid(), SIGSTOP);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // let a command in flight land
    held = PendingOf(*redis_, "w1") > 0;
    if (!held) {
      ::kill(workers[0]->pid(), SIGCONT);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ASSERT_TRUE(held) << "w1 never held a task";
  workers[0]->Kill();
  EXPECT_EQ(PendingOf(*redis_, "w1"), 1) << "the dead worker's task is pending";
  workers.push_back(Worker("w4", 2));
  ASSERT_TRUE(workers.back()->running());

  const v1::BatchStatus done = Watch(*stub_, submitted.batch_id(), 90);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(done.state(), v1::BATCH_STATE_DONE) << done.ShortDebugString();
  EXPECT_EQ(done.series_done(), kSeries);
  EXPECT_EQ(done.series_failed(), 0);
  EXPECT_EQ(done.tasks_done(), done.tasks_total());
  EXPECT_EQ(done.tasks_total(), 200);
  EXPECT_EQ(done.tasks_failed(), 0);
  EXPECT_GE(done.finished_unix_ms(), done.submitted_unix_ms());
  EXPECT_FALSE(done.engine_version().empty());

  // The dead worker's task was taken over by another one, once the visibility timeout passed.
  double reclaimed = 0, completed = 0;
  for (size_t i = 1; i < workers.size(); ++i) {
    reclaimed += TaskMetric(*workers[i], "reclaimed");
    completed += TaskMetric(*workers[i], "completed");
    EXPECT_EQ(TaskMetric(*workers[i], "parked"), 0);
  }
  EXPECT_GE(reclaimed, 1);
  EXPECT_LE(completed, 200);
  EXPECT_EQ(PendingTotal(*redis_), 0) << "entries left pending in the group";
  EXPECT_EQ(StreamLength(*redis_), 0) << "acknowledged entries are deleted";

  // Default page size, default client channel (4 MB messages): the pages fit.
  const Results results = AllResults(*stub_, submitted.batch_id());
  EXPECT_FALSE(results.stalled);
  EXPECT_GE(results.pages, 4);  // at most 5,000 series and about 3 MiB a page
  EXPECT_TRUE(results.failed.empty());
  ExpectExactlyOnce(request, results.forecasts);
  // In submission order.
  for (int i = 0; i < static_cast<int>(results.forecasts.size()) && i < kSeries; i += 997)
    EXPECT_EQ(results.forecasts[i].series_id(), request.forecast().series(i).id());
  ExpectSameAsDirectForecast(*stub_, request, results.forecasts, 499);
  std::cerr << "drill: " << kSeries << " series in " << seconds << " s (" << kSeries / seconds
            << " series/s), " << reclaimed << " task(s) reclaimed, largest page "
            << results.largest_page_bytes << " bytes\n";
}

// A task reclaimed while its first worker is still computing it (the visibility timeout is shorter
// than the task): both compute it, one outcome is stored, the job counts the task once.
TEST_F(BatchTest, TaskComputedTwiceIsStoredOnce) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  // `a` takes all three tasks at once (three loops) and is slow at them (ARIMA). So that its tasks
  // outlive the 1 s visibility timeout on any machine, `a` is also frozen (SIGSTOP) while it holds
  // them, as a worker stalled on a starved node would be; `b` takes them over, then `a` goes on
  // and finishes what it was computing: every task is computed twice.
  auto a = Worker("a", 1, {"--loops", "3", "--max-attempts", "20"});
  ASSERT_TRUE(a->running());
  const v1::SubmitBatchRequest request = BatchRequest(600, v1::MODEL_TYPE_ARIMA, 200, 48);
  v1::BatchStatus submitted;
  grpc::Status s = Submit(*stub_, request, &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(submitted.tasks_total(), 3);
  auto held_by_a = [&] {
    return PendingOf(*redis_, "a-0") + PendingOf(*redis_, "a-1") + PendingOf(*redis_, "a-2");
  };
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (held_by_a() < 3 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(a->pid(), SIGSTOP);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  ASSERT_EQ(held_by_a(), 3) << "a finished a task before it was frozen (is ARIMA that fast here?)";
  ASSERT_EQ(Get(*stub_, submitted.batch_id()).tasks_done(), 0);
  auto b = Worker("b", 1, {"--max-attempts", "20"});
  ASSERT_TRUE(b->running());
  deadline = Clock::now() + std::chrono::seconds(10);
  while (PendingOf(*redis_, "b") == 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(a->pid(), SIGCONT);
  ASSERT_GE(PendingOf(*redis_, "b"), 1) << "b took nothing over\n" << b->Log();

  const v1::BatchStatus done = Watch(*stub_, submitted.batch_id(), 60);
  EXPECT_EQ(done.state(), v1::BATCH_STATE_DONE);
  EXPECT_EQ(done.tasks_done(), 3);
  EXPECT_EQ(done.tasks_total(), 3);
  EXPECT_EQ(done.series_done(), 600);
  EXPECT_EQ(done.series_failed(), 0);

  // Let b finish what it took over, then look: still counted once.
  const auto settle = Clock::now() + std::chrono::seconds(20);
  while (PendingTotal(*redis_) != 0 && Clock::now() < settle)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // `a` may still be computing its copy of a task `b` took over and acknowledged (slow under the
  // sanitizers of scripts/test): wait for an outcome of each of the three tasks it held.
  auto outcomes_of_a = [&] {
    double n = 0;
    for (const char* outcome : {"completed", "duplicate", "dropped", "failed", "parked"})
      n += TaskMetric(*a, outcome);
    return n;
  };
  while (outcomes_of_a() < 3 && Clock::now() < settle)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const v1::BatchStatus later = Get(*stub_, submitted.batch_id());
  EXPECT_EQ(later.tasks_done(), 3) << later.ShortDebugString();
  EXPECT_EQ(later.series_done(), 600);
  auto results_hash =
      redis_->Command({"HLEN", absl::StrCat("salesops:batch:", submitted.batch_id(), ":results")});
  ASSERT_TRUE(results_hash.ok());
  EXPECT_EQ(results_hash->integer, 3);

  const double reclaimed = TaskMetric(*b, "reclaimed");
  const double twice = TaskMetric(*a, "duplicate") + TaskMetric(*b, "duplicate") +
                       TaskMetric(*a, "dropped") + TaskMetric(*b, "dropped");
  EXPECT_GE(reclaimed, 1) << "b never took a task over: the test did not test anything\n"
                          << b->Log();
  EXPECT_GE(twice, 1) << "no second outcome was refused";
  EXPECT_EQ(TaskMetric(*a, "completed") + TaskMetric(*b, "completed"), 3);
  EXPECT_EQ(TaskMetric(*a, "parked") + TaskMetric(*b, "parked"), 0);
  for (const auto* w : {a.get(), b.get()}) {
    std::cerr << (w == a.get() ? "a" : "b") << ":";
    for (const char* outcome :
         {"reclaimed", "completed", "duplicate", "dropped", "failed", "parked"})
      std::cerr << " " << outcome << " " << TaskMetric(*w, outcome);
    std::cerr << "\n";
  }

  const Results results = AllResults(*stub_, submitted.batch_id());
  ExpectExactlyOnce(request, results.forecasts);
  EXPECT_TRUE(results.failed.empty());
  EXPECT_EQ(PendingTotal(*redis_), 0);
}

// A task that is only slow, never failing, is neither taken over nor parked: its worker keeps it
// (a heartbeat every third of the visibility timeout) while computing. One task of ARIMA fits that
// takes several visibility timeouts on one thread, --max-attempts 1 (a second delivery would park
// it), and a second worker waiting to take over anything that looks abandoned.
TEST_F(BatchTest, SlowTaskIsNotParked) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  // The task is sized from a probe on this machine and build (the service computes on one thread,
  // as the worker does): about 8 s of fitting, eight visibility timeouts, well inside the 60 s
  // wait even when sanitizers make each fit ten times slower.
  constexpr int kProbe = 20;
  double probe_seconds = 0;
  {
    v1::ForecastRequest probe = BatchRequest(kProbe, v1::MODEL_TYPE_ARIMA, kProbe, 72, 5000).forecast();
    v1::ForecastResponse response;
    auto context = Context();
    const auto t = Clock::now();
    ASSERT_TRUE(stub_->Forecast(context.get(), probe, &response).ok());
    probe_seconds = std::chrono::duration<double>(Clock::now() - t).count();
  }
  const int series = std::clamp(static_cast<int>(8.0 * kProbe / probe_seconds), kProbe, 1200);
  std::cout << "[batch] " << kProbe << " ARIMA fits took " << probe_seconds << " s: one task of "
            << series << " series" << std::endl;
  auto slow = Worker("slow", 1, {"--max-attempts", "1"});
  ASSERT_TRUE(slow->running());
  v1::BatchStatus submitted;
  const auto started = Clock::now();
  ASSERT_TRUE(Submit(*stub_, BatchRequest(series, v1::MODEL_TYPE_ARIMA, series, 72), &submitted).ok());
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (PendingOf(*redis_, "slow") == 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto other = Worker("other", 1, {"--max-attempts", "1"});
  ASSERT_TRUE(other->running());
  const v1::BatchStatus done = Watch(*stub_, submitted.batch_id(), 60);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_GT(seconds, 3.0) << "the task was not slow enough to test anything";
  EXPECT_EQ(done.state(), v1::BATCH_STATE_DONE) << done.ShortDebugString();
  EXPECT_EQ(done.series_failed(), 0) << done.ShortDebugString();
  EXPECT_EQ(done.series_done(), series);
  EXPECT_EQ(TaskMetric(*other, "reclaimed"), 0);
  EXPECT_EQ(TaskMetric(*other, "parked"), 0);
  EXPECT_EQ(TaskMetric(*slow, "completed"), 1);
}

// A task that fails every time is parked with its error after --max-attempts deliveries, the job
// still finishes, and nothing is retried afterwards.
TEST_F(BatchTest, PoisonTaskIsParkedNotRetriedForever) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  // Three tasks of ten series, queued with no worker running; then tasks 1 and 2 are replaced in
  // the stream: task 1 by a request whose series 0 holds a NaN (it parses, the engine refuses it),
  // task 2 by bytes that are no request at all.
  const v1::SubmitBatchRequest request = BatchRequest(30, v1::MODEL_TYPE_SES, 10);
  v1::BatchStatus submitted;
  grpc::Status s = Submit(*stub_, request, &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(submitted.tasks_total(), 3);
  const std::string& id = submitted.batch_id();
  auto entries = redis_->Command({"XRANGE", kStream, "-", "+"});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->elements.size(), 3u);
  std::map<std::string, std::string> task1;  // the fields of task 1's entry
  for (const RedisReply& entry : entries->elements) {
    std::map<std::string, std::string> fields;
    for (size_t i = 0; i + 1 < entry.elements[1].elements.size(); i += 2)
      fields[entry.elements[1].elements[i].str] = entry.elements[1].elements[i + 1].str;
    ASSERT_EQ(fields["batch"], id);
    if (fields["task"] == "0") continue;
    if (fields["task"] == "1") task1 = fields;
    ASSERT_TRUE(redis_->Command({"XDEL", kStream, entry.elements[0].str}).ok());
  }
  v1::ForecastRequest poisoned;
  ASSERT_TRUE(poisoned.ParseFromString(task1["request"]));
  ASSERT_EQ(poisoned.series_size(), 10);
  poisoned.mutable_series(0)->set_values(3, std::numeric_limits<double>::quiet_NaN());
  ASSERT_TRUE(redis_
                  ->Command({"XADD", kStream, "*", "batch", id, "task", "1", "request",
                             poisoned.SerializeAsString()})
                  .ok());
  ASSERT_TRUE(
      redis_->Command({"XADD", kStream, "*", "batch", id, "task", "2", "request", "garbage"}).ok());

  auto worker = Worker("p", 1, {"--max-attempts", "2"});
  ASSERT_TRUE(worker->running());
  const v1::BatchStatus done = Watch(*stub_, id, 30);
  EXPECT_EQ(done.state(), v1::BATCH_STATE_DONE) << done.ShortDebugString();
  EXPECT_EQ(done.tasks_done(), 3);
  EXPECT_EQ(done.tasks_failed(), 2);
  EXPECT_EQ(done.series_done(), 10);
  EXPECT_EQ(done.series_failed(), 20);  // tasks 1 and 2, ten series each

  const Results results = AllResults(*stub_, id);
  EXPECT_FALSE(results.stalled);
  ASSERT_EQ(results.forecasts.size(), 10u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(results.forecasts[i].series_id(), request.forecast().series(i).id());
  // Task 1's ten series by name; task 2's (unreadable: no names) as one entry.
  ASSERT_EQ(results.failed.size(), 11u);
  for (int i = 0; i < 10; ++i) {  // task 1's series, each with the error that parked it
    EXPECT_EQ(results.failed[i].series_id(), request.forecast().series(10 + i).id());
    EXPECT_THAT(results.failed[i].error(), HasSubstr("series[0].values[3]: not a finite number"));
  }
  EXPECT_THAT(results.failed[10].series_id(), HasSubstr("2"));
  EXPECT_THAT(results.failed[10].error(), HasSubstr("does not parse"));

  // Parked after two attempts each, then left alone: nothing pending, nothing tried again.
  auto parked_and_failed = [&] {
    const std::string metrics = worker->ScrapeMetrics();
    return std::make_pair(MetricValue(metrics, "salesops_batch_tasks_total{outcome=\"parked\"}"),
                          MetricValue(metrics, "salesops_batch_tasks_total{outcome=\"failed\"}"));
  };
  EXPECT_EQ(parked_and_failed(), std::make_pair(2.0, 4.0)) << worker->ScrapeMetrics();
  EXPECT_EQ(TaskMetric(*worker, "completed"), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two more visibility periods
  EXPECT_EQ(parked_and_failed(), std::make_pair(2.0, 4.0));
  EXPECT_EQ(PendingTotal(*redis_), 0);
  EXPECT_EQ(StreamLength(*redis_), 0);
  EXPECT_EQ(Get(*stub_, id).tasks_done(), 3);
}

// Cancelling at once: the tasks not started are skipped, the results stored so far stay readable.
TEST_F(BatchTest, CancelSkipsTheRestAndKeepsWhatIsStored) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  auto worker = Worker("c", 2);
  ASSERT_TRUE(worker->running());
  const v1::SubmitBatchRequest request = BatchRequest(4000, v1::MODEL_TYPE_HOLT, 20);
  v1::BatchStatus submitted;
  grpc::Status s = Submit(*stub_, request, &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(submitted.tasks_total(), 200);
  v1::CancelBatchRequest cancel;
  cancel.set_batch_id(submitted.batch_id());
  v1::BatchStatus cancelled;
  auto context = Context();
  s = stub_->CancelBatch(context.get(), cancel, &cancelled);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(cancelled.state(), v1::BATCH_STATE_CANCELLED);
  EXPECT_GT(cancelled.finished_unix_ms(), 0);

  // The worker drops the rest of the job's tasks.
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while ((StreamLength(*redis_) != 0 || PendingTotal(*redis_) != 0) && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(StreamLength(*redis_), 0);
  EXPECT_EQ(PendingTotal(*redis_), 0);
  const v1::BatchStatus after = Get(*stub_, submitted.batch_id());
  EXPECT_EQ(after.state(), v1::BATCH_STATE_CANCELLED);
  EXPECT_LT(after.series_done(), after.series_total());
  EXPECT_LT(after.tasks_done(), after.tasks_total());
  EXPECT_EQ(after.finished_unix_ms(), cancelled.finished_unix_ms());
  EXPECT_EQ(TaskMetric(*worker, "completed") + TaskMetric(*worker, "dropped"), 200);
  EXPECT_GE(TaskMetric(*worker, "dropped"), 1);

  // Cancelling again changes nothing; WatchBatch ends at once with the cancelled status.
  v1::BatchStatus again;
  auto context2 = Context();
  ASSERT_TRUE(stub_->CancelBatch(context2.get(), cancel, &again).ok());
  EXPECT_EQ(again.state(), v1::BATCH_STATE_CANCELLED);
  EXPECT_EQ(again.finished_unix_ms(), cancelled.finished_unix_ms());
  EXPECT_EQ(Watch(*stub_, submitted.batch_id(), 10).state(), v1::BATCH_STATE_CANCELLED);

  // The forecasts stored before the cancel: one worker takes tasks in order, so they are the first
  // tasks' series.
  const Results results = AllResults(*stub_, submitted.batch_id());
  EXPECT_EQ(static_cast<int64_t>(results.forecasts.size()), after.series_done());
  for (size_t i = 0; i < results.forecasts.size(); ++i)
    ASSERT_EQ(results.forecasts[i].series_id(),
              request.forecast().series(static_cast<int>(i)).id());
  EXPECT_EQ(results.status.state(), v1::BATCH_STATE_CANCELLED);
  std::cerr << "cancel: " << after.series_done() << " of " << after.series_total()
            << " series done before the cancel, " << results.pages << " page(s), stalled "
            << results.stalled << "\n";
}

// A cancelled job's results can be paged to the end: the last page has an empty next_page_token.
TEST_F(BatchTest, CancelledJobResultsEnd) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  auto worker = Worker("c", 2);
  ASSERT_TRUE(worker->running());
  v1::BatchStatus submitted;
  ASSERT_TRUE(Submit(*stub_, BatchRequest(2000, v1::MODEL_TYPE_HOLT, 20), &submitted).ok());
  v1::CancelBatchRequest cancel;
  cancel.set_batch_id(submitted.batch_id());
  v1::BatchStatus cancelled;
  auto context = Context();
  ASSERT_TRUE(stub_->CancelBatch(context.get(), cancel, &cancelled).ok());
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (StreamLength(*redis_) != 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const Results results = AllResults(*stub_, submitted.batch_id());
  EXPECT_FALSE(results.stalled) << "the token never ends";
  EXPECT_EQ(static_cast<int64_t>(results.forecasts.size()),
            Get(*stub_, submitted.batch_id()).series_done());
}

// Without any worker process: salesops-forecast --batch-workers 1 computes the tasks itself.
TEST_F(BatchTest, InProcessWorkersCompleteABatch) {
  ASSERT_NO_FATAL_FAILURE(StartService({"--batch-workers", "1"}));
  const v1::SubmitBatchRequest request = BatchRequest(600, v1::MODEL_TYPE_THETA, 100);
  v1::BatchStatus submitted;
  grpc::Status s = Submit(*stub_, request, &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const v1::BatchStatus done = Watch(*stub_, submitted.batch_id(), 30);
  EXPECT_EQ(done.state(), v1::BATCH_STATE_DONE);
  EXPECT_EQ(done.series_done(), 600);
  EXPECT_EQ(done.tasks_done(), 6);
  const Results results = AllResults(*stub_, submitted.batch_id(), 250);
  EXPECT_EQ(results.pages, 3);  // whole tasks of 100: 200 + 200 + 200
  ExpectExactlyOnce(request, results.forecasts);
  ExpectSameAsDirectForecast(*stub_, request, results.forecasts, 37);
  EXPECT_EQ(TaskMetric(*service_, "completed"), 6);
  EXPECT_EQ(PendingTotal(*redis_), 0);
  // And it still stops cleanly (its workers are joined).
  EXPECT_EQ(service_->Stop(), 0) << service_->Log();
}

// The same request_id twice: one job, queued once.
TEST_F(BatchTest, SameRequestIdReturnsTheSameJobQueuedOnce) {
  ASSERT_NO_FATAL_FAILURE(StartService());  // no worker: the stream keeps what was queued
  v1::SubmitBatchRequest request = BatchRequest(250, v1::MODEL_TYPE_SES, 50);
  request.set_request_id("quarter-end-2026Q4-emea");
  v1::BatchStatus first, second, other;
  ASSERT_TRUE(Submit(*stub_, request, &first).ok());
  EXPECT_EQ(first.tasks_total(), 5);
  EXPECT_EQ(StreamLength(*redis_), 5);
  ASSERT_TRUE(Submit(*stub_, request, &second).ok());
  EXPECT_EQ(second.batch_id(), first.batch_id());
  EXPECT_EQ(second.tasks_total(), 5);
  EXPECT_EQ(second.submitted_unix_ms(), first.submitted_unix_ms());
  EXPECT_EQ(StreamLength(*redis_), 5) << "queued twice";
  // Another key (or none) is another job.
  request.set_request_id("quarter-end-2026Q4-apac");
  ASSERT_TRUE(Submit(*stub_, request, &other).ok());
  EXPECT_NE(other.batch_id(), first.batch_id());
  EXPECT_EQ(StreamLength(*redis_), 10);
  request.clear_request_id();
  ASSERT_TRUE(Submit(*stub_, request, &other).ok());
  EXPECT_EQ(StreamLength(*redis_), 15);
  EXPECT_EQ(Get(*stub_, first.batch_id()).tasks_total(), 5);
  EXPECT_EQ(Get(*stub_, first.batch_id()).state(), v1::BATCH_STATE_QUEUED);
}

// A retry sent while the first submission is still being queued (a client whose deadline was too
// short retries at once): still one job, queued once.
TEST_F(BatchTest, SameRequestIdInFlightIsQueuedOnce) {
  ASSERT_NO_FATAL_FAILURE(StartService());  // no worker: the stream keeps what was queued
  // Big enough that queueing takes a while.
  v1::SubmitBatchRequest big = BatchRequest(20000, v1::MODEL_TYPE_SES, 100);
  big.set_request_id("retried-while-in-flight");
  v1::BatchStatus concurrent[4];
  grpc::Status results[4];
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&, i] {
      std::this_thread::sleep_for(std::chrono::milliseconds(15 * i));
      results[i] = Submit(*stub_, big, &concurrent[i]);
    });
  }
  for (auto& c : clients) c.join();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error_message();
    EXPECT_EQ(concurrent[i].batch_id(), concurrent[0].batch_id()) << "submission " << i;
  }
  EXPECT_EQ(StreamLength(*redis_), 200) << "the same request_id queued more than once";
}

TEST_F(BatchTest, BadInputIsRefusedNamingTheField) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  auto expect = [](const grpc::Status& s, grpc::StatusCode code, const std::string& text) {
    EXPECT_EQ(s.error_code(), code)
        << text << " -> " << s.error_code() << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(text));
  };
  v1::BatchStatus status;
  {
    v1::SubmitBatchRequest request = BatchRequest(20, v1::MODEL_TYPE_SES, 5);
    request.mutable_forecast()->mutable_series(7)->set_values(
        2, std::numeric_limits<double>::quiet_NaN());
    expect(Submit(*stub_, request, &status), grpc::StatusCode::INVALID_ARGUMENT,
           "forecast.series[7].values[2]: not a finite number");
  }
  {
    v1::SubmitBatchRequest request = BatchRequest(20, v1::MODEL_TYPE_SES, 5);
    request.mutable_forecast()->set_horizon(0);
    expect(Submit(*stub_, request, &status), grpc::StatusCode::INVALID_ARGUMENT,
           "forecast.horizon");
  }
  for (int per_task : {-1, 20000}) {
    v1::SubmitBatchRequest request = BatchRequest(20, v1::MODEL_TYPE_SES, per_task);
    expect(Submit(*stub_, request, &status), grpc::StatusCode::INVALID_ARGUMENT, "series_per_task");
  }
  EXPECT_EQ(StreamLength(*redis_), 0) << "a refused batch queued something";
  {
    v1::SubmitBatchRequest request =
        BatchRequest(450, v1::MODEL_TYPE_SES, 0);  // 0: the default, 200
    ASSERT_TRUE(Submit(*stub_, request, &status).ok());
    EXPECT_EQ(status.tasks_total(), 3);
    EXPECT_EQ(status.state(), v1::BATCH_STATE_QUEUED);
  }

  for (const std::string& bad : {std::string(), std::string("not-an-id"), std::string(32, 'G'),
                                 std::string("../../etc/passwd")}) {
    v1::GetBatchRequest get;
    get.set_batch_id(bad);
    auto c1 = Context();
    expect(stub_->GetBatch(c1.get(), get, &status), grpc::StatusCode::INVALID_ARGUMENT, "batch_id");
    v1::CancelBatchRequest cancel;
    cancel.set_batch_id(bad);
    auto c2 = Context();
    expect(stub_->CancelBatch(c2.get(), cancel, &status), grpc::StatusCode::INVALID_ARGUMENT,
           "batch_id");
    v1::GetBatchResultsRequest results;
    results.set_batch_id(bad);
    v1::GetBatchResultsResponse page;
    auto c3 = Context();
    expect(stub_->GetBatchResults(c3.get(), results, &page), grpc::StatusCode::INVALID_ARGUMENT,
           "batch_id");
    auto c4 = Context();
    auto reader = stub_->WatchBatch(c4.get(), get);
    EXPECT_FALSE(reader->Read(&status));
    expect(reader->Finish(), grpc::StatusCode::INVALID_ARGUMENT, "batch_id");
  }

  const std::string unknown(32, 'a');
  {
    v1::GetBatchRequest get;
    get.set_batch_id(unknown);
    auto c1 = Context();
    expect(stub_->GetBatch(c1.get(), get, &status), grpc::StatusCode::NOT_FOUND, "batch_id");
    v1::CancelBatchRequest cancel;
    cancel.set_batch_id(unknown);
    auto c2 = Context();
    expect(stub_->CancelBatch(c2.get(), cancel, &status), grpc::StatusCode::NOT_FOUND, "batch_id");
    v1::GetBatchResultsRequest results;
    results.set_batch_id(unknown);
    v1::GetBatchResultsResponse page;
    auto c3 = Context();
    expect(stub_->GetBatchResults(c3.get(), results, &page), grpc::StatusCode::NOT_FOUND,
           "batch_id");
    auto c4 = Context();
    auto reader = stub_->WatchBatch(c4.get(), get);
    EXPECT_FALSE(reader->Read(&status));
    expect(reader->Finish(), grpc::StatusCode::NOT_FOUND, "batch_id");
  }

  // Page tokens and sizes.
  for (const std::string& token :
       {std::string("garbage"), std::string("YmF0Y2gtcmVzdWx0cy12MTotMQ")}) {
    v1::GetBatchResultsRequest results;
    results.set_batch_id(status.batch_id());
    results.set_page_token(token);
    v1::GetBatchResultsResponse page;
    auto c = Context();
    expect(stub_->GetBatchResults(c.get(), results, &page), grpc::StatusCode::INVALID_ARGUMENT,
           "page_token");
  }
  for (int size : {-1, 50001}) {
    v1::GetBatchResultsRequest results;
    results.set_batch_id(status.batch_id());
    results.set_page_size(size);
    v1::GetBatchResultsResponse page;
    auto c = Context();
    expect(stub_->GetBatchResults(c.get(), results, &page), grpc::StatusCode::INVALID_ARGUMENT,
           "page_size");
  }
  {  // A queued job: an empty first page whose token starts at task 0.
    v1::GetBatchResultsRequest results;
    results.set_batch_id(status.batch_id());
    v1::GetBatchResultsResponse page;
    auto c = Context();
    ASSERT_TRUE(stub_->GetBatchResults(c.get(), results, &page).ok());
    EXPECT_EQ(page.forecasts_size(), 0);
    EXPECT_FALSE(page.next_page_token().empty());
    EXPECT_EQ(page.status().state(), v1::BATCH_STATE_QUEUED);
  }

  // A server without a store refuses batches.
  ServiceProcess storeless("salesops-forecast", {});
  ASSERT_TRUE(storeless.Start());
  auto stub = v1::ForecastService::NewStub(storeless.Channel());
  expect(Submit(*stub, BatchRequest(5, v1::MODEL_TYPE_SES, 5), &status),
         grpc::StatusCode::FAILED_PRECONDITION, "--store-redis");
  v1::GetBatchRequest get;
  get.set_batch_id(unknown);
  auto c = Context();
  expect(stub->GetBatch(c.get(), get, &status), grpc::StatusCode::FAILED_PRECONDITION,
         "--store-redis");
  // --batch-workers without a store is a configuration error.
  ServiceProcess misconfigured("salesops-forecast", {"--batch-workers", "1"});
  EXPECT_FALSE(misconfigured.Start());
  EXPECT_THAT(misconfigured.Log(), HasSubstr("--batch-workers needs --store-redis"));
}

// The store crashes (SIGKILL): submitting is UNAVAILABLE while it is down; what was acknowledged
// before comes back with the append-only file, and a worker started during the outage completes it.
TEST_F(BatchTest, StoreCrashLosesNothingAcknowledged) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  const v1::SubmitBatchRequest request = BatchRequest(1000, v1::MODEL_TYPE_SES, 100);
  v1::BatchStatus before;
  ASSERT_TRUE(Submit(*stub_, request, &before).ok());

  store_.Kill();
  v1::BatchStatus status;
  grpc::Status s = Submit(*stub_, BatchRequest(10, v1::MODEL_TYPE_SES, 5), &status);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  v1::GetBatchRequest get;
  get.set_batch_id(before.batch_id());
  auto c = Context();
  s = stub_->GetBatch(c.get(), get, &status);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  auto worker = Worker("r", 2);  // starts while the store is down, and keeps trying
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_TRUE(worker->running()) << worker->Log();

  ASSERT_TRUE(store_.Restart());
  const v1::BatchStatus done = Watch(*stub_, before.batch_id(), 30);
  EXPECT_EQ(done.state(), v1::BATCH_STATE_DONE);
  EXPECT_EQ(done.series_done(), 1000);
  EXPECT_EQ(done.tasks_done(), 10);
  EXPECT_EQ(done.submitted_unix_ms(), before.submitted_unix_ms());
  const Results results = AllResults(*stub_, before.batch_id());
  ExpectExactlyOnce(request, results.forecasts);
  EXPECT_EQ(PendingTotal(*redis_), 0);
  // Submitting works again.
  EXPECT_TRUE(Submit(*stub_, BatchRequest(10, v1::MODEL_TYPE_SES, 5), &status).ok());
}

}  // namespace
}  // namespace salesops

namespace salesops {
namespace {

// A small snapshot written with the store's own writer: accounts A1, A2 x products P1, P2, as of
// 2026-05-16 (so April is the last complete month).
std::string StoreSmallSnapshot(RedisServer& store) {
  reporting::SnapshotStore snapshots(std::make_shared<RedisClient>(store.client_options()));
  auto writer = snapshots.NewWriter({});
  v1::SnapshotHeader header;
  header.mutable_as_of()->set_year(2026);
  header.mutable_as_of()->set_month(5);
  header.mutable_as_of()->set_day(16);
  header.set_currency_code("USD");
  EXPECT_TRUE(writer->Begin(header).ok());
  v1::SnapshotChunk structure;
  auto* root = structure.add_territories();
  root->set_id("CO");
  root->set_name("Company");
  auto* rep = structure.add_reps();
  rep->set_id("u1");
  rep->set_name("Rep");
  rep->set_territory_id("CO");
  EXPECT_TRUE(writer->Add(structure, 1).ok());
  v1::SnapshotChunk deals;
  int n = 0;
  auto add = [&](const char* account, const char* product, int month, int64_t cents, bool won) {
    v1::Opportunity* o = deals.add_opportunities();
    o->set_id(absl::StrCat("o", ++n));
    o->set_account_id(account);
    o->set_product(product);
    o->set_owner_rep_id("u1");
    o->set_territory_id("CO");
    o->mutable_amount()->set_currency_code("USD");
    o->mutable_amount()->set_minor_units(cents);
    o->mutable_created_date()->set_year(2025);
    o->mutable_created_date()->set_month(1);
    o->mutable_created_date()->set_day(1);
    o->mutable_close_date()->set_year(2026);
    o->mutable_close_date()->set_month(month);
    o->mutable_close_date()->set_day(10);
    o->set_closed(true);
    o->set_won(won);
    o->set_probability(won ? 1 : 0);
    o->set_forecast_category(won ? v1::FORECAST_CATEGORY_CLOSED : v1::FORECAST_CATEGORY_OMITTED);
  };
  add("A1", "P1", 1, 100000, true);  // January 1,000.00
  add("A1", "P1", 1, 50000, true);   // January, another 500.00
  add("A1", "P1", 3, 20000, true);   // March 200.00 (February: 0)
  add("A1", "P2", 2, 30000, true);   // February 300.00
  add("A2", "P1", 4, 70000, true);   // April 700.00
  add("A2", "P1", 4, 99900, false);  // lost: not a booking
  add("A2", "P2", 5, 80000, true);   // May: the month in progress, not history
  EXPECT_TRUE(writer->Add(deals, 2).ok());
  auto info = writer->Finish();
  EXPECT_TRUE(info.ok()) << info.status();
  return info.ok() ? info->snapshot_id() : "";
}

// Series from a snapshot, by hand: one per account x product with won bookings before the month in
// progress, from its first booking month to April, in major units, zeros in between.
TEST_F(BatchTest, SnapshotBookingsBecomeMonthlySeries) {
  const std::string id = StoreSmallSnapshot(store_);
  reporting::SnapshotStore snapshots(std::make_shared<RedisClient>(store_.client_options()));
  v1::SnapshotSeriesSource source;
  source.set_snapshot_id(id);
  source.add_group_by(v1::BOOKINGS_KEY_ACCOUNT);
  source.add_group_by(v1::BOOKINGS_KEY_PRODUCT);
  auto series = forecast::SnapshotSeries(snapshots, source, 100);
  ASSERT_TRUE(series.ok()) << series.status();
  ASSERT_EQ(series->size(), 3u);  // A2/P2 only booked in May
  EXPECT_EQ((*series)[0].id(), "A1/P1");
  EXPECT_THAT((*series)[0].values(), ::testing::ElementsAre(1500.0, 0.0, 200.0, 0.0));
  EXPECT_EQ((*series)[0].start().month(), 1);
  EXPECT_EQ((*series)[0].granularity(), v1::GRANULARITY_MONTH);
  EXPECT_EQ((*series)[1].id(), "A1/P2");
  EXPECT_THAT((*series)[1].values(), ::testing::ElementsAre(300.0, 0.0, 0.0));
  EXPECT_EQ((*series)[2].id(), "A2/P1");
  EXPECT_THAT((*series)[2].values(), ::testing::ElementsAre(700.0));
  // By product alone: P1 sums both accounts.
  source.clear_group_by();
  source.add_group_by(v1::BOOKINGS_KEY_PRODUCT);
  series = forecast::SnapshotSeries(snapshots, source, 100);
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->size(), 2u);
  EXPECT_THAT((*series)[0].values(), ::testing::ElementsAre(1500.0, 0.0, 200.0, 700.0));
  // Too many series for the limit.
  source.add_group_by(v1::BOOKINGS_KEY_ACCOUNT);
  EXPECT_EQ(forecast::SnapshotSeries(snapshots, source, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The same through SubmitBatch: the snapshot's series forecast by the server's own worker; bad
// sources named.
TEST_F(BatchTest, BatchFromASnapshot) {
  const std::string id = StoreSmallSnapshot(store_);
  ASSERT_NO_FATAL_FAILURE(StartService({"--batch-workers", "1"}));
  v1::SubmitBatchRequest request;
  request.mutable_forecast()->set_horizon(3);
  request.mutable_forecast()->set_model(v1::MODEL_TYPE_NAIVE);
  request.mutable_from_snapshot()->set_snapshot_id(id);
  request.mutable_from_snapshot()->add_group_by(v1::BOOKINGS_KEY_ACCOUNT);
  request.mutable_from_snapshot()->add_group_by(v1::BOOKINGS_KEY_PRODUCT);
  v1::BatchStatus submitted;
  grpc::Status s = Submit(*stub_, request, &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(submitted.series_total(), 3);
  const v1::BatchStatus done = Watch(*stub_, submitted.batch_id(), 30);
  EXPECT_EQ(done.state(), v1::BATCH_STATE_DONE);
  const Results results = AllResults(*stub_, submitted.batch_id());
  ASSERT_EQ(results.forecasts.size(), 3u);
  EXPECT_EQ(results.forecasts[0].series_id(), "A1/P1");
  EXPECT_THAT(results.forecasts[0].mean(), ::testing::ElementsAre(0.0, 0.0, 0.0));  // naive: April
  EXPECT_THAT(results.forecasts[2].mean(), ::testing::ElementsAre(700.0, 700.0, 700.0));

  auto refused = [&](const v1::SubmitBatchRequest& bad) {
    v1::BatchStatus ignored;
    grpc::Status status = Submit(*stub_, bad, &ignored);
    return std::make_pair(status.error_code(), status.error_message());
  };
  v1::SubmitBatchRequest bad = request;
  bad.mutable_from_snapshot()->clear_group_by();
  EXPECT_EQ(refused(bad).first, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused(bad).second, HasSubstr("from_snapshot.group_by"));
  bad = request;
  bad.mutable_from_snapshot()->add_group_by(v1::BOOKINGS_KEY_ACCOUNT);
  EXPECT_THAT(refused(bad).second, HasSubstr("from_snapshot.group_by[2]: repeated"));
  bad = request;
  bad.mutable_from_snapshot()->set_snapshot_id(std::string(64, 'a'));
  EXPECT_EQ(refused(bad).first, grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(refused(bad).second, HasSubstr("from_snapshot.snapshot_id"));
  bad = request;
  auto* extra = bad.mutable_forecast()->add_series();
  extra->set_id("x");
  extra->add_values(1);
  EXPECT_THAT(refused(bad).second, HasSubstr("forecast.series: leave empty with from_snapshot"));
}

}  // namespace
}  // namespace salesops
