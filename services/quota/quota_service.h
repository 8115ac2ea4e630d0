// salesops.v1.QuotaService: validates, builds plans (asking ForecastService when needed) and keeps
// them in the store.
#ifndef SALESOPS_SERVICES_QUOTA_QUOTA_SERVICE_H_
#define SALESOPS_SERVICES_QUOTA_QUOTA_SERVICE_H_

#include <chrono>
#include <memory>

#include "common/thread_pool.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "services/quota/plan_store.h"

namespace salesops::quota {

class QuotaServiceImpl final : public v1::QuotaService::CallbackService {
 public:
  QuotaServiceImpl(ThreadPool& handlers, PlanStore& store,
                   std::unique_ptr<v1::ForecastService::StubInterface> forecast,
                   std::chrono::milliseconds default_deadline);

  grpc::ServerUnaryReactor* CreatePlan(grpc::CallbackServerContext* context,
                                       const v1::CreatePlanRequest* request,
                                       v1::Plan* response) override;
  grpc::ServerUnaryReactor* GetPlan(grpc::CallbackServerContext* context,
                                    const v1::GetPlanRequest* request, v1::Plan* response) override;
  grpc::ServerUnaryReactor* ListPlans(grpc::CallbackServerContext* context,
                                      const v1::ListPlansRequest* request,
                                      v1::ListPlansResponse* response) override;

 private:
  ThreadPool& handlers_;
  PlanStore& store_;
  std::unique_ptr<v1::ForecastService::StubInterface> forecast_;
  std::chrono::milliseconds default_deadline_;
};

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_QUOTA_SERVICE_H_
