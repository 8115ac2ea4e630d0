// report_latency: the ReportingService speed targets of issue 5, measured against the real
// services on loopback (redis-server as store and as cache, salesops-forecast, salesops-quota and
// salesops-reporting, started with the integration tests' launchers):
//
//   1. an attainment + landing report for the current quarter and the root node over a
//      100k-opportunity snapshot and 200 reps: under 1 s cold, under 20 ms warm;
//   2. a 1M-opportunity snapshot uploads in seconds with bounded server memory.
//
// The company is synthetic and generated here (deterministic for a --seed and --as-of): a company
// root, 5 regions, up to 40 territories, --reps reps, and opportunities created over the last
// three years (about 75% closed, a third of those won; open ones closing over the next six months,
// some past due), with amounts drawn from a lognormal. Opportunities are generated one at a time
// while they are streamed, so the client never holds a snapshot.
//
//   cold  the salesops-reporting process restarted (empty in-memory snapshot cache) and the cache
//         Redis flushed (FLUSHDB on the cache only; the store keeps the snapshot and the plan)
//   warm  the identical call again, --warm-calls times
//
// Times are client-side wall milliseconds of the whole unary call. The exit status is non-zero
// when any RPC fails; the timings are printed, never asserted (ctest runs a short form).
//
//   report_latency [--opportunities 100000] [--reps 200] [--upload-opportunities 1000000]
//                  [--warm-calls 50] [--seed 42] [--as-of YYYY-MM-DD]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/bench_support.h"
#include "bench/markdown_table.h"
#include "common/calendar.h"
#include "common/proto_convert.h"
#include "common/redis_client.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "salesops/v1/reporting.grpc.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace salesops::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kCurrency[] = "USD";
constexpr int kFiscalStartMonth = 2;  // as the demo company: FY2027 is 2026-02-01 .. 2027-01-31
constexpr char kRootId[] = "ACME";
constexpr int kRegions = 5;
constexpr int kMaxTerritories = 40;
// An opportunity chunk holds at most this many opportunities and about this many bytes (the
// server takes messages of at most 4 MiB), as salesctl cuts them.
constexpr int kChunkOpportunities = 5000;
constexpr size_t kChunkBytes = 3u << 20;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double p) {  // nearest rank; v not empty
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100 * v.size()));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

// ---------------------------------------------------------------------------------------------
// The synthetic company.

struct Company {
  v1::SnapshotHeader header;
  std::vector<v1::TerritoryNode> territories;  // root, regions, territories
  std::vector<v1::Rep> reps;
  std::vector<int> rep_hire_day;  // DayNumber of each rep's hire date
  int leaf_territories = 0;
};

// Root -> 5 regions -> min(40, reps) territories (so every territory has a rep), reps dealt
// round-robin over the territories. Most reps were hired before the three years of data; about
// one in eight in the last year (still ramping).
Company MakeCompany(int rep_count, Date as_of, uint64_t seed) {
  static const char* kRegionIds[kRegions] = {"AMER-EAST", "AMER-WEST", "EMEA", "APAC", "LATAM"};
  std::mt19937_64 rng(seed ^ 0x5eed'c0'4a'11ull);
  Company c;
  c.header.mutable_as_of()->CopyFrom(ToProto(as_of));
  c.header.set_currency_code(kCurrency);
  c.header.mutable_calendar()->set_start_month(kFiscalStartMonth);
  c.header.set_source("bench/report_latency synthetic company");

  auto node = [&](std::string id, std::string name, std::string parent, std::string level) {
    v1::TerritoryNode n;
    n.set_id(std::move(id));
    n.set_name(std::move(name));
    n.set_parent_id(std::move(parent));
    n.set_level(std::move(level));
    c.territories.push_back(std::move(n));
  };
  node(kRootId, "Acme Cloud", "", "company");
  for (const char* region : kRegionIds) node(region, region, kRootId, "region");
  c.leaf_territories = std::min(kMaxTerritories, rep_count);
  std::vector<std::string> leaves;
  for (int t = 0; t < c.leaf_territories; ++t) {
    const char* region = kRegionIds[t % kRegions];
    std::string id = absl::StrFormat("T-%s-%02d", region, t / kRegions + 1);
    leaves.push_back(id);
    node(id, id, region, "territory");
  }

  const int today = DayNumber(as_of);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int r = 0; r < rep_count; ++r) {
    v1::Rep rep;
    rep.set_id(absl::StrFormat("REP-%04d", r + 1));
    rep.set_name(absl::StrFormat("Rep %04d", r + 1));
    rep.set_territory_id(leaves[r % leaves.size()]);
    const bool recent = unit(rng) < 0.125;
    const int hired = recent ? today - 30 - static_cast<int>(unit(rng) * 330)
                             : today - 3 * 365 - static_cast<int>(unit(rng) * 5 * 365);
    *rep.mutable_hire_date() = ToProto(FromDayNumber(hired));
    c.rep_hire_day.push_back(hired);
    c.reps.push_back(std::move(rep));
  }
  return c;
}

// Open stages: CRM probability and forecast category go together, as a CRM's stage mapping does.
struct Stage {
  const char* name;
  double probability;
  v1::ForecastCategory category;
  double weight;  // share of open deals
};
constexpr Stage kOpenStages[] = {
    {"Prospecting", 0.10, v1::FORECAST_CATEGORY_PIPELINE, 0.25},
    {"Qualification", 0.20, v1::FORECAST_CATEGORY_PIPELINE, 0.22},
    {"Needs Analysis", 0.35, v1::FORECAST_CATEGORY_PIPELINE, 0.18},
    {"Proposal", 0.55, v1::FORECAST_CATEGORY_BEST_CASE, 0.17},
    {"Negotiation", 0.75, v1::FORECAST_CATEGORY_COMMIT, 0.12},
    {"Verbal Commit", 0.90, v1::FORECAST_CATEGORY_COMMIT, 0.06},
};

struct Product {
  const char* name;
  double scale;  // of the deal size
  double weight;
};
constexpr Product kProducts[] = {
    {"Platform", 1.0, 0.45}, {"Analytics", 0.6, 0.25}, {"Security", 0.8, 0.2}, {"Services", 0.3, 0.1}};

// Opportunities one at a time, deterministic for (company, seed, prefix); Next() builds the next.
// Shape: created over the last three years with bookings growing ~25% a year; 75% closed, a third
// of those won (Closed Won, CLOSED, probability 1; lost: Closed Lost, OMITTED, 0); open ones close
// from 60 days ago (past due, about 1 in 12) to 180 days ahead, their stage drawn from kOpenStages,
// one in twenty OMITTED by its rep (half of the past-due ones). Amounts: lognormal, median 25k USD
// times the product's scale, 1k..5M USD.
class OpportunityGenerator {
 public:
  OpportunityGenerator(const Company& company, uint64_t seed, std::string id_prefix,
                       int64_t count)
      : company_(company), rng_(seed), prefix_(std::move(id_prefix)),
        accounts_(std::max<int64_t>(100, count / 5)) {
    today_ = DayNumber(*FromProto(company.header.as_of()));
    std::vector<double> w;
    // Reps differ in productivity: lognormal weights.
    std::lognormal_distribution<double> productivity(0, 0.4);
    for (size_t r = 0; r < company.reps.size(); ++r) w.push_back(productivity(rng_));
    rep_ = std::discrete_distribution<int>(w.begin(), w.end());
    w.clear();
    for (const Stage& s : kOpenStages) w.push_back(s.weight);
    stage_ = std::discrete_distribution<int>(w.begin(), w.end());
    w.clear();
    for (const Product& p : kProducts) w.push_back(p.weight);
    product_ = std::discrete_distribution<int>(w.begin(), w.end());
  }

  v1::Opportunity Next() {
    v1::Opportunity o;
    o.set_id(absl::StrFormat("%s-%08d", prefix_, ++index_));
    o.set_account_id(absl::StrFormat("ACC-%06d", Uniform(0, accounts_ - 1)));
    const Product& product = kProducts[product_(rng_)];
    o.set_product(product.name);
    const double dollars = std::clamp(25'000 * product.scale * amount_(rng_), 1'000.0, 5'000'000.0);
    o.mutable_amount()->set_currency_code(kCurrency);
    o.mutable_amount()->set_minor_units(static_cast<int64_t>(std::llround(dollars)) * 100);

    int created = 0, close = 0;
    if (unit_(rng_) < 0.75) {  // closed
      created = today_ - kWindowDays + CreatedOffset(kWindowDays - 7);
      close = std::min(created + CycleDays(60), today_);
      const bool won = unit_(rng_) < 1.0 / 3;
      o.set_closed(true);
      o.set_won(won);
      o.set_stage(won ? "Closed Won" : "Closed Lost");
      o.set_probability(won ? 1.0 : 0.0);
      o.set_forecast_category(won ? v1::FORECAST_CATEGORY_CLOSED : v1::FORECAST_CATEGORY_OMITTED);
    } else {  // open
      const bool past_due = unit_(rng_) < 1.0 / 12;
      close = past_due ? today_ - Uniform(1, 60) : today_ + Uniform(0, 180);
      created = std::clamp(close - CycleDays(90), today_ - kWindowDays, today_);
      const Stage& stage = kOpenStages[stage_(rng_)];
      o.set_stage(stage.name);
      o.set_probability(stage.probability);
      const bool omitted = unit_(rng_) < (past_due ? 0.5 : 0.02);
      o.set_forecast_category(omitted ? v1::FORECAST_CATEGORY_OMITTED : stage.category);
    }
    *o.mutable_created_date() = ToProto(FromDayNumber(created));
    *o.mutable_close_date() = ToProto(FromDayNumber(close));

    // The owner: a rep hired by the time the deal was created (a few tries, then any).
    int rep = rep_(rng_);
    for (int tries = 0; tries < 8 && company_.rep_hire_day[rep] > created; ++tries) rep = rep_(rng_);
    o.set_owner_rep_id(company_.reps[rep].id());
    o.set_territory_id(company_.reps[rep].territory_id());

    if (o.won()) won_by_fiscal_year_[FiscalYearOf(FromDayNumber(close), kFiscalStartMonth)] +=
        o.amount().minor_units();
    return o;
  }

  // Closed-won minor units by fiscal year of the close date, over what Next() produced.
  int64_t WonIn(int fiscal_year) const {
    auto it = won_by_fiscal_year_.find(fiscal_year);
    return it == won_by_fiscal_year_.end() ? 0 : it->second;
  }

 private:
  static constexpr int kWindowDays = 3 * 365;

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  // Days into a window of `days` days, denser towards its end (~25% more deals each year).
  int CreatedOffset(int days) {
    const double g = std::log(1.25) / 365;
    const double u = unit_(rng_);
    return std::min(days, static_cast<int>(std::log1p(u * std::expm1(g * days)) / g));
  }
  // A sales cycle: lognormal around `median` days, 7..720.
  int CycleDays(double median) {
    return std::clamp(static_cast<int>(median * std::exp(0.6 * normal_(rng_))), 7, 720);
  }

  const Company& company_;
  std::mt19937_64 rng_;
  std::string prefix_;
  int64_t accounts_;
  int today_ = 0;
  int64_t index_ = 0;
  std::uniform_real_distribution<double> unit_{0, 1};
  std::normal_distribution<double> normal_{0, 1};
  std::lognormal_distribution<double> amount_{0, 1.1};
  std::discrete_distribution<int> rep_, stage_, product_;
  std::map<int, int64_t> won_by_fiscal_year_;
};

// ---------------------------------------------------------------------------------------------
// Uploads.

struct UploadResult {
  v1::SnapshotInfo info;
  double seconds = 0;             // first message to the server's answer
  double generate_seconds = 0;    // of which the client spent generating opportunities
  int64_t serialized_bytes = 0;   // every message of the stream
  int messages = 0;
  bool ok = false;
};

// Streams the header, the territories and reps, then `count` opportunities from `generator`, cut
// into chunks as they are generated: at most one chunk is held at a time.
UploadResult Upload(v1::ReportingService::Stub& stub, const Company& company,
                    OpportunityGenerator& generator, int64_t count) {
  UploadResult result;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(30));
  const auto started = Clock::now();
  auto writer = stub.UploadSnapshot(&context, &result.info);
  bool ok = true;
  v1::UploadSnapshotRequest message;
  auto send = [&]() {
    if (ok) {
      result.serialized_bytes += static_cast<int64_t>(message.ByteSizeLong());
      ++result.messages;
      ok = writer->Write(message);  // false: the server ended the call (Finish says why)
    }
    message.Clear();
  };
  *message.mutable_header() = company.header;
  send();
  for (const auto& t : company.territories) *message.mutable_chunk()->add_territories() = t;
  for (const auto& r : company.reps) *message.mutable_chunk()->add_reps() = r;
  send();
  size_t bytes = 0;
  for (int64_t i = 0; i < count && ok; ++i) {
    const auto before = Clock::now();
    v1::Opportunity o = generator.Next();
    result.generate_seconds += Seconds(Clock::now() - before);
    bytes += o.ByteSizeLong() + 8;  // with the field's tag and length
    *message.mutable_chunk()->add_opportunities() = std::move(o);
    if (message.chunk().opportunities_size() >= kChunkOpportunities || bytes >= kChunkBytes) {
      send();
      bytes = 0;
    }
  }
  if (message.chunk().opportunities_size() > 0) send();
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  result.seconds = Seconds(Clock::now() - started);
  if (!status.ok()) {
    std::fprintf(stderr, "report_latency: UploadSnapshot failed: %s: %s\n",
                 absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())).c_str(),
                 status.error_message().c_str());
    return result;
  }
  if (result.info.opportunity_count() != count) {
    std::fprintf(stderr, "report_latency: the server stored %lld opportunities of %lld\n",
                 static_cast<long long>(result.info.opportunity_count()),
                 static_cast<long long>(count));
    return result;
  }
  result.ok = ok;
  return result;
}

// ---------------------------------------------------------------------------------------------
// The processes.

// used_memory of a Redis server in MB; -1 on error.
double RedisUsedMb(RedisClient& redis) {
  auto info = redis.Command({"INFO", "memory"});
  if (!info.ok()) return -1;
  const size_t at = info->str.find("used_memory:");
  return at == std::string::npos ? -1 : std::strtod(info->str.c_str() + at + 12, nullptr) / 1e6;
}

// Seconds and calls per RPC method, from a service's /metrics (salesops_rpc_latency_seconds).
struct MethodTime {
  double seconds = 0;
  double calls = 0;
};
std::map<std::string, MethodTime> RpcTimes(const std::string& metrics) {
  std::map<std::string, MethodTime> out;
  std::istringstream in(metrics);
  std::string line;
  const std::string prefix = "salesops_rpc_latency_seconds_";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    const size_t brace = line.find("{method=\""), end = line.find("\"}");
    if (brace == std::string::npos || end == std::string::npos) continue;
    const std::string kind = line.substr(prefix.size(), brace - prefix.size());
    const std::string method = line.substr(brace + 9, end - brace - 9);
    const double value = std::strtod(line.c_str() + end + 2, nullptr);
    if (kind == "sum") out[method].seconds = value;
    if (kind == "count") out[method].calls = value;
  }
  return out;
}

// Server time and calls spent in a service's methods between two scrapes, e.g. "Forecast 2 x, 310 ms".
struct ServiceTime {
  double ms = 0;
  std::string detail;
};
ServiceTime Delta(const std::map<std::string, MethodTime>& before,
                  const std::map<std::string, MethodTime>& after) {
  ServiceTime t;
  for (const auto& [method, a] : after) {
    MethodTime b;
    if (auto it = before.find(method); it != before.end()) b = it->second;
    const double calls = a.calls - b.calls;
    if (calls <= 0) continue;
    const double ms = 1000 * (a.seconds - b.seconds);
    t.ms += ms;
    const std::string name = method.substr(method.rfind('/') + 1);
    absl::StrAppend(&t.detail, t.detail.empty() ? "" : ", ",
                    absl::StrFormat("%s %.0fx %.0f ms", name, calls, ms));
  }
  return t;
}

std::string GrpcError(const grpc::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                      ": ", status.error_message());
}

Date Today() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return Date{now};
}

int Main(int argc, char** argv) {
  int64_t opportunities = 100'000;
  int reps = 200;
  int64_t upload_opportunities = 1'000'000;
  int warm_calls = 50;
  uint64_t seed = 42;
  std::string as_of_text;
  CLI::App app{"ReportingService speed targets (issue 5) against the real services on loopback"};
  app.add_option("--opportunities", opportunities, "opportunities of the reported snapshot")
      ->check(CLI::Range(int64_t{1}, int64_t{5'000'000}))->capture_default_str();
  app.add_option("--reps", reps, "reps (territories: min(40, reps) under 5 regions)")
      ->check(CLI::Range(1, 20'000))->capture_default_str();
  app.add_option("--upload-opportunities", upload_opportunities,
                 "opportunities of the second snapshot, streamed as generated")
      ->check(CLI::Range(int64_t{1}, int64_t{5'000'000}))->capture_default_str();
  app.add_option("--warm-calls", warm_calls, "identical calls after the cold ones")
      ->check(CLI::Range(1, 100'000))->capture_default_str();
  app.add_option("--seed", seed, "seed of the synthetic company")->capture_default_str();
  app.add_option("--as-of", as_of_text, "the snapshots' as-of date, YYYY-MM-DD (default: today)");
  CLI11_PARSE(app, argc, argv);
  constexpr int kColdRuns = 3;

  Date as_of = Today();
  if (!as_of_text.empty()) {
    auto parsed = ParseDate(as_of_text);
    if (!parsed) {
      std::fprintf(stderr, "report_latency: --as-of: not a date: %s\n", as_of_text.c_str());
      return 2;
    }
    as_of = *parsed;
  }
  auto fail = [](const std::string& what) {
    std::fprintf(stderr, "report_latency: %s\n", what.c_str());
    return 1;
  };

  // --- The stack: store (append-only file, appendfsync always, as scripts/stack runs it) and
  // cache, then forecast <- quota <- reporting, all on 127.0.0.1. Every object stops its process
  // when it goes out of scope (the services with SIGKILL on an error path), and every child dies
  // with this process (PR_SET_PDEATHSIG).
  testing::RedisServerOptions store_options;
  store_options.persistence = true;
  testing::RedisServer store(store_options);
  testing::RedisServer cache;
  if (auto s = store.Start(); !s) return fail(absl::StrCat("store redis-server: ", s.message()));
  if (auto s = cache.Start(); !s) return fail(absl::StrCat("cache redis-server: ", s.message()));
  RedisClient cache_client(cache.client_options());
  RedisClient store_client(store.client_options());
  // Forecast and quota are not restarted between the cold calls: without an in-process cache, so
  // that FLUSHDB on the cache Redis leaves them nothing cached (reporting's goes with its restart).
  testing::ServiceProcess forecast("salesops-forecast",
                                   {"--cache-redis", cache.address(), "--local-cache-bytes", "0"});
  if (auto s = forecast.Start(); !s) return fail(s.message());
  testing::ServiceProcess quota("salesops-quota",
                                {"--store-redis", store.address(), "--cache-redis", cache.address(),
                                 "--local-cache-bytes", "0", "--forecast-addr", forecast.address()});
  if (auto s = quota.Start(); !s) return fail(s.message());
  testing::ServiceProcess reporting(
      "salesops-reporting", {"--store-redis", store.address(), "--cache-redis", cache.address(),
                             "--forecast-addr", forecast.address(), "--quota-addr", quota.address()});
  std::unique_ptr<v1::ReportingService::Stub> stub;
  // (Re)starts salesops-reporting (a new port each time) and connects to it.
  auto restart_reporting = [&]() -> bool {
    // Our connection closed first: a server with an idle client connection open takes its whole
    // --drain-seconds to stop.
    stub.reset();
    reporting.Stop();
    if (auto s = reporting.Start(); !s) {
      std::fprintf(stderr, "report_latency: %s\n", s.message());
      return false;
    }
    auto channel = reporting.Channel();
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::fprintf(stderr, "report_latency: cannot connect to %s\n", reporting.address().c_str());
      return false;
    }
    stub = v1::ReportingService::NewStub(channel);
    return true;
  };
  if (!restart_reporting()) return 1;

  // --- 1. The reported snapshot.
  const Company company = MakeCompany(reps, as_of, seed);
  OpportunityGenerator generator(company, seed, "OPP", opportunities);
  const UploadResult snapshot = Upload(*stub, company, generator, opportunities);
  if (!snapshot.ok) return 1;
  std::printf("uploaded snapshot %s: %lld opportunities, %d reps, %zu nodes, %.1f MB, %.2f s\n",
              snapshot.info.snapshot_id().substr(0, 12).c_str(),
              static_cast<long long>(opportunities), reps, company.territories.size(),
              snapshot.serialized_bytes / 1e6, snapshot.seconds);

  // --- 2. A quota plan for the current fiscal year over the same hierarchy: EQUAL_SPLIT (needs no
  // history) of last fiscal year's closed-won plus 20%.
  const int fiscal_year = FiscalYearOf(as_of, kFiscalStartMonth);
  int64_t target = generator.WonIn(fiscal_year - 1) * 12 / 10;
  if (target <= 0) target = int64_t{100'000'000} * 100;  // no bookings last year: 100M USD
  v1::CreatePlanRequest plan_request;
  plan_request.set_name(absl::StrCat("report_latency FY", fiscal_year));
  plan_request.set_fiscal_year(fiscal_year);
  plan_request.mutable_calendar()->set_start_month(kFiscalStartMonth);
  *plan_request.mutable_target() = MakeMoney(kCurrency, target);
  plan_request.set_method(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  for (const auto& t : company.territories) *plan_request.add_territories() = t;
  for (const auto& r : company.reps) *plan_request.add_reps() = r;
  plan_request.set_created_by("bench/report_latency");
  plan_request.set_reason("benchmark");
  v1::Plan plan;
  {
    auto quota_stub = v1::QuotaService::NewStub(quota.Channel());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    grpc::Status status = quota_stub->CreatePlan(&context, plan_request, &plan);
    if (!status.ok()) return fail(absl::StrCat("CreatePlan failed: ", GrpcError(status)));
  }
  std::printf("plan %s: FY%d, target %.1fM USD, EQUAL_SPLIT\n", plan.plan_id().c_str(), fiscal_year,
              target / 1e8);

  // --- 3. The report: current quarter, root node.
  const FiscalPeriod quarter = PeriodContaining(as_of, PeriodKind::kQuarter, kFiscalStartMonth);
  v1::AttainmentReportRequest request;
  request.set_snapshot_id(snapshot.info.snapshot_id());
  request.set_plan_id(plan.plan_id());
  *request.mutable_period() = ToProto(quarter);
  request.set_node_id(kRootId);
  const int expected_rows = static_cast<int>(company.territories.size() + company.reps.size());
  auto call = [&](v1::AttainmentReportResponse* response, double* ms) -> bool {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    const auto started = Clock::now();
    grpc::Status status = stub->AttainmentReport(&context, request, response);
    *ms = Ms(Clock::now() - started);
    if (!status.ok()) {
      std::fprintf(stderr, "report_latency: AttainmentReport failed: %s\n", GrpcError(status).c_str());
      return false;
    }
    return true;
  };

  // Cold: a fresh salesops-reporting (nothing decoded in memory) and an empty cache Redis (no
  // cached report, plan or forecast); the store keeps the snapshot and the plan. The services'
  // own latency histograms say where the time went.
  std::printf("\ncold calls (%s, node %s; salesops-reporting restarted, cache FLUSHDB):\n",
              PeriodName(quarter).c_str(), kRootId);
  std::vector<double> cold_ms;
  v1::AttainmentReportResponse cold_response;
  for (int run = 1; run <= kColdRuns; ++run) {
    if (!restart_reporting()) return 1;
    if (auto flushed = cache_client.Command({"FLUSHDB"}); !flushed.ok())
      return fail(absl::StrCat("FLUSHDB on the cache: ", flushed.status().message()));
    const auto forecast_before = RpcTimes(forecast.ScrapeMetrics());
    const auto quota_before = RpcTimes(quota.ScrapeMetrics());
    double ms = 0;
    if (!call(&cold_response, &ms)) return 1;
    cold_ms.push_back(ms);
    const ServiceTime server = Delta({}, RpcTimes(reporting.ScrapeMetrics()));
    const ServiceTime in_forecast = Delta(forecast_before, RpcTimes(forecast.ScrapeMetrics()));
    const ServiceTime in_quota = Delta(quota_before, RpcTimes(quota.ScrapeMetrics()));
    std::printf("  cold %d: %7.1f ms  (reporting server %.1f ms; server time of its calls, summed "
                "over calls made in parallel: quota %s; forecast %s)\n",
                run, ms, server.ms, in_quota.detail.empty() ? "none" : in_quota.detail.c_str(),
                in_forecast.detail.empty() ? "none" : in_forecast.detail.c_str());
    // The reporting service logs its own split of a built report's time.
    const std::string log = reporting.Log();
    const size_t at = log.rfind("\"attainment_report_built\"");
    if (at != std::string::npos) {
      const size_t begin = log.rfind('\n', at) + 1, end = log.find('\n', at);
      std::printf("          %s\n", log.substr(begin, end == std::string::npos ? end : end - begin).c_str());
    }
  }
  if (cold_response.rows_size() != expected_rows)
    std::printf("  note: %d report rows, expected %d (every node and rep)\n",
                cold_response.rows_size(), expected_rows);

  // Warm: the identical request against the same process, answered from the cache.
  std::vector<double> warm_ms;
  bool identical = true;
  for (int i = 0; i < warm_calls; ++i) {
    v1::AttainmentReportResponse response;
    double ms = 0;
    if (!call(&response, &ms)) return 1;
    warm_ms.push_back(ms);
    identical = identical &&
                google::protobuf::util::MessageDifferencer::Equals(response, cold_response);
  }
  const double cold_median = Percentile(cold_ms, 50);
  std::printf("warm calls (%d): p50 %.2f ms, p90 %.2f ms, max %.2f ms%s\n", warm_calls,
              Percentile(warm_ms, 50), Percentile(warm_ms, 90), Percentile(warm_ms, 100),
              identical ? "" : " (a warm answer differs from the cold one!)");

  // For comparison, what loading and decoding the snapshot costs alone: a cold KpiReport of the
  // same snapshot, period and node (no plan, no forecast calls; the KPIs are one pass).
  double kpi_cold_ms = 0;
  {
    if (!restart_reporting()) return 1;
    if (auto flushed = cache_client.Command({"FLUSHDB"}); !flushed.ok())
      return fail(absl::StrCat("FLUSHDB on the cache: ", flushed.status().message()));
    v1::KpiReportRequest kpi_request;
    kpi_request.set_snapshot_id(request.snapshot_id());
    *kpi_request.mutable_period() = request.period();
    kpi_request.set_node_id(kRootId);
    v1::KpiReportResponse kpi;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    const auto started = Clock::now();
    grpc::Status status = stub->KpiReport(&context, kpi_request, &kpi);
    kpi_cold_ms = Ms(Clock::now() - started);
    if (!status.ok()) return fail(absl::StrCat("KpiReport failed: ", GrpcError(status)));
    std::printf("for comparison, a cold KpiReport of the same snapshot (load + decode + one "
                "pass, no forecasts): %.1f ms\n", kpi_cold_ms);
  }

  // --- 4. The large upload, against a fresh salesops-reporting so that its peak RSS (VmHWM)
  // measures the upload and not the decoded 100k snapshot of the report.
  if (!restart_reporting()) return 1;
  const pid_t reporting_pid = reporting.pid();
  const double hwm_before = bench::ProcStatusMb(reporting_pid, "VmHWM");
  const double store_before = RedisUsedMb(store_client);
  OpportunityGenerator big(company, seed + 1, "UPL", upload_opportunities);
  const UploadResult upload = Upload(*stub, company, big, upload_opportunities);
  if (!upload.ok) return 1;
  const double hwm_after = bench::ProcStatusMb(reporting_pid, "VmHWM");
  const double rss_after = bench::ProcStatusMb(reporting_pid, "VmRSS");
  const double store_after = RedisUsedMb(store_client);
  const double snapshot_mb = upload.serialized_bytes / 1e6;
  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  std::printf("\nupload: %lld opportunities (%.1f MB serialized, %d messages) in %.2f s = %.0f "
              "opportunities/s (client generation %.2f s of it)\n",
              static_cast<long long>(upload_opportunities), snapshot_mb, upload.messages,
              upload.seconds, upload_opportunities / upload.seconds, upload.generate_seconds);
  std::printf("salesops-reporting (pid %d): VmHWM %.1f MB before, %.1f MB after (VmRSS now %.1f "
              "MB); peak / snapshot size = %.2f; store Redis used_memory %.1f -> %.1f MB; this "
              "client's peak RSS %.1f MB\n",
              static_cast<int>(reporting_pid), hwm_before, hwm_after, rss_after,
              hwm_after / snapshot_mb, store_before, store_after, self.ru_maxrss / 1024.0);

  // Orderly shutdown (the destructors would SIGKILL): reporting, quota, forecast; then Redis.
  reporting.Stop();
  quota.Stop();
  forecast.Stop();

  MarkdownTable table({"figure", "measured", "target"});
  table.AddRow({absl::StrFormat("cold AttainmentReport, median of %d (ms)", kColdRuns),
                Fixed(cold_median, 1), "< 1000"});
  table.AddRow({"cold AttainmentReport, each (ms)",
                absl::StrJoin(cold_ms, " / ", [](std::string* out, double v) {
                  absl::StrAppend(out, Fixed(v, 0));
                }),
                ""});
  table.AddRow({"cold KpiReport, same snapshot: load + decode, no forecasts (ms)",
                Fixed(kpi_cold_ms, 1), ""});
  table.AddRow({absl::StrFormat("warm AttainmentReport p50 (ms, %d calls)", warm_calls),
                Fixed(Percentile(warm_ms, 50), 2), "< 20"});
  table.AddRow({"warm AttainmentReport p90 (ms)", Fixed(Percentile(warm_ms, 90), 2), "< 20"});
  table.AddRow({"warm AttainmentReport max (ms)", Fixed(Percentile(warm_ms, 100), 2), ""});
  table.AddRow({absl::StrFormat("upload of %lld opportunities (s)",
                                static_cast<long long>(upload_opportunities)),
                Fixed(upload.seconds, 2), "seconds"});
  table.AddRow({"upload rate (opportunities/s)", Fixed(upload_opportunities / upload.seconds, 0), ""});
  table.AddRow({"salesops-reporting peak RSS before / after upload (MB)",
                absl::StrCat(Fixed(hwm_before, 1), " / ", Fixed(hwm_after, 1)), "bounded"});
  table.AddRow({"peak RSS / serialized snapshot size",
                absl::StrCat(Fixed(hwm_after / snapshot_mb, 2), " (", Fixed(snapshot_mb, 1), " MB)"),
                ""});
  table.AddRow({"peak RSS increase / serialized snapshot size",
                Fixed((hwm_after - hwm_before) / snapshot_mb, 2), ""});
  std::cout << "\n# ReportingService latency (issue 5)\n\n"
            << absl::StrFormat(
                   "Synthetic company (seed %llu, as of %s): %zu nodes (5 regions, %d territories), "
                   "%d reps; reported snapshot %lld opportunities; plan FY%d EQUAL_SPLIT; report "
                   "%s for the root node. Real services on 127.0.0.1 with redis-server as store "
                   "(appendfsync always) and cache; %u hardware threads.\n\n",
                   static_cast<unsigned long long>(seed), FormatDate(as_of),
                   company.territories.size(), company.leaf_territories, reps,
                   static_cast<long long>(opportunities), fiscal_year, PeriodName(quarter),
                   std::thread::hardware_concurrency())
            << table.Render();
  return 0;
}

}  // namespace
}  // namespace salesops::bench

int main(int argc, char** argv) { return salesops::bench::Main(argc, argv); }
