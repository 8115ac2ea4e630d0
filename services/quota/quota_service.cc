#include "services/quota/quota_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/rpc.h"
#include "services/quota/plan_builder.h"
#include "services/quota/plan_compare.h"
#include "services/quota/plan_outlook.h"

namespace salesops::quota {

QuotaServiceImpl::QuotaServiceImpl(ThreadPool& handlers, PlanStore& store,
                                   std::unique_ptr<v1::ForecastService::StubInterface> forecast,
                                   std::chrono::milliseconds default_deadline,
                                   const HierarchyLimits& hierarchy_limits)
    : handlers_(handlers),
      store_(store),
      forecast_(std::move(forecast)),
      default_deadline_(default_deadline),
      hierarchy_limits_(hierarchy_limits) {}

namespace {

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// plan_id, expected_version >= 1 and author, as every change asks for.
absl::Status ValidateChange(const std::string& plan_id, int expected_version,
                            const std::string& author) {
  if (plan_id.empty()) return Invalid("plan_id", "required");
  if (expected_version < 1)
    return Invalid("expected_version",
                   absl::StrCat("required: the version you read (>= 1), got ", expected_version));
  if (author.empty()) return Invalid("author", "required: who makes the change");
  if (author.size() > 200) return Invalid("author", "at most 200 characters");
  return absl::OkStatus();
}

// The stored latest version, checked against what the caller read.
absl::StatusOr<v1::Plan> LatestAsExpected(PlanStore& store, const std::string& plan_id,
                                          int expected_version) {
  auto latest = store.Get(plan_id, 0);
  if (!latest.ok()) return latest.status();
  if (latest->version() != expected_version) {
    return absl::AbortedError(absl::StrCat(
        "expected_version: plan \"", plan_id, "\" is at version ", latest->version(), ", not ",
        expected_version, " (changed by ", latest->change().author(),
        "); read it again and re-apply your change"));
  }
  return latest;
}

absl::Status ValidateRef(const v1::PlanRef& ref, absl::string_view field) {
  if (ref.plan_id().empty()) return Invalid(absl::StrCat(field, ".plan_id"), "required");
  if (ref.version() < 0)
    return Invalid(absl::StrCat(field, ".version"),
                   absl::StrCat("must be >= 0 (0 = latest), got ", ref.version()));
  return absl::OkStatus();
}

}  // namespace

ForecastFn QuotaServiceImpl::ForecastCaller(grpc::CallbackServerContext* context) {
  return [this, context](const v1::ForecastRequest& forecast_request) {
    return CallService<v1::ForecastResponse>(
        "forecast service", *context, default_deadline_,
        [&](grpc::ClientContext* c, v1::ForecastResponse* r) {
          return forecast_->Forecast(c, forecast_request, r);
        });
  };
}

grpc::ServerUnaryReactor* QuotaServiceImpl::CreatePlan(grpc::CallbackServerContext* context,
                                                       const v1::CreatePlanRequest* request,
                                                       v1::Plan* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    auto plan = BuildPlan(*request, ForecastCaller(context), hierarchy_limits_);
    if (!plan.ok()) return plan.status();
    plan->set_status(v1::PLAN_STATUS_DRAFT);
    v1::PlanChange* change = plan->mutable_change();
    change->set_author(request->created_by());
    change->set_reason(request->reason());
    change->set_action("created");
    auto stored = store_.Create(std::move(*plan));
    if (!stored.ok()) return stored.status();
    *response = std::move(*stored);
    log::Info("plan_created", {{"plan_id", response->plan_id()},
                               {"fiscal_year", response->fiscal_year()},
                               {"method", v1::AllocationMethod_Name(response->method())},
                               {"allocations", response->allocations_size()}});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* QuotaServiceImpl::GetPlan(grpc::CallbackServerContext* context,
                                                    const v1::GetPlanRequest* request,
                                                    v1::Plan* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    if (request->plan_id().empty()) return absl::InvalidArgumentError("plan_id: required");
    if (request->version() < 0)
      return absl::InvalidArgumentError(
          absl::StrCat("version: must be >= 0 (0 = latest), got ", request->version()));
    auto plan = store_.Get(request->plan_id(), request->version());
    if (!plan.ok()) return plan.status();
    *response = std::move(*plan);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* QuotaServiceImpl::ListPlans(grpc::CallbackServerContext* context,
                                                      const v1::ListPlansRequest* request,
                                                      v1::ListPlansResponse* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    if (request->page_size() < 0 || request->page_size() > 1000)
      return absl::InvalidArgumentError(
          absl::StrCat("page_size: must be 0..1000, got ", request->page_size()));
    if (request->fiscal_year() != 0 &&
        (request->fiscal_year() < 1900 || request->fiscal_year() > 2200))
      return absl::InvalidArgumentError(
          absl::StrCat("fiscal_year: must be 0 or 1900..2200, got ", request->fiscal_year()));
    int page_size = request->page_size() ? request->page_size() : 100;
    auto listed = store_.List(request->fiscal_year(), page_size, request->page_token());
    if (!listed.ok()) return listed.status();
    *response = std::move(*listed);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* QuotaServiceImpl::ListPlanVersions(
    grpc::CallbackServerContext* context, const v1::ListPlanVersionsRequest* request,
    v1::ListPlanVersionsResponse* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    if (request->plan_id().empty()) return Invalid("plan_id", "required");
    auto versions = store_.Versions(request->plan_id());
    if (!versions.ok()) return versions.status();
    *response = std::move(*versions);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* QuotaServiceImpl::UpdatePlan(grpc::CallbackServerContext* context,
                                                       const v1::UpdatePlanRequest* request,
                                                       v1::Plan* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    if (auto s = ValidateChange(request->plan_id(), request->expected_version(), request->author());
        !s.ok())
      return s;
    if (!request->has_inputs()) return Invalid("inputs", "required: the plan's inputs, edited");
    if (auto s = ValidateCreatePlanRequest(request->inputs(), hierarchy_limits_); !s.ok())
      return absl::InvalidArgumentError(absl::StrCat("inputs.", s.message()));
    auto latest = LatestAsExpected(store_, request->plan_id(), request->expected_version());
    if (!latest.ok()) return latest.status();
    if (latest->status() != v1::PLAN_STATUS_DRAFT) {
      return absl::FailedPreconditionError(absl::StrCat(
          "plan_id: version ", latest->version(), " of plan \"", request->plan_id(), "\" is ",
          v1::PlanStatus_Name(latest->status()), " and read-only; ReopenPlan makes a new draft"));
    }
    if (request->inputs().fiscal_year() != latest->fiscal_year())
      return Invalid("inputs.fiscal_year",
                     absl::StrCat("cannot change (the plan is for FY", latest->fiscal_year(),
                                  "); create a new plan instead"));
    v1::CreatePlanRequest inputs = request->inputs();
    inputs.set_created_by(latest->inputs().created_by());
    auto plan = BuildPlan(inputs, ForecastCaller(context), hierarchy_limits_);
    if (!plan.ok()) {
      if (plan.status().code() == absl::StatusCode::kInvalidArgument)
        return absl::InvalidArgumentError(absl::StrCat("inputs.", plan.status().message()));
      return plan.status();
    }
    plan->set_plan_id(request->plan_id());
    plan->set_status(v1::PLAN_STATUS_DRAFT);
    plan->set_created_by(request->author());
    v1::PlanChange* change = plan->mutable_change();
    change->set_author(request->author());
    change->set_reason(request->reason());
    change->set_action("updated");
    auto stored = store_.Append(std::move(*plan), request->expected_version());
    if (!stored.ok()) return stored.status();
    *response = std::move(*stored);
    log::Info("plan_updated", {{"plan_id", response->plan_id()},
                               {"version", response->version()},
                               {"author", request->author()}});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* QuotaServiceImpl::ChangeStatus(grpc::CallbackServerContext* context,
                                                         const v1::ChangePlanStatusRequest* request,
                                                         v1::Plan* response,
                                                         std::vector<v1::PlanStatus> from,
                                                         v1::PlanStatus to, const char* action) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    if (auto s = ValidateChange(request->plan_id(), request->expected_version(), request->author());
        !s.ok())
      return s;
    auto plan = LatestAsExpected(store_, request->plan_id(), request->expected_version());
    if (!plan.ok()) return plan.status();
    if (std::find(from.begin(), from.end(), plan->status()) == from.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "plan_id: plan \"", request->plan_id(), "\" is ", v1::PlanStatus_Name(plan->status()),
          "; cannot be ", action));
    }
    plan->set_status(to);
    plan->set_created_by(request->author());
    v1::PlanChange* change = plan->mutable_change();
    change->Clear();
    change->set_author(request->author());
    change->set_reason(request->reason());
    change->set_action(action);
    auto stored = store_.Append(std::move(*plan), request->expected_version());
    if (!stored.ok()) return stored.status();
    *response = std::move(*stored);
    log::Info("plan_status_changed", {{"plan_id", response->plan_id()},
                                      {"version", response->version()},
                                      {"status", v1::PlanStatus_Name(to)},
                                      {"author", request->author()}});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* QuotaServiceImpl::ApprovePlan(grpc::CallbackServerContext* context,
                                                        const v1::ChangePlanStatusRequest* request,
                                                        v1::Plan* response) {
  return ChangeStatus(context, request, response, {v1::PLAN_STATUS_DRAFT},
                      v1::PLAN_STATUS_APPROVED, "approved");
}

grpc::ServerUnaryReactor* QuotaServiceImpl::ArchivePlan(grpc::CallbackServerContext* context,
                                                        const v1::ChangePlanStatusRequest* request,
                                                        v1::Plan* response) {
  return ChangeStatus(context, request, response, {v1::PLAN_STATUS_DRAFT, v1::PLAN_STATUS_APPROVED},
                      v1::PLAN_STATUS_ARCHIVED, "archived");
}

grpc::ServerUnaryReactor* QuotaServiceImpl::ReopenPlan(grpc::CallbackServerContext* context,
                                                       const v1::ChangePlanStatusRequest* request,
                                                       v1::Plan* response) {
  return ChangeStatus(context, request, response,
                      {v1::PLAN_STATUS_APPROVED, v1::PLAN_STATUS_ARCHIVED}, v1::PLAN_STATUS_DRAFT,
                      "reopened");
}

grpc::ServerUnaryReactor* QuotaServiceImpl::ComparePlans(grpc::CallbackServerContext* context,
                                                         const v1::ComparePlansRequest* request,
                                                         v1::ComparePlansResponse* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    if (!request->has_base()) return Invalid("base", "required");
    if (!request->has_other()) return Invalid("other", "required");
    if (auto s = ValidateRef(request->base(), "base"); !s.ok()) return s;
    if (auto s = ValidateRef(request->other(), "other"); !s.ok()) return s;
    auto base = store_.Get(request->base().plan_id(), request->base().version());
    if (!base.ok()) return base.status();
    auto other = store_.Get(request->other().plan_id(), request->other().version());
    if (!other.ok()) return other.status();
    *response = quota::ComparePlans(*base, *other);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* QuotaServiceImpl::SimulatePlan(grpc::CallbackServerContext* context,
                                                         const v1::SimulatePlanRequest* request,
                                                         v1::SimulatePlanResponse* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    if (!request->has_plan()) return Invalid("plan", "required");
    if (auto s = ValidateRef(request->plan(), "plan"); !s.ok()) return s;
    if (request->paths() != 0 && (request->paths() < 100 || request->paths() > 200000))
      return Invalid("paths", absl::StrCat("must be 100..200000 (0 = 20000), got ", request->paths()));
    auto plan = store_.Get(request->plan().plan_id(), request->plan().version());
    if (!plan.ok()) return plan.status();
    const int paths = request->paths() ? request->paths() : 20000;
    const uint64_t seed = request->seed() ? request->seed() : 20261128;
    auto outlook = SimulatePlanOutlook(*plan, ForecastCaller(context), paths, seed);
    if (!outlook.ok()) return outlook.status();
    *response = std::move(*outlook);
    return absl::OkStatus();
  });
}

}  // namespace salesops::quota
