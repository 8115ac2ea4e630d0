// ReportingService's snapshot listing and deletion and its pipeline and KPI reports, on the real
// stack: redis-server for store and cache, salesops-forecast, salesops-quota and
// salesops-reporting, gRPC on loopback. Two snapshots of the demo company: as of the start of
// fiscal Q4 (the baseline) and as of now; salesctl's commands are run against the same stack.
// The landing and forecast accuracy tests add the company's past: views every 14 days
// over the year before now (UploadPastViews), as weekly CRM exports would have stored them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/calendar.h"
#include "common/proto_convert.h"
#include "common/redis_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
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
using ::testing::ElementsAreArray;
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

// What a snapshot of `company` forecast for the period [first, last] in its top row (the whole
// company), computed from the raw opportunities: closed-won to date (close date in the period up
// to the as-of date), then the cumulative categories of the deals open in the period (not closed,
// not OMITTED, closing in it), and closed-won + the CRM-probability-weighted open pipeline.
struct TopForecasts {
  int64_t closed = 0, commit = 0, best_case = 0, pipeline = 0, weighted = 0;
};
TopForecasts ForecastsIn(const salesctl::DemoCompany& company, const char* first, const char* last) {
  const Date as_of = *FromProto(company.header.as_of());
  const std::string so_far = FormatDate(std::min(as_of, D(last)));
  TopForecasts f;
  int64_t commit = 0, best_case = 0, other = 0;
  double weighted = 0;
  for (const auto& o : company.opportunities) {
    if (o.closed()) {
      if (o.won() && In(o.close_date(), first, so_far.c_str())) f.closed += o.amount().minor_units();
      continue;
    }
    if (o.forecast_category() == v1::FORECAST_CATEGORY_OMITTED || !In(o.close_date(), first, last))
      continue;
    const int64_t amount = o.amount().minor_units();
    if (o.forecast_category() == v1::FORECAST_CATEGORY_COMMIT) {
      commit += amount;
    } else if (o.forecast_category() == v1::FORECAST_CATEGORY_BEST_CASE) {
      best_case += amount;
    } else {
      other += amount;
    }
    weighted += static_cast<double>(amount) * o.probability();
  }
  f.commit = f.closed + commit;
  f.best_case = f.commit + best_case;
  f.pipeline = f.best_case + other;
  f.weighted = f.closed + std::llround(weighted);
  return f;
}

// Every occurrence of "http://" or "https://" in `html` that is not an XML namespace declaration
// (xmlns="http://www.w3.org/2000/svg" names, it fetches nothing), with some context.
std::vector<std::string> ExternalUrls(const std::string& html) {
  std::vector<std::string> found;
  for (const char* scheme : {"http://", "https://"}) {
    for (size_t at = html.find(scheme); at != std::string::npos; at = html.find(scheme, at + 1)) {
      const size_t from = at >= 16 ? at - 16 : 0;
      const std::string before = html.substr(from, at - from);
      if (before.ends_with("xmlns=\"") || before.ends_with("xmlns:xlink=\"")) continue;
      found.push_back(html.substr(from, 80));
    }
  }
  // Nor anything fetched from another host by a protocol-relative reference ("//host/...").
  for (const char* attribute : {"src=\"", "href=\"", "src='", "href='", "url(", "@import"}) {
    const std::string a = attribute;
    for (size_t at = html.find(a); at != std::string::npos; at = html.find(a, at + 1)) {
      std::string value = html.substr(at + a.size(), 8);
      value.erase(0, value.find_first_not_of(" \"'"));
      if (value.starts_with("//") || value.find("://") != std::string::npos)
        found.push_back(html.substr(at, 80));
    }
  }
  return found;
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
    // Redis caches only (--local-cache-bytes 0), so that emptying the cache Redis makes the
    // services build a report anew.
    forecast_ = new ServiceProcess("salesops-forecast", {"--cache-redis", cache_->address(),
                                                         "--local-cache-bytes", "0"});
    ASSERT_TRUE(forecast_->Start());
    quota_ = new ServiceProcess("salesops-quota", {"--store-redis", store_->address(), "--cache-redis",
                                                   cache_->address(), "--forecast-addr",
                                                   forecast_->address(), "--local-cache-bytes", "0"});
    ASSERT_TRUE(quota_->Start());
    reporting_ = new ServiceProcess(
        "salesops-reporting", {"--store-redis", store_->address(), "--cache-redis", cache_->address(),
                               "--forecast-addr", forecast_->address(), "--quota-addr", quota_->address(),
                               "--local-cache-bytes", "0"});
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
    delete past_;
    past_ = nullptr;
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
  grpc::Status Render(const v1::RenderReportRequest& request, v1::RenderReportResponse* out) {
    auto context = Context();
    return stub_->RenderReport(context.get(), request, out);
  }
  grpc::Status Accuracy(const v1::ForecastAccuracyRequest& request, v1::ForecastAccuracyResponse* out) {
    auto context = Context();
    return stub_->ForecastAccuracyReport(context.get(), request, out);
  }

  // The company's past: its views (salesctl::CompanyAsOf) every 14 days back a year from now's
  // as-of date (2026-11-14, 2026-10-31 ... 2025-11-29), uploaded oldest first, once per process
  // (the tests that need them call this; the others see only the two snapshots of the suite).
  struct PastView {
    salesctl::DemoCompany company;
    v1::SnapshotInfo info;
  };
  static constexpr int kPastViews = 26;
  void UploadPastViews() {
    if (past_ != nullptr) return;
    const auto start = std::chrono::steady_clock::now();
    std::vector<Date> weekly = salesctl::WeeklySnapshotDates(D("2026-11-28"), 2 * kPastViews);
    auto views = std::make_unique<std::vector<PastView>>();
    for (int k = 2 * kPastViews - 1; k >= 1; k -= 2) {  // every other week, oldest first
      auto view = salesctl::CompanyAsOf(*now_, weekly[k]);
      ASSERT_TRUE(view.ok()) << FormatDate(weekly[k]) << ": " << view.status();
      auto uploaded = Upload(*view);
      ASSERT_TRUE(uploaded.ok()) << FormatDate(weekly[k]) << ": " << uploaded.status();
      views->push_back({std::move(*view), std::move(*uploaded)});
    }
    ASSERT_EQ(views->size(), static_cast<size_t>(kPastViews));
    ASSERT_EQ(FormatDate(*FromProto(views->front().info.header().as_of())), "2025-11-29");
    ASSERT_EQ(FormatDate(*FromProto(views->back().info.header().as_of())), "2026-11-14");
    std::cerr << "uploaded " << views->size() << " past views in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
              << " s\n";
    past_ = views.release();
  }
  // The uploaded company (a past view, the baseline or now) with that snapshot id; null if none.
  const salesctl::DemoCompany* CompanyWithId(const std::string& id) {
    if (id == now_info_.snapshot_id()) return now_;
    if (id == baseline_info_.snapshot_id()) return baseline_;
    if (past_ != nullptr)
      for (const PastView& p : *past_)
        if (p.info.snapshot_id() == id) return &p.company;
    return nullptr;
  }

  // Every listed snapshot, page by page (newest as-of date first, then newest upload).
  std::vector<v1::SnapshotInfo> ListAllInfos() {
    std::vector<v1::SnapshotInfo> out;
    v1::ListSnapshotsRequest request;
    request.set_page_size(1000);
    for (int pages = 0; pages < 100; ++pages) {
      v1::ListSnapshotsResponse page;
      grpc::Status status = List(request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      out.insert(out.end(), page.snapshots().begin(), page.snapshots().end());
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return out;
  }
  // The earlier snapshots the store's index offers a report on a snapshot as of `as_of`, by the
  // rule snapshot_store.h documents: listed, as-of date in [as_of - window_days, as_of), newest
  // first, at least `gap_days` apart (the newest of each gap kept), at most `max_count`.
  std::vector<v1::SnapshotInfo> EarlierListed(Date as_of, int window_days, int gap_days,
                                              int max_count) {
    std::vector<v1::SnapshotInfo> out;
    int last_kept = 0;
    for (const v1::SnapshotInfo& s : ListAllInfos()) {
      const int day = DayNumber(*FromProto(s.header().as_of()));
      if (day >= DayNumber(as_of) || day < DayNumber(as_of) - window_days) continue;
      if (!out.empty() && day > last_kept - gap_days) continue;
      if (static_cast<int>(out.size()) == max_count) break;
      out.push_back(s);
      last_kept = day;
    }
    return out;
  }

  static RedisServer* store_;
  static RedisServer* cache_;
  static ServiceProcess* forecast_;
  static ServiceProcess* quota_;
  static ServiceProcess* reporting_;
  static salesctl::DemoCompany* now_;
  static salesctl::DemoCompany* baseline_;
  static v1::SnapshotInfo now_info_, baseline_info_;
  static v1::Plan plan_;
  static std::vector<PastView>* past_;
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
std::vector<ReportingReportsTest::PastView>* ReportingReportsTest::past_ = nullptr;

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

TEST_F(ReportingReportsTest, AttainmentLandingIsCalibratedOnTheCompanysEarlierSnapshots) {
  ASSERT_NO_FATAL_FAILURE(UploadPastViews());
  v1::AttainmentReportRequest request;  // period unset: FY2027 Q4, 2026-11-01 .. 2027-01-31
  request.set_snapshot_id(now_info_.snapshot_id());
  request.set_plan_id(plan_.plan_id());
  v1::AttainmentReportResponse report;
  grpc::Status status = Attainment(request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(report.period().index(), 4);
  ASSERT_EQ(report.rows_size(), static_cast<int>(now_->territories.size() + now_->reps.size()));

  // The history: what the index offers (as of within 400 days before, 14 days apart, at most 32),
  // newest first. With the baseline as of 2026-11-01, 13 days before the 2026-11-14 view, left out.
  // The snapshots it may calibrate on: those of quarters over by the as-of date (taken before
  // 2026-11-01), two weeks apart, at most 32 — every one of them is an observation.
  const std::vector<v1::SnapshotInfo> earlier = EarlierListed(D("2026-11-01"), 400, 14, 32);
  std::vector<std::string> expected_ids;
  for (const v1::SnapshotInfo& s : earlier) expected_ids.push_back(s.snapshot_id());
  ASSERT_EQ(expected_ids.size(), static_cast<size_t>(kPastViews - 1));  // not the 2026-11-14 view
  const int usable = static_cast<int>(expected_ids.size());
  ASSERT_FALSE(report.history_snapshot_ids().empty());
  EXPECT_THAT(report.history_snapshot_ids(), ElementsAreArray(expected_ids));
  for (const std::string& id : report.history_snapshot_ids()) {
    const salesctl::DemoCompany* company = CompanyWithId(id);
    ASSERT_NE(company, nullptr) << id << " was not uploaded";
    EXPECT_LT(*FromProto(company->header.as_of()), D("2026-11-28")) << id;
  }

  // The top row against the raw data.
  const v1::AttainmentRow& top = report.rows(0);
  const TopForecasts raw = ForecastsIn(*now_, "2026-11-01", "2027-01-31");
  EXPECT_EQ(top.closed_won().minor_units(), raw.closed);
  EXPECT_EQ(top.categories().closed().minor_units(), raw.closed);
  EXPECT_EQ(top.categories().commit().minor_units(), raw.commit);
  EXPECT_EQ(top.categories().best_case().minor_units(), raw.best_case);
  EXPECT_EQ(top.categories().pipeline().minor_units(), raw.pipeline);
  EXPECT_EQ(top.categories().pipeline().minor_units() - raw.closed,
            OpenIn(*now_, "2026-11-01", "2027-01-31"));
  ASSERT_TRUE(top.has_landing());
  EXPECT_EQ(top.landing().history_snapshots(), usable);
  EXPECT_GT(top.landing().p50().minor_units(), top.closed_won().minor_units());
  EXPECT_GT(top.quota().minor_units(), 0);

  // Every row: a sane landing calibrated on the same history, cumulative categories.
  for (const v1::AttainmentRow& row : report.rows()) {
    const v1::LandingForecast& landing = row.landing();
    ASSERT_TRUE(row.has_landing()) << row.id();
    EXPECT_EQ(landing.history_snapshots(), usable) << row.id();
    EXPECT_LE(landing.p10().minor_units(), landing.p50().minor_units()) << row.id();
    EXPECT_LE(landing.p50().minor_units(), landing.p90().minor_units()) << row.id();
    EXPECT_GE(landing.p10().minor_units(), row.closed_won().minor_units()) << row.id();
    EXPECT_GE(landing.probability_of_quota(), 0.0) << row.id();
    EXPECT_LE(landing.probability_of_quota(), 1.0) << row.id();
    if (row.quota().minor_units() == 0) {
      EXPECT_EQ(landing.probability_of_quota(), 0.0) << row.id();
    }
    const v1::CategoryRollup& c = row.categories();
    EXPECT_EQ(c.closed().minor_units(), row.closed_won().minor_units()) << row.id();
    EXPECT_LE(c.closed().minor_units(), c.commit().minor_units()) << row.id();
    EXPECT_LE(c.commit().minor_units(), c.best_case().minor_units()) << row.id();
    EXPECT_LE(c.best_case().minor_units(), c.pipeline().minor_units()) << row.id();
    EXPECT_EQ(c.pipeline().minor_units() - c.closed().minor_units(),
              row.open_pipeline().minor_units())
        << row.id();
  }

  // The same request again gives the same bytes: from the cache, and built anew once the caches
  // (the reports' and the forecasts') are gone.
  const auto bytes = [](const v1::AttainmentReportResponse& r) {
    std::string out;
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    r.SerializeToCodedStream(&coded);
    coded.Trim();
    return out;
  };
  v1::AttainmentReportResponse again;
  ASSERT_TRUE(Attainment(request, &again).ok());
  EXPECT_EQ(bytes(again), bytes(report));
  RedisClient cache(cache_->client_options());
  ASSERT_TRUE(cache.Command({"FLUSHALL"}).ok());
  v1::AttainmentReportResponse rebuilt;
  status = Attainment(request, &rebuilt);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bytes(rebuilt), bytes(report));

  // A snapshot with no earlier one (the oldest view, as of 2025-11-29): the CRM's probabilities.
  const PastView& oldest = past_->front();
  v1::AttainmentReportRequest first_request;
  first_request.set_snapshot_id(oldest.info.snapshot_id());
  first_request.set_plan_id(plan_.plan_id());
  first_request.mutable_period()->set_type(v1::PERIOD_TYPE_QUARTER);  // the plan's FY2027 Q1
  first_request.mutable_period()->set_fiscal_year(2027);
  first_request.mutable_period()->set_index(1);
  v1::AttainmentReportResponse first;
  status = Attainment(first_request, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(first.history_snapshot_ids().empty());
  ASSERT_GT(first.rows_size(), 0);
  ASSERT_TRUE(first.rows(0).has_landing());
  EXPECT_EQ(first.rows(0).landing().history_snapshots(), 0);
  EXPECT_LE(first.rows(0).landing().p10().minor_units(), first.rows(0).landing().p90().minor_units());
}

TEST_F(ReportingReportsTest, RenderReportIsOneSelfContainedPage) {
  v1::RenderReportRequest request;
  request.set_snapshot_id(now_info_.snapshot_id());
  request.set_plan_id(plan_.plan_id());
  request.set_baseline_snapshot_id(baseline_info_.snapshot_id());
  v1::RenderReportResponse page;
  grpc::Status status = Render(request, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(page.snapshot_id(), now_info_.snapshot_id());
  EXPECT_EQ(page.plan_id(), plan_.plan_id());
  EXPECT_EQ(page.plan_version(), plan_.version());
  EXPECT_FALSE(page.engine_version().empty());

  const std::string& html = page.html();
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>")) << html.substr(0, 100);
  EXPECT_THAT(html, HasSubstr("</html>"));
  for (const char* chart : {"fan-chart", "attainment-chart", "waterfall-chart", "coverage-chart"})
    EXPECT_THAT(html, HasSubstr(absl::StrCat("<svg id=\"", chart, "\""))) << chart;
  for (const char* table : {"attainment-table", "pipeline-table", "waterfall-table"})
    EXPECT_THAT(html, HasSubstr(absl::StrCat("id=\"", table, "\""))) << table;
  // With a baseline, the waterfall is drawn, not the placeholder saying it needs one.
  EXPECT_THAT(html, ::testing::Not(HasSubstr("No baseline snapshot")));
  EXPECT_THAT(ExternalUrls(html), ::testing::IsEmpty());
  EXPECT_THAT(html, ::testing::Not(HasSubstr("<script")));
  // What it was made from: the snapshot (its id shortened), the plan, the baseline, the period.
  EXPECT_THAT(html, HasSubstr("snapshot " + now_info_.snapshot_id().substr(0, 12)));
  EXPECT_THAT(html, HasSubstr("as of 2026-11-28"));
  EXPECT_THAT(html, HasSubstr(absl::StrCat("plan ", plan_.plan_id(), " v", plan_.version())));
  EXPECT_THAT(html, HasSubstr("baseline snapshot " + baseline_info_.snapshot_id().substr(0, 12)));
  EXPECT_THAT(html, HasSubstr("FY2027 Q4"));
  EXPECT_THAT(html, HasSubstr("2026-11-01"));
  EXPECT_THAT(html, HasSubstr("2027-01-31"));
  // The landing's calibration, as the attainment report has it.
  v1::AttainmentReportRequest attainment_request;
  attainment_request.set_snapshot_id(now_info_.snapshot_id());
  attainment_request.set_plan_id(plan_.plan_id());
  v1::AttainmentReportResponse attainment;
  ASSERT_TRUE(Attainment(attainment_request, &attainment).ok());
  const int history = attainment.rows(0).landing().history_snapshots();
  EXPECT_THAT(html, HasSubstr(history > 0 ? absl::StrCat("landing calibrated on ", history, " past snapshot")
                                          : std::string("landing from the CRM")));
  // Every rep of the report has a bar.
  EXPECT_THAT(html, HasSubstr(now_->reps.front().name()));

  // The same request: the same page.
  v1::RenderReportResponse again;
  ASSERT_TRUE(Render(request, &again).ok());
  EXPECT_EQ(again.html(), html);

  // Without a baseline the waterfall says what it needs.
  v1::RenderReportRequest no_baseline = request;
  no_baseline.clear_baseline_snapshot_id();
  v1::RenderReportResponse plain;
  status = Render(no_baseline, &plain);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(plain.html(), HasSubstr("<svg id=\"waterfall-chart\""));
  EXPECT_THAT(plain.html(), HasSubstr("No baseline snapshot"));

  // Bad requests.
  v1::RenderReportRequest no_plan = request;
  no_plan.clear_plan_id();
  status = Render(no_plan, &plain);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("plan_id"));
  v1::RenderReportRequest unknown = request;
  unknown.set_snapshot_id(std::string(64, 'd'));
  status = Render(unknown, &plain);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("snapshot_id: no snapshot"));
  v1::RenderReportRequest unknown_baseline = request;
  unknown_baseline.set_baseline_snapshot_id(std::string(64, 'd'));
  status = Render(unknown_baseline, &plain);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("baseline_snapshot_id"));
  v1::RenderReportRequest bad_id = request;
  bad_id.set_snapshot_id("not-a-snapshot");
  status = Render(bad_id, &plain);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("snapshot_id"));
}

TEST_F(ReportingReportsTest, ForecastAccuracyOfThePastQuartersAgainstWhatClosed) {
  ASSERT_NO_FATAL_FAILURE(UploadPastViews());
  v1::ForecastAccuracyRequest request;
  request.set_snapshot_id(now_info_.snapshot_id());
  request.set_period_type(v1::PERIOD_TYPE_QUARTER);
  request.set_periods(2);  // FY2027 Q2 and Q3
  v1::ForecastAccuracyResponse report;
  grpc::Status status = Accuracy(request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.snapshot_id(), now_info_.snapshot_id());
  EXPECT_FALSE(report.engine_version().empty());
  EXPECT_EQ(report.currency_code(), "USD");
  EXPECT_FALSE(report.node_id().empty());  // the root

  // The snapshots the report may use: the index's before the current quarter (2026-11-01), a
  // week apart, over the periods and the calibration window before them (2 x 92 + 400 days; see
  // BuildAccuracy). Counting from before the current quarter keeps Q3's last day (2026-10-31).
  const std::vector<v1::SnapshotInfo> earlier = EarlierListed(D("2026-11-01"), 2 * 92 + 400, 7, 80);
  struct Quarter {
    int index;
    const char* first;
    const char* last;
  };
  const Quarter quarters[] = {{2, "2026-05-01", "2026-07-31"}, {3, "2026-08-01", "2026-10-31"}};
  ASSERT_EQ(report.periods_size(), 2);  // both quarters have views taken during them
  // Per method: the number of scored forecasts, the sums of |error_pct| and of error_pct.
  struct Sums {
    int count = 0;
    double absolute = 0, signed_ = 0;
    void Add(double error) {
      ++count;
      absolute += std::abs(error);
      signed_ += error;
    }
  };
  std::map<v1::AccuracyMethod, Sums> overall;
  int total_points = 0;
  for (int q = 0; q < 2; ++q) {
    const Quarter& quarter = quarters[q];
    const v1::PeriodAccuracy& period = report.periods(q);
    SCOPED_TRACE(absl::StrCat("FY2027 Q", quarter.index));
    EXPECT_EQ(period.period().type(), v1::PERIOD_TYPE_QUARTER);
    EXPECT_EQ(period.period().fiscal_year(), 2027);
    EXPECT_EQ(period.period().index(), quarter.index);
    EXPECT_EQ(FormatDate(*FromProto(period.period_start())), quarter.first);
    EXPECT_EQ(FormatDate(*FromProto(period.period_end())), quarter.last);
    // What closed: the won deals closing in the quarter, as now's data records them.
    const int64_t actual = ClosedIn(*now_, quarter.first, quarter.last).won_amount;
    ASSERT_GT(actual, 0);
    EXPECT_EQ(period.actual().minor_units(), actual);

    // The points: the snapshots taken during the quarter, oldest first.
    std::vector<std::string> expected_points;
    for (const v1::SnapshotInfo& s : earlier)
      if (In(s.header().as_of(), quarter.first, quarter.last))
        expected_points.insert(expected_points.begin(), s.snapshot_id());
    ASSERT_GE(expected_points.size(), 5u);  // the views every 14 days
    std::vector<std::string> point_ids;
    for (const auto& point : period.points()) point_ids.push_back(point.snapshot_id());
    EXPECT_THAT(point_ids, ElementsAreArray(expected_points));

    std::map<v1::AccuracyMethod, Sums> sums;
    int hits = 0;
    for (const v1::AccuracyPoint& point : period.points()) {
      SCOPED_TRACE(FormatDate(*FromProto(point.as_of())));
      const salesctl::DemoCompany* view = CompanyWithId(point.snapshot_id());
      ASSERT_NE(view, nullptr) << point.snapshot_id() << " was not uploaded";
      EXPECT_EQ(FormatDate(*FromProto(point.as_of())), FormatDate(*FromProto(view->header.as_of())));
      EXPECT_EQ(point.days_before_end(),
                DayNumber(D(quarter.last)) - DayNumber(*FromProto(point.as_of())));
      // What that view forecast, from its raw opportunities.
      const TopForecasts raw = ForecastsIn(*view, quarter.first, quarter.last);
      EXPECT_EQ(point.closed_won_to_date().minor_units(), raw.closed);
      ASSERT_EQ(point.forecasts_size(), 4);
      std::map<v1::AccuracyMethod, int64_t> forecast;
      for (const v1::MethodForecast& f : point.forecasts()) {
        EXPECT_FALSE(forecast.contains(f.method())) << f.method();
        forecast[f.method()] = f.forecast().minor_units();
        EXPECT_NEAR(f.error_pct(),
                    static_cast<double>(f.forecast().minor_units() - actual) / actual * 100.0, 1e-9)
            << f.method();
        sums[f.method()].Add(f.error_pct());
        overall[f.method()].Add(f.error_pct());
      }
      EXPECT_EQ(forecast.size(), 4u);
      EXPECT_EQ(forecast[v1::ACCURACY_METHOD_COMMIT], raw.commit);
      EXPECT_EQ(forecast[v1::ACCURACY_METHOD_BEST_CASE], raw.best_case);
      EXPECT_NEAR(forecast[v1::ACCURACY_METHOD_WEIGHTED_PIPELINE], raw.weighted, 1);
      const int64_t p50 = forecast[v1::ACCURACY_METHOD_LANDING_P50];
      EXPECT_LE(point.landing_p10().minor_units(), p50);
      EXPECT_LE(p50, point.landing_p90().minor_units());
      EXPECT_GE(point.landing_p10().minor_units(), raw.closed);
      // No look-ahead: the landing is the one the attainment report on that snapshot gives for
      // the quarter, calibrated on the snapshots before it alone (here the same for both reports:
      // the views every 14 days since 2025-11-29, all within 400 days).
      {
        v1::AttainmentReportRequest then;
        then.set_snapshot_id(point.snapshot_id());
        then.set_plan_id(plan_.plan_id());
        then.mutable_period()->set_type(v1::PERIOD_TYPE_QUARTER);
        then.mutable_period()->set_fiscal_year(2027);
        then.mutable_period()->set_index(quarter.index);
        v1::AttainmentReportResponse attainment;
        status = Attainment(then, &attainment);
        ASSERT_TRUE(status.ok()) << status.error_message();
        for (const std::string& id : attainment.history_snapshot_ids()) {
          const salesctl::DemoCompany* before = CompanyWithId(id);
          ASSERT_NE(before, nullptr) << id;
          EXPECT_LT(*FromProto(before->header.as_of()), *FromProto(point.as_of())) << id;
        }
        const v1::LandingForecast& landing = attainment.rows(0).landing();
        EXPECT_FALSE(attainment.history_snapshot_ids().empty());
        EXPECT_GT(landing.history_snapshots(), 0);
        EXPECT_EQ(p50, landing.p50().minor_units());
        EXPECT_EQ(point.landing_p10().minor_units(), landing.p10().minor_units());
        EXPECT_EQ(point.landing_p90().minor_units(), landing.p90().minor_units());
      }
      const bool within =
          point.landing_p10().minor_units() <= actual && actual <= point.landing_p90().minor_units();
      EXPECT_EQ(point.actual_within_p10_p90(), within);
      hits += within;
    }
    total_points += period.points_size();
    ASSERT_GT(period.points_size(), 0);
    EXPECT_NEAR(period.landing_interval_hit_rate(), static_cast<double>(hits) / period.points_size(), 1e-12);
    ASSERT_EQ(period.methods_size(), 4);
    for (const v1::MethodAccuracy& m : period.methods()) {
      const Sums& expected = sums[m.method()];
      EXPECT_EQ(expected.count, period.points_size()) << m.method();
      EXPECT_EQ(m.forecasts(), expected.count) << m.method();
      EXPECT_NEAR(m.mean_absolute_error_pct(), expected.absolute / expected.count, 1e-9) << m.method();
      EXPECT_NEAR(m.bias_pct(), expected.signed_ / expected.count, 1e-9) << m.method();
    }
    EXPECT_EQ(sums.size(), 4u);
  }
  ASSERT_EQ(report.overall_size(), 4);
  for (const v1::MethodAccuracy& m : report.overall()) {
    const Sums& expected = overall[m.method()];
    EXPECT_EQ(expected.count, total_points) << m.method();
    EXPECT_EQ(m.forecasts(), total_points) << m.method();
    EXPECT_NEAR(m.mean_absolute_error_pct(), expected.absolute / total_points, 1e-9) << m.method();
    EXPECT_NEAR(m.bias_pct(), expected.signed_ / total_points, 1e-9) << m.method();
  }
  EXPECT_EQ(overall.size(), 4u);

  // Bad requests name the field.
  struct Case {
    std::function<void(v1::ForecastAccuracyRequest&)> mutate;
    grpc::StatusCode code;
    const char* message;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.set_periods(13); }, grpc::StatusCode::INVALID_ARGUMENT, "periods"},
      {[](auto& r) { r.set_periods(-1); }, grpc::StatusCode::INVALID_ARGUMENT, "periods"},
      {[](auto& r) { r.set_period_type(v1::PERIOD_TYPE_YEAR); }, grpc::StatusCode::INVALID_ARGUMENT,
       "period_type"},
      {[](auto& r) { r.set_snapshot_id("not-a-snapshot"); }, grpc::StatusCode::INVALID_ARGUMENT,
       "snapshot_id: not a snapshot id"},
      {[](auto& r) { r.clear_snapshot_id(); }, grpc::StatusCode::INVALID_ARGUMENT, "snapshot_id"},
      {[](auto& r) { r.set_snapshot_id(std::string(64, 'e')); }, grpc::StatusCode::NOT_FOUND,
       "snapshot_id: no snapshot"},
      {[](auto& r) { r.set_node_id("ATLANTIS"); }, grpc::StatusCode::NOT_FOUND, "ATLANTIS"},
  };
  for (const Case& c : cases) {
    v1::ForecastAccuracyRequest bad = request;
    c.mutate(bad);
    v1::ForecastAccuracyResponse out;
    status = Accuracy(bad, &out);
    EXPECT_EQ(status.error_code(), c.code) << c.message << " -> " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace salesops
