#include "services/quota/quota_service.h"

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/rpc.h"
#include "services/quota/plan_builder.h"

namespace salesops::quota {

QuotaServiceImpl::QuotaServiceImpl(ThreadPool& handlers, PlanStore& store,
                                   std::unique_ptr<v1::ForecastService::StubInterface> forecast,
                                   std::chrono::milliseconds default_deadline)
    : handlers_(handlers),
      store_(store),
      forecast_(std::move(forecast)),
      default_deadline_(default_deadline) {}

grpc::ServerUnaryReactor* QuotaServiceImpl::CreatePlan(grpc::CallbackServerContext* context,
                                                       const v1::CreatePlanRequest* request,
                                                       v1::Plan* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    ForecastFn forecast = [&](const v1::ForecastRequest& forecast_request) {
      return CallService<v1::ForecastResponse>(
          "forecast service", *context, default_deadline_,
          [&](grpc::ClientContext* c, v1::ForecastResponse* r) {
            return forecast_->Forecast(c, forecast_request, r);
          });
    };
    auto plan = BuildPlan(*request, forecast);
    if (!plan.ok()) return plan.status();
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

}  // namespace salesops::quota
