// batch_drill: issue 6's drill, long form. On 127.0.0.1 only: a store redis-server (append-only
// file, fsync always), the real salesops-forecast (--store-redis) and N real
// salesops-forecast-worker processes, started with the integration tests' launchers. For each N of
// --workers the same batch (--series sales-like monthly series, --model) is submitted and timed
// from SubmitBatch to DONE (WatchBatch); then one more run with the most workers in which one
// worker is killed with SIGKILL while it holds a task, and a new one started. After every run the
// results are read back (GetBatchResults) and every series must have exactly one forecast.
//
//   batch_drill [--workers 1,2,3] [--series 20000] [--model auto] [--series-per-task 200]
//               [--compute-threads 1] [--loops 1] [--visibility-seconds 5] [--no-kill]
//               [--timeout 600]
//
// Prints a markdown table (series per second per worker count, speed-up against the first count)
// and the kill run's outcome. Exit status 1 when a run fails or a series has no forecast or more
// than one; timings are never judged.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/bench_support.h"
#include "bench/markdown_table.h"
#include "common/redis_client.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace salesops::bench {
namespace {

using Clock = std::chrono::steady_clock;
using testing::MetricValue;
using testing::RedisServer;
using testing::ServiceProcess;

// services/forecasting/batch_store.h
constexpr char kStream[] = "salesops:batch:tasks";
constexpr char kGroup[] = "forecast-workers";

struct Options {
  std::vector<int> workers = {1, 2, 3};
  int series = 20000;
  std::string model = "auto";
  int series_per_task = 200;
  int compute_threads = 1;
  int loops = 1;
  int visibility_seconds = 5;
  bool kill = true;
  double kill_at = 0.3;
  int timeout_seconds = 600;
  uint64_t seed = 20261128;
};

struct Run {
  int workers = 0;
  bool kill = false;
  double seconds = 0;     // SubmitBatch sent -> DONE received
  double submit_ms = 0;   // the SubmitBatch call alone
  double worker_cpu = 0;  // user + system seconds of every worker process (the killed one too)
  double store_cpu = 0;   // redis-server's
  double reclaimed = 0, duplicate = 0, completed = 0;
  int64_t forecasts = 0, missing = 0, repeated = 0, failed = 0;
  double kill_seconds = 0;  // when the worker was killed, after the submission
  v1::BatchStatus status;
};

// Sales-like monthly series: level, growth, quarter-end peaks, noise; one in five sparse (mostly
// zeros, a rep x product line). 24 to 72 months from 2021-01. Deterministic for a seed.
v1::SubmitBatchRequest MakeBatch(const Options& o, v1::ModelType model) {
  const std::vector<std::vector<double>> values = bench::SyntheticSalesSeries(o.series, o.seed);
  v1::SubmitBatchRequest request;
  request.set_series_per_task(o.series_per_task);
  v1::ForecastRequest& forecast = *request.mutable_forecast();
  forecast.set_horizon(12);
  forecast.set_model(model);
  forecast.add_levels(80);
  forecast.add_levels(95);
  for (int i = 0; i < o.series; ++i) {
    v1::TimeSeries& s = *forecast.add_series();
    s.set_id(absl::StrFormat("acct-%05d/product-%02d", i / 7, i % 7));
    s.set_granularity(v1::GRANULARITY_MONTH);
    s.mutable_start()->set_year(2021);
    s.mutable_start()->set_month(1);
    s.mutable_start()->set_day(1);
    s.mutable_values()->Assign(values[i].begin(), values[i].end());
  }
  return request;
}

// used_cpu_user + used_cpu_sys from INFO cpu.
double StoreCpuSeconds(RedisClient& redis) {
  auto info = redis.Command({"INFO", "cpu"});
  if (!info.ok()) return 0;
  double total = 0;
  for (absl::string_view line : absl::StrSplit(info->str, "\r\n")) {
    for (absl::string_view key : {"used_cpu_user:", "used_cpu_sys:"}) {
      if (absl::ConsumePrefix(&line, key)) {
        double v = 0;
        if (absl::SimpleAtod(line, &v)) total += v;
      }
    }
  }
  return total;
}

int64_t PendingOf(RedisClient& redis, const std::string& consumer) {
  auto reply = redis.Command({"XPENDING", kStream, kGroup, "-", "+", "1000", consumer});
  return reply.ok() ? static_cast<int64_t>(reply->elements.size()) : -1;
}

int64_t PendingTotal(RedisClient& redis) {
  auto reply = redis.Command({"XPENDING", kStream, kGroup});
  return reply.ok() && !reply->elements.empty() ? reply->elements[0].integer : -1;
}

std::unique_ptr<grpc::ClientContext> Context(int seconds) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return context;
}

absl::Status Fail(const std::string& what) { return absl::InternalError(what); }

absl::StatusOr<Run> RunDrill(const Options& o, const v1::SubmitBatchRequest& request, int n,
                             bool kill) {
  Run run;
  run.workers = n;
  run.kill = kill;
  RedisServer store({.persistence = true, .password = {}});
  if (auto started = store.Start(); !started) return Fail(started.message());
  RedisClient redis(store.client_options());
  ServiceProcess service("salesops-forecast",
                         {"--store-redis", store.address(), "--compute-threads", "1"});
  if (auto started = service.Start(); !started) return Fail(started.message());

  std::vector<std::unique_ptr<ServiceProcess>> workers;
  auto start_worker = [&](const std::string& name) -> absl::Status {
    auto worker = std::make_unique<ServiceProcess>(
        "salesops-forecast-worker",
        std::vector<std::string>{"--store-redis", store.address(), "--consumer", name,
                                 "--visibility-seconds", std::to_string(o.visibility_seconds),
                                 "--loops", std::to_string(o.loops), "--compute-threads",
                                 std::to_string(o.compute_threads)});
    if (auto started = worker->Start(); !started) return Fail(started.message());
    workers.push_back(std::move(worker));
    return absl::OkStatus();
  };
  // With --loops > 1 a worker's consumers are <name>-0, <name>-1, ...
  auto consumer_of = [&](const std::string& name) { return o.loops > 1 ? name + "-0" : name; };
  for (int i = 1; i <= n; ++i) {
    if (auto s = start_worker(absl::StrCat("w", i)); !s.ok()) return s;
  }

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  args.SetMaxSendMessageSize(256 << 20);
  auto stub = v1::ForecastService::NewStub(
      grpc::CreateCustomChannel(service.address(), grpc::InsecureChannelCredentials(), args));
  const double store_cpu_before = StoreCpuSeconds(redis);

  const auto started = Clock::now();
  v1::BatchStatus submitted;
  {
    auto context = Context(120);
    grpc::Status s = stub->SubmitBatch(context.get(), request, &submitted);
    if (!s.ok()) return Fail(absl::StrCat("SubmitBatch: ", s.error_message()));
  }
  run.submit_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  const auto deadline = started + std::chrono::seconds(o.timeout_seconds);
  const std::string& id = submitted.batch_id();

  double killed_cpu = 0;
  if (kill) {
    // Once kill_at of the tasks are done, catch w1 holding a task (stopped while we look, so it
    // cannot finish it in between), kill -9 it and start a replacement.
    const int target = std::max(1, static_cast<int>(submitted.tasks_total() * o.kill_at));
    for (;;) {
      v1::GetBatchRequest get;
      get.set_batch_id(id);
      v1::BatchStatus now;
      auto context = Context(10);
      grpc::Status s = stub->GetBatch(context.get(), get, &now);
      if (!s.ok()) return Fail(absl::StrCat("GetBatch: ", s.error_message()));
      if (now.tasks_done() >= target) break;
      if (Clock::now() > deadline) return Fail("timed out before the kill");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ServiceProcess& victim = *workers[0];
    bool held = false;
    while (!held) {
      if (Clock::now() > deadline) return Fail("w1 never held a task");
      ::kill(victim.pid(), SIGSTOP);
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      held = PendingOf(redis, consumer_of("w1")) > 0;
      if (!held) {
        ::kill(victim.pid(), SIGCONT);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    killed_cpu = bench::CpuSeconds(victim.pid());
    victim.Kill();
    run.kill_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (auto s = start_worker(absl::StrCat("w", n + 1)); !s.ok()) return s;
  }

  {
    v1::GetBatchRequest get;
    get.set_batch_id(id);
    grpc::ClientContext context;
    context.set_deadline(
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline - Clock::now()));
    auto reader = stub->WatchBatch(&context, get);
    v1::BatchStatus status;
    while (reader->Read(&status)) run.status = status;
    grpc::Status s = reader->Finish();
    if (!s.ok())
      return Fail(absl::StrCat("WatchBatch: ", s.error_message(),
                               " (last: ", run.status.ShortDebugString(), ")"));
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (run.status.state() != v1::BATCH_STATE_DONE)
    return Fail(absl::StrCat("the job ended ", v1::BatchState_Name(run.status.state())));

  run.worker_cpu = killed_cpu;
  for (const auto& w : workers) {
    if (!w->running()) continue;
    run.worker_cpu += bench::CpuSeconds(w->pid());
    const std::string metrics = w->ScrapeMetrics();
    run.reclaimed += MetricValue(metrics, "salesops_batch_tasks_total{outcome=\"reclaimed\"}");
    run.duplicate += MetricValue(metrics, "salesops_batch_tasks_total{outcome=\"duplicate\"}");
    run.completed += MetricValue(metrics, "salesops_batch_tasks_total{outcome=\"completed\"}");
  }
  run.store_cpu = StoreCpuSeconds(redis) - store_cpu_before;

  // Every series exactly once.
  std::map<std::string, int> count;
  std::string token;
  do {
    v1::GetBatchResultsRequest page_request;
    page_request.set_batch_id(id);
    page_request.set_page_token(token);
    v1::GetBatchResultsResponse page;
    auto context = Context(120);
    grpc::Status s = stub->GetBatchResults(context.get(), page_request, &page);
    if (!s.ok()) return Fail(absl::StrCat("GetBatchResults: ", s.error_message()));
    for (const auto& f : page.forecasts()) ++count[f.series_id()];
    run.failed += page.failed_size();
    token = page.next_page_token();
  } while (!token.empty());
  for (const auto& s : request.forecast().series()) {
    auto it = count.find(s.id());
    if (it == count.end())
      ++run.missing;
    else if (it->second > 1)
      run.repeated += it->second - 1;
  }
  for (const auto& [series, c] : count) run.forecasts += c;
  if (PendingTotal(redis) != 0) return Fail("entries left pending in the consumer group");
  for (auto& w : workers) w->Stop();
  service.Stop();
  return run;
}

bool ExactlyOnce(const Run& r, int series) {
  return r.missing == 0 && r.repeated == 0 && r.failed == 0 && r.forecasts == series &&
         r.status.series_done() == series && r.status.tasks_done() == r.status.tasks_total();
}

int Main(int argc, char** argv) {
  Options o;
  std::string workers_flag = "1,2,3";
  CLI::App app{
      "Issue 6's batch drill: series per second against the number of forecast workers, "
      "and a worker killed mid-job"};
  app.add_option("--workers", workers_flag, "worker counts to time, comma-separated")
      ->capture_default_str();
  app.add_option("--series", o.series, "series in the batch")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--model", o.model, "model (auto, theta, ses, holt, ets, arima, ...)")
      ->capture_default_str();
  app.add_option("--series-per-task", o.series_per_task, "SubmitBatch's series_per_task")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--compute-threads", o.compute_threads,
                 "each worker's --compute-threads (its task loop thread helps too)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  app.add_option("--loops", o.loops, "each worker's --loops")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--visibility-seconds", o.visibility_seconds, "each worker's --visibility-seconds")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--kill-at", o.kill_at, "kill run: the share of tasks done before the kill")
      ->check(CLI::Range(0.0, 0.95))
      ->capture_default_str();
  app.add_flag("!--no-kill", o.kill, "skip the run with a worker killed mid-job");
  app.add_option("--timeout", o.timeout_seconds, "seconds each run may take")
      ->check(CLI::Range(10, 86400))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "seed of the synthetic series")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  o.workers.clear();
  for (absl::string_view part : absl::StrSplit(workers_flag, ',', absl::SkipEmpty())) {
    int n = 0;
    if (!absl::SimpleAtoi(part, &n) || n < 1 || n > 64) {
      std::fprintf(stderr, "batch_drill: --workers: \"%s\" is not a count 1..64\n",
                   std::string(part).c_str());
      return 2;
    }
    o.workers.push_back(n);
  }
  if (o.workers.empty()) {
    std::fprintf(stderr, "batch_drill: --workers: at least one count\n");
    return 2;
  }
  v1::ModelType model;
  if (!v1::ModelType_Parse("MODEL_TYPE_" + absl::AsciiStrToUpper(o.model), &model)) {
    std::fprintf(stderr, "batch_drill: --model: unknown model \"%s\"\n", o.model.c_str());
    return 2;
  }

  const v1::SubmitBatchRequest request = MakeBatch(o, model);
  int64_t values = 0;
  for (const auto& s : request.forecast().series()) values += s.values_size();
  bool ok = true;
  std::vector<Run> runs;
  for (int n : o.workers) {
    std::fprintf(stderr, "batch_drill: %d worker(s)...\n", n);
    auto run = RunDrill(o, request, n, /*kill=*/false);
    if (!run.ok()) {
      std::fprintf(stderr, "batch_drill: %d worker(s): %s\n", n,
                   std::string(run.status().message()).c_str());
      ok = false;
      continue;
    }
    std::fprintf(stderr, "batch_drill: %d worker(s): %.2f s\n", n, run->seconds);
    ok = ok && ExactlyOnce(*run, o.series);
    runs.push_back(*run);
  }
  std::optional<Run> killed;
  absl::Status kill_error;
  if (o.kill) {
    const int n = *std::max_element(o.workers.begin(), o.workers.end());
    std::fprintf(stderr, "batch_drill: %d worker(s), one killed mid-job...\n", n);
    auto run = RunDrill(o, request, n, /*kill=*/true);
    if (run.ok()) {
      killed = *run;
      ok = ok && ExactlyOnce(*run, o.series);
    } else {
      kill_error = run.status();
      ok = false;
    }
  }

  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  std::cout << "# Batch drill\n\n"
            << absl::StrFormat(
                   "%d synthetic monthly sales series (%.1f values on average), model %s, horizon "
                   "12, levels 80/95, %d series a task (%d tasks); on 127.0.0.1: a store "
                   "redis-server (append-only file, fsync always), salesops-forecast, and the "
                   "workers (salesops-forecast-worker --loops %d --compute-threads %d). Time from "
                   "SubmitBatch to DONE (WatchBatch). %u hardware threads, load average %.1f at "
                   "the end.\n\n",
                   o.series, static_cast<double>(values) / o.series, absl::AsciiStrToUpper(o.model),
                   o.series_per_task, (o.series + o.series_per_task - 1) / o.series_per_task,
                   o.loops, o.compute_threads, std::thread::hardware_concurrency(), load[0]);
  MarkdownTable table({"workers", "seconds", "series/s", "speed-up", "submit ms", "worker CPU s",
                       "series per worker CPU s", "store CPU s", "every series once"});
  const double base = runs.empty() ? 0 : o.series / runs.front().seconds;
  for (const Run& r : runs) {
    const double rate = o.series / r.seconds;
    table.AddRow({std::to_string(r.workers), Fixed(r.seconds, 2), Fixed(rate, 0),
                  Fixed(base > 0 ? rate / base : -1, 2, true), Fixed(r.submit_ms, 0),
                  Fixed(r.worker_cpu, 1),
                  Fixed(r.worker_cpu > 0 ? o.series / r.worker_cpu : -1, 0, true),
                  Fixed(r.store_cpu, 2), ExactlyOnce(r, o.series) ? "yes" : "NO"});
  }
  std::cout << table.Render() << "\n";
  std::cout << "Speed-up: series per second against the first row. Workers share this machine's "
               "hardware threads (each worker computes on its task loop thread plus "
               "--compute-threads), so the speed-up stops at the cores; series per worker CPU "
               "second is what one more core buys on a cluster.\n\n";
  if (killed) {
    const Run& r = *killed;
    std::cout << "## A worker killed mid-job\n\n"
              << absl::StrFormat(
                     "%d workers; w1 was killed with SIGKILL %.2f s after the submission, holding "
                     "a task, and w%d started. The job was DONE after %.2f s (%.0f series/s); "
                     "%.0f task(s) reclaimed after the visibility timeout (%d s), %.0f computed "
                     "twice and stored once; tasks done %d of %d; %lld forecasts for %d series: "
                     "%s.\n",
                     r.workers, r.kill_seconds, r.workers + 1, r.seconds, o.series / r.seconds,
                     r.reclaimed, o.visibility_seconds, r.duplicate, r.status.tasks_done(),
                     r.status.tasks_total(), static_cast<long long>(r.forecasts), o.series,
                     ExactlyOnce(r, o.series)
                         ? "every series has exactly one result"
                         : absl::StrFormat(
                               "%lld missing, %lld repeated, %lld failed: NOT exactly once",
                               static_cast<long long>(r.missing),
                               static_cast<long long>(r.repeated),
                               static_cast<long long>(r.failed)));
  } else if (o.kill) {
    std::cout << "## A worker killed mid-job\n\nfailed: " << kill_error.message() << "\n";
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace salesops::bench

int main(int argc, char** argv) { return salesops::bench::Main(argc, argv); }
