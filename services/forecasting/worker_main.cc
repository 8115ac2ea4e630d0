// salesops-forecast-worker: computes batch forecast tasks from the store's stream (batch_worker.h).
// It serves only the gRPC health service (for Kubernetes probes) and /metrics; on SIGTERM it
// finishes the task in hand and stops (a task cut short is taken over by another worker after the
// visibility timeout).
#include <atomic>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "common/log.h"
#include "common/redis_roles.h"
#include "common/server.h"
#include "services/forecasting/batch_worker.h"

int main(int argc, char** argv) {
  salesops::BlockTerminationSignals();
  CLI::App app{"salesops forecast worker"};
  salesops::ServerConfig server_config;
  server_config.listen = "127.0.0.1:50054";
  server_config.drain_seconds = 5;
  salesops::AddServerFlags(app, server_config);
  salesops::RedisRolesConfig redis;
  salesops::AddRedisFlags(app, redis, /*with_store=*/true);
  int loops = 1, compute_threads = 0, visibility_seconds = 30;
  salesops::forecast::BatchWorkerOptions options;
  app.add_option("--loops", loops, "tasks handled at once (each task also uses the compute threads)")
      ->envname("SALESOPS_WORKER_LOOPS")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--compute-threads", compute_threads, "threads for model fitting (0: one per core)")
      ->envname("SALESOPS_COMPUTE_THREADS")->check(CLI::Range(0, 1024));
  app.add_option("--visibility-seconds", visibility_seconds,
                 "a task pending this long is taken over from its (dead) worker")
      ->envname("SALESOPS_VISIBILITY_SECONDS")->check(CLI::Range(1, 86400))->capture_default_str();
  app.add_option("--max-attempts", options.max_attempts, "deliveries before a failing task is parked")
      ->envname("SALESOPS_MAX_ATTEMPTS")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--consumer", options.consumer, "consumer name in the group (default: host-pid-n)")
      ->envname("SALESOPS_CONSUMER");
  CLI11_PARSE(app, argc, argv);

  salesops::log::Init("forecast-worker", server_config.log_level);
  auto store_client = salesops::MakeStoreClient(redis);
  if (!store_client.ok()) {
    salesops::log::Error("bad_config", {{"error", store_client.status().ToString()}});
    return 2;
  }
  salesops::forecast::BatchStore store(*store_client);
  salesops::ThreadPool compute(compute_threads);
  options.visibility = std::chrono::seconds(visibility_seconds);

  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (int i = 0; i < loops; ++i) {
    salesops::forecast::BatchWorkerOptions mine = options;
    if (mine.consumer.empty()) mine.consumer = salesops::forecast::DefaultConsumerName(i);
    else if (loops > 1) mine.consumer += "-" + std::to_string(i);
    workers.emplace_back([&store, &compute, &stop, mine] {
      salesops::forecast::BatchWorker(store, compute, mine).Run(stop);
    });
  }
  salesops::log::Info("worker_started", {{"loops", loops}, {"visibility_seconds", visibility_seconds}});
  const int code = salesops::ServeUntilSignal(server_config, {});
  stop = true;
  for (auto& w : workers) w.join();
  salesops::log::Info("worker_stopped");
  return code;
}
