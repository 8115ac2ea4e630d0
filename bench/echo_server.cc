// echo_server: the bare gRPC baseline for bench/load. It serves ForecastService.Forecast only (the
// other methods answer UNIMPLEMENTED), answering every call with one fixed ForecastResponse read
// from --response-file (bench/load saves the real server's answer to its cached request there, so
// the echo sends the very same bytes back). It has nothing of a salesops server: no interceptor,
// no health or reflection service, no validation, no thread-pool hop, no Redis: the handler
// finishes the call inline on gRPC's callback thread.
//
// Three optional steps turn it, one after the other, into a partial copy of the real cached path,
// for finding where the real server's time goes (bench/load's diagnostic rows echo-runner,
// echo-pool and echo-cache):
//   --salesops-runner  serve with salesops::ServerRunner (common/server.h), as every salesops
//                      service does: its metrics interceptor, health and reflection services,
//                      channel arguments, Prometheus /metrics;
//   --pool-threads N   finish the call from a salesops::ThreadPool of N threads, as the services'
//                      FinishOnPool does (common/rpc.cc);
//   --cache-redis A    and on that pool, look the request up as salesops-forecast does
//                      (salesops::Cache "forecast": KeyFor + GET + parse, common/cache.cc) in the
//                      Redis at A, behind an in-process cache of --local-cache-bytes (default: the
//                      services' default; 0: every lookup goes to Redis); a miss is answered
//                      NOT_FOUND (so bench/load counts it).
//
// It takes the flags tests/support/ServiceProcess passes (--listen, --ready-file, ...), so
// bench/load starts it like the real services:
//   echo_server --listen 127.0.0.1:0 --ready-file F --response-file R [--salesops-runner]
//               [--pool-threads 8] [--cache-redis 127.0.0.1:6379] [--local-cache-bytes N]
// and stops on SIGTERM or SIGINT (in-flight calls get --drain-seconds).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "CLI/CLI.hpp"
#include "common/cache.h"
#include "common/log.h"
#include "common/redis_client.h"
#include "common/server.h"
#include "common/thread_pool.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "salesops/v1/forecasting.grpc.pb.h"

namespace salesops::bench {
namespace {

class EchoForecast final : public v1::ForecastService::CallbackService {
 public:
  EchoForecast(v1::ForecastResponse response, ThreadPool* pool, Cache* cache)
      : response_(std::move(response)), pool_(pool), cache_(cache) {}

  grpc::ServerUnaryReactor* Forecast(grpc::CallbackServerContext* context,
                                     const v1::ForecastRequest* request,
                                     v1::ForecastResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (pool_ == nullptr) {
      *response = response_;
      reactor->Finish(grpc::Status::OK);
      return reactor;
    }
    pool_->Submit([this, request, response, reactor] {
      if (cache_ == nullptr) {
        *response = response_;
        reactor->Finish(grpc::Status::OK);
        return;
      }
      const std::string key = cache_->KeyFor("Forecast", *request);
      if (cache_->GetMessage(key, response)) {
        reactor->Finish(grpc::Status::OK);
      } else {
        reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "echo_server: not in the cache"));
      }
    });
    return reactor;
  }

 private:
  const v1::ForecastResponse response_;
  ThreadPool* const pool_;
  Cache* const cache_;
};

v1::ForecastResponse DefaultResponse() {
  v1::ForecastResponse r;
  auto* f = r.add_forecasts();
  f->set_series_id("echo");
  for (int i = 0; i < 12; ++i) f->add_mean(100 + i);
  return r;
}

int Main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread: sigwait below receives them

  std::string listen = "127.0.0.1:0";
  std::string metrics_listen;  // only with --salesops-runner
  bool salesops_runner = false;
  std::string ready_file;
  std::string response_file;
  std::string cache_redis;
  int drain_seconds = 5;
  int pool_threads = 0;
  int64_t local_cache_bytes = static_cast<int64_t>(Cache::kDefaultLocalBytes);
  CLI::App app{"Bare gRPC echo of ForecastService.Forecast: bench/load's baseline"};
  app.add_option("--listen", listen, "gRPC listen address (port 0 picks one)")->capture_default_str();
  app.add_option("--metrics-listen", metrics_listen,
                 "Prometheus /metrics address with --salesops-runner (else ignored)");
  app.add_flag("--salesops-runner", salesops_runner,
               "serve with salesops::ServerRunner (interceptor, health, reflection, metrics) "
               "instead of a bare grpc::ServerBuilder");
  app.add_option("--ready-file", ready_file, "write {grpc_port, metrics_port, pid} here when up");
  app.add_option("--drain-seconds", drain_seconds, "grace for in-flight calls on SIGTERM")
      ->check(CLI::Range(0, 3600))->capture_default_str();
  app.add_option("--response-file", response_file,
                 "a serialized ForecastResponse to answer with (default: a small fixed one)");
  app.add_option("--pool-threads", pool_threads,
                 "finish calls from a thread pool of this size (0: inline, the bare echo)")
      ->check(CLI::Range(0, 1024))->capture_default_str();
  app.add_option("--cache-redis", cache_redis,
                 "look each request up in this Redis as salesops-forecast's cache does (needs "
                 "--pool-threads)");
  app.add_option("--local-cache-bytes", local_cache_bytes,
                 "with --cache-redis: bytes of the in-process cache in front of it (0: none)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  v1::ForecastResponse response = DefaultResponse();
  if (!response_file.empty()) {
    std::ifstream in(response_file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (!in || !response.ParseFromString(bytes.str())) {
      std::fprintf(stderr, "echo_server: %s: not a serialized ForecastResponse\n",
                   response_file.c_str());
      return 2;
    }
  }
  std::unique_ptr<ThreadPool> pool;
  std::unique_ptr<Cache> cache;
  if (!cache_redis.empty()) {
    if (pool_threads == 0) {
      std::fprintf(stderr, "echo_server: --cache-redis needs --pool-threads\n");
      return 2;
    }
    auto options = ParseRedisAddress(cache_redis);
    if (!options.ok()) {
      std::fprintf(stderr, "echo_server: --cache-redis: %s\n", options.status().ToString().c_str());
      return 2;
    }
    LocalCache::Options local;
    local.max_bytes = static_cast<size_t>(local_cache_bytes);
    cache = std::make_unique<Cache>(std::make_shared<RedisClient>(*options), "forecast",
                                    std::chrono::seconds(3600), std::move(local));
  }
  if (pool_threads > 0) pool = std::make_unique<ThreadPool>(pool_threads);
  EchoForecast service(std::move(response), pool.get(), cache.get());

  const char* mode = cache ? "pool + cache lookup" : pool ? "pool" : "inline";
  if (salesops_runner) {
    log::Init("echo", "warn");
    ServerConfig config;
    config.listen = listen;
    config.metrics_listen = metrics_listen;
    config.ready_file = ready_file;
    config.drain_seconds = drain_seconds;
    ServerRunner runner(config);
    runner.AddService(&service);
    if (auto status = runner.Start(); !status.ok()) {
      std::fprintf(stderr, "echo_server: %s\n", status.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "echo_server: salesops runner on port %d (%s)\n", runner.port(), mode);
    runner.RunUntilSignal();
    return 0;
  }

  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "echo_server: cannot listen on %s\n", listen.c_str());
    return 1;
  }
  if (!ready_file.empty()) {
    const std::string tmp = ready_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << "{\"grpc_port\": " << port << ", \"metrics_port\": 0, \"pid\": " << ::getpid() << "}\n";
    }
    if (std::rename(tmp.c_str(), ready_file.c_str()) != 0) {
      std::fprintf(stderr, "echo_server: cannot write %s\n", ready_file.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "echo_server: bare server on port %d (%s)\n", port, mode);
  int sig = 0;
  sigwait(&signals, &sig);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(drain_seconds));
  server->Wait();
  return 0;
}

}  // namespace
}  // namespace salesops::bench

int main(int argc, char** argv) { return salesops::bench::Main(argc, argv); }
