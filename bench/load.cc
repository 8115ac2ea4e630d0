// load: issue 7's load generator. Starts the real stack on 127.0.0.1 with the integration tests'
// launchers (redis-server as store, appendfsync always, and as cache; salesops-forecast,
// salesops-quota, salesops-reporting) and a bare gRPC echo server (bench/echo_server), then drives
// each RPC in turn with a fixed number of outstanding calls (closed loop, gRPC's asynchronous
// CompletionQueue API, bench/load_driver.h) for a bounded time, and prints QPS and latency
// percentiles per RPC as a markdown table, with the CPU each process spent per call.
//
//   forecast       ForecastService.Forecast, one small request (1 monthly series of 36 values,
//                  horizon 12, AUTO) over and over: after the first call it comes from the result
//                  cache (the in-process cache in front of Redis, common/local_cache.h)
//   echo           the bare echo server answering the same request with the same response bytes
//                  (the real server's answer to it), inline on gRPC's thread
//   forecast-miss  the same request with a new series id each call: every call a cache miss (the
//                  model is fitted, the result written to the cache)
//   attainment     ReportingService.AttainmentReport of the root node for the current quarter over
//                  a small uploaded snapshot (--opportunities, --reps) and a plan; the same request
//                  each call (after the first: the cached report)
//   createplan     QuotaService.CreatePlan: a new EQUAL_SPLIT plan over the same small hierarchy
//                  each call (a new plan id, stored in the store Redis)
// Diagnostic rows (only when asked for in --rpcs), the echo server growing step by step into the
// real server's cached path, to see where the cached Forecast's time goes:
//   echo-runner    the echo inside salesops::ServerRunner, as every salesops service serves
//                  (metrics interceptor, health and reflection services, channel arguments)
//   echo-pool      and finishing each call from a thread pool of the services' size, as the
//                  services' FinishOnPool does
//   echo-cache     and on that pool looking the request up in the cache Redis as salesops-forecast
//                  does (salesops::Cache: key, in-process cache else Redis GET, parse): the real
//                  cached path but for the request's validation
//
// The RPCs run one after the other in the order of --rpcs, each for --warmup-seconds (not
// measured) then --seconds (measured), with the same client, channel settings and concurrency.
// Latency is client-side wall time of each call completed in the measured window; percentiles are
// nearest-rank over the OK calls; errors are counted by status code, never fatal. The exit status
// is non-zero only when the stack cannot be set up (or, with --fail-on-error, when any measured
// call failed or an RPC had no OK call). Everything stops by itself: every call has a deadline,
// every process started here dies with this one.
//
//   load [--seconds 10] [--concurrency 32] [--warmup-seconds 1] [--client-threads 1]
//        [--rpcs forecast,echo,forecast-miss,attainment,createplan] [--deadline-ms 10000]
//        [--opportunities 2000] [--reps 20] [--fail-on-error]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/bench_support.h"
#include "bench/load_driver.h"
#include "bench/markdown_table.h"
#include "common/calendar.h"
#include "common/proto_convert.h"
#include "common/redis_client.h"
#include "common/server.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "salesops/v1/reporting.grpc.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace salesops::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kCurrency[] = "USD";
constexpr int kFiscalStartMonth = 2;  // as the demo company and bench/report_latency
constexpr char kRootId[] = "ACME";
constexpr int kHorizon = 12;

const std::vector<std::string> kKnownRpcs = {
    "forecast", "echo", "forecast-miss", "attainment", "createplan",
    "echo-runner", "echo-pool", "echo-cache"};

std::string GrpcError(const grpc::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                      ": ", status.error_message());
}

std::chrono::system_clock::time_point In(std::chrono::seconds s) {
  return std::chrono::system_clock::now() + s;
}

double LoadAverage() {
  double load[3] = {0, 0, 0};
  return ::getloadavg(load, 3) > 0 ? load[0] : -1;
}

// The directory of this binary (echo_server is built next to it).
std::string SelfDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "." : exe.parent_path().string();
}

// The process id of a redis-server, from INFO server; -1 if it cannot be read.
pid_t RedisPid(RedisClient& client) {
  auto info = client.Command({"INFO", "server"});
  if (!info.ok()) return -1;
  const size_t at = info->str.find("process_id:");
  return at == std::string::npos ? -1 : static_cast<pid_t>(std::atol(info->str.c_str() + at + 11));
}

// The cached request: one monthly series of 36 values (trend, yearly season, a little noise).
v1::ForecastRequest SmallForecastRequest() {
  v1::ForecastRequest request;
  request.set_horizon(kHorizon);
  request.set_model(v1::MODEL_TYPE_AUTO);
  request.set_season_length(12);
  auto* series = request.add_series();
  series->set_id("load-cached");
  series->set_granularity(v1::GRANULARITY_MONTH);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 4);
  for (int t = 0; t < 36; ++t)
    series->add_values(100 + 1.5 * t + 20 * std::sin(2 * M_PI * t / 12) + noise(rng));
  return request;
}

// ---------------------------------------------------------------------------------------------
// The small company of the attainment and createplan rows: a root, 2 regions, 4 territories,
// `reps` reps, and `count` opportunities over the last two years (deterministic for a seed).

struct Company {
  v1::SnapshotHeader header;
  std::vector<v1::TerritoryNode> territories;
  std::vector<v1::Rep> reps;
  std::vector<v1::Opportunity> opportunities;
};

Company MakeCompany(int reps, int count, Date as_of, uint64_t seed) {
  Company c;
  *c.header.mutable_as_of() = ToProto(as_of);
  c.header.set_currency_code(kCurrency);
  c.header.mutable_calendar()->set_start_month(kFiscalStartMonth);
  c.header.set_source("bench/load synthetic company");
  auto node = [&](std::string id, std::string parent, std::string level) {
    v1::TerritoryNode n;
    n.set_id(id);
    n.set_name(id);
    n.set_parent_id(std::move(parent));
    n.set_level(std::move(level));
    c.territories.push_back(std::move(n));
  };
  node(kRootId, "", "company");
  std::vector<std::string> leaves;
  for (const char* region : {"EAST", "WEST"}) {
    node(region, kRootId, "region");
    for (int t = 1; t <= 2; ++t) {
      leaves.push_back(absl::StrFormat("T-%s-%d", region, t));
      node(leaves.back(), region, "territory");
    }
  }
  const int today = DayNumber(as_of);
  for (int r = 0; r < reps; ++r) {
    v1::Rep rep;
    rep.set_id(absl::StrFormat("REP-%03d", r + 1));
    rep.set_name(absl::StrFormat("Rep %03d", r + 1));
    rep.set_territory_id(leaves[r % leaves.size()]);
    *rep.mutable_hire_date() = ToProto(FromDayNumber(today - 5 * 365));
    c.reps.push_back(std::move(rep));
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int i = 0; i < count; ++i) {
    const v1::Rep& rep = c.reps[uniform(0, reps - 1)];
    v1::Opportunity o;
    o.set_id(absl::StrFormat("OPP-%06d", i + 1));
    o.set_account_id(absl::StrFormat("ACC-%04d", uniform(0, std::max(10, count / 5))));
    o.set_owner_rep_id(rep.id());
    o.set_territory_id(rep.territory_id());
    o.set_product("Platform");
    *o.mutable_amount() = MakeMoney(kCurrency, int64_t{100} * uniform(5'000, 100'000));
    int created = 0, close = 0;
    if (unit(rng) < 0.7) {  // closed: a third won
      created = today - uniform(30, 2 * 365);
      close = std::min(today, created + uniform(14, 120));
      const bool won = unit(rng) < 1.0 / 3;
      o.set_closed(true);
      o.set_won(won);
      o.set_stage(won ? "Closed Won" : "Closed Lost");
      o.set_probability(won ? 1 : 0);
      o.set_forecast_category(won ? v1::FORECAST_CATEGORY_CLOSED : v1::FORECAST_CATEGORY_OMITTED);
    } else {  // open: closing over the next six months
      close = today + uniform(0, 180);
      created = std::max(today - 2 * 365, close - uniform(30, 150));
      const bool commit = unit(rng) < 0.3;
      o.set_stage(commit ? "Negotiation" : "Proposal");
      o.set_probability(commit ? 0.75 : 0.4);
      o.set_forecast_category(commit ? v1::FORECAST_CATEGORY_COMMIT
                                     : v1::FORECAST_CATEGORY_BEST_CASE);
    }
    created = std::min(created, today);
    *o.mutable_created_date() = ToProto(FromDayNumber(created));
    *o.mutable_close_date() = ToProto(FromDayNumber(close));
    c.opportunities.push_back(std::move(o));
  }
  return c;
}

absl::StatusOr<v1::SnapshotInfo> Upload(v1::ReportingService::Stub& stub, const Company& company) {
  v1::SnapshotInfo info;
  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(120)));
  auto writer = stub.UploadSnapshot(&context, &info);
  v1::UploadSnapshotRequest message;
  *message.mutable_header() = company.header;
  bool ok = writer->Write(message);
  message.Clear();
  for (const auto& t : company.territories) *message.mutable_chunk()->add_territories() = t;
  for (const auto& r : company.reps) *message.mutable_chunk()->add_reps() = r;
  ok = ok && writer->Write(message);
  for (size_t i = 0; i < company.opportunities.size() && ok; i += 2000) {
    message.Clear();
    for (size_t j = i; j < std::min(company.opportunities.size(), i + 2000); ++j)
      *message.mutable_chunk()->add_opportunities() = company.opportunities[j];
    ok = writer->Write(message);
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return absl::InternalError("UploadSnapshot: " + GrpcError(status));
  return info;
}

// ---------------------------------------------------------------------------------------------
// Measuring.

// A process whose CPU time is read before and after each window.
struct Process {
  std::string name;
  pid_t pid = -1;
};

// One RPC row: how to make its calls, and where its server keeps its metrics.
struct Workload {
  std::string name;
  CallFactory factory;
  const testing::ServiceProcess* service = nullptr;  // for the server-side time; null for echo
  std::string method;                                 // e.g. /salesops.v1.ForecastService/Forecast
  bool forecast_cache = false;                        // report the forecast cache's hits
};

struct Row {
  std::string name;
  LoadResult load;
  std::map<std::string, double> cpu_seconds;  // by process name, over the window
  double server_ms = -1;                      // mean server-side time of the window's calls
  double cache_hits = -1, cache_lookups = -1;
};

double MetricDelta(const std::string& before, const std::string& after, const std::string& series) {
  return testing::MetricValue(after, series) - testing::MetricValue(before, series);
}

Row Measure(const Workload& w, LoadOptions options, const std::vector<Process>& processes) {
  Row row;
  row.name = w.name;
  std::map<std::string, double> cpu_before;
  std::string metrics_before, metrics_after;
  auto sample = [&](std::map<std::string, double>& out) {
    for (const Process& p : processes) out[p.name] = CpuSeconds(p.pid);
    out["client"] = CpuSeconds(::getpid());
  };
  options.at_window_start = [&] {
    if (w.service) metrics_before = w.service->ScrapeMetrics();
    sample(cpu_before);
  };
  options.at_window_end = [&] {
    std::map<std::string, double> cpu_after;
    sample(cpu_after);
    for (const auto& [name, seconds] : cpu_after) row.cpu_seconds[name] = seconds - cpu_before[name];
    if (w.service) metrics_after = w.service->ScrapeMetrics();
  };
  std::fprintf(stderr, "load: %s: %d outstanding calls, %.1f s warm-up + %.1f s...\n",
               w.name.c_str(), options.concurrency, options.warmup.count() / 1e3,
               options.window.count() / 1e3);
  row.load = RunLoad(options, w.factory);
  if (w.service) {
    const std::string label = absl::StrCat("{method=\"", w.method, "\"}");
    const double calls = MetricDelta(metrics_before, metrics_after,
                                     "salesops_rpc_latency_seconds_count" + label);
    const double seconds = MetricDelta(metrics_before, metrics_after,
                                       "salesops_rpc_latency_seconds_sum" + label);
    if (calls > 0) row.server_ms = 1000 * seconds / calls;
    if (w.forecast_cache) {
      auto lookups = [&](const char* result) {
        return MetricDelta(metrics_before, metrics_after,
                           absl::StrCat("salesops_cache_requests_total{cache=\"forecast\",result=\"",
                                        result, "\"}"));
      };
      row.cache_hits = lookups("hit");
      row.cache_lookups = row.cache_hits + lookups("miss") + lookups("error");
    }
  }
  return row;
}

std::string Ms(double ms) {
  if (ms < 0) return "—";
  return Fixed(ms, ms < 10 ? 2 : ms < 100 ? 1 : 0);
}

std::string Errors(const LoadResult& r) {
  if (r.errors.empty()) return "0";
  std::vector<std::string> parts;
  for (const auto& [code, n] : r.errors) parts.push_back(absl::StrCat(code, " ", n));
  return absl::StrJoin(parts, ", ");
}

int Main(int argc, char** argv) {
  double seconds = 10;
  double warmup_seconds = 1;
  int concurrency = 32;
  int client_threads = 1;
  int deadline_ms = 10000;
  std::string rpcs_text = "forecast,echo,forecast-miss,attainment,createplan";
  int opportunities = 2000;
  int reps = 20;
  uint64_t seed = 42;
  bool fail_on_error = false;
  CLI::App app{"Load generator: QPS and latency percentiles of the real services against a bare "
               "gRPC echo, on loopback"};
  app.add_option("--seconds", seconds, "measured seconds per RPC")
      ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  app.add_option("--warmup-seconds", warmup_seconds, "unmeasured seconds before each RPC's window")
      ->check(CLI::Range(0.0, 600.0))->capture_default_str();
  app.add_option("--concurrency", concurrency, "outstanding calls")
      ->check(CLI::Range(1, 10000))->capture_default_str();
  app.add_option("--client-threads", client_threads,
                 "client threads, each polling its own CompletionQueue")
      ->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--deadline-ms", deadline_ms, "deadline of every call")
      ->check(CLI::Range(1, 600000))->capture_default_str();
  app.add_option("--rpcs", rpcs_text,
                 "comma-separated, run in this order: forecast, echo, forecast-miss, attainment, "
                 "createplan; diagnostics: echo-runner, echo-pool, echo-cache")
      ->capture_default_str();
  app.add_option("--opportunities", opportunities, "opportunities of the attainment snapshot")
      ->check(CLI::Range(1, 200000))->capture_default_str();
  app.add_option("--reps", reps, "reps of the attainment snapshot and of every plan")
      ->check(CLI::Range(1, 2000))->capture_default_str();
  app.add_option("--seed", seed, "seed of the synthetic company")->capture_default_str();
  app.add_flag("--fail-on-error", fail_on_error,
               "exit 3 when a measured call failed or an RPC had no OK call (for the smoke test)");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> rpcs = absl::StrSplit(rpcs_text, ',', absl::SkipWhitespace());
  for (const std::string& rpc : rpcs) {
    if (std::find(kKnownRpcs.begin(), kKnownRpcs.end(), rpc) == kKnownRpcs.end()) {
      std::fprintf(stderr, "load: --rpcs: unknown RPC \"%s\" (known: %s)\n", rpc.c_str(),
                   absl::StrJoin(kKnownRpcs, ", ").c_str());
      return 2;
    }
  }
  if (rpcs.empty()) {
    std::fprintf(stderr, "load: --rpcs: nothing to run\n");
    return 2;
  }
  const std::set<std::string> wanted(rpcs.begin(), rpcs.end());
  const bool need_quota = wanted.count("attainment") || wanted.count("createplan");
  const bool need_reporting = wanted.count("attainment");
  auto fail = [](const std::string& what) {
    std::fprintf(stderr, "load: %s\n", what.c_str());
    return 1;
  };
  const double load_before = LoadAverage();

  // --- The stack, as bench/report_latency starts it. Every object stops its process when it goes
  // out of scope, and every child dies with this process (PR_SET_PDEATHSIG).
  testing::RedisServerOptions store_options;
  store_options.persistence = true;
  testing::RedisServer store(store_options);
  testing::RedisServer cache;
  std::vector<Process> processes;
  if (auto s = cache.Start(); !s) return fail(absl::StrCat("cache redis-server: ", s.message()));
  RedisClient cache_client(cache.client_options());
  processes.push_back({"cache redis", RedisPid(cache_client)});
  std::unique_ptr<RedisClient> store_client;
  if (need_quota) {
    if (auto s = store.Start(); !s) return fail(absl::StrCat("store redis-server: ", s.message()));
    store_client = std::make_unique<RedisClient>(store.client_options());
    processes.push_back({"store redis", RedisPid(*store_client)});
  }
  testing::ServiceProcess forecast("salesops-forecast", {"--cache-redis", cache.address()});
  if (auto s = forecast.Start(); !s) return fail(s.message());
  processes.push_back({"forecast", forecast.pid()});
  std::optional<testing::ServiceProcess> quota, reporting;
  if (need_quota) {
    quota.emplace("salesops-quota",
                  std::vector<std::string>{"--store-redis", store.address(), "--cache-redis",
                                           cache.address(), "--forecast-addr", forecast.address()});
    if (auto s = quota->Start(); !s) return fail(s.message());
    processes.push_back({"quota", quota->pid()});
  }
  if (need_reporting) {
    reporting.emplace("salesops-reporting",
                      std::vector<std::string>{"--store-redis", store.address(), "--cache-redis",
                                               cache.address(), "--forecast-addr",
                                               forecast.address(), "--quota-addr",
                                               quota->address()});
    if (auto s = reporting->Start(); !s) return fail(s.message());
    processes.push_back({"reporting", reporting->pid()});
  }

  // Every RPC goes over one channel per server, made the same way (default arguments, plaintext,
  // a private subchannel so that two channels to one server never share a connection).
  auto channel_to = [](const std::string& address) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  };
  auto connect = [&](const std::string& address) -> std::shared_ptr<grpc::Channel> {
    auto channel = channel_to(address);
    if (!channel->WaitForConnected(In(std::chrono::seconds(10)))) return nullptr;
    return channel;
  };

  // --- The cached Forecast request, computed once (this fills the cache), and the echo servers
  // answering with the very same response bytes.
  const v1::ForecastRequest forecast_request = SmallForecastRequest();
  auto forecast_channel = connect(forecast.address());
  if (!forecast_channel) return fail("cannot connect to salesops-forecast at " + forecast.address());
  auto forecast_stub = std::shared_ptr<v1::ForecastService::Stub>(
      v1::ForecastService::NewStub(forecast_channel));
  v1::ForecastResponse forecast_response;
  double cold_forecast_ms = 0;
  {
    grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(60)));
    const auto started = Clock::now();
    grpc::Status status = forecast_stub->Forecast(&context, forecast_request, &forecast_response);
    cold_forecast_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (!status.ok()) return fail("the first Forecast failed: " + GrpcError(status));
    if (forecast_response.forecasts_size() != 1)
      return fail("the first Forecast did not answer one forecast");
  }
  std::string temp_dir = (std::filesystem::temp_directory_path() / "salesops-load-XXXXXX").string();
  if (::mkdtemp(temp_dir.data()) == nullptr) return fail("cannot make a temporary directory");
  struct RemoveDir {
    std::string path;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } remove_temp{temp_dir};
  const std::string response_file = temp_dir + "/forecast_response.bin";
  {
    std::ofstream out(response_file, std::ios::binary);
    out << forecast_response.SerializeAsString();
    if (!out) return fail("cannot write " + response_file);
  }
  const std::string echo_binary = SelfDir() + "/echo_server";
  if ((wanted.count("echo") || wanted.count("echo-runner") || wanted.count("echo-pool") ||
       wanted.count("echo-cache")) &&
      ::access(echo_binary.c_str(), X_OK) != 0)
    return fail(echo_binary + ": not found (it is built with bench/load: ninja echo_server)");
  const int handler_threads = ServerConfig{}.ResolvedHandlerThreads();
  std::map<std::string, std::unique_ptr<testing::ServiceProcess>> echoes;
  std::map<std::string, std::shared_ptr<v1::ForecastService::Stub>> echo_stubs;
  for (const char* echo_name : {"echo", "echo-runner", "echo-pool", "echo-cache"}) {
    const std::string name = echo_name;
    if (!wanted.count(name)) continue;
    std::vector<std::string> args = {"--response-file", response_file};
    if (name != "echo") args.push_back("--salesops-runner");
    if (name == "echo-pool" || name == "echo-cache")
      args.insert(args.end(), {"--pool-threads", std::to_string(handler_threads)});
    if (name == "echo-cache") args.insert(args.end(), {"--cache-redis", cache.address()});
    auto process = std::make_unique<testing::ServiceProcess>(echo_binary, args);
    if (auto s = process->Start(); !s) return fail(absl::StrCat(echo_binary, ": ", s.message()));
    auto channel = connect(process->address());
    if (!channel) return fail("cannot connect to " + name + " at " + process->address());
    echo_stubs[name] = v1::ForecastService::NewStub(channel);
    processes.push_back({name, process->pid()});
    echoes[name] = std::move(process);
  }

  // --- The attainment snapshot and plan, and the template of the createplan calls.
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const Date as_of{today};
  const Company company = MakeCompany(reps, opportunities, as_of, seed);
  const int fiscal_year = FiscalYearOf(as_of, kFiscalStartMonth);
  v1::CreatePlanRequest plan_request;
  plan_request.set_name(absl::StrCat("bench/load FY", fiscal_year));
  plan_request.set_fiscal_year(fiscal_year);
  plan_request.mutable_calendar()->set_start_month(kFiscalStartMonth);
  *plan_request.mutable_target() = MakeMoney(kCurrency, int64_t{10'000'000} * 100);
  plan_request.set_method(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  for (const auto& t : company.territories) *plan_request.add_territories() = t;
  for (const auto& r : company.reps) *plan_request.add_reps() = r;
  plan_request.set_created_by("bench/load");
  plan_request.set_reason("load test");
  std::shared_ptr<v1::QuotaService::Stub> quota_stub;
  std::shared_ptr<v1::ReportingService::Stub> reporting_stub;
  v1::AttainmentReportRequest attainment_request;
  double cold_attainment_ms = 0;
  size_t snapshot_bytes = 0;
  if (need_quota) {
    auto channel = connect(quota->address());
    if (!channel) return fail("cannot connect to salesops-quota at " + quota->address());
    quota_stub = v1::QuotaService::NewStub(channel);
  }
  if (need_reporting) {
    auto channel = connect(reporting->address());
    if (!channel) return fail("cannot connect to salesops-reporting at " + reporting->address());
    reporting_stub = v1::ReportingService::NewStub(channel);
    auto info = Upload(*reporting_stub, company);
    if (!info.ok()) return fail(std::string(info.status().message()));
    for (const auto& o : company.opportunities) snapshot_bytes += o.ByteSizeLong();
    v1::Plan plan;
    grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(60)));
    grpc::Status status = quota_stub->CreatePlan(&context, plan_request, &plan);
    if (!status.ok()) return fail("CreatePlan of the attainment plan failed: " + GrpcError(status));
    attainment_request.set_snapshot_id(info->snapshot_id());
    attainment_request.set_plan_id(plan.plan_id());
    *attainment_request.mutable_period() =
        ToProto(PeriodContaining(as_of, PeriodKind::kQuarter, kFiscalStartMonth));
    attainment_request.set_node_id(kRootId);
    v1::AttainmentReportResponse report;
    grpc::ClientContext report_context;
    report_context.set_deadline(In(std::chrono::seconds(60)));
    const auto started = Clock::now();
    status = reporting_stub->AttainmentReport(&report_context, attainment_request, &report);
    cold_attainment_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (!status.ok()) return fail("the first AttainmentReport failed: " + GrpcError(status));
    if (report.rows_size() == 0) return fail("the first AttainmentReport has no rows");
  }

  // --- The workloads.
  using ForecastCall = AsyncUnaryCall<v1::ForecastRequest, v1::ForecastResponse>;
  auto forecast_ok = [](const v1::ForecastResponse& r) {
    return r.forecasts_size() == 1 && r.forecasts(0).mean_size() == kHorizon;
  };
  auto forecast_factory = [&](std::shared_ptr<v1::ForecastService::Stub> stub,
                              ForecastCall::Mutate mutate) -> CallFactory {
    return [=, &forecast_request](int) {
      return std::make_unique<ForecastCall>(
          [stub](grpc::ClientContext* c, const v1::ForecastRequest& r, grpc::CompletionQueue* cq) {
            return stub->PrepareAsyncForecast(c, r, cq);
          },
          forecast_request, mutate, forecast_ok);
    };
  };
  const std::string nonce = absl::StrFormat("%x", static_cast<uint64_t>(
      Clock::now().time_since_epoch().count() ^ (static_cast<uint64_t>(::getpid()) << 40)));
  std::map<std::string, Workload> workloads;
  const std::string forecast_method = "/salesops.v1.ForecastService/Forecast";
  workloads["forecast"] = {"forecast", forecast_factory(forecast_stub, nullptr), &forecast,
                           forecast_method, true};
  workloads["forecast-miss"] = {
      "forecast-miss",
      forecast_factory(forecast_stub,
                       [nonce](uint64_t seq, v1::ForecastRequest* r) {
                         r->mutable_series(0)->set_id(absl::StrCat("miss-", nonce, "-", seq));
                       }),
      &forecast, forecast_method, true};
  for (const auto& [name, stub] : echo_stubs) {
    // The echoes in a ServerRunner have its metrics (the bare one has none).
    const testing::ServiceProcess* process = name == "echo" ? nullptr : echoes.at(name).get();
    workloads[name] = {name, forecast_factory(stub, nullptr), process, forecast_method, false};
  }
  if (reporting_stub) {
    using Call = AsyncUnaryCall<v1::AttainmentReportRequest, v1::AttainmentReportResponse>;
    auto stub = reporting_stub;
    workloads["attainment"] = {
        "attainment",
        [stub, &attainment_request](int) {
          return std::make_unique<Call>(
              [stub](grpc::ClientContext* c, const v1::AttainmentReportRequest& r,
                     grpc::CompletionQueue* cq) { return stub->PrepareAsyncAttainmentReport(c, r, cq); },
              attainment_request, nullptr,
              [](const v1::AttainmentReportResponse& r) { return r.rows_size() > 0; });
        },
        &*reporting, "/salesops.v1.ReportingService/AttainmentReport", false};
  }
  if (quota_stub) {
    using Call = AsyncUnaryCall<v1::CreatePlanRequest, v1::Plan>;
    auto stub = quota_stub;
    workloads["createplan"] = {
        "createplan",
        [stub, &plan_request, nonce](int) {
          return std::make_unique<Call>(
              [stub](grpc::ClientContext* c, const v1::CreatePlanRequest& r,
                     grpc::CompletionQueue* cq) { return stub->PrepareAsyncCreatePlan(c, r, cq); },
              plan_request,
              [nonce](uint64_t seq, v1::CreatePlanRequest* r) {
                r->set_name(absl::StrCat("bench/load plan ", nonce, "-", seq));
                r->mutable_target()->set_minor_units(int64_t{10'000'000} * 100 + seq * 100);
              },
              [](const v1::Plan& p) { return !p.plan_id().empty(); });
        },
        &*quota, "/salesops.v1.QuotaService/CreatePlan", false};
  }

  // --- Measure.
  LoadOptions options;
  options.concurrency = concurrency;
  options.client_threads = client_threads;
  options.warmup = std::chrono::milliseconds(static_cast<int64_t>(warmup_seconds * 1000));
  options.window = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  options.deadline = std::chrono::milliseconds(deadline_ms);
  std::vector<Row> rows;
  for (const std::string& rpc : rpcs) rows.push_back(Measure(workloads.at(rpc), options, processes));
  const double load_after = LoadAverage();

  // Orderly shutdown (the destructors would SIGKILL): our channels first, so no server waits for an
  // idle connection to close.
  echo_stubs.clear();
  workloads.clear();
  forecast_stub.reset();
  quota_stub.reset();
  reporting_stub.reset();
  forecast_channel.reset();
  for (auto& [name, echo] : echoes) echo->Stop();
  if (reporting) reporting->Stop();
  if (quota) quota->Stop();
  forecast.Stop();

  // --- Print.
  const unsigned cores = std::thread::hardware_concurrency();
  std::cout << "\n# Load: QPS and latency per RPC (issue 7)\n\n"
            << absl::StrFormat(
                   "%d outstanding calls, %.1f s measured per RPC after %.1f s warm-up, %d client "
                   "thread(s) on one channel per server; everything on 127.0.0.1 on this machine "
                   "(%u hardware threads; load average %.2f before, %.2f after). Latency: client "
                   "wall time of the calls completed in the window, nearest-rank percentiles of "
                   "the OK calls. Cached Forecast request: 1 monthly series of 36 values, horizon "
                   "%d, AUTO (%zu bytes; response %zu bytes, the echo sends the same bytes; first, "
                   "uncached call %.1f ms).",
                   concurrency, seconds, warmup_seconds, client_threads, cores, load_before,
                   load_after, kHorizon, forecast_request.ByteSizeLong(),
                   forecast_response.ByteSizeLong(), cold_forecast_ms);
  if (need_reporting)
    std::cout << absl::StrFormat(
        " Attainment: root node, current quarter, over a snapshot of %d opportunities (%.0f kB), "
        "%d reps, %zu nodes (first call %.1f ms).",
        opportunities, snapshot_bytes / 1e3, reps, company.territories.size(), cold_attainment_ms);
  if (need_quota)
    std::cout << absl::StrFormat(" CreatePlan: EQUAL_SPLIT over %zu nodes and %d reps, a new plan "
                                 "each call (store Redis with appendfsync always).",
                                 company.territories.size(), reps);
  std::cout << "\n\n";

  MarkdownTable table({"rpc", "OK calls", "QPS", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
                       "errors"});
  for (const Row& row : rows) {
    const LoadResult& r = row.load;
    table.AddRow({row.name, absl::StrCat(r.ok), Fixed(r.Qps(), 0), Ms(r.PercentileMs(50)),
                  Ms(r.PercentileMs(99)), Ms(r.PercentileMs(99.9)), Ms(r.PercentileMs(100)),
                  Errors(r)});
  }
  std::cout << table.Render() << "\n";

  // Where the time goes: CPU per OK call of every process, the server's own time per call, the
  // forecast cache's hits.
  std::vector<std::string> header = {"rpc", "client"};
  for (const Process& p : processes) header.push_back(p.name);
  for (const char* h : {"total", "CPU busy", "server ms/call", "cache hits"})
    header.push_back(h);
  MarkdownTable cpu(header);
  for (const Row& row : rows) {
    const double ok = std::max<int64_t>(1, row.load.ok);
    std::vector<std::string> cells = {row.name};
    double total = 0;
    auto add = [&](const std::string& name) {
      const double s = row.cpu_seconds.count(name) ? row.cpu_seconds.at(name) : 0;
      total += s;
      cells.push_back(Fixed(1e6 * s / ok, 0));
    };
    add("client");
    for (const Process& p : processes) add(p.name);
    cells.push_back(Fixed(1e6 * total / ok, 0));
    cells.push_back(absl::StrCat(Fixed(100 * total / (row.load.window_seconds * cores), 0), "%"));
    cells.push_back(Ms(row.server_ms));
    cells.push_back(row.cache_lookups > 0
                        ? absl::StrFormat("%.0f%% of %.0f", 100 * row.cache_hits / row.cache_lookups,
                                          row.cache_lookups)
                        : "—");
    cpu.AddRow(cells);
  }
  std::cout << "CPU microseconds per OK call, by process, over the measured window (from "
               "/proc/<pid>/stat, 10 ms ticks); CPU busy: all of them over the window's "
               "capacity of "
            << cores
            << " hardware threads; server ms/call: the service's own mean time per call "
               "(salesops_rpc_latency_seconds, interceptor to status).\n\n"
            << cpu.Render() << "\n";

  const Row* cached = nullptr;
  const Row* echo = nullptr;
  for (const Row& row : rows) {
    if (row.name == "forecast") cached = &row;
    if (row.name == "echo") echo = &row;
  }
  if (cached && echo && echo->load.Qps() > 0) {
    const double ratio = cached->load.Qps() / echo->load.Qps();
    std::cout << absl::StrFormat(
        "cached Forecast QPS / echo QPS = %.0f / %.0f = **%.2f** (issue 7's target: at least "
        "0.5)\n",
        cached->load.Qps(), echo->load.Qps(), ratio);
  }

  if (fail_on_error) {
    bool bad = false;
    for (const Row& row : rows) {
      if (row.load.error_count() > 0 || row.load.ok == 0) {
        std::fprintf(stderr, "load: %s: %lld OK calls, errors: %s\n", row.name.c_str(),
                     static_cast<long long>(row.load.ok), Errors(row.load).c_str());
        bad = true;
      }
    }
    if (bad) return 3;
  }
  return 0;
}

}  // namespace
}  // namespace salesops::bench

int main(int argc, char** argv) { return salesops::bench::Main(argc, argv); }
