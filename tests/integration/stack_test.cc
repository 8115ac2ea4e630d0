// The three services together, as deployed: real Redis for store and cache, the real binaries,
// gRPC on loopback. A report needs the snapshot (reporting), the plan (quota) and forecasts
// (forecasting), and a forecast-share plan goes through the real ForecastService.
#include <map>

#include "common/calendar.h"
#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "salesops/v1/reporting.grpc.pb.h"
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

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return context;
}

class StackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_ = new RedisServer({.persistence = true});
    cache_ = new RedisServer();
    ASSERT_TRUE(store_->Start());
    ASSERT_TRUE(cache_->Start());
    forecast_ = new ServiceProcess("salesops-forecast", {"--cache-redis", cache_->address()});
    ASSERT_TRUE(forecast_->Start());
    quota_ = new ServiceProcess("salesops-quota", {"--store-redis", store_->address(), "--cache-redis",
                                                   cache_->address(), "--forecast-addr",
                                                   forecast_->address()});
    ASSERT_TRUE(quota_->Start());
    reporting_ = new ServiceProcess(
        "salesops-reporting", {"--store-redis", store_->address(), "--cache-redis", cache_->address(),
                               "--forecast-addr", forecast_->address(), "--quota-addr", quota_->address()});
    ASSERT_TRUE(reporting_->Start());

    salesctl::DemoOptions options;
    options.as_of = *ParseDate("2026-11-28");
    company_ = new salesctl::DemoCompany(*salesctl::GenerateDemoCompany(options));
  }

  static void TearDownTestSuite() {
    delete reporting_;
    delete quota_;
    delete forecast_;
    delete cache_;
    delete store_;
    delete company_;
  }

  void SetUp() override {
    ASSERT_TRUE(reporting_->running() && quota_->running() && forecast_->running());
    reporting_stub_ = v1::ReportingService::NewStub(reporting_->Channel());
    quota_stub_ = v1::QuotaService::NewStub(quota_->Channel());
  }

  absl::StatusOr<v1::SnapshotInfo> Upload(const salesctl::DemoCompany& company, int chunk = 1000) {
    auto context = Context();
    return salesctl::UploadCompany(*reporting_stub_, *context, company, chunk);
  }

  absl::StatusOr<v1::Plan> CreatePlan(v1::AllocationMethod method) {
    auto request = salesctl::PlanRequestFromExport(*company_, "test plan", 2027, 6'000'000'000, method);
    auto context = Context();
    v1::Plan plan;
    grpc::Status status = quota_stub_->CreatePlan(context.get(), request, &plan);
    if (!status.ok()) return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
    return plan;
  }

  grpc::Status Report(const v1::AttainmentReportRequest& request, v1::AttainmentReportResponse* out) {
    auto context = Context();
    return reporting_stub_->AttainmentReport(context.get(), request, out);
  }

  static RedisServer* store_;
  static RedisServer* cache_;
  static ServiceProcess* forecast_;
  static ServiceProcess* quota_;
  static ServiceProcess* reporting_;
  static salesctl::DemoCompany* company_;
  std::unique_ptr<v1::ReportingService::Stub> reporting_stub_;
  std::unique_ptr<v1::QuotaService::Stub> quota_stub_;
};

RedisServer* StackTest::store_ = nullptr;
RedisServer* StackTest::cache_ = nullptr;
ServiceProcess* StackTest::forecast_ = nullptr;
ServiceProcess* StackTest::quota_ = nullptr;
ServiceProcess* StackTest::reporting_ = nullptr;
salesctl::DemoCompany* StackTest::company_ = nullptr;

TEST_F(StackTest, SnapshotsAreContentAddressed) {
  auto first = Upload(*company_, 1000);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->snapshot_id().size(), 64u);
  EXPECT_EQ(first->opportunity_count(), static_cast<int64_t>(company_->opportunities.size()));
  EXPECT_EQ(first->rep_count(), static_cast<int64_t>(company_->reps.size()));
  // The same content in other chunk sizes has the same id and is not stored again.
  auto again = Upload(*company_, 777);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->snapshot_id(), first->snapshot_id());
  EXPECT_TRUE(again->already_existed());
  // Different content, different id.
  salesctl::DemoCompany changed = *company_;
  changed.opportunities[10].mutable_amount()->set_minor_units(123);
  auto other = Upload(changed);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->snapshot_id(), first->snapshot_id());

  v1::GetSnapshotRequest get;
  get.set_snapshot_id(first->snapshot_id());
  v1::SnapshotInfo info;
  auto context = Context();
  ASSERT_TRUE(reporting_stub_->GetSnapshot(context.get(), get, &info).ok());
  EXPECT_EQ(info.opportunity_count(), first->opportunity_count());
  EXPECT_EQ(info.header().as_of().year(), 2026);
}

TEST_F(StackTest, BadUploadsAreRejectedNamingTheFieldAndLeaveNothing) {
  struct Case {
    std::function<void(salesctl::DemoCompany&)> mutate;
    const char* message;
  };
  std::vector<Case> cases = {
      {[](auto& c) { c.opportunities[5].set_probability(1.5); }, "chunk[2].opportunities[5].probability"},
      {[](auto& c) { c.opportunities[1500].set_owner_rep_id("NOBODY"); }, "unknown rep \"NOBODY\""},
      {[](auto& c) { c.opportunities[7].mutable_close_date()->set_month(13); }, "chunk[2].opportunities[7].close_date"},
      {[](auto& c) { c.opportunities[8].set_id(c.opportunities[9].id()); }, "chunk[2].opportunities[9].id: duplicate"},
      {[](auto& c) { c.opportunities[3].mutable_amount()->set_currency_code("EUR"); }, "amount.currency_code"},
      {[](auto& c) { c.opportunities[6].mutable_amount()->set_minor_units(int64_t{1} << 54); },
       "chunk[2].opportunities[6].amount.minor_units: 18014398509481984 minor units is beyond the amount limit"},
      {[](auto& c) {
         for (int i = 0; i < 600; ++i) c.opportunities[i].mutable_amount()->set_minor_units(-(int64_t{1} << 53));
       },
       "the amounts add up to more than the total limit of 4611686018427387904 minor units (2^62)"},
      {[](auto& c) { c.header.set_currency_code("dollars"); }, "header.currency_code"},
      {[](auto& c) { c.territories[2].set_parent_id("ATLANTIS"); }, "territories[2].parent_id: unknown node"},
      {[](auto& c) { c.reps[4].set_territory_id(""); }, "reps[4].territory_id: required"},
  };
  for (const auto& c : cases) {
    salesctl::DemoCompany bad = *company_;
    c.mutate(bad);
    auto info = Upload(bad, 1000);
    ASSERT_FALSE(info.ok()) << c.message;
    EXPECT_EQ(info.status().code(), absl::StatusCode::kInvalidArgument) << info.status();
    EXPECT_THAT(std::string(info.status().message()), HasSubstr(c.message));
  }
  // Nothing half-written is left in the store: no upload keys linger.
  RedisClient store(store_->client_options());
  auto keys = store.Command({"KEYS", "salesops:upload:*"});
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->elements.empty());
}

TEST_F(StackTest, PlansAllocateTheTargetAndAreKept) {
  for (auto method : {v1::ALLOCATION_METHOD_EQUAL_SPLIT, v1::ALLOCATION_METHOD_HISTORICAL_SHARE,
                      v1::ALLOCATION_METHOD_FORECAST_SHARE}) {
    auto plan = CreatePlan(method);
    ASSERT_TRUE(plan.ok()) << v1::AllocationMethod_Name(method) << ": " << plan.status();
    EXPECT_EQ(plan->version(), 1);
    // Children's quotas sum to their parent's at every level.
    std::map<std::string, int64_t> child_sum;
    for (const auto& a : plan->allocations()) {
      if (!a.parent_id().empty()) child_sum[a.parent_id()] += a.annual_quota().minor_units();
    }
    for (const auto& a : plan->allocations()) {
      if (child_sum.contains(a.id())) EXPECT_EQ(child_sum[a.id()], a.annual_quota().minor_units()) << a.id();
    }
    EXPECT_EQ(plan->allocations(0).annual_quota().minor_units(), 6'000'000'000);

    v1::GetPlanRequest get;
    get.set_plan_id(plan->plan_id());
    v1::Plan fetched;
    auto context = Context();
    ASSERT_TRUE(quota_stub_->GetPlan(context.get(), get, &fetched).ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(fetched, *plan));
  }
  // Forecast share went through the real ForecastService.
  EXPECT_GE(MetricValue(forecast_->ScrapeMetrics(),
                        "salesops_rpc_requests_total{code=\"OK\",method=\"/salesops.v1.ForecastService/Forecast\"}"),
            1);
  v1::ListPlansRequest list;
  list.set_fiscal_year(2027);
  v1::ListPlansResponse plans;
  auto context = Context();
  ASSERT_TRUE(quota_stub_->ListPlans(context.get(), list, &plans).ok());
  EXPECT_GE(plans.plans_size(), 3);
}

TEST_F(StackTest, AttainmentReportAcrossTheThreeServices) {
  auto snapshot = Upload(*company_);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  auto plan = CreatePlan(v1::ALLOCATION_METHOD_HISTORICAL_SHARE);
  ASSERT_TRUE(plan.ok()) << plan.status();

  v1::AttainmentReportRequest request;
  request.set_snapshot_id(snapshot->snapshot_id());
  request.set_plan_id(plan->plan_id());  // period unset: the quarter of the as-of date
  v1::AttainmentReportResponse report;
  grpc::Status status = Report(request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.period().fiscal_year(), 2027);
  EXPECT_EQ(report.period().index(), 4);  // Nov 2026 is Q4 of FY2027 (February start)
  EXPECT_EQ(report.plan_version(), 1);
  ASSERT_EQ(report.rows_size(),
            static_cast<int>(company_->territories.size() + company_->reps.size()));

  // The company's closed-won in the quarter, counted here from the raw data.
  int64_t won = 0, open = 0;
  for (const auto& o : company_->opportunities) {
    Date close = *FromProto(o.close_date());
    bool in_q4 = close >= *ParseDate("2026-11-01") && close <= *ParseDate("2027-01-31");
    if (in_q4 && o.closed() && o.won() && close <= *ParseDate("2026-11-28")) won += o.amount().minor_units();
    if (in_q4 && !o.closed() && o.forecast_category() != v1::FORECAST_CATEGORY_OMITTED)
      open += o.amount().minor_units();
  }
  const auto& top = report.rows(0);
  EXPECT_EQ(top.depth(), 0);
  EXPECT_EQ(top.closed_won().minor_units(), won);
  EXPECT_EQ(top.open_pipeline().minor_units(), open);
  EXPECT_EQ(top.quota().minor_units(), plan->allocations(0).quarterly_quota(3).minor_units());
  // Landing (ForecastService.ForecastLanding): at least what is won, P10 <= P50 <= P90, at most
  // everything open landing; the categories cumulative from what is won.
  const auto& landing = top.landing();
  EXPECT_GE(landing.p10().minor_units(), won);
  EXPECT_LE(landing.p10().minor_units(), landing.p50().minor_units());
  EXPECT_LE(landing.p50().minor_units(), landing.p90().minor_units());
  EXPECT_GT(landing.p90().minor_units(), landing.p10().minor_units());
  EXPECT_GT(landing.probability_of_quota(), 0.0);
  EXPECT_LT(landing.probability_of_quota(), 1.0);
  EXPECT_EQ(top.categories().closed().minor_units(), won);
  EXPECT_LE(top.categories().commit().minor_units(), top.categories().best_case().minor_units());
  EXPECT_EQ(top.categories().pipeline().minor_units(), won + open);
  // Reps' won adds up to at most the company's (reps count what they own).
  int64_t reps_won = 0;
  for (const auto& row : report.rows())
    if (row.kind() == v1::ROW_KIND_REP) reps_won += row.closed_won().minor_units();
  EXPECT_EQ(reps_won, won);

  // Asking again gives the same report, from the cache.
  v1::AttainmentReportResponse again;
  ASSERT_TRUE(Report(request, &again).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(report, again));
  EXPECT_GE(MetricValue(reporting_->ScrapeMetrics(),
                        "salesops_cache_requests_total{cache=\"reporting\",result=\"hit\"}"),
            1);

  // One region, one month.
  request.set_node_id("EMEA");
  request.mutable_period()->set_type(v1::PERIOD_TYPE_MONTH);
  request.mutable_period()->set_fiscal_year(2027);
  request.mutable_period()->set_index(10);
  v1::AttainmentReportResponse emea;
  ASSERT_TRUE(Report(request, &emea).ok());
  EXPECT_EQ(emea.rows(0).id(), "EMEA");
  EXPECT_EQ(emea.period_start().month(), 11);
  EXPECT_LT(emea.rows_size(), report.rows_size());
}

TEST_F(StackTest, UnknownIdsAndBadRequests) {
  auto snapshot = Upload(*company_);
  ASSERT_TRUE(snapshot.ok());
  auto plan = CreatePlan(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  ASSERT_TRUE(plan.ok());
  struct Case {
    std::function<void(v1::AttainmentReportRequest&)> mutate;
    grpc::StatusCode code;
    const char* message;
  };
  std::vector<Case> cases = {
      {[](auto& r) { r.set_snapshot_id(std::string(64, 'a')); }, grpc::StatusCode::NOT_FOUND, "snapshot_id: no snapshot"},
      {[](auto& r) { r.set_snapshot_id("not-a-hash"); }, grpc::StatusCode::INVALID_ARGUMENT, "snapshot_id: not a snapshot id"},
      {[](auto& r) { r.set_plan_id("plan-does-not-exist"); }, grpc::StatusCode::NOT_FOUND, "plan_id: no plan"},
      {[](auto& r) { r.clear_plan_id(); }, grpc::StatusCode::INVALID_ARGUMENT, "plan_id: required"},
      {[](auto& r) { r.set_plan_version(99); }, grpc::StatusCode::NOT_FOUND, "no version 99"},
      {[](auto& r) { r.set_node_id("ATLANTIS"); }, grpc::StatusCode::NOT_FOUND, "node_id: no node \"ATLANTIS\""},
      {[](auto& r) { r.mutable_period()->set_type(v1::PERIOD_TYPE_QUARTER); r.mutable_period()->set_fiscal_year(2027); r.mutable_period()->set_index(5); },
       grpc::StatusCode::INVALID_ARGUMENT, "period.index: a quarter is 1..4"},
      {[](auto& r) { r.mutable_period()->set_type(v1::PERIOD_TYPE_QUARTER); r.mutable_period()->set_fiscal_year(2026); r.mutable_period()->set_index(1); },
       grpc::StatusCode::FAILED_PRECONDITION, "covers FY2027"},
  };
  for (const auto& c : cases) {
    v1::AttainmentReportRequest request;
    request.set_snapshot_id(snapshot->snapshot_id());
    request.set_plan_id(plan->plan_id());
    c.mutate(request);
    v1::AttainmentReportResponse report;
    grpc::Status status = Report(request, &report);
    EXPECT_EQ(status.error_code(), c.code) << c.message << " -> " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
  }
  // A plan over a hierarchy whose rep sits in an unknown territory.
  auto request = salesctl::PlanRequestFromExport(*company_, "bad", 2027, 10000, v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  request.mutable_reps(0)->set_territory_id("ATLANTIS");
  v1::Plan out;
  auto context = Context();
  grpc::Status status = quota_stub_->CreatePlan(context.get(), request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("reps[0].territory_id: unknown territory \"ATLANTIS\""));
  v1::GetPlanRequest get;
  get.set_plan_id("plan-nope");
  auto context2 = Context();
  EXPECT_EQ(quota_stub_->GetPlan(context2.get(), get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(StackTest, PlansSurviveARestartOfQuotaAndStore) {
  auto plan = CreatePlan(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  ASSERT_TRUE(plan.ok());
  // Crash the store and the service; the append-only file keeps what was acknowledged.
  store_->Kill();
  ASSERT_TRUE(store_->Restart());
  ASSERT_EQ(quota_->Stop(), 0);
  ASSERT_TRUE(quota_->Start());
  quota_stub_ = v1::QuotaService::NewStub(quota_->Channel());
  v1::GetPlanRequest get;
  get.set_plan_id(plan->plan_id());
  v1::Plan fetched;
  auto context = Context();
  grpc::Status status = quota_stub_->GetPlan(context.get(), get, &fetched);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(fetched, *plan));
  // Reporting needs the new quota address: restart it too.
  delete reporting_;
  reporting_ = new ServiceProcess(
      "salesops-reporting", {"--store-redis", store_->address(), "--cache-redis", cache_->address(),
                             "--forecast-addr", forecast_->address(), "--quota-addr", quota_->address()});
  ASSERT_TRUE(reporting_->Start());
}

TEST_F(StackTest, StoreDownIsUnavailableWithAClearMessageAndCacheDownStillAnswers) {
  auto snapshot = Upload(*company_);
  ASSERT_TRUE(snapshot.ok());
  auto plan = CreatePlan(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  ASSERT_TRUE(plan.ok());
  v1::AttainmentReportRequest request;
  request.set_snapshot_id(snapshot->snapshot_id());
  request.set_plan_id(plan->plan_id());
  v1::AttainmentReportResponse with_cache;
  ASSERT_TRUE(Report(request, &with_cache).ok());

  // Cache gone: still the same answer.
  cache_->Kill();
  v1::AttainmentReportResponse without_cache;
  grpc::Status status = Report(request, &without_cache);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(with_cache, without_cache));
  ASSERT_TRUE(cache_->Restart());

  // Store gone: plans cannot be created, and the error says why.
  store_->Kill();
  auto failed = CreatePlan(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr("plan store"));
  ASSERT_TRUE(store_->Restart());
  // And it recovers once the store is back (after the client's back-off).
  absl::StatusOr<v1::Plan> recovered;
  for (int attempt = 0; attempt < 20; ++attempt) {
    recovered = CreatePlan(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
    if (recovered.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_TRUE(recovered.ok()) << recovered.status();
}

}  // namespace
}  // namespace salesops
