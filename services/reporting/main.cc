// salesops-reporting: the ReportingService server.
#include "CLI/CLI.hpp"
#include "common/hierarchy_flags.h"
#include "common/caller_credentials.h"
#include "common/log.h"
#include "common/redis_roles.h"
#include "common/rpc.h"
#include "common/server.h"
#include "services/reporting/reporting_service.h"

int main(int argc, char** argv) {
  salesops::BlockTerminationSignals();
  CLI::App app{"salesops ReportingService"};
  salesops::ServerConfig server_config;
  server_config.listen = "127.0.0.1:50053";
  salesops::AddServerFlags(app, server_config);
  salesops::RedisRolesConfig redis;
  salesops::AddRedisFlags(app, redis, /*with_store=*/true);
  std::string forecast_address = "127.0.0.1:50051", quota_address = "127.0.0.1:50052";
  app.add_option("--forecast-addr", forecast_address, "ForecastService target")
      ->envname("SALESOPS_FORECAST_ADDR")
      ->capture_default_str();
  app.add_option("--quota-addr", quota_address, "QuotaService target")
      ->envname("SALESOPS_QUOTA_ADDR")
      ->capture_default_str();
  salesops::reporting::SnapshotLimits limits;
  app.add_option("--max-opportunities", limits.max_opportunities, "opportunities per snapshot")
      ->envname("SALESOPS_MAX_OPPORTUNITIES")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}))
      ->capture_default_str();
  salesops::AddHierarchyLimitFlags(app, limits.hierarchy);
  app.add_option("--max-concurrent-uploads", limits.max_concurrent_uploads,
                 "snapshot uploads in progress at once")
      ->envname("SALESOPS_MAX_CONCURRENT_UPLOADS")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  app.add_option("--upload-idle-ms", limits.upload_idle_ms,
                 "cancel an upload whose client sent nothing for this long")
      ->envname("SALESOPS_UPLOAD_IDLE_MS")
      ->check(CLI::Range(100, 86'400'000))
      ->capture_default_str();
  int cached_snapshots = 4;
  app.add_option("--cached-snapshots", cached_snapshots, "decoded snapshots kept in memory")
      ->envname("SALESOPS_CACHED_SNAPSHOTS")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  salesops::ServiceCallerConfig caller_config;
  salesops::AddServiceCallerFlags(app, caller_config);
  CLI11_PARSE(app, argc, argv);

  salesops::log::Init("reporting", server_config.log_level);
  auto caller = salesops::LoadServiceCaller(caller_config);
  if (!caller.ok()) {
    salesops::log::Error("bad_config", {{"error", caller.status().ToString()}});
    return 2;
  }
  auto store_client = salesops::MakeStoreClient(redis);
  auto cache = salesops::MakeCache(redis, "reporting");
  if (!store_client.ok() || !cache.ok()) {
    salesops::log::Error("bad_config", {{"error", (!store_client.ok() ? store_client.status()
                                                                       : cache.status()).ToString()}});
    return 2;
  }
  salesops::reporting::SnapshotStore snapshots(*store_client, cached_snapshots);
  salesops::ThreadPool handlers(server_config.ResolvedHandlerThreads());
  salesops::reporting::ReportingDeps deps;
  deps.handlers = &handlers;
  deps.snapshots = &snapshots;
  deps.cache = cache->get();
  deps.quota = salesops::v1::QuotaService::NewStub(salesops::MakeServiceChannel(quota_address, *caller));
  deps.forecast =
      salesops::v1::ForecastService::NewStub(salesops::MakeServiceChannel(forecast_address, *caller));
  deps.default_deadline = std::chrono::milliseconds(server_config.default_deadline_ms);
  deps.limits = limits;
  salesops::reporting::ReportingServiceImpl service(std::move(deps));

  return salesops::ServeUntilSignal(server_config, {&service});
}
