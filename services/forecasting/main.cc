// salesops-forecast: the ForecastService server.
#include <cstdlib>

#include "CLI/CLI.hpp"
#include "common/log.h"
#include "common/redis_roles.h"
#include "common/server.h"
#include "services/forecasting/forecast_service.h"

int main(int argc, char** argv) {
  salesops::BlockTerminationSignals();
  CLI::App app{"salesops ForecastService"};
  salesops::ServerConfig server_config;
  server_config.listen = "127.0.0.1:50051";
  salesops::AddServerFlags(app, server_config);
  salesops::RedisRolesConfig redis;
  salesops::AddRedisFlags(app, redis, /*with_store=*/false);
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
  CLI11_PARSE(app, argc, argv);

  salesops::log::Init("forecast", server_config.log_level);
  auto cache = salesops::MakeCache(redis, "forecast");
  if (!cache.ok()) {
    salesops::log::Error("bad_config", {{"error", cache.status().ToString()}});
    return 2;
  }
  salesops::ThreadPool handlers(server_config.ResolvedHandlerThreads());
  salesops::ThreadPool compute(compute_threads);
  salesops::forecast::ForecastServiceImpl service(handlers, compute, **cache, limits);

  return salesops::ServeUntilSignal(server_config, {&service});
}
