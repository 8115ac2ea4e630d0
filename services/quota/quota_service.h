// salesops.v1.QuotaService: validates, builds plans (asking ForecastService when needed) and keeps
// them in the store.
#ifndef SALESOPS_SERVICES_QUOTA_QUOTA_SERVICE_H_
#define SALESOPS_SERVICES_QUOTA_QUOTA_SERVICE_H_

#include <chrono>
#include <memory>
#include <vector>

#include "common/hierarchy.h"
#include "common/thread_pool.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "services/quota/plan_history.h"
#include "services/quota/plan_store.h"

namespace salesops::quota {

class QuotaServiceImpl final : public v1::QuotaService::CallbackService {
 public:
  QuotaServiceImpl(ThreadPool& handlers, PlanStore& store,
                   std::unique_ptr<v1::ForecastService::StubInterface> forecast,
                   std::chrono::milliseconds default_deadline,
                   const HierarchyLimits& hierarchy_limits = {});

  grpc::ServerUnaryReactor* CreatePlan(grpc::CallbackServerContext* context,
                                       const v1::CreatePlanRequest* request,
                                       v1::Plan* response) override;
  grpc::ServerUnaryReactor* GetPlan(grpc::CallbackServerContext* context,
                                    const v1::GetPlanRequest* request, v1::Plan* response) override;
  grpc::ServerUnaryReactor* ListPlans(grpc::CallbackServerContext* context,
                                      const v1::ListPlansRequest* request,
                                      v1::ListPlansResponse* response) override;
  grpc::ServerUnaryReactor* ListPlanVersions(grpc::CallbackServerContext* context,
                                             const v1::ListPlanVersionsRequest* request,
                                             v1::ListPlanVersionsResponse* response) override;
  grpc::ServerUnaryReactor* UpdatePlan(grpc::CallbackServerContext* context,
                                       const v1::UpdatePlanRequest* request,
                                       v1::Plan* response) override;
  grpc::ServerUnaryReactor* ApprovePlan(grpc::CallbackServerContext* context,
                                        const v1::ChangePlanStatusRequest* request,
                                        v1::Plan* response) override;
  grpc::ServerUnaryReactor* ArchivePlan(grpc::CallbackServerContext* context,
                                        const v1::ChangePlanStatusRequest* request,
                                        v1::Plan* response) override;
  grpc::ServerUnaryReactor* ReopenPlan(grpc::CallbackServerContext* context,
                                       const v1::ChangePlanStatusRequest* request,
                                       v1::Plan* response) override;
  grpc::ServerUnaryReactor* ComparePlans(grpc::CallbackServerContext* context,
                                         const v1::ComparePlansRequest* request,
                                         v1::ComparePlansResponse* response) override;
  grpc::ServerUnaryReactor* SimulatePlan(grpc::CallbackServerContext* context,
                                         const v1::SimulatePlanRequest* request,
                                         v1::SimulatePlanResponse* response) override;

 private:
  // ForecastService, called with the deadline and cancellation of `context`.
  ForecastFn ForecastCaller(grpc::CallbackServerContext* context);
  // A status change of the latest version: from one of `from` to `to`, as a new version.
  grpc::ServerUnaryReactor* ChangeStatus(grpc::CallbackServerContext* context,
                                         const v1::ChangePlanStatusRequest* request,
                                         v1::Plan* response, std::vector<v1::PlanStatus> from,
                                         v1::PlanStatus to, const char* action);

  ThreadPool& handlers_;
  PlanStore& store_;
  std::unique_ptr<v1::ForecastService::StubInterface> forecast_;
  std::chrono::milliseconds default_deadline_;
  HierarchyLimits hierarchy_limits_;
};

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_QUOTA_SERVICE_H_
