// QuotaService as deployed: the real binary on a real store Redis (append-only file on), with the
// real ForecastService behind it. Plans are versioned, edits are optimistic (a stale edit gets
// ABORTED and nothing is lost), approved plans are read-only, and every version survives a crash
// of the store.
#include <atomic>
#include <thread>

#include "common/calendar.h"
#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"
#include "tools/salesctl/demo_data.h"
#include "tools/salesctl/plan_request.h"

namespace salesops {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::RedisServer;
using testing::ServiceProcess;

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return context;
}

class QuotaServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_ = new RedisServer({.persistence = true});
    ASSERT_TRUE(store_->Start());
    forecast_ = new ServiceProcess("salesops-forecast", {});
    ASSERT_TRUE(forecast_->Start());
    quota_ = new ServiceProcess("salesops-quota", {"--store-redis", store_->address(),
                                                   "--forecast-addr", forecast_->address()});
    ASSERT_TRUE(quota_->Start());
    salesctl::DemoOptions options;
    options.as_of = *ParseDate("2026-11-28");
    company_ = new salesctl::DemoCompany(*salesctl::GenerateDemoCompany(options));
  }

  static void TearDownTestSuite() {
    delete quota_;
    delete forecast_;
    delete store_;
    delete company_;
  }

  void SetUp() override {
    ASSERT_TRUE(store_->running() && quota_->running() && forecast_->running());
    stub_ = v1::QuotaService::NewStub(quota_->Channel());
  }

  v1::CreatePlanRequest Request(v1::AllocationMethod method) {
    auto request =
        salesctl::PlanRequestFromExport(*company_, "FY2027 plan", 2027, 6'000'000'000, method);
    request.set_created_by("cro@acme.example");
    request.set_reason("first cut");
    return request;
  }

  v1::Plan Create(const v1::CreatePlanRequest& request) {
    v1::Plan plan;
    auto context = Context();
    grpc::Status status = stub_->CreatePlan(context.get(), request, &plan);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return plan;
  }

  grpc::Status Update(const v1::Plan& read, v1::CreatePlanRequest inputs, const std::string& author,
                      v1::Plan* out) {
    v1::UpdatePlanRequest request;
    request.set_plan_id(read.plan_id());
    request.set_expected_version(read.version());
    *request.mutable_inputs() = std::move(inputs);
    request.set_author(author);
    request.set_reason("override");
    auto context = Context();
    return stub_->UpdatePlan(context.get(), request, out);
  }

  grpc::Status Approve(const v1::Plan& read, v1::Plan* out) {
    v1::ChangePlanStatusRequest request;
    request.set_plan_id(read.plan_id());
    request.set_expected_version(read.version());
    request.set_author("cfo@acme.example");
    request.set_reason("board approved");
    auto context = Context();
    return stub_->ApprovePlan(context.get(), request, out);
  }

  v1::Plan Get(const std::string& plan_id, int version) {
    v1::GetPlanRequest request;
    request.set_plan_id(plan_id);
    request.set_version(version);
    v1::Plan plan;
    auto context = Context();
    grpc::Status status = stub_->GetPlan(context.get(), request, &plan);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return plan;
  }

  // A node that is neither the root nor a rep: the first region.
  static std::string FirstRegion(const v1::Plan& plan) {
    for (const auto& a : plan.allocations())
      if (a.kind() == v1::ALLOCATION_KIND_NODE && !a.parent_id().empty()) return a.id();
    return "";
  }

  static int64_t QuotaOf(const v1::Plan& plan, const std::string& id) {
    for (const auto& a : plan.allocations())
      if (a.id() == id) return a.annual_quota().minor_units();
    return -1;
  }

  static v1::QuotaOverride Override(const std::string& id, int64_t minor_units) {
    v1::QuotaOverride o;
    o.set_id(id);
    *o.mutable_quota() = MakeMoney("USD", minor_units);
    return o;
  }

  static RedisServer* store_;
  static ServiceProcess* forecast_;
  static ServiceProcess* quota_;
  static salesctl::DemoCompany* company_;
  std::unique_ptr<v1::QuotaService::Stub> stub_;
};

RedisServer* QuotaServiceTest::store_ = nullptr;
ServiceProcess* QuotaServiceTest::forecast_ = nullptr;
ServiceProcess* QuotaServiceTest::quota_ = nullptr;
salesctl::DemoCompany* QuotaServiceTest::company_ = nullptr;

TEST_F(QuotaServiceTest, ConcurrentEditsOfOneDraftLoseNothing) {
  const v1::Plan created = Create(Request(v1::ALLOCATION_METHOD_HISTORICAL_SHARE));
  ASSERT_EQ(created.version(), 1);
  ASSERT_EQ(created.status(), v1::PLAN_STATUS_DRAFT);
  std::vector<std::string> nodes;
  for (const auto& a : created.allocations())
    if (a.kind() == v1::ALLOCATION_KIND_NODE && !a.parent_id().empty()) nodes.push_back(a.id());
  ASSERT_GE(nodes.size(), 2u);

  // Two planners read version 1 and each overrides a different region, at the same time.
  struct Edit {
    std::string node;
    grpc::Status status;
    v1::Plan result;
  };
  std::vector<Edit> edits = {{nodes[0], {}, {}}, {nodes[1], {}, {}}};
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (Edit& edit : edits) {
    threads.emplace_back([&, e = &edit] {
      v1::CreatePlanRequest inputs = created.inputs();
      *inputs.add_overrides() = Override(e->node, QuotaOf(created, e->node) + 100'000'00);
      auto stub = v1::QuotaService::NewStub(quota_->Channel());
      ++ready;
      while (ready.load() < 2) std::this_thread::yield();
      v1::UpdatePlanRequest request;
      request.set_plan_id(created.plan_id());
      request.set_expected_version(1);
      *request.mutable_inputs() = inputs;
      request.set_author("planner-" + e->node);
      auto context = Context();
      e->status = stub->UpdatePlan(context.get(), request, &e->result);
    });
  }
  for (auto& t : threads) t.join();
  const int ok = edits[0].status.ok() + edits[1].status.ok();
  ASSERT_EQ(ok, 1) << edits[0].status.error_message() << " / " << edits[1].status.error_message();
  const Edit& winner = edits[0].status.ok() ? edits[0] : edits[1];
  const Edit& loser = edits[0].status.ok() ? edits[1] : edits[0];
  EXPECT_EQ(loser.status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(loser.status.error_message(), StartsWith("expected_version"));
  EXPECT_EQ(winner.result.version(), 2);

  // The loser reads again and re-applies: both edits are in version 3, nothing was lost.
  const v1::Plan latest = Get(created.plan_id(), 0);
  ASSERT_EQ(latest.version(), 2);
  v1::CreatePlanRequest inputs = latest.inputs();
  *inputs.add_overrides() = Override(loser.node, QuotaOf(created, loser.node) + 100'000'00);
  v1::Plan third;
  grpc::Status status = Update(latest, inputs, "planner-" + loser.node, &third);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(third.version(), 3);
  EXPECT_EQ(QuotaOf(third, winner.node), QuotaOf(created, winner.node) + 100'000'00);
  EXPECT_EQ(QuotaOf(third, loser.node), QuotaOf(created, loser.node) + 100'000'00);
  // Siblings were rebalanced: the root still holds the target exactly.
  int64_t regions = 0;
  for (const auto& a : third.allocations())
    if (a.kind() == v1::ALLOCATION_KIND_NODE && a.parent_id() == third.allocations(0).id())
      regions += a.annual_quota().minor_units();
  EXPECT_EQ(regions, third.target().minor_units());

  v1::ListPlanVersionsRequest list;
  list.set_plan_id(created.plan_id());
  v1::ListPlanVersionsResponse versions;
  auto context = Context();
  ASSERT_TRUE(stub_->ListPlanVersions(context.get(), list, &versions).ok());
  ASSERT_EQ(versions.versions_size(), 3);
  EXPECT_EQ(versions.versions(0).version(), 3);
  EXPECT_EQ(versions.versions(0).change().author(), "planner-" + loser.node);
  EXPECT_EQ(versions.versions(2).change().action(), "created");
  EXPECT_EQ(versions.versions(2).change().reason(), "first cut");
}

TEST_F(QuotaServiceTest, ApprovedPlansAreReadOnlyUntilReopened) {
  const v1::Plan draft = Create(Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT));
  v1::Plan approved;
  ASSERT_TRUE(Approve(draft, &approved).ok());
  EXPECT_EQ(approved.version(), 2);
  EXPECT_EQ(approved.status(), v1::PLAN_STATUS_APPROVED);
  EXPECT_EQ(approved.change().author(), "cfo@acme.example");
  EXPECT_EQ(approved.change().action(), "approved");
  // Same quotas as the draft.
  ASSERT_EQ(approved.allocations_size(), draft.allocations_size());
  for (int i = 0; i < draft.allocations_size(); ++i)
    EXPECT_EQ(approved.allocations(i).annual_quota().minor_units(),
              draft.allocations(i).annual_quota().minor_units());

  v1::Plan out;
  grpc::Status status = Update(approved, approved.inputs(), "someone", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("APPROVED"));
  // Approving a stale version is refused too.
  status = Approve(draft, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);

  v1::ChangePlanStatusRequest reopen;
  reopen.set_plan_id(approved.plan_id());
  reopen.set_expected_version(2);
  reopen.set_author("cro@acme.example");
  reopen.set_reason("EMEA reorg");
  v1::Plan reopened;
  auto context = Context();
  status = stub_->ReopenPlan(context.get(), reopen, &reopened);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reopened.version(), 3);
  EXPECT_EQ(reopened.status(), v1::PLAN_STATUS_DRAFT);
  v1::CreatePlanRequest inputs = reopened.inputs();
  inputs.mutable_target()->set_minor_units(6'600'000'000);
  status = Update(reopened, inputs, "cro@acme.example", &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.version(), 4);
  EXPECT_EQ(out.target().minor_units(), 6'600'000'000);

  // Any two versions compare: the target and every node moved by +10%.
  v1::ComparePlansRequest compare;
  compare.mutable_base()->set_plan_id(out.plan_id());
  compare.mutable_base()->set_version(2);
  compare.mutable_other()->set_plan_id(out.plan_id());
  v1::ComparePlansResponse diff;
  context = Context();
  status = stub_->ComparePlans(context.get(), compare, &diff);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(diff.other().version(), 4);
  ASSERT_EQ(diff.rows_size(), out.allocations_size());
  EXPECT_EQ(diff.rows(0).change().minor_units(), 600'000'000);
  EXPECT_NEAR(diff.rows(0).change_ratio(), 0.1, 1e-12);
  bool target_line = false;
  for (const auto& line : diff.input_changes()) target_line = target_line || line.find("target") == 0;
  EXPECT_TRUE(target_line);
}

TEST_F(QuotaServiceTest, EveryVersionSurvivesAStoreCrash) {
  const v1::Plan draft = Create(Request(v1::ALLOCATION_METHOD_HISTORICAL_SHARE));
  v1::Plan approved;
  ASSERT_TRUE(Approve(draft, &approved).ok());
  store_->Kill();
  // While the store is down, a change is refused clearly and nothing is half-written.
  v1::Plan out;
  grpc::Status status = Approve(approved, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  ASSERT_TRUE(store_->Restart());
  // The service's Redis client backs off after failures: wait until it reconnects.
  {
    v1::GetPlanRequest request;
    request.set_plan_id(draft.plan_id());
    grpc::Status status;
    for (int attempt = 0; attempt < 100; ++attempt) {
      v1::Plan plan;
      auto context = Context();
      status = stub_->GetPlan(context.get(), request, &plan);
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  for (int version : {1, 2}) {
    v1::Plan read = Get(draft.plan_id(), version);
    EXPECT_EQ(read.version(), version);
    EXPECT_EQ(read.allocations_size(), draft.allocations_size());
  }
  EXPECT_EQ(Get(draft.plan_id(), 0).status(), v1::PLAN_STATUS_APPROVED);
}

TEST_F(QuotaServiceTest, ForecastShareAndSimulationGoThroughTheForecastService) {
  v1::CreatePlanRequest request = Request(v1::ALLOCATION_METHOD_BLENDED);
  request.mutable_blend()->set_historical_share(0.5);
  request.mutable_blend()->set_forecast_share(0.5);
  request.set_over_assignment(0.15);
  request.set_seasonality(v1::SEASONALITY_SOURCE_FORECAST);
  request.set_rounding_unit(1'000'00);
  // About what the demo company's history forecasts for FY2027 (~20M USD).
  request.mutable_target()->set_minor_units(2'000'000'000);
  const v1::Plan plan = Create(request);
  ASSERT_FALSE(plan.plan_id().empty());
  // Reps carry 15% more than the target, reported explicitly.
  EXPECT_NEAR(static_cast<double>(plan.rep_quota_total().minor_units()),
              1.15 * static_cast<double>(plan.target().minor_units()),
              0.001 * static_cast<double>(plan.target().minor_units()));

  v1::SimulatePlanRequest simulate;
  simulate.mutable_plan()->set_plan_id(plan.plan_id());
  simulate.set_paths(5000);
  simulate.set_seed(7);
  v1::SimulatePlanResponse first, second;
  auto context = Context();
  grpc::Status status = stub_->SimulatePlan(context.get(), simulate, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  context = Context();
  ASSERT_TRUE(stub_->SimulatePlan(context.get(), simulate, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());  // seeded: reproducible
  EXPECT_GE(first.probability_target_reached(), 0.0);
  EXPECT_LE(first.probability_target_reached(), 1.0);
  EXPECT_LE(first.company_p10().minor_units(), first.company_p50().minor_units());
  EXPECT_LE(first.company_p50().minor_units(), first.company_p90().minor_units());
  EXPECT_GT(first.rep_years_observed(), 0);
  int reps = 0;  // with quota
  for (const auto& a : plan.allocations())
    reps += a.kind() == v1::ALLOCATION_KIND_REP && a.annual_quota().minor_units() > 0;
  EXPECT_EQ(first.reps_size(), reps);
  // A target near the forecast: neither certain nor hopeless. With 15% over-assignment, reps
  // make quota less often than the company makes its target.
  EXPECT_GT(first.probability_target_reached(), 0.05);
  EXPECT_LT(first.probability_target_reached(), 0.95);
  EXPECT_LT(first.expected_share_of_reps_at_quota(), 0.9);
  EXPECT_GT(first.expected_share_of_reps_at_quota(), 0.05);
}

TEST_F(QuotaServiceTest, InvalidPlansNameTheField) {
  struct Case {
    const char* field;
    std::function<void(v1::CreatePlanRequest&)> edit;
  };
  const std::vector<Case> cases = {
      {"target.minor_units", [](auto& r) { r.mutable_target()->set_minor_units(-5); }},
      {"blend", [](auto& r) {
         r.set_method(v1::ALLOCATION_METHOD_BLENDED);
         r.mutable_blend()->set_historical_share(0.5);
         r.mutable_blend()->set_forecast_share(0.4);
       }},
      {"overrides[0].id", [](auto& r) { *r.add_overrides() = Override("NOWHERE", 1); }},
      {"reps[1].id", [](auto& r) {
         *r.mutable_reps(1) = r.reps(0);
         r.mutable_reps(1)->set_territory_id(r.territories(1).id());
       }},
      {"over_assignment", [](auto& r) { r.set_over_assignment(1.5); }},
      {"capacity", [](auto& r) { r.set_method(v1::ALLOCATION_METHOD_CAPACITY); }},
      // A chain 40 levels deep passes the depth limit (32 by default, --max-hierarchy-depth).
      {"territories[", [](auto& r) {
         std::string parent = r.territories(0).id();
         for (int i = 0; i < 40; ++i) {
           auto* node = r.add_territories();
           node->set_id("DEEP-" + std::to_string(i));
           node->set_parent_id(parent);
           parent = node->id();
         }
       }},
  };
  for (const Case& c : cases) {
    v1::CreatePlanRequest request = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
    c.edit(request);
    v1::Plan plan;
    auto context = Context();
    grpc::Status status = stub_->CreatePlan(context.get(), request, &plan);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_THAT(status.error_message(), StartsWith(c.field)) << status.error_message();
  }
  {
    v1::CreatePlanRequest request = Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT);
    cases.back().edit(request);
    v1::Plan plan;
    auto context = Context();
    EXPECT_THAT(stub_->CreatePlan(context.get(), request, &plan).error_message(),
                HasSubstr("levels below the root, beyond the limit of 32 (max_hierarchy_depth)"));
  }
  // UpdatePlan names the field inside its inputs.
  const v1::Plan draft = Create(Request(v1::ALLOCATION_METHOD_EQUAL_SPLIT));
  v1::CreatePlanRequest inputs = draft.inputs();
  inputs.mutable_target()->set_minor_units(0);
  v1::Plan out;
  grpc::Status status = Update(draft, inputs, "someone", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), StartsWith("inputs.target.minor_units"));
  status = Update(draft, draft.inputs(), "", &out);
  EXPECT_THAT(status.error_message(), StartsWith("author"));
}

}  // namespace
}  // namespace salesops
