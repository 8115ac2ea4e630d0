// salesops-quota: the QuotaService server.
#include "CLI/CLI.hpp"
#include "common/hierarchy_flags.h"
#include "common/caller_credentials.h"
#include "common/log.h"
#include "common/redis_roles.h"
#include "common/rpc.h"
#include "common/server.h"
#include "services/quota/quota_service.h"

int main(int argc, char** argv) {
  salesops::BlockTerminationSignals();
  CLI::App app{"salesops QuotaService"};
  salesops::ServerConfig server_config;
  server_config.listen = "127.0.0.1:50052";
  salesops::AddServerFlags(app, server_config);
  salesops::RedisRolesConfig redis;
  salesops::AddRedisFlags(app, redis, /*with_store=*/true);
  std::string forecast_address = "127.0.0.1:50051";
  app.add_option("--forecast-addr", forecast_address, "ForecastService target")
      ->envname("SALESOPS_FORECAST_ADDR")
      ->capture_default_str();
  salesops::HierarchyLimits hierarchy_limits;
  salesops::AddHierarchyLimitFlags(app, hierarchy_limits);
  salesops::ServiceCallerConfig caller_config;
  salesops::AddServiceCallerFlags(app, caller_config);
  CLI11_PARSE(app, argc, argv);

  salesops::log::Init("quota", server_config.log_level);
  auto caller = salesops::LoadServiceCaller(caller_config);
  if (!caller.ok()) {
    salesops::log::Error("bad_config", {{"error", caller.status().ToString()}});
    return 2;
  }
  auto store_client = salesops::MakeStoreClient(redis);
  if (!store_client.ok()) {
    salesops::log::Error("bad_config", {{"error", store_client.status().ToString()}});
    return 2;
  }
  salesops::quota::PlanStore store(*store_client);
  salesops::ThreadPool handlers(server_config.ResolvedHandlerThreads());
  salesops::quota::QuotaServiceImpl service(
      handlers, store,
      salesops::v1::ForecastService::NewStub(salesops::MakeServiceChannel(forecast_address, *caller)),
      std::chrono::milliseconds(server_config.default_deadline_ms), hierarchy_limits);

  return salesops::ServeUntilSignal(server_config, {&service});
}
