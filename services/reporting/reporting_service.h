// salesops.v1.ReportingService: snapshot uploads (client streaming) and reports, which ask
// QuotaService for the plan and ForecastService for forecasts, and are cached.
#ifndef SALESOPS_SERVICES_REPORTING_REPORTING_SERVICE_H_
#define SALESOPS_SERVICES_REPORTING_REPORTING_SERVICE_H_

#include <chrono>
#include <memory>

#include "common/cache.h"
#include "common/thread_pool.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "salesops/v1/reporting.grpc.pb.h"
#include "services/reporting/snapshot_store.h"

namespace salesops::reporting {

struct ReportingDeps {
  ThreadPool* handlers = nullptr;
  SnapshotStore* snapshots = nullptr;
  Cache* cache = nullptr;
  std::unique_ptr<v1::QuotaService::StubInterface> quota;
  std::unique_ptr<v1::ForecastService::StubInterface> forecast;
  std::chrono::milliseconds default_deadline{30000};
  SnapshotLimits limits;
};

class ReportingServiceImpl final : public v1::ReportingService::CallbackService {
 public:
  explicit ReportingServiceImpl(ReportingDeps deps);

  grpc::ServerReadReactor<v1::UploadSnapshotRequest>* UploadSnapshot(
      grpc::CallbackServerContext* context, v1::SnapshotInfo* response) override;
  grpc::ServerUnaryReactor* GetSnapshot(grpc::CallbackServerContext* context,
                                        const v1::GetSnapshotRequest* request,
                                        v1::SnapshotInfo* response) override;
  grpc::ServerUnaryReactor* AttainmentReport(grpc::CallbackServerContext* context,
                                             const v1::AttainmentReportRequest* request,
                                             v1::AttainmentReportResponse* response) override;

 private:
  absl::Status BuildAttainment(grpc::CallbackServerContext* context,
                               const v1::AttainmentReportRequest& request,
                               v1::AttainmentReportResponse* response);

  ReportingDeps deps_;
};

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_REPORTING_SERVICE_H_
