// ReportingService's snapshot listing and deletion and its pipeline and KPI reports, on the real
// stack: redis-server for store and cache, salesops-forecast, salesops-quota and
// salesops-reporting, gRPC on loopback. Two snapshots of the demo company: as of the start of
// fiscal Q4 (the baseline) and as of now; salesctl's commands are run against the same stack.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/calendar.h"
#include "common/proto_convert.h"
#include "common/redis_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "salesops/v1/reporting.grpc.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"
#include "tools/salesctl/demo_data.h"
#include "tools/salesctl/plan_request.h"
#include "tools/salesctl/snapshot_upload.h"

namespace salesops {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using testing::MetricValue;
using testing::RedisServer;
using testing::ServiceProcess;

constexpr char kCacheHits[] = "salesops_cache_requests_total{cache=\"reporting\",result=\"hit\"}";

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return context;
}

Date D(const char* text) { return *ParseDate(text); }

bool In(const v1::Date& date, const char* first, const char* last) {
  Date d = *FromProto(date);
  return d >= D(first) && d <= D(last);
}

// Open pipeline as every report counts it: not closed, not OMITTED, closing in [first, last].
int64_t OpenIn(const salesctl::DemoCompany& company, const char* first, const char* last) {
  int64_t sum = 0;
  for (const auto& o : company.opportunities)
    if (!o.closed() && o.forecast_category() != v1::FORECAST_CATEGORY_OMITTED &&
        In(o.close_date(), first, last))
      sum += o.amount().minor_units();
  return sum;
}

struct Closed {
  int64_t won = 0, lost = 0, won_amount = 0;
};
Closed ClosedIn(const salesctl::DemoCompany& company, const char* first, const char* last) {
  Closed c;
  for (const auto& o : company.opportunities) {
    if (!o.closed() || !In(o.close_date(), first, last)) continue;
    if (o.won()) {
      ++c.won;
      c.won_amount += o.amount().minor_units();
    } else {
      ++c.lost;
    }
  }
  return c;
}

// Runs salesctl with `args`; returns its exit code and stdout.
std::pair<int, std::string> Salesctl(const std::string& args) {
  std::string command = testing::BinaryPath("salesctl") + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  std::string out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class ReportingReportsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_ = new RedisServer();
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

    // Now: 2026-11-28, in fiscal Q4 of FY2027 (February start: 2026-11-01 .. 2027-01-31).
    salesctl::DemoOptions options;
    options.as_of = D("2026-11-28");
    now_ = new salesctl::DemoCompany(*salesctl::GenerateDemoCompany(options));
    auto baseline = salesctl::CompanyAsOf(*now_, D("2026-11-01"));
    ASSERT_TRUE(baseline.ok()) << baseline.status();
    baseline_ = new salesctl::DemoCompany(std::move(*baseline));

    auto stub = v1::ReportingService::NewStub(reporting_->Channel());
    // The baseline first, so "newest upload" and "newest as-of" agree for these two.
    for (auto [company, info] : {std::pair{baseline_, &baseline_info_}, std::pair{now_, &now_info_}}) {
      auto context = Context();
      auto uploaded = salesctl::UploadCompany(*stub, *context, *company, 1000);
      ASSERT_TRUE(uploaded.ok()) << uploaded.status();
      *info = *uploaded;
    }
    auto request = salesctl::PlanRequestFromExport(*now_, "FY2027 plan", 2027, 6'000'000'000,
                                                   v1::ALLOCATION_METHOD_HISTORICAL_SHARE);
    auto quota_stub = v1::QuotaService::NewStub(quota_->Channel());
    auto context = Context();
    grpc::Status status = quota_stub->CreatePlan(context.get(), request, &plan_);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  static void TearDownTestSuite() {
    delete reporting_;
    delete quota_;
    delete forecast_;
    delete cache_;
    delete store_;
    delete now_;
    delete baseline_;
  }

  void SetUp() override {
    ASSERT_TRUE(reporting_->running() && quota_->running() && forecast_->running());
    stub_ = v1::ReportingService::NewStub(reporting_->Channel());
  }

  absl::StatusOr<v1::SnapshotInfo> Upload(const salesctl::DemoCompany& company) {
    auto context = Context();
    return salesctl::UploadCompany(*stub_, *context, company, 1000);
  }

  grpc::Status List(const v1::ListSnapshotsRequest& request, v1::ListSnapshotsResponse* out) {
    auto context = Context();
    return stub_->ListSnapshots(context.get(), request, out);
  }
  // Every listed snapshot id, page by page.
  std::vector<std::string> ListAll(int page_size) {
    std::vector<std::string> ids;
    v1::ListSnapshotsRequest request;
    request.set_page_size(page_size);
    for (int pages = 0; pages < 100; ++pages) {
      v1::ListSnapshotsResponse page;
      grpc::Status status = List(request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      EXPECT_LE(page.snapshots_size(), page_size);
      for (const auto& s : page.snapshots()) ids.push_back(s.snapshot_id());
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return ids;
  }
  grpc::Status Get(const std::string& id, v1::SnapshotInfo* out) {
    v1::GetSnapshotRequest request;
    request.set_snapshot_id(id);
    auto context = Context();
    return stub_->GetSnapshot(context.get(), request, out);
  }
  grpc::Status Delete(const std::string& id) {
    v1::DeleteSnapshotRequest request;
    request.set_snapshot_id(id);
    v1::DeleteSnapshotResponse response;
    auto context = Context();
    grpc::Status status = stub_->DeleteSnapshot(context.get(), request, &response);
    if (status.ok()) {
      EXPECT_EQ(response.snapshot_id(), id);
    }
    return status;
  }
  grpc::Status Pipeline(const v1::PipelineReportRequest& request, v1::PipelineReportResponse* out) {
    auto context = Context();
    return stub_->PipelineReport(context.get(), request, out);
  }
  grpc::Status Kpi(const v1::KpiReportRequest& request, v1::KpiReportResponse* out) {
    auto context = Context();
    return stub_->KpiReport(context.get(), request, out);
  }
  grpc::Status Attainment(const v1::AttainmentReportRequest& request,
                          v1::AttainmentReportResponse* out) {
    auto context = Context();
    return stub_->AttainmentReport(context.get(), request, out);
  }
  v1::PipelineReportRequest FullPipelineRequest() {
    v1::PipelineReportRequest request;
    request.set_snapshot_id(now_info_.snapshot_id());
    request.set_baseline_snapshot_id(baseline_info_.snapshot_id());
    request.set_plan_id(plan_.plan_id());
    return request;
  }
  double CacheHits() { return MetricValue(reporting_->ScrapeMetrics(), kCacheHits); }

  static RedisServer* store_;
  static RedisServer* cache_;
  static ServiceProcess* forecast_;
  static ServiceProcess* quota_;
  static ServiceProcess* reporting_;
  static salesctl::DemoCompany* now_;
  static salesctl::DemoCompany* baseline_;
  static v1::SnapshotInfo now_info_, baseline_info_;
  static v1::Plan plan_;
  std::unique_ptr<v1::ReportingService::Stub> stub_;
};

RedisServer* ReportingReportsTest::store_ = nullptr;
RedisServer* ReportingReportsTest::cache_ = nullptr;
ServiceProcess* ReportingReportsTest::forecast_ = nullptr;
ServiceProcess* ReportingReportsTest::quota_ = nullptr;
ServiceProcess* ReportingReportsTest::reporting_ = nullptr;
salesctl::DemoCompany* ReportingReportsTest::now_ = nullptr;
salesctl::DemoCompany* ReportingReportsTest::baseline_ = nullptr;
v1::SnapshotInfo ReportingReportsTest::now_info_;
v1::SnapshotInfo ReportingReportsTest::baseline_info_;
v1::Plan ReportingReportsTest::plan_;

TEST_F(ReportingReportsTest, ListSnapshotsNewestFirstWithCountsInPages) {
  v1::ListSnapshotsResponse list;
  ASSERT_TRUE(List({}, &list).ok());
  ASSERT_EQ(list.snapshots_size(), 2);
  EXPECT_TRUE(list.next_page_token().empty());
  const v1::SnapshotInfo& first = list.snapshots(0);
  const v1::SnapshotInfo& second = list.snapshots(1);
  EXPECT_EQ(first.snapshot_id(), now_info_.snapshot_id());  // as of 2026-11-28
  EXPECT_EQ(second.snapshot_id(), baseline_info_.snapshot_id());  // as of 2026-11-01
  EXPECT_EQ(first.opportunity_count(), static_cast<int64_t>(now_->opportunities.size()));
  EXPECT_EQ(second.opportunity_count(), static_cast<int64_t>(baseline_->opportunities.size()));
  EXPECT_LT(second.opportunity_count(), first.opportunity_count());
  EXPECT_EQ(first.rep_count(), static_cast<int64_t>(now_->reps.size()));
  EXPECT_EQ(first.territory_count(), static_cast<int64_t>(now_->territories.size()));
  EXPECT_EQ(second.header().as_of().day(), 1);
  EXPECT_FALSE(first.already_existed());

  // Same as-of date: the newer upload first. Uploading existing content again changes nothing.
  salesctl::DemoCompany variant = *now_;
  variant.opportunities[3].mutable_amount()->set_minor_units(4242);
  auto uploaded = Upload(variant);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  ASSERT_TRUE(Upload(*baseline_).ok());
  std::vector<std::string> expected = {uploaded->snapshot_id(), now_info_.snapshot_id(),
                                       baseline_info_.snapshot_id()};
  EXPECT_EQ(ListAll(1000), expected);
  // Pages of one and of two give the same sequence.
  EXPECT_EQ(ListAll(1), expected);
  EXPECT_EQ(ListAll(2), expected);

  // Pages are positions: deleting what was already listed neither repeats nor skips the rest.
  v1::ListSnapshotsRequest request;
  request.set_page_size(1);
  v1::ListSnapshotsResponse page1;
  ASSERT_TRUE(List(request, &page1).ok());
  ASSERT_EQ(page1.snapshots(0).snapshot_id(), uploaded->snapshot_id());
  ASSERT_TRUE(Delete(uploaded->snapshot_id()).ok());
  request.set_page_token(page1.next_page_token());
  v1::ListSnapshotsResponse page2;
  ASSERT_TRUE(List(request, &page2).ok());
  ASSERT_EQ(page2.snapshots_size(), 1);
  EXPECT_EQ(page2.snapshots(0).snapshot_id(), now_info_.snapshot_id());

  // Bad requests name the field.
  for (int size : {-1, 1001}) {
    v1::ListSnapshotsRequest bad;
    bad.set_page_size(size);
    v1::ListSnapshotsResponse out;
    grpc::Status status = List(bad, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << size;
    EXPECT_THAT(status.error_message(), HasSubstr("page_size: must be 1..1000"));
  }
  for (const char* token : {"garbage!", "c25hcHNob3RzLXYxOmFiYw"}) {  // the second: a prefix and "abc"
    v1::ListSnapshotsRequest bad;
    bad.set_page_token(token);
    v1::ListSnapshotsResponse out;
    grpc::Status status = List(bad, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << token;
    EXPECT_THAT(status.error_message(), HasSubstr("page_token"));
  }
}

TEST_F(ReportingReportsTest, SnapshotsStoredBeforeTheIndexAreNotListedUntilUploadedAgain) {
  salesctl::DemoCompany legacy = *now_;
  legacy.header.set_source("legacy");
  auto uploaded = Upload(legacy);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  // As a snapshot stored before the index existed: its keys, no index entry.
  RedisClient store(store_->client_options());
  auto removed = store.Command({"ZREM", "salesops:snapshot-index", uploaded->snapshot_id()});
  ASSERT_TRUE(removed.ok());
  ASSERT_EQ(removed->integer, 1);
  std::vector<std::string> listed = ListAll(100);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), uploaded->snapshot_id()), 0);
  v1::SnapshotInfo info;
  EXPECT_TRUE(Get(uploaded->snapshot_id(), &info).ok());  // still there
  // Uploading the same content again lists it (and keeps the stored copy).
  auto again = Upload(legacy);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_existed());
  listed = ListAll(100);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), uploaded->snapshot_id()), 1);
  ASSERT_TRUE(Delete(uploaded->snapshot_id()).ok());
}

TEST_F(ReportingReportsTest, PipelineWithPlanAndBaseline) {
  v1::PipelineReportRequest request = FullPipelineRequest();  // period unset: the current quarter
  v1::PipelineReportResponse report;
  grpc::Status status = Pipeline(request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.snapshot_id(), now_info_.snapshot_id());
  EXPECT_EQ(report.baseline_snapshot_id(), baseline_info_.snapshot_id());
  EXPECT_EQ(report.plan_id(), plan_.plan_id());
  EXPECT_EQ(report.plan_version(), 1);
  EXPECT_FALSE(report.engine_version().empty());
  EXPECT_EQ(report.period().type(), v1::PERIOD_TYPE_QUARTER);
  EXPECT_EQ(report.period().fiscal_year(), 2027);
  EXPECT_EQ(report.period().index(), 4);
  EXPECT_EQ(FormatDate(*FromProto(report.period_start())), "2026-11-01");
  EXPECT_EQ(FormatDate(*FromProto(report.period_end())), "2027-01-31");
  EXPECT_EQ(report.currency_code(), "USD");
  ASSERT_EQ(report.rows_size(), static_cast<int>(now_->territories.size() + now_->reps.size()));

  // The whole company against the raw data.
  const v1::PipelineRow& top = report.rows(0);
  EXPECT_EQ(top.depth(), 0);
  EXPECT_EQ(top.open_pipeline().minor_units(), OpenIn(*now_, "2026-11-01", "2027-01-31"));
  EXPECT_EQ(top.waterfall().starting().minor_units(),
            OpenIn(*baseline_, "2026-11-01", "2027-01-31"));
  int64_t created = 0;
  for (const auto& o : now_->opportunities)
    if (In(o.created_date(), "2026-11-01", "2026-11-28")) ++created;
  EXPECT_EQ(top.created_count(), created);
  EXPECT_GT(top.waterfall().new_pipeline().minor_units() + top.waterfall().won().minor_units() +
                top.waterfall().lost().minor_units(),
            0);

  // Every row: the waterfall adds up to the open pipeline; the categories split it.
  for (const v1::PipelineRow& row : report.rows()) {
    const v1::PipelineWaterfall& w = row.waterfall();
    EXPECT_EQ(w.starting().minor_units() + w.new_pipeline().minor_units() +
                  w.pulled_in().minor_units() - w.pushed_out().minor_units() +
                  w.increased().minor_units() - w.decreased().minor_units() -
                  w.won().minor_units() - w.lost().minor_units(),
              w.ending().minor_units())
        << row.id();
    EXPECT_EQ(w.ending().minor_units(), row.open_pipeline().minor_units()) << row.id();
    EXPECT_LE(row.weighted_pipeline().minor_units(), row.open_pipeline().minor_units()) << row.id();
    EXPECT_LE(row.commit().minor_units() + row.best_case().minor_units() +
                  row.pipeline_category().minor_units(),
              row.open_pipeline().minor_units())
        << row.id();
  }

  // The same rows as the attainment report, with the same open pipeline; the remaining quota is
  // its gap and the coverage its coverage.
  v1::AttainmentReportRequest attainment_request;
  attainment_request.set_snapshot_id(now_info_.snapshot_id());
  attainment_request.set_plan_id(plan_.plan_id());
  v1::AttainmentReportResponse attainment;
  status = Attainment(attainment_request, &attainment);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(attainment.rows_size(), report.rows_size());
  std::map<std::string, const v1::AttainmentRow*> by_id;
  for (const auto& row : attainment.rows()) by_id[row.id()] = &row;
  for (const v1::PipelineRow& row : report.rows()) {
    ASSERT_TRUE(by_id.contains(row.id())) << row.id();
    const v1::AttainmentRow& a = *by_id[row.id()];
    EXPECT_EQ(row.kind(), a.kind()) << row.id();
    EXPECT_EQ(row.open_pipeline().minor_units(), a.open_pipeline().minor_units()) << row.id();
    EXPECT_EQ(row.weighted_pipeline().minor_units(), a.weighted_pipeline().minor_units()) << row.id();
    EXPECT_EQ(row.remaining_quota().minor_units(), a.gap().minor_units()) << row.id();
    EXPECT_NEAR(row.coverage(), a.coverage(), 1e-9) << row.id();
  }

  // Without plan and baseline: no coverage, no waterfall, the same pipeline.
  v1::PipelineReportRequest bare;
  bare.set_snapshot_id(now_info_.snapshot_id());
  v1::PipelineReportResponse plain;
  status = Pipeline(bare, &plain);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(plain.plan_id().empty());
  EXPECT_EQ(plain.plan_version(), 0);
  EXPECT_EQ(plain.rows(0).open_pipeline().minor_units(), top.open_pipeline().minor_units());
  EXPECT_EQ(plain.rows(0).remaining_quota().minor_units(), 0);
  EXPECT_EQ(plain.rows(0).waterfall().starting().minor_units(), 0);

  // One region, one month.
  v1::PipelineReportRequest emea = FullPipelineRequest();
  emea.set_node_id("EMEA");
  emea.mutable_period()->set_type(v1::PERIOD_TYPE_MONTH);
  emea.mutable_period()->set_fiscal_year(2027);
  emea.mutable_period()->set_index(10);
  v1::PipelineReportResponse region;
  status = Pipeline(emea, &region);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(region.rows(0).id(), "EMEA");
  EXPECT_EQ(FormatDate(*FromProto(region.period_end())), "2026-11-30");
  EXPECT_LT(region.rows_size(), report.rows_size());
}

TEST_F(ReportingReportsTest, KpisWithThePriorPeriod) {
  v1::KpiReportRequest request;
  request.set_snapshot_id(now_info_.snapshot_id());
  v1::KpiReportResponse report;
  grpc::Status status = Kpi(request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.snapshot_id(), now_info_.snapshot_id());
  EXPECT_FALSE(report.engine_version().empty());
  EXPECT_EQ(report.period().fiscal_year(), 2027);
  EXPECT_EQ(report.period().index(), 4);
  EXPECT_EQ(report.prior_period().type(), v1::PERIOD_TYPE_QUARTER);
  EXPECT_EQ(report.prior_period().fiscal_year(), 2027);
  EXPECT_EQ(report.prior_period().index(), 3);
  EXPECT_EQ(report.currency_code(), "USD");
  ASSERT_EQ(report.rows_size(), static_cast<int>(now_->territories.size() + now_->reps.size()));

  // The whole company against the raw data: Q4 so far, and all of Q3.
  const Closed now = ClosedIn(*now_, "2026-11-01", "2026-11-28");
  const Closed prior = ClosedIn(*now_, "2026-08-01", "2026-10-31");
  ASSERT_GT(now.won, 0);
  ASSERT_GT(prior.won, 0);
  const v1::KpiRow& top = report.rows(0);
  EXPECT_EQ(top.current().won_count(), now.won);
  EXPECT_EQ(top.current().lost_count(), now.lost);
  EXPECT_EQ(top.current().won_amount().minor_units(), now.won_amount);
  EXPECT_NEAR(top.current().win_rate(), static_cast<double>(now.won) / (now.won + now.lost), 1e-9);
  EXPECT_EQ(top.prior().won_count(), prior.won);
  EXPECT_EQ(top.prior().lost_count(), prior.lost);
  EXPECT_NEAR(top.prior().win_rate(), static_cast<double>(prior.won) / (prior.won + prior.lost), 1e-9);
  EXPECT_NEAR(top.current().average_deal_size().minor_units(),
              static_cast<double>(now.won_amount) / now.won, 1.0);
  EXPECT_GT(top.current().sales_cycle_days(), 0);
  EXPECT_GT(top.current().sales_velocity_per_day().minor_units(), 0);
  EXPECT_GT(top.prior().sales_cycle_days(), 0);

  // Every row: the changes are current - prior.
  int64_t reps_won = 0;
  for (const v1::KpiRow& row : report.rows()) {
    EXPECT_EQ(row.average_deal_size_change().minor_units(),
              row.current().average_deal_size().minor_units() -
                  row.prior().average_deal_size().minor_units())
        << row.id();
    EXPECT_NEAR(row.sales_cycle_days_change(),
                row.current().sales_cycle_days() - row.prior().sales_cycle_days(), 1e-6)
        << row.id();
    EXPECT_EQ(row.sales_velocity_change().minor_units(),
              row.current().sales_velocity_per_day().minor_units() -
                  row.prior().sales_velocity_per_day().minor_units())
        << row.id();
    EXPECT_GE(row.current().win_rate(), 0);
    EXPECT_LE(row.current().win_rate(), 1);
    if (row.kind() == v1::ROW_KIND_REP) reps_won += row.current().won_count();
  }
  EXPECT_EQ(reps_won, now.won);  // reps count what they own
}

TEST_F(ReportingReportsTest, TheSecondIdenticalCallIsServedFromTheCache) {
  // A period no other test asks for, so the first calls are misses.
  v1::Period q3;
  q3.set_type(v1::PERIOD_TYPE_QUARTER);
  q3.set_fiscal_year(2027);
  q3.set_index(3);
  v1::PipelineReportRequest pipeline_request = FullPipelineRequest();
  *pipeline_request.mutable_period() = q3;
  v1::KpiReportRequest kpi_request;
  kpi_request.set_snapshot_id(now_info_.snapshot_id());
  *kpi_request.mutable_period() = q3;

  const double before = CacheHits();
  v1::PipelineReportResponse pipeline1, pipeline2;
  ASSERT_TRUE(Pipeline(pipeline_request, &pipeline1).ok());
  v1::KpiReportResponse kpi1, kpi2;
  ASSERT_TRUE(Kpi(kpi_request, &kpi1).ok());
  const double after_first = CacheHits();
  EXPECT_EQ(after_first, before);
  ASSERT_TRUE(Pipeline(pipeline_request, &pipeline2).ok());
  EXPECT_EQ(CacheHits(), after_first + 1);
  ASSERT_TRUE(Kpi(kpi_request, &kpi2).ok());
  EXPECT_EQ(CacheHits(), after_first + 2);
  EXPECT_TRUE(MessageDifferencer::Equals(pipeline1, pipeline2));
  EXPECT_TRUE(MessageDifferencer::Equals(kpi1, kpi2));

  // The plan's latest version asked for by number is the same request once normalised.
  pipeline_request.set_plan_version(plan_.version());
  v1::PipelineReportResponse pipeline3;
  ASSERT_TRUE(Pipeline(pipeline_request, &pipeline3).ok());
  EXPECT_EQ(CacheHits(), after_first + 3);
  EXPECT_TRUE(MessageDifferencer::Equals(pipeline1, pipeline3));
}

TEST_F(ReportingReportsTest, DeletedSnapshotsAreGoneAndTheirReportsAreNotServed) {
  salesctl::DemoCompany doomed_company = *now_;
  doomed_company.header.set_source("to be deleted");
  auto doomed = Upload(doomed_company);
  ASSERT_TRUE(doomed.ok()) << doomed.status();
  const std::string id = doomed->snapshot_id();

  // Reports on it, now in the cache.
  v1::PipelineReportRequest pipeline_request = FullPipelineRequest();
  pipeline_request.set_snapshot_id(id);
  v1::KpiReportRequest kpi_request;
  kpi_request.set_snapshot_id(id);
  v1::PipelineReportResponse pipeline_before;
  v1::KpiReportResponse kpi_before;
  ASSERT_TRUE(Pipeline(pipeline_request, &pipeline_before).ok());
  ASSERT_TRUE(Kpi(kpi_request, &kpi_before).ok());
  v1::PipelineReportResponse cached;
  ASSERT_TRUE(Pipeline(pipeline_request, &cached).ok());

  grpc::Status status = Delete(id);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::SnapshotInfo info;
  EXPECT_EQ(Get(id, &info).error_code(), grpc::StatusCode::NOT_FOUND);
  std::vector<std::string> listed = ListAll(100);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), id), 0);
  // Nothing of it is left in the store.
  RedisClient store(store_->client_options());
  auto keys = store.Command({"KEYS", absl::StrCat("salesops:snapshot:", id, ":*")});
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->elements.empty());

  // Its reports are NOT_FOUND, though the cache still holds them; as a baseline too.
  const double hits = CacheHits();
  v1::PipelineReportResponse pipeline_after;
  status = Pipeline(pipeline_request, &pipeline_after);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("snapshot_id: no snapshot"));
  v1::KpiReportResponse kpi_after;
  status = Kpi(kpi_request, &kpi_after);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  v1::AttainmentReportRequest attainment_request;
  attainment_request.set_snapshot_id(id);
  attainment_request.set_plan_id(plan_.plan_id());
  v1::AttainmentReportResponse attainment;
  EXPECT_EQ(Attainment(attainment_request, &attainment).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::PipelineReportRequest as_baseline = FullPipelineRequest();
  as_baseline.set_baseline_snapshot_id(id);
  status = Pipeline(as_baseline, &pipeline_after);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("baseline_snapshot_id: no snapshot"));
  EXPECT_EQ(CacheHits(), hits);
  // Deleting twice: NOT_FOUND.
  EXPECT_EQ(Delete(id).error_code(), grpc::StatusCode::NOT_FOUND);

  // The same content uploaded again: the same id, stored anew, and the same reports (which may
  // come from the cache: the id is the content's hash).
  auto again = Upload(doomed_company);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->snapshot_id(), id);
  EXPECT_FALSE(again->already_existed());
  v1::PipelineReportResponse pipeline_again;
  ASSERT_TRUE(Pipeline(pipeline_request, &pipeline_again).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(pipeline_again, pipeline_before));
  ASSERT_TRUE(Delete(id).ok());
}

TEST_F(ReportingReportsTest, BadRequestsNameTheField) {
  const std::string unknown(64, 'c');
  struct PipelineCase {
    std::function<void(v1::PipelineReportRequest&)> mutate;
    grpc::StatusCode code;
    const char* message;
  };
  std::vector<PipelineCase> pipeline_cases = {
      {[](auto& r) { r.clear_snapshot_id(); }, grpc::StatusCode::INVALID_ARGUMENT, "snapshot_id: not a snapshot id"},
      {[&](auto& r) { r.set_snapshot_id(unknown); }, grpc::StatusCode::NOT_FOUND, "snapshot_id: no snapshot"},
      {[](auto& r) { r.set_baseline_snapshot_id("yesterday"); }, grpc::StatusCode::INVALID_ARGUMENT,
       "baseline_snapshot_id: not a snapshot id"},
      {[&](auto& r) { r.set_baseline_snapshot_id(unknown); }, grpc::StatusCode::NOT_FOUND,
       "baseline_snapshot_id: no snapshot"},
      {[](auto& r) { std::string now = r.snapshot_id(); r.set_snapshot_id(r.baseline_snapshot_id()); r.set_baseline_snapshot_id(now); },
       grpc::StatusCode::INVALID_ARGUMENT, "baseline_snapshot_id: the baseline is as of 2026-11-28, after"},
      {[](auto& r) { r.set_plan_version(-1); }, grpc::StatusCode::INVALID_ARGUMENT, "plan_version: must be >= 0"},
      {[](auto& r) { r.clear_plan_id(); r.set_plan_version(2); }, grpc::StatusCode::INVALID_ARGUMENT,
       "plan_version: given without plan_id"},
      {[](auto& r) { r.set_plan_version(99); }, grpc::StatusCode::NOT_FOUND, "no version 99"},
      {[](auto& r) { r.set_plan_id("plan-does-not-exist"); }, grpc::StatusCode::NOT_FOUND, "plan_id: no plan"},
      {[](auto& r) { r.set_node_id("ATLANTIS"); }, grpc::StatusCode::NOT_FOUND, "node_id: no node \"ATLANTIS\""},
      {[](auto& r) { r.mutable_period()->set_type(v1::PERIOD_TYPE_QUARTER); r.mutable_period()->set_fiscal_year(2027); r.mutable_period()->set_index(5); },
       grpc::StatusCode::INVALID_ARGUMENT, "period.index: a quarter is 1..4"},
      {[](auto& r) { r.mutable_period()->set_fiscal_year(2027); r.mutable_period()->set_index(1); },
       grpc::StatusCode::INVALID_ARGUMENT, "period.type"},
      {[](auto& r) { r.mutable_period()->set_type(v1::PERIOD_TYPE_QUARTER); r.mutable_period()->set_fiscal_year(2026); r.mutable_period()->set_index(1); },
       grpc::StatusCode::FAILED_PRECONDITION, "FY2027"},
  };
  for (const auto& c : pipeline_cases) {
    v1::PipelineReportRequest request = FullPipelineRequest();
    c.mutate(request);
    v1::PipelineReportResponse report;
    grpc::Status status = Pipeline(request, &report);
    EXPECT_EQ(status.error_code(), c.code) << c.message << " -> " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
  }

  struct KpiCase {
    std::function<void(v1::KpiReportRequest&)> mutate;
    grpc::StatusCode code;
    const char* message;
  };
  std::vector<KpiCase> kpi_cases = {
      {[](auto& r) { r.set_snapshot_id("ABC"); }, grpc::StatusCode::INVALID_ARGUMENT, "snapshot_id: not a snapshot id"},
      {[&](auto& r) { r.set_snapshot_id(unknown); }, grpc::StatusCode::NOT_FOUND, "snapshot_id: no snapshot"},
      {[](auto& r) { r.set_node_id("ATLANTIS"); }, grpc::StatusCode::NOT_FOUND, "node_id: no node \"ATLANTIS\""},
      {[](auto& r) { r.mutable_period()->set_type(v1::PERIOD_TYPE_MONTH); r.mutable_period()->set_fiscal_year(2027); r.mutable_period()->set_index(13); },
       grpc::StatusCode::INVALID_ARGUMENT, "period.index: a month is 1..12"},
      {[](auto& r) { r.mutable_period()->set_type(v1::PERIOD_TYPE_YEAR); r.mutable_period()->set_fiscal_year(1066); },
       grpc::StatusCode::INVALID_ARGUMENT, "period.fiscal_year"},
  };
  for (const auto& c : kpi_cases) {
    v1::KpiReportRequest request;
    request.set_snapshot_id(now_info_.snapshot_id());
    c.mutate(request);
    v1::KpiReportResponse report;
    grpc::Status status = Kpi(request, &report);
    EXPECT_EQ(status.error_code(), c.code) << c.message << " -> " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
  }

  for (const std::string& id : {std::string("not-a-hash"), std::string()}) {
    grpc::Status status = Delete(id);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("snapshot_id: not a snapshot id"));
  }
  grpc::Status status = Delete(unknown);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("snapshot_id: no snapshot"));
}

TEST_F(ReportingReportsTest, SalesctlListsDeletesAndPrintsTheReports) {
  const std::string addr = absl::StrCat("--reporting-addr ", reporting_->address());
  auto [rc, out] = Salesctl(addr + " snapshots list");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr(now_info_.snapshot_id()));
  EXPECT_THAT(out, HasSubstr("2026-11-28"));
  EXPECT_LT(out.find(now_info_.snapshot_id()), out.find(baseline_info_.snapshot_id()));

  std::tie(rc, out) = Salesctl(addr + " --format json snapshots list --page-size 1 --all");
  ASSERT_EQ(rc, 0) << out;
  v1::ListSnapshotsResponse listed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &listed).ok()) << out;
  ASSERT_GE(listed.snapshots_size(), 2);
  EXPECT_TRUE(listed.next_page_token().empty());

  const std::string pipeline =
      absl::StrCat(" report pipeline --snapshot ", now_info_.snapshot_id(), " --baseline ",
                   baseline_info_.snapshot_id(), " --plan ", plan_.plan_id());
  std::tie(rc, out) = Salesctl(addr + pipeline);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("Pipeline FY2027 Q4 (2026-11-01 .. 2027-01-31), as of 2026-11-28"));
  EXPECT_THAT(out, HasSubstr("coverage"));
  EXPECT_THAT(out, HasSubstr("Waterfall from the baseline"));
  std::tie(rc, out) = Salesctl(addr + " --format csv" + pipeline + " --period FY2027-M11 --node EMEA");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("node / rep,open #,open,"));
  EXPECT_THAT(out, HasSubstr("\n\"Europe, Middle East & Africa\","));  // EMEA first

  std::tie(rc, out) = Salesctl(addr + " report kpi --snapshot " + now_info_.snapshot_id());
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("KPIs FY2027 Q4 against FY2027 Q3"));
  std::tie(rc, out) = Salesctl(addr + " --format json report kpi --snapshot " +
                               now_info_.snapshot_id() + " --period FY2027-Q3");
  ASSERT_EQ(rc, 0) << out;
  v1::KpiReportResponse kpi;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &kpi).ok()) << out;
  EXPECT_EQ(kpi.prior_period().index(), 2);

  // Errors: the server's message, exit code 2 for a bad argument, 1 otherwise.
  std::tie(rc, out) = Salesctl(addr + " report kpi --snapshot nope");
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(out, HasSubstr("snapshot_id: not a snapshot id"));
  std::tie(rc, out) = Salesctl(addr + " report pipeline --snapshot " + now_info_.snapshot_id() +
                               " --period FY2027-Q9");
  EXPECT_EQ(rc, 2) << out;

  salesctl::DemoCompany doomed_company = *now_;
  doomed_company.header.set_source("salesctl delete");
  auto doomed = Upload(doomed_company);
  ASSERT_TRUE(doomed.ok());
  std::tie(rc, out) = Salesctl(addr + " snapshots delete " + doomed->snapshot_id());
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("deleted snapshot " + doomed->snapshot_id()));
  std::tie(rc, out) = Salesctl(addr + " snapshots delete " + doomed->snapshot_id());
  EXPECT_EQ(rc, 1);
  EXPECT_THAT(out, HasSubstr("NOT_FOUND"));
}

}  // namespace
}  // namespace salesops
