// salesops-forecast: the ForecastService server.
#include <atomic>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "common/log.h"
#include "common/redis_roles.h"
#include "common/server.h"
#include "services/forecasting/batch_worker.h"
#include "services/forecasting/forecast_service.h"

int main(int argc, char** argv) {
  salesops::BlockTerminationSignals();
  CLI::App app{"salesops ForecastService"};
  salesops::ServerConfig server_config;
  server_config.listen = "127.0.0.1:50051";
  salesops::AddServerFlags(app, server_config);
  salesops::RedisRolesConfig redis;
  salesops::AddRedisFlags(app, redis, /*with_store=*/false);
  app.add_option("--store-redis", redis.store_address,
                 "the store Redis, for batch jobs (without it the batch RPCs are refused)")
      ->envname("SALESOPS_STORE_REDIS");
  salesops::AddStoreRedisPasswordFlag(app, redis);
  salesops::forecast::BatchLimits batch_limits;
  int batch_workers = 0;
  app.add_option("--batch-workers", batch_workers,
                 "batch tasks this server computes itself (0: leave them to salesops-forecast-worker)")
      ->envname("SALESOPS_BATCH_WORKERS")->check(CLI::Range(0, 64))->capture_default_str();
  app.add_option("--max-batch-series", batch_limits.max_series, "series per batch")
      ->envname("SALESOPS_MAX_BATCH_SERIES")->check(CLI::Range(1, 100000000))->capture_default_str();
  salesops::forecast::ForecastLimits limits;
  int compute_threads = 0;
  app.add_option("--compute-threads", compute_threads, "threads for model fitting (0: one per core)")
      ->envname("SALESOPS_COMPUTE_THREADS")
      ->check(CLI::Range(0, 1024));
  app.add_option("--max-series", limits.max_series, "series per request")
      ->envname("SALESOPS_MAX_SERIES")->check(CLI::Range(1, 10000000))->capture_default_str();
  app.add_option("--max-series-length", limits.max_series_length, "values per series")
      ->envname("SALESOPS_MAX_SERIES_LENGTH")->check(CLI::Range(1, 10000000))->capture_default_str();
  app.add_option("--max-horizon", limits.max_horizon, "forecast steps")
      ->envname("SALESOPS_MAX_HORIZON")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--max-landing-deals", limits.max_landing_deals, "open deals per ForecastLanding")
      ->envname("SALESOPS_MAX_LANDING_DEALS")->check(CLI::Range(1, 100000000))->capture_default_str();
  app.add_option("--max-landing-history", limits.max_landing_history,
                 "past deals per ForecastLanding (its calibration)")
      ->envname("SALESOPS_MAX_LANDING_HISTORY")->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  salesops::log::Init("forecast", server_config.log_level);
  auto cache = salesops::MakeCache(redis, "forecast");
  if (!cache.ok()) {
    salesops::log::Error("bad_config", {{"error", cache.status().ToString()}});
    return 2;
  }
  salesops::ThreadPool handlers(server_config.ResolvedHandlerThreads());
  salesops::ThreadPool compute(compute_threads);
  std::unique_ptr<salesops::forecast::BatchStore> batches;
  std::unique_ptr<salesops::reporting::SnapshotStore> snapshots;
  if (!redis.store_address.empty()) {
    auto store = salesops::MakeStoreClient(redis);
    if (!store.ok()) {
      salesops::log::Error("bad_config", {{"error", store.status().ToString()}});
      return 2;
    }
    batches = std::make_unique<salesops::forecast::BatchStore>(*store);
    snapshots = std::make_unique<salesops::reporting::SnapshotStore>(*store);
  } else if (batch_workers > 0) {
    salesops::log::Error("bad_config", {{"error", "--batch-workers needs --store-redis"}});
    return 2;
  }
  salesops::forecast::ForecastServiceImpl service(handlers, compute, **cache, limits,
                                                  batches.get(), batch_limits, snapshots.get());

  // In-process batch workers, for a stack without salesops-forecast-worker.
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (int i = 0; i < batch_workers; ++i) {
    salesops::forecast::BatchWorkerOptions options;
    options.consumer = salesops::forecast::DefaultConsumerName(i);
    options.limits = limits;
    workers.emplace_back([&, options] {
      salesops::forecast::BatchWorker(*batches, compute, options).Run(stop);
    });
  }
  const int code = salesops::ServeUntilSignal(server_config, {&service});
  stop = true;
  for (auto& w : workers) w.join();
  return code;
}
