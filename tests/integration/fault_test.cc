// Faults under load, against the real binaries and real redis-server processes on loopback:
//
//  - the cache Redis killed (SIGKILL) and restarted, or hung (SIGSTOP, then SIGCONT), while
//    Forecast and AttainmentReport calls run: no caller sees an error, calls are only slower (a
//    hung one costs the calls it catches one Redis timeout, not every call), and caching works
//    again afterwards;
//  - the store Redis killed or hung while plans, plan overrides and snapshots are written: callers
//    get UNAVAILABLE naming the store (never INTERNAL, never longer than a Redis timeout), every
//    write acknowledged before or after is there once the store is back (from its append-only
//    file after a kill), and the services recover without a restart;
//  - salesops-forecast killed while reports are served: AttainmentReport still answers, every
//    figure but the landing, with landing_unavailable naming the forecast service; plans that need
//    forecasts are UNAVAILABLE naming it; once forecast is back on its port the full report comes
//    back (the degraded one was never cached);
//  - SIGTERM to forecast and to reporting with calls in flight: those calls finish OK, calls made
//    once the drain has begun are refused with UNAVAILABLE, the process exits 0 within its drain.
//
// Each test prints its figures (calls, OK, errors by code, latency, writes acknowledged and
// verified) as lines starting with "[fault]". Every call has a deadline; every phase is timed.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/calendar.h"
#include "common/proto_convert.h"
#include "common/redis_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "health.grpc.pb.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "salesops/v1/reporting.grpc.pb.h"
#include "tests/support/plan_request_data.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"
#include "tools/salesctl/demo_data.h"
#include "tools/salesctl/plan_request.h"
#include "tools/salesctl/snapshot_upload.h"

namespace salesops {
namespace {

using ::testing::HasSubstr;
using testing::MetricValue;
using testing::RedisServer;
using testing::ServiceProcess;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The deadline of every call the tests make.
constexpr auto kCallDeadline = seconds(10);
// ServiceProcess starts every service with --drain-seconds 5.
constexpr auto kDrain = seconds(5);
// A call made just after SIGTERM may still be taken, and then waits behind the calls in flight:
// it may take the whole drain and must not time out first.
constexpr auto kNewcomerDeadline = kDrain + seconds(1);

void SetDeadline(grpc::ClientContext& context, Clock::duration deadline = kCallDeadline) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline));
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

grpc::Status ToGrpc(const absl::Status& s) {
  return s.ok() ? grpc::Status::OK
                : grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

void Report(const std::string& line) { std::cout << "[fault] " << line << std::endl; }

// One call as a caller saw it.
struct CallRecord {
  Clock::time_point start, end;
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;
  std::string kind;  // what was called, e.g. "Forecast"
};

// Counts of a set of calls: by status code, latency, a few messages of each error code.
struct Tally {
  int64_t calls = 0, ok = 0;
  std::map<std::string, int64_t> errors;
  std::map<std::string, std::set<std::string>> messages;  // up to 3 per code
  std::vector<double> latency_ms;

  void Add(const CallRecord& r) {
    ++calls;
    latency_ms.push_back(Ms(r.end - r.start));
    if (r.code == grpc::StatusCode::OK) {
      ++ok;
      return;
    }
    const std::string code = CodeName(r.code);
    ++errors[code];
    if (messages[code].size() < 3) messages[code].insert(r.message.substr(0, 160));
  }
  int64_t error_count() const { return calls - ok; }
  double PercentileMs(double p) const {
    if (latency_ms.empty()) return 0;
    std::vector<double> v = latency_ms;
    std::sort(v.begin(), v.end());
    size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * v.size()));
    return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
  }
  std::string Summary() const {
    std::string out = absl::StrFormat("calls %d, OK %d, errors %d", calls, ok, error_count());
    for (const auto& [code, n] : errors) absl::StrAppend(&out, " ", code, "=", n);
    absl::StrAppend(&out, absl::StrFormat(", p50 %.1f ms, max %.1f ms", PercentileMs(50),
                                          PercentileMs(100)));
    return out;
  }
  std::string Messages() const {
    std::string out;
    for (const auto& [code, texts] : messages)
      for (const auto& t : texts) absl::StrAppend(&out, "\n    ", code, ": ", t);
    return out;
  }
};

// The calls of `records` that started in [from, to) (and of `kind`, when given).
Tally TallyOf(const std::vector<CallRecord>& records, Clock::time_point from, Clock::time_point to,
              const std::string& kind = "") {
  Tally t;
  for (const CallRecord& r : records)
    if (r.start >= from && r.start < to && (kind.empty() || r.kind == kind)) t.Add(r);
  return t;
}

// `threads` threads, each calling call(thread, seq) in a loop until Stop(), 10 ms apart after a
// failure; every call is recorded.
class Load {
 public:
  // Returns the status and fills *kind.
  using Call = std::function<grpc::Status(int thread, int64_t seq, std::string* kind)>;

  Load(int threads, Call call) : call_(std::move(call)) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { Run(i); });
  }
  ~Load() { Stop(); }

  void Stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  // After Stop().
  const std::vector<CallRecord>& records() const { return records_; }

 private:
  void Run(int thread) {
    while (!stop_) {
      CallRecord r;
      r.start = Clock::now();
      grpc::Status s = call_(thread, seq_++, &r.kind);
      r.end = Clock::now();
      r.code = s.error_code();
      r.message = s.error_message();
      {
        std::lock_guard lock(mu_);
        records_.push_back(std::move(r));
      }
      if (!s.ok()) std::this_thread::sleep_for(milliseconds(10));  // as a client backs off
    }
  }

  Call call_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> seq_{0};
  std::mutex mu_;
  std::vector<CallRecord> records_;
  std::vector<std::thread> threads_;
};

// A Forecast request of `series` monthly series, different for every `key`.
v1::ForecastRequest ForecastRequestFor(int64_t key, int series = 4) {
  v1::ForecastRequest request;
  request.set_horizon(12);
  for (int s = 0; s < series; ++s) {
    auto* ts = request.add_series();
    ts->set_id(absl::StrCat("s", s));
    ts->set_granularity(v1::GRANULARITY_MONTH);
    ts->mutable_start()->set_year(2022);
    ts->mutable_start()->set_month(1);
    ts->mutable_start()->set_day(1);
    for (int t = 0; t < 48; ++t)
      ts->add_values(100 + 2 * t + 15 * std::sin(2 * M_PI * t / 12.0) + ((t * 7 + s) % 5) +
                     0.001 * static_cast<double>(key));
  }
  return request;
}

salesctl::DemoCompany MakeCompany(double scale) {
  salesctl::DemoOptions options;
  options.as_of = *ParseDate("2026-11-28");
  options.scale = scale;
  return *salesctl::GenerateDemoCompany(options);
}

// The demo company, small: 1,000 opportunities, 4 regions, 13 territories, 40 reps.
const salesctl::DemoCompany& Company() {
  static const auto* company = new salesctl::DemoCompany(MakeCompany(0.2));
  return *company;
}

// The periods of FY2027 whose landing is still to come on 2026-11-28 (Q4, its months, the year).
std::vector<v1::Period> OpenPeriods() {
  std::vector<v1::Period> out;
  auto add = [&](v1::PeriodType type, int index) {
    v1::Period p;
    p.set_type(type);
    p.set_fiscal_year(2027);
    p.set_index(index);
    out.push_back(p);
  };
  add(v1::PERIOD_TYPE_QUARTER, 4);
  for (int m : {10, 11, 12}) add(v1::PERIOD_TYPE_MONTH, m);
  add(v1::PERIOD_TYPE_YEAR, 1);
  return out;
}

// Attainment requests of the company, one per (plan, open period, territory node): all different.
std::vector<v1::AttainmentReportRequest> DistinctReports(const std::string& snapshot_id,
                                                         const std::vector<std::string>& plan_ids) {
  std::vector<v1::AttainmentReportRequest> out;
  for (const std::string& plan_id : plan_ids) {
    for (const v1::Period& period : OpenPeriods()) {
      for (const auto& node : Company().territories) {
        v1::AttainmentReportRequest r;
        r.set_snapshot_id(snapshot_id);
        r.set_plan_id(plan_id);
        r.set_node_id(node.id());
        *r.mutable_period() = period;
        out.push_back(r);
      }
    }
  }
  return out;
}

// Redis, both roles, and the three services wired as deployed.
class Stack {
 public:
  // `cache`: give the services a cache Redis.
  ::testing::AssertionResult Start(bool cache) {
    if (auto s = store_.Start(); !s) return s;
    std::vector<std::string> cache_args;
    if (cache) {
      if (auto s = cache_.Start(); !s) return s;
      cache_args = {"--cache-redis", cache_.address()};
    }
    auto with = [&](std::vector<std::string> args) {
      args.insert(args.end(), cache_args.begin(), cache_args.end());
      return args;
    };
    forecast_ = std::make_unique<ServiceProcess>("salesops-forecast", with({}));
    if (auto s = forecast_->Start(); !s) return s;
    quota_ = std::make_unique<ServiceProcess>(
        "salesops-quota",
        with({"--store-redis", store_.address(), "--forecast-addr", forecast_->address()}));
    if (auto s = quota_->Start(); !s) return s;
    reporting_ = std::make_unique<ServiceProcess>(
        "salesops-reporting", with({"--store-redis", store_.address(), "--forecast-addr",
                                    forecast_->address(), "--quota-addr", quota_->address()}));
    if (auto s = reporting_->Start(); !s) return s;
    forecast_stub_ = v1::ForecastService::NewStub(forecast_->Channel());
    quota_stub_ = v1::QuotaService::NewStub(quota_->Channel());
    reporting_stub_ = v1::ReportingService::NewStub(reporting_->Channel());
    return ::testing::AssertionSuccess();
  }

  absl::StatusOr<v1::SnapshotInfo> Upload(const salesctl::DemoCompany& company) {
    grpc::ClientContext context;
    SetDeadline(context);
    return salesctl::UploadCompany(*reporting_stub_, context, company, 500);
  }
  grpc::Status CreatePlan(const v1::CreatePlanRequest& request, v1::Plan* plan) {
    grpc::ClientContext context;
    SetDeadline(context);
    return quota_stub_->CreatePlan(&context, request, plan);
  }
  grpc::Status Attainment(const v1::AttainmentReportRequest& request,
                          v1::AttainmentReportResponse* report) {
    grpc::ClientContext context;
    SetDeadline(context);
    return reporting_stub_->AttainmentReport(&context, request, report);
  }
  grpc::Status Forecast(const v1::ForecastRequest& request, v1::ForecastResponse* response) {
    grpc::ClientContext context;
    SetDeadline(context);
    return forecast_stub_->Forecast(&context, request, response);
  }
  // The company uploaded and a plan for it (historical share: no forecasts needed).
  ::testing::AssertionResult UploadCompanyAndPlan(v1::SnapshotInfo* snapshot, v1::Plan* plan,
                                                  const salesctl::DemoCompany& company = Company()) {
    auto info = Upload(company);
    if (!info.ok()) return ::testing::AssertionFailure() << "upload: " << info.status();
    *snapshot = *info;
    auto request = salesctl::PlanRequestFromExport(company, "fault plan", 2027, 6'000'000'000,
                                                   v1::ALLOCATION_METHOD_HISTORICAL_SHARE);
    grpc::Status s = CreatePlan(request, plan);
    if (!s.ok()) return ::testing::AssertionFailure() << "plan: " << s.error_message();
    return ::testing::AssertionSuccess();
  }

  RedisServer store_{testing::RedisServerOptions{.persistence = true, .password = {}}};
  RedisServer cache_;
  std::unique_ptr<ServiceProcess> forecast_, quota_, reporting_;
  std::unique_ptr<v1::ForecastService::Stub> forecast_stub_;
  std::unique_ptr<v1::QuotaService::Stub> quota_stub_;
  std::unique_ptr<v1::ReportingService::Stub> reporting_stub_;
};

// How many keys of a cache namespace ("forecast", "reporting") the cache Redis holds.
size_t CachedKeys(const RedisServer& cache, const std::string& name) {
  RedisClient client(cache.client_options());
  auto keys = client.Command({"KEYS", absl::StrCat("salesops:cache:", name, ":*")});
  return keys.ok() ? keys->elements.size() : 0;
}

double CacheHits(const ServiceProcess& service, const std::string& name) {
  return MetricValue(service.ScrapeMetrics(),
                     absl::StrCat("salesops_cache_requests_total{cache=\"", name,
                                  "\",result=\"hit\"}"));
}

// How a Redis fails in the tests below: killed (SIGKILL; later restarted on the same port, the
// store from its append-only file), or hung (SIGSTOP; the kernel still accepts connections and
// takes commands, nothing answers until SIGCONT).
enum class RedisFault { kKilled, kHung };

void PrintTo(RedisFault fault, std::ostream* os) {
  *os << (fault == RedisFault::kHung ? "hung" : "killed");
}

// The services' Redis command timeout (common/redis_client.h): what a hung Redis costs a call.
const auto kRedisCommandTimeout = RedisOptions().command_timeout;

class RedisFaultTest : public ::testing::TestWithParam<RedisFault> {
 protected:
  bool hung() const { return GetParam() == RedisFault::kHung; }
  const char* fault() const { return hung() ? "hung" : "killed"; }
  // The fault begins.
  void Inflict(RedisServer& redis) const { hung() ? redis.Pause() : redis.Kill(); }
  // The fault ends: a killed Redis restarts on its port (the cache empty, the store replaying its
  // append-only file), a hung one answers again.
  ::testing::AssertionResult Heal(RedisServer& redis) const {
    if (!hung()) return redis.Restart();
    redis.Resume();
    return ::testing::AssertionSuccess();
  }
  // How long the fault lasts: a killed Redis `killed`; a hung one longer than a command timeout and
  // a back-off, so that the services' fail-fast and probing are seen, not only a stall.
  Clock::duration Outage(Clock::duration killed) const {
    return hung() ? kRedisCommandTimeout + seconds(2) : killed;
  }

  // When the phases of a fault under load began: the load alone, the fault, its end, and Redis
  // answering again.
  struct Timeline {
    Clock::time_point start, failed, healing, healed;
  };
  // With the load already running: lets it run `before`, brings the fault on `redis` for
  // Outage(killed), ends it.
  ::testing::AssertionResult RunFault(RedisServer& redis, Clock::duration before,
                                      Clock::duration killed, Timeline* at) const {
    at->start = Clock::now();
    std::this_thread::sleep_for(before);
    at->failed = Clock::now();
    Inflict(redis);
    std::this_thread::sleep_for(Outage(killed));
    at->healing = Clock::now();
    ::testing::AssertionResult healed = Heal(redis);
    at->healed = Clock::now();
    return healed;
  }
};

INSTANTIATE_TEST_SUITE_P(Faults, RedisFaultTest,
                         ::testing::Values(RedisFault::kKilled, RedisFault::kHung),
                         [](const ::testing::TestParamInfo<RedisFault>& info) {
                           return info.param == RedisFault::kHung ? "Hung" : "Killed";
                         });

// How many of `tally`'s calls took at least a Redis command timeout: they waited on a hung Redis.
int64_t WaitedForRedis(const Tally& tally) {
  return std::count_if(tally.latency_ms.begin(), tally.latency_ms.end(), [](double ms) {
    return ms >= Ms(kRedisCommandTimeout) * 0.95;
  });
}

// ---------------------------------------------------------------------------------------------
// 1. The cache Redis killed and restarted, or hung, under load: nobody notices but the clock.
TEST_P(RedisFaultTest, CacheRedisDownUnderLoadCostsOnlyTime) {
  Stack stack;
  ASSERT_TRUE(stack.Start(/*cache=*/true));
  v1::SnapshotInfo snapshot;
  v1::Plan plan;
  ASSERT_TRUE(stack.UploadCompanyAndPlan(&snapshot, &plan));
  v1::AttainmentReportRequest report_request;
  report_request.set_snapshot_id(snapshot.snapshot_id());
  report_request.set_plan_id(plan.plan_id());
  v1::AttainmentReportResponse full_report;
  ASSERT_TRUE(stack.Attainment(report_request, &full_report).ok());
  ASSERT_TRUE(full_report.rows(0).has_landing());

  // Forecast traffic: mostly 16 hot requests (cached), one call in four a request never seen.
  constexpr int kHot = 16;
  for (int k = 0; k < kHot; ++k) {
    v1::ForecastResponse r;
    ASSERT_TRUE(stack.Forecast(ForecastRequestFor(k), &r).ok());
  }
  std::atomic<int64_t> fresh_key{1000};
  Load load(6, [&](int thread, int64_t seq, std::string* kind) -> grpc::Status {
    if (thread < 4) {
      *kind = "Forecast";
      const int64_t key = seq % 4 == 3 ? fresh_key++ : seq % kHot;
      v1::ForecastResponse response;
      grpc::Status s = stack.Forecast(ForecastRequestFor(key), &response);
      if (s.ok() && response.forecasts_size() != 4)
        return grpc::Status(grpc::StatusCode::DATA_LOSS, "wrong number of forecasts");
      return s;
    }
    *kind = "AttainmentReport";
    v1::AttainmentReportResponse report;
    grpc::Status s = stack.Attainment(report_request, &report);
    if (s.ok() && !google::protobuf::util::MessageDifferencer::Equals(report, full_report))
      return grpc::Status(grpc::StatusCode::DATA_LOSS, "a different report");
    return s;
  });
  Timeline at;  // a killed cache comes back empty: it keeps nothing on disk
  ASSERT_TRUE(RunFault(stack.cache_, milliseconds(1500), milliseconds(2500), &at));
  const auto [t0, failed, healing, healed] = at;
  std::this_thread::sleep_for(milliseconds(2500));
  load.Stop();
  const auto end = Clock::now();

  const Tally all = TallyOf(load.records(), t0, end);
  const Tally before = TallyOf(load.records(), t0, failed);
  const Tally down = TallyOf(load.records(), failed, healed);
  const Tally after = TallyOf(load.records(), healed, end);
  Report(absl::StrCat("cache ", fault(), " under load, all: ", all.Summary()));
  Report(absl::StrCat("  cache up:       ", before.Summary()));
  Report(absl::StrCat("  cache down ", static_cast<int>(Ms(healing - failed)), " ms: ",
                      down.Summary()));
  Report(absl::StrCat("  cache back:     ", after.Summary()));
  for (const char* kind : {"Forecast", "AttainmentReport"}) {
    Report(absl::StrCat("  ", kind, " up / down / back p50: ",
                        absl::StrFormat("%.1f / %.1f / %.1f ms",
                                        TallyOf(load.records(), t0, failed, kind).PercentileMs(50),
                                        TallyOf(load.records(), failed, healed, kind).PercentileMs(50),
                                        TallyOf(load.records(), healed, end, kind).PercentileMs(50))));
  }
  EXPECT_EQ(all.error_count(), 0) << all.Summary() << all.Messages();
  EXPECT_GT(down.ok, 10) << "the load did not run while the cache was down";
  if (hung()) {
    // A hung Redis costs the calls waiting on it when it stops and then one probe per back-off,
    // not every call: most calls meanwhile skip the cache at once.
    const int64_t waited = WaitedForRedis(down);
    Report(absl::StrFormat("  calls that waited the %d ms Redis timeout while it hung: %d of %d",
                           static_cast<int>(kRedisCommandTimeout.count()), waited, down.calls));
    EXPECT_LT(waited * 4, down.calls) << down.Summary();
  }
  EXPECT_GT(after.ok, 10);
  EXPECT_GT(TallyOf(load.records(), failed, healed, "AttainmentReport").ok, 0);

  // Caching works again: new results are written to the Redis that came back, and asked again they
  // are hits, answered faster than computed.
  EXPECT_GT(CachedKeys(stack.cache_, "forecast"), 0u) << "nothing cached since it came back";
  const double hits_before = CacheHits(*stack.forecast_, "forecast");
  const v1::ForecastRequest fresh = ForecastRequestFor(999'999, 40);
  v1::ForecastResponse first, second;
  auto c0 = Clock::now();
  ASSERT_TRUE(stack.Forecast(fresh, &first).ok());
  auto c1 = Clock::now();
  ASSERT_TRUE(stack.Forecast(fresh, &second).ok());
  auto c2 = Clock::now();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, second));
  EXPECT_GE(CacheHits(*stack.forecast_, "forecast"), hits_before + 1);
  EXPECT_LT(c2 - c1, c1 - c0);
  // The report too: a report not asked before is stored in the Redis that came back.
  const size_t reports_cached = CachedKeys(stack.cache_, "reporting");
  v1::AttainmentReportRequest other = report_request;
  other.set_node_id(Company().territories[1].id());
  v1::AttainmentReportResponse other_report;
  ASSERT_TRUE(stack.Attainment(other, &other_report).ok());
  EXPECT_GT(CachedKeys(stack.cache_, "reporting"), reports_cached);
  Report(absl::StrFormat(
      "  after it came back: 40-series Forecast computed %.1f ms, then cached %.1f ms; %d forecast "
      "and %d report results in the new cache Redis",
      Ms(c1 - c0), Ms(c2 - c1), CachedKeys(stack.cache_, "forecast"),
      CachedKeys(stack.cache_, "reporting")));
}

// ---------------------------------------------------------------------------------------------
// 2. The store Redis killed or hung under writes: UNAVAILABLE while it is gone, nothing
// acknowledged lost.
TEST_P(RedisFaultTest, StoreRedisDownUnderWritesLosesNothingAcknowledged) {
  Stack stack;
  ASSERT_TRUE(stack.Start(/*cache=*/true));

  std::mutex mu;
  std::vector<v1::Plan> acked_plans;           // every version acknowledged
  std::vector<v1::SnapshotInfo> acked_snapshots;
  int64_t aborted = 0;                         // updates refused as stale (after an unknown outcome)
  salesctl::DemoOptions options;
  options.as_of = *ParseDate("2026-11-28");
  options.scale = 0.04;  // 200 opportunities
  const salesctl::DemoCompany small = *salesctl::GenerateDemoCompany(options);

  // Three plan writers (a plan, then three override edits of it, then the next plan), one
  // snapshot uploader and one reader.
  struct Writer {
    std::optional<v1::Plan> current;
    int edits = 0;
  };
  std::vector<Writer> writers(3);
  std::optional<v1::Plan> first_plan;
  {
    v1::Plan plan;
    ASSERT_TRUE(stack.CreatePlan(testing::SmallPlanRequest(v1::ALLOCATION_METHOD_EQUAL_SPLIT), &plan).ok());
    first_plan = plan;
    acked_plans.push_back(plan);
  }
  Load load(5, [&](int thread, int64_t seq, std::string* kind) -> grpc::Status {
    if (thread < 3) {
      Writer& w = writers[thread];
      grpc::ClientContext context;
      SetDeadline(context, seconds(5));
      v1::Plan result;
      if (!w.current || w.edits >= 3) {
        *kind = "CreatePlan";
        auto request = testing::SmallPlanRequest(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
        request.set_name(absl::StrCat("fault plan ", thread, "-", seq));
        grpc::Status s = stack.quota_stub_->CreatePlan(&context, request, &result);
        if (s.ok()) {
          w.current = result;
          w.edits = 0;
          std::lock_guard lock(mu);
          acked_plans.push_back(result);
        }
        return s;
      }
      *kind = "UpdatePlan";
      v1::UpdatePlanRequest update;
      update.set_plan_id(w.current->plan_id());
      update.set_expected_version(w.current->version());
      *update.mutable_inputs() = w.current->inputs();
      update.mutable_inputs()->clear_overrides();
      auto* o = update.mutable_inputs()->add_overrides();
      o->set_id("NA");
      *o->mutable_quota() = MakeMoney("USD", 40'000'000 + 1000 * seq);
      o->set_note("fault test override");
      update.set_author("fault-test");
      update.set_reason(absl::StrCat("override ", seq));
      grpc::Status s = stack.quota_stub_->UpdatePlan(&context, update, &result);
      ++w.edits;  // tried: failed or not, the writer moves on, so plans are created meanwhile too
      if (s.ok()) {
        w.current = result;
        std::lock_guard lock(mu);
        acked_plans.push_back(result);
      } else if (s.error_code() == grpc::StatusCode::ABORTED) {
        // An earlier edit whose answer was lost with the store was applied after all: read the
        // plan again, as a client would.
        grpc::ClientContext get_context;
        SetDeadline(get_context, seconds(5));
        v1::GetPlanRequest get;
        get.set_plan_id(w.current->plan_id());
        v1::Plan latest;
        if (stack.quota_stub_->GetPlan(&get_context, get, &latest).ok()) w.current = latest;
        std::lock_guard lock(mu);
        ++aborted;
        return grpc::Status::OK;  // counted apart, not as a failure
      }
      return s;
    }
    if (thread == 3) {
      *kind = "UploadSnapshot";
      salesctl::DemoCompany company = small;
      company.opportunities[0].mutable_amount()->set_minor_units(1'000'000 + seq);  // new content
      grpc::ClientContext context;
      SetDeadline(context, seconds(5));
      auto info = salesctl::UploadCompany(*stack.reporting_stub_, context, company, 100);
      if (info.ok()) {
        std::lock_guard lock(mu);
        acked_snapshots.push_back(*info);
      }
      return ToGrpc(info.status());
    }
    *kind = "GetPlan";
    grpc::ClientContext context;
    SetDeadline(context, seconds(5));
    v1::GetPlanRequest get;
    get.set_plan_id(first_plan->plan_id());
    v1::Plan read;
    grpc::Status s = stack.quota_stub_->GetPlan(&context, get, &read);
    std::this_thread::sleep_for(milliseconds(20));
    return s;
  });
  Timeline at;  // a killed store comes back on its port and directory, replaying its AOF
  ASSERT_TRUE(RunFault(stack.store_, milliseconds(2000), milliseconds(2000), &at));
  const auto [t0, failed, healing, healed] = at;
  std::this_thread::sleep_for(milliseconds(2500));
  load.Stop();
  const auto end = Clock::now();

  const auto& records = load.records();
  const Tally all = TallyOf(records, t0, end);
  // Calls made and answered while the store was surely gone (the fault had landed; not yet back).
  // (A call made to a hung store but answered after it came back may have succeeded.)
  Tally down;
  for (const CallRecord& r : records)
    if (r.start >= failed + milliseconds(50) && r.end < healing) down.Add(r);
  const Tally after = TallyOf(records, healed, end);
  Report(absl::StrCat("store ", fault(), " under writes, all: ", all.Summary()));
  Report(absl::StrCat("  store up:   ", TallyOf(records, t0, failed).Summary()));
  Report(absl::StrCat("  store down ", static_cast<int>(Ms(healing - failed)), " ms: ",
                      down.Summary(), down.Messages()));
  Report(absl::StrCat("  store back: ", after.Summary()));
  if (hung()) {
    const Tally outage = TallyOf(records, failed, healing);
    Report(absl::StrFormat("  calls that waited the %d ms Redis timeout while it hung: %d of %d",
                           static_cast<int>(kRedisCommandTimeout.count()), WaitedForRedis(outage),
                           outage.calls));
  }
  for (const char* kind : {"CreatePlan", "UpdatePlan", "UploadSnapshot", "GetPlan"})
    Report(absl::StrCat("  ", kind, ": ", TallyOf(records, t0, end, kind).Summary()));

  // While it is gone: UNAVAILABLE naming the store, nothing else; no call near its deadline.
  EXPECT_GT(down.calls, 10);
  EXPECT_EQ(down.ok, 0) << down.Summary();
  for (const CallRecord& r : records) {
    if (r.code == grpc::StatusCode::OK) continue;
    EXPECT_EQ(r.code, grpc::StatusCode::UNAVAILABLE) << r.kind << ": " << r.message;
    EXPECT_THAT(r.message, HasSubstr("store")) << r.kind;
    EXPECT_LT(r.end - r.start, seconds(3)) << r.kind << ": " << r.message;
  }
  int64_t loading = 0;  // answered while the restarted store replayed its append-only file
  for (const CallRecord& r : records) loading += r.message.find("LOADING") != std::string::npos;
  Report(absl::StrFormat("  UNAVAILABLE while the store replayed its AOF (LOADING): %d", loading));
  // Back without restarting a service: every kind of call succeeds again, and how soon.
  for (const char* kind : {"CreatePlan", "UpdatePlan", "UploadSnapshot", "GetPlan"}) {
    Clock::time_point first_ok = Clock::time_point::max();
    for (const CallRecord& r : records)
      if (r.kind == kind && r.start >= healed && r.code == grpc::StatusCode::OK)
        first_ok = std::min(first_ok, r.end);
    ASSERT_NE(first_ok, Clock::time_point::max()) << kind << " did not recover";
    Report(absl::StrFormat("  %s: first OK %.0f ms after the store answered again", kind,
                           Ms(first_ok - healed)));
  }

  // Every acknowledged write is there, exactly as acknowledged.
  int verified_plans = 0, verified_snapshots = 0;
  for (const v1::Plan& plan : acked_plans) {
    grpc::ClientContext context;
    SetDeadline(context);
    v1::GetPlanRequest get;
    get.set_plan_id(plan.plan_id());
    get.set_version(plan.version());
    v1::Plan read;
    grpc::Status s = stack.quota_stub_->GetPlan(&context, get, &read);
    ASSERT_TRUE(s.ok()) << plan.plan_id() << " v" << plan.version() << ": " << s.error_message();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(read, plan))
        << plan.plan_id() << " v" << plan.version();
    ++verified_plans;
  }
  for (const v1::SnapshotInfo& info : acked_snapshots) {
    grpc::ClientContext context;
    SetDeadline(context);
    v1::GetSnapshotRequest get;
    get.set_snapshot_id(info.snapshot_id());
    v1::SnapshotInfo read;
    grpc::Status s = stack.reporting_stub_->GetSnapshot(&context, get, &read);
    ASSERT_TRUE(s.ok()) << info.snapshot_id() << ": " << s.error_message();
    EXPECT_EQ(read.opportunity_count(), info.opportunity_count());
    EXPECT_EQ(read.snapshot_id(), info.snapshot_id());
    ++verified_snapshots;
  }
  Report(absl::StrFormat(
      "  acknowledged and read back once it was back: %d plan versions, %d snapshots (%d edits "
      "refused as stale after an answer lost with the store)",
      verified_plans, verified_snapshots, aborted));
  EXPECT_GT(verified_plans, 10);
  EXPECT_GT(verified_snapshots, 2);
}

// ---------------------------------------------------------------------------------------------
// 3. salesops-forecast killed under report traffic: reports answer without the landing and say
// why; they come back whole when forecast does, and the partial answers were never cached.
TEST(FaultTest, ForecastKilledReportsDegradeClearlyAndRecover) {
  Stack stack;
  ASSERT_TRUE(stack.Start(/*cache=*/true));
  v1::SnapshotInfo snapshot;
  v1::Plan plan;
  ASSERT_TRUE(stack.UploadCompanyAndPlan(&snapshot, &plan));
  // Three plans: three times as many different reports for the load to ask for.
  std::vector<std::string> plan_ids = {plan.plan_id()};
  for (int i = 0; i < 2; ++i) {
    v1::Plan more;
    ASSERT_TRUE(stack.CreatePlan(salesctl::PlanRequestFromExport(
                                     Company(), "another plan", 2027, 5'000'000'000 + i,
                                     v1::ALLOCATION_METHOD_HISTORICAL_SHARE),
                                 &more).ok());
    plan_ids.push_back(more.plan_id());
  }
  // The load asks for the reports of the first plan while forecast is up (most are cached by
  // the kill), and for those of the other two from the kill on: never asked before, so built.
  const std::vector<v1::AttainmentReportRequest> up_requests =
      DistinctReports(snapshot.snapshot_id(), {plan_ids[0]});
  std::vector<v1::AttainmentReportRequest> down_requests =
      DistinctReports(snapshot.snapshot_id(), {plan_ids[1], plan_ids[2]});
  // Held back for after the kill: asked for the first time while forecast is down.
  const v1::AttainmentReportRequest probe = down_requests.back();
  down_requests.pop_back();
  v1::AttainmentReportResponse cached_before;
  ASSERT_TRUE(stack.Attainment(up_requests[0], &cached_before).ok());
  ASSERT_TRUE(cached_before.landing_unavailable().empty());

  std::atomic<int64_t> degraded{0}, whole{0};
  std::atomic<bool> forecast_killed{false};
  std::atomic<int64_t> down_seq{0};
  Load load(3, [&](int, int64_t seq, std::string* kind) -> grpc::Status {
    *kind = "AttainmentReport";
    v1::AttainmentReportResponse report;
    const v1::AttainmentReportRequest& request =
        forecast_killed ? down_requests[down_seq++ % down_requests.size()]
                        : up_requests[seq % up_requests.size()];
    grpc::Status s = stack.Attainment(request, &report);
    if (!s.ok()) return s;
    if (report.rows_size() == 0) return grpc::Status(grpc::StatusCode::DATA_LOSS, "no rows");
    if (report.landing_unavailable().empty()) {
      ++whole;
      if (!report.rows(0).has_landing()) return grpc::Status(grpc::StatusCode::DATA_LOSS, "no landing");
    } else {
      ++degraded;
      if (report.landing_unavailable().find("forecast service") == std::string::npos)
        return grpc::Status(grpc::StatusCode::DATA_LOSS, report.landing_unavailable());
    }
    return s;
  });
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(milliseconds(1000));
  const auto killed = Clock::now();
  stack.forecast_->Kill();
  forecast_killed = true;
  std::this_thread::sleep_for(milliseconds(1500));

  // While forecast is down. A report never asked before: all its figures, no landing, and why.
  v1::AttainmentReportResponse partial;
  auto p0 = Clock::now();
  grpc::Status status = stack.Attainment(probe, &partial);
  const double partial_ms = Ms(Clock::now() - p0);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(partial.landing_unavailable(), HasSubstr("forecast service"));
  EXPECT_THAT(partial.landing_unavailable(), HasSubstr("UNAVAILABLE"));
  ASSERT_GT(partial.rows_size(), 1);
  for (const auto& row : partial.rows()) EXPECT_FALSE(row.has_landing()) << row.id();
  EXPECT_GT(partial.rows(0).quota().minor_units(), 0);
  // Asked again: built again (not served from a cache), still saying why.
  v1::AttainmentReportResponse partial_again;
  ASSERT_TRUE(stack.Attainment(probe, &partial_again).ok());
  EXPECT_FALSE(partial_again.landing_unavailable().empty());
  // A report cached while forecast was up is still whole: its inputs have not changed.
  v1::AttainmentReportResponse cached;
  ASSERT_TRUE(stack.Attainment(up_requests[0], &cached).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(cached, cached_before));
  // The HTML page needs the landing: UNAVAILABLE naming the forecast service.
  {
    v1::RenderReportRequest render;
    render.set_snapshot_id(probe.snapshot_id());
    render.set_plan_id(probe.plan_id());
    *render.mutable_period() = probe.period();
    render.set_node_id(probe.node_id());
    grpc::ClientContext context;
    SetDeadline(context);
    v1::RenderReportResponse page;
    grpc::Status s = stack.reporting_stub_->RenderReport(&context, render, &page);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("forecast service"));
  }
  // A plan allocated by forecast share cannot be made: UNAVAILABLE naming the forecast service.
  const v1::CreatePlanRequest forecast_share = salesctl::PlanRequestFromExport(
      Company(), "forecast share plan", 2027, 6'000'000'000, v1::ALLOCATION_METHOD_FORECAST_SHARE);
  {
    v1::Plan out;
    grpc::Status s = stack.CreatePlan(forecast_share, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("forecast service"));
    Report(absl::StrCat("  CreatePlan (forecast share) with forecast down: ", CodeName(s.error_code()),
                        ": ", s.error_message().substr(0, 120)));
  }

  // Forecast back on its port: the same report comes back whole, without restarting reporting.
  const auto restarting = Clock::now();
  ASSERT_TRUE(stack.forecast_->RestartOnSamePort());
  const auto restarted = Clock::now();
  v1::AttainmentReportResponse recovered;
  Clock::time_point recovered_at{};
  while (Clock::now() - restarted < seconds(20)) {
    recovered.Clear();
    if (stack.Attainment(probe, &recovered).ok() && recovered.landing_unavailable().empty()) {
      recovered_at = Clock::now();
      break;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_NE(recovered_at, Clock::time_point{}) << "the report did not get its landing back in 20 s";
  ASSERT_EQ(recovered.rows_size(), partial.rows_size());
  for (int i = 0; i < recovered.rows_size(); ++i) {
    EXPECT_TRUE(recovered.rows(i).has_landing()) << recovered.rows(i).id();
    v1::AttainmentRow without = recovered.rows(i);
    without.clear_landing();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(without, partial.rows(i)))
        << "every figure but the landing is the same, row " << i;
  }
  std::this_thread::sleep_for(milliseconds(1000));
  load.Stop();
  const auto end = Clock::now();
  // And plans by forecast share work again.
  {
    v1::Plan out;
    grpc::Status s;
    for (int i = 0; i < 100; ++i) {
      s = stack.CreatePlan(forecast_share, &out);
      if (s.ok()) break;
      std::this_thread::sleep_for(milliseconds(100));
    }
    EXPECT_TRUE(s.ok()) << s.error_message();
  }

  const Tally all = TallyOf(load.records(), t0, end);
  Report(absl::StrCat("forecast killed under report load, all: ", all.Summary()));
  Report(absl::StrCat("  forecast up:   ", TallyOf(load.records(), t0, killed).Summary()));
  Report(absl::StrCat("  forecast down: ", TallyOf(load.records(), killed, restarted).Summary()));
  Report(absl::StrCat("  forecast back: ", TallyOf(load.records(), restarted, end).Summary()));
  Report(absl::StrFormat(
      "  reports whole %d, without landing (saying why) %d; a new report with forecast down %.0f "
      "ms; whole again %.0f ms after forecast was back on its port (down %.1f s)",
      whole.load(), degraded.load(), partial_ms, Ms(recovered_at - restarted),
      std::chrono::duration<double>(restarting - killed).count()));
  Report(absl::StrCat("  landing_unavailable: ", partial.landing_unavailable().substr(0, 140)));
  EXPECT_EQ(all.error_count(), 0) << all.Summary() << all.Messages();
  EXPECT_GT(degraded.load(), 0);
}

// ---------------------------------------------------------------------------------------------
// 4. SIGTERM with calls in flight: they finish, later calls are refused, the process exits 0.

struct DrainResult {
  Tally in_flight;        // calls started before SIGTERM
  int64_t still_running = 0;  // of those, how many were still running when SIGTERM came
  Tally refused;          // calls started after the drain was seen to have begun
  Tally between;          // calls started between SIGTERM and then
  int exit_code = -2;
  Clock::duration exit_after{};
};

// How many calls of `method` ("/salesops.v1.ForecastService/Forecast") `service` has received.
double CallsReceived(const ServiceProcess& service, const std::string& method) {
  return MetricValue(service.ScrapeMetrics(),
                     absl::StrCat("salesops_rpc_started_total{method=\"", method, "\"}"));
}

// Starts `n` calls of `in_flight(i)` (of `method`) at once, sends SIGTERM to `service` as soon as
// it has received them all (its metrics say so: a call still on its way when the process stops
// would be refused, rightly, not cut), keeps making `newcomer()` calls until the process has
// exited, and sorts what happened.
DrainResult DrainUnderLoad(ServiceProcess& service, const std::string& method, int n,
                           const std::function<grpc::Status(int)>& in_flight,
                           const std::function<grpc::Status()>& newcomer) {
  DrainResult result;
  const double received_before = CallsReceived(service, method);
  std::vector<CallRecord> calls(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      calls[i].start = Clock::now();
      grpc::Status s = in_flight(i);
      calls[i].end = Clock::now();
      calls[i].code = s.error_code();
      calls[i].message = s.error_message();
    });
  }
  const auto started = Clock::now();
  while (CallsReceived(service, method) < received_before + n &&
         Clock::now() - started < seconds(10))
    std::this_thread::sleep_for(milliseconds(2));
  Report(absl::StrFormat("SIGTERM %.0f ms after starting %d calls, the service had %.0f of them",
                         Ms(Clock::now() - started), n,
                         CallsReceived(service, method) - received_before));
  const std::string address = service.address();
  std::atomic<bool> exited{false};
  const auto sigterm = Clock::now();
  std::thread stopper([&] {
    result.exit_code = service.Stop();  // SIGTERM, then waits for the exit
    result.exit_after = Clock::now() - sigterm;
    exited = true;
  });
  // One call right after the signal, in the window before the drain is visible: it may be taken
  // (then it must finish) or refused.
  std::vector<CallRecord> later;
  std::mutex later_mu;
  auto record_newcomer = [&] {
    CallRecord r;
    r.start = Clock::now();
    grpc::Status s = newcomer();
    r.end = Clock::now();
    r.code = s.error_code();
    r.message = s.error_message();
    std::lock_guard lock(later_mu);
    later.push_back(r);
  };
  std::thread early(record_newcomer);
  // The drain has begun once the health service no longer says SERVING (on a new connection);
  // from then on, new calls every 20 ms until the process is gone.
  Clock::time_point drain_seen = Clock::time_point::max();
  while (!exited) {
    if (drain_seen == Clock::time_point::max()) {
      auto health = grpc::health::v1::Health::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
      grpc::ClientContext context;
      SetDeadline(context, seconds(1));
      grpc::health::v1::HealthCheckRequest request;
      grpc::health::v1::HealthCheckResponse response;
      grpc::Status s = health->Check(&context, request, &response);
      if (s.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
        std::this_thread::sleep_for(milliseconds(5));
        continue;
      }
      drain_seen = Clock::now();
    }
    record_newcomer();
    std::this_thread::sleep_for(milliseconds(20));
  }
  early.join();
  stopper.join();
  for (auto& t : threads) t.join();
  for (const CallRecord& r : calls) {
    result.in_flight.Add(r);
    result.still_running += r.end > sigterm;
  }
  for (const CallRecord& r : later) (r.start >= drain_seen ? result.refused : result.between).Add(r);
  return result;
}

void ReportDrain(const std::string& what, const DrainResult& r) {
  Report(absl::StrFormat("SIGTERM to %s: %d calls in flight (%d still running at the signal): %s",
                         what, r.in_flight.calls, r.still_running, r.in_flight.Summary()));
  Report(absl::StrCat("  calls made once draining: ", r.refused.Summary(), r.refused.Messages()));
  Report(absl::StrCat("  calls made between the signal and the drain: ", r.between.Summary(),
                      r.between.Messages()));
  Report(absl::StrFormat("  exit code %d, %.0f ms after SIGTERM (drain limit %d s)", r.exit_code,
                         Ms(r.exit_after), static_cast<int>(kDrain.count())));
}

void ExpectCleanDrain(const DrainResult& r, int n) {
  EXPECT_EQ(r.in_flight.ok, n) << r.in_flight.Summary() << r.in_flight.Messages();
  EXPECT_GE(r.still_running, n / 4) << "the calls were over before the signal: nothing tested";
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LT(r.exit_after, kDrain + milliseconds(500));
  EXPECT_GT(r.refused.calls, 0);
  EXPECT_EQ(r.refused.ok, 0) << r.refused.Summary();
  EXPECT_EQ(r.refused.errors.count("UNAVAILABLE") ? r.refused.errors.at("UNAVAILABLE") : 0,
            r.refused.calls)
      << r.refused.Summary() << r.refused.Messages();
  // Between the signal and the drain a call may still be taken (and then finishes) or refused.
  // A call that reaches the server at the very moment it shuts down, before a handler took it,
  // is answered CANCELLED by gRPC core itself (grpc/grpc#41785, open; 1.51 here) instead of
  // UNAVAILABLE: allowed here in that window only, and counted in the output.
  for (const auto& [code, count] : r.between.errors)
    EXPECT_TRUE(code == "UNAVAILABLE" || code == "CANCELLED") << code << " x" << count;
  if (r.between.messages.count("CANCELLED")) {
    for (const auto& m : r.between.messages.at("CANCELLED")) EXPECT_EQ(m, "CANCELLED");
  }
}

TEST(FaultTest, SigtermDrainsForecastCallsInFlight) {
  ServiceProcess forecast("salesops-forecast", {});  // no cache: every call computes
  ASSERT_TRUE(forecast.Start());
  auto stub = v1::ForecastService::NewStub(forecast.Channel());
  constexpr int kCalls = 8, kProbeSeries = 50;
  // The calls are sized from a probe on this machine: one call alone about 150 ms, so the 8 at
  // once take about 8 / cores times that (0.6 s on 2 cores when nothing else runs, a few times
  // more on a busy sanitized CI machine) and always fit the 5 s drain.
  double probe_ms = 0;
  {
    grpc::ClientContext context;
    SetDeadline(context);
    v1::ForecastResponse response;
    const auto t = Clock::now();
    ASSERT_TRUE(stub->Forecast(&context, ForecastRequestFor(4999, kProbeSeries), &response).ok());
    probe_ms = Ms(Clock::now() - t);
  }
  const int series = std::clamp(static_cast<int>(kProbeSeries * 150.0 / probe_ms), 4, kProbeSeries);
  Report(absl::StrFormat("%d series per call (one call of %d series alone: %.0f ms)", series,
                         kProbeSeries, probe_ms));
  DrainResult r = DrainUnderLoad(
      forecast, "/salesops.v1.ForecastService/Forecast", kCalls,
      [&](int i) {
        grpc::ClientContext context;
        SetDeadline(context);
        v1::ForecastResponse response;
        grpc::Status s = stub->Forecast(&context, ForecastRequestFor(5000 + i, series), &response);
        if (s.ok() && response.forecasts_size() != series)
          return grpc::Status(grpc::StatusCode::DATA_LOSS, "wrong number of forecasts");
        return s;
      },
      [&] {
        grpc::ClientContext context;
        SetDeadline(context, kNewcomerDeadline);
        v1::ForecastResponse response;
        return stub->Forecast(&context, ForecastRequestFor(1, 1), &response);
      });
  ReportDrain("salesops-forecast", r);
  ExpectCleanDrain(r, kCalls);
}

TEST(FaultTest, SigtermDrainsReportCallsInFlight) {
  Stack stack;
  ASSERT_TRUE(stack.Start(/*cache=*/false));  // no cache: every report is built
  v1::SnapshotInfo snapshot;
  v1::Plan plan;
  // Five times the company's deals (5,000): reports that take a while.
  ASSERT_TRUE(stack.UploadCompanyAndPlan(&snapshot, &plan, MakeCompany(1.0)));
  const auto requests = DistinctReports(snapshot.snapshot_id(), {plan.plan_id()});
  // More calls than handler threads: some wait in the queue when the signal comes, and must not
  // be dropped either. The biggest reports first: the whole company, then the regions.
  constexpr int kCalls = 32;
  std::vector<v1::AttainmentReportRequest> slow;
  for (const auto& node : Company().territories)
    for (const auto& r : requests)
      if (r.node_id() == node.id() && slow.size() < kCalls) slow.push_back(r);
  // One report first (not one of those below), so every channel on the way is connected.
  {
    v1::AttainmentReportResponse report;
    ASSERT_TRUE(stack.Attainment(requests.back(), &report).ok());
  }
  DrainResult r = DrainUnderLoad(
      *stack.reporting_, "/salesops.v1.ReportingService/AttainmentReport", kCalls,
      [&](int i) {
        v1::AttainmentReportResponse report;
        grpc::Status s = stack.Attainment(slow[i], &report);
        if (s.ok() && !report.landing_unavailable().empty())
          return grpc::Status(grpc::StatusCode::DATA_LOSS, report.landing_unavailable());
        return s;
      },
      [&] {
        grpc::ClientContext context;
        SetDeadline(context, kNewcomerDeadline);
        v1::GetSnapshotRequest get;
        get.set_snapshot_id(snapshot.snapshot_id());
        v1::SnapshotInfo info;
        return stack.reporting_stub_->GetSnapshot(&context, get, &info);
      });
  ReportDrain("salesops-reporting", r);
  ExpectCleanDrain(r, kCalls);
}

}  // namespace
}  // namespace salesops
