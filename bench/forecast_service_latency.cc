// forecast_service_latency: the real salesops-forecast binary, started on 127.0.0.1 port 0 with a
// real redis-server as its result cache (the integration tests' launchers), asked to forecast a
// 1,000-series monthly request (the first 1,000 monthly M3 series, horizon 18, AUTO):
//   cold   — the cache flushed first, so the server validates, fits every series and caches;
//   cached — the identical request again, answered from Redis.
// Times are client-side wall milliseconds of the whole unary call (serialising ~1 MB each way).
//
//   forecast_service_latency [--series 1000] [--repeat 5] [--compute-threads 0] [--no-cache]
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/m3_data.h"
#include "bench/bench_support.h"
#include "bench/markdown_table.h"
#include "common/redis_client.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace salesops::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
  std::vector<double> ms;
  double Min() const { return *std::min_element(ms.begin(), ms.end()); }
  double Max() const { return *std::max_element(ms.begin(), ms.end()); }
  double Median() const {
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  }
};

double LoadAverage() {
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  return load[0];
}

int Main(int argc, char** argv) {
  std::string data = std::string(SALESOPS_SOURCE_DIR) + "/bench/data/m3";
  int series_count = 1000;
  int repeat = 5;
  int horizon = 18;
  int compute_threads = 0;
  bool no_cache = false;
  CLI::App app{"Latency of a 1,000-series monthly Forecast call to the real salesops-forecast"};
  app.add_option("--data", data, "M3 root (monthly/ is used)")->capture_default_str();
  app.add_option("--series", series_count, "series in the request (M3 monthly has 1428)")
      ->check(CLI::Range(1, 1428))->capture_default_str();
  app.add_option("--horizon", horizon, "forecast steps")->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--repeat", repeat, "cold and cached calls each")->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--compute-threads", compute_threads,
                 "the server's --compute-threads (0: one per core)")->capture_default_str();
  app.add_flag("--no-cache", no_cache, "start the server without Redis (every call is cold)");
  CLI11_PARSE(app, argc, argv);

  auto loaded = LoadM3(data, {"monthly"}, 1);
  if (!loaded.ok()) {
    std::fprintf(stderr, "latency: %s\n", std::string(loaded.status().message()).c_str());
    return 2;
  }
  v1::ForecastRequest request;
  request.set_horizon(horizon);
  request.set_model(v1::MODEL_TYPE_AUTO);
  request.set_season_length(12);
  request.add_levels(80);
  request.add_levels(95);
  for (int i = 0; i < series_count && i < static_cast<int>(loaded->size()); ++i) {
    const M3Series& s = (*loaded)[i];
    auto* ts = request.add_series();
    ts->set_id(s.id);
    ts->set_granularity(v1::GRANULARITY_MONTH);
    for (double v : s.train) ts->add_values(v);
  }

  testing::RedisServer redis;
  std::unique_ptr<RedisClient> redis_client;
  std::vector<std::string> args = {"--compute-threads", std::to_string(compute_threads)};
  if (!no_cache) {
    auto started = redis.Start();
    if (!started) {
      std::fprintf(stderr, "latency: cannot start redis-server (%s); use --no-cache\n",
                   started.message());
      return 1;
    }
    args.push_back("--cache-redis");
    args.push_back(redis.address());
    // No in-process cache: FLUSHALL must make the next call cold, and "cached" means from Redis.
    args.push_back("--local-cache-bytes");
    args.push_back("0");
    redis_client = std::make_unique<RedisClient>(redis.client_options());
  }
  testing::ServiceProcess server("salesops-forecast", args);
  if (auto started = server.Start(); !started) {
    std::fprintf(stderr, "latency: %s\n", started.message());
    return 1;
  }
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(256 << 20);
  channel_args.SetMaxSendMessageSize(256 << 20);
  auto channel =
      grpc::CreateCustomChannel(server.address(), grpc::InsecureChannelCredentials(), channel_args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    std::fprintf(stderr, "latency: cannot connect to %s\n", server.address().c_str());
    return 1;
  }
  auto stub = v1::ForecastService::NewStub(channel);

  // One call: wall milliseconds on the client, CPU milliseconds the server spent on it.
  auto call = [&](v1::ForecastResponse* response, double* ms, double* cpu_ms) -> bool {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    const double cpu_before = bench::CpuSeconds(server.pid());
    const auto started = Clock::now();
    grpc::Status status = stub->Forecast(&context, request, response);
    *ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    *cpu_ms = 1000 * (bench::CpuSeconds(server.pid()) - cpu_before);
    if (!status.ok()) {
      std::fprintf(stderr, "latency: Forecast failed: %s\n", status.error_message().c_str());
      return false;
    }
    if (response->forecasts_size() != request.series_size()) {
      std::fprintf(stderr, "latency: %d forecasts for %d series\n", response->forecasts_size(),
                   request.series_size());
      return false;
    }
    return true;
  };

  Stats cold, cached, cold_cpu, cached_cpu;
  size_t response_bytes = 0;
  bool identical = true;
  for (int r = 0; r < repeat; ++r) {
    if (redis_client) {
      auto flushed = redis_client->Command({"FLUSHALL"});
      if (!flushed.ok()) {
        std::fprintf(stderr, "latency: FLUSHALL: %s\n", std::string(flushed.status().message()).c_str());
        return 1;
      }
    }
    v1::ForecastResponse first, second;
    double ms = 0, cpu_ms = 0;
    if (!call(&first, &ms, &cpu_ms)) return 1;
    cold.ms.push_back(ms);
    cold_cpu.ms.push_back(cpu_ms);
    response_bytes = first.ByteSizeLong();
    if (!no_cache) {
      if (!call(&second, &ms, &cpu_ms)) return 1;
      cached.ms.push_back(ms);
      cached_cpu.ms.push_back(cpu_ms);
      identical = identical && google::protobuf::util::MessageDifferencer::Equals(first, second);
    }
  }
  server.Stop();

  MarkdownTable table(
      {"call", "calls", "min ms", "median ms", "max ms", "server CPU ms (median)"});
  table.AddRow({no_cache ? "cold (no cache configured)" : "cold (cache flushed: fit every series)",
                std::to_string(cold.ms.size()), Fixed(cold.Min(), 1), Fixed(cold.Median(), 1),
                Fixed(cold.Max(), 1), Fixed(cold_cpu.Median(), 0, true)});
  if (!cached.ms.empty()) {
    table.AddRow({"cached (identical request, from Redis)", std::to_string(cached.ms.size()),
                  Fixed(cached.Min(), 1), Fixed(cached.Median(), 1), Fixed(cached.Max(), 1),
                  Fixed(cached_cpu.Median(), 0, true)});
  }
  std::cout << "# ForecastService latency\n\n"
            << absl::StrFormat(
                   "One Forecast call: %d monthly M3 series (AUTO, season 12, horizon %d, levels "
                   "80/95); request %.2f MB, response %.2f MB; the real salesops-forecast on "
                   "127.0.0.1 (compute threads: %s)%s; %u hardware threads, load average "
                   "%.1f.\n\n",
                   request.series_size(), horizon, request.ByteSizeLong() / 1e6,
                   response_bytes / 1e6,
                   compute_threads == 0 ? "one per core" : std::to_string(compute_threads),
                   no_cache ? ", no cache" : ", a real redis-server as its cache",
                   std::thread::hardware_concurrency(), LoadAverage())
            << table.Render() << "\n"
            << "Server CPU ms: the server process's user + system time during the call (all its "
               "threads); on an idle machine the cold call's wall time approaches it divided by "
               "the compute threads.\n";
  if (!no_cache && !identical) std::cout << "- the cached response differs from the computed one!\n";
  return 0;
}

}  // namespace
}  // namespace salesops::bench

int main(int argc, char** argv) { return salesops::bench::Main(argc, argv); }
