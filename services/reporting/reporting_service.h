// salesops.v1.ReportingService: snapshot uploads (client streaming), listing and deletion, and
// reports, which ask QuotaService for the plan and ForecastService for forecasts, and are cached.
//
// Every report goes the same way (PrepareReport, then CachedReport):
//  1. validate the request (INVALID_ARGUMENT naming the field);
//  2. describe the snapshot (and the baseline) from the store: NOT_FOUND for an unknown or deleted
//     one. This is asked of the store on every call, before the cache, so a deleted snapshot's
//     cached reports are never served (they are left to expire; no process's memory can answer
//     for a snapshot the store no longer has);
//  3. fetch the plan from QuotaService when one is named (0 = the latest version);
//  4. normalise the request: the exact plan version, the period (default: the quarter containing
//     the snapshot's as-of date);
//  5. cache-aside on the normalised request (Cache::KeyFor: engine version, method, request).
//     The key names only immutable inputs: a snapshot id is the hash of its content and a plan
//     version never changes. A snapshot deleted and uploaded again has the same id and the same
//     content, so a report cached before the delete is still the right answer after the upload;
//  6. on a miss, load the snapshots, build the report, store it. An attainment report built
//     without its landing (ForecastService down: landing_unavailable says so) is answered but not
//     stored, so the full report is built again once the service is back.
#ifndef SALESOPS_SERVICES_REPORTING_REPORTING_SERVICE_H_
#define SALESOPS_SERVICES_REPORTING_REPORTING_SERVICE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/cache.h"
#include "common/calendar.h"
#include "common/thread_pool.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "salesops/v1/reporting.grpc.pb.h"
#include "services/reporting/landing_rows.h"
#include "services/reporting/snapshot_store.h"
#include "services/reporting/upload_registry.h"

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
  grpc::ServerUnaryReactor* ListSnapshots(grpc::CallbackServerContext* context,
                                          const v1::ListSnapshotsRequest* request,
                                          v1::ListSnapshotsResponse* response) override;
  grpc::ServerUnaryReactor* DeleteSnapshot(grpc::CallbackServerContext* context,
                                           const v1::DeleteSnapshotRequest* request,
                                           v1::DeleteSnapshotResponse* response) override;
  grpc::ServerUnaryReactor* PipelineReport(grpc::CallbackServerContext* context,
                                           const v1::PipelineReportRequest* request,
                                           v1::PipelineReportResponse* response) override;
  grpc::ServerUnaryReactor* KpiReport(grpc::CallbackServerContext* context,
                                      const v1::KpiReportRequest* request,
                                      v1::KpiReportResponse* response) override;
  grpc::ServerUnaryReactor* RenderReport(grpc::CallbackServerContext* context,
                                         const v1::RenderReportRequest* request,
                                         v1::RenderReportResponse* response) override;
  grpc::ServerUnaryReactor* ForecastAccuracyReport(grpc::CallbackServerContext* context,
                                                   const v1::ForecastAccuracyRequest* request,
                                                   v1::ForecastAccuracyResponse* response) override;

 private:
  // What a report request names, field by field (the request messages differ).
  struct ReportSpec {
    std::string snapshot_id;
    std::string baseline_snapshot_id;  // empty: none (only the pipeline report has one)
    std::string plan_id;               // empty: none
    int plan_version = 0;
    bool plan_required = false;
    const v1::Period* period = nullptr;  // null: unset
  };
  // What PrepareReport found.
  struct ReportInputs {
    v1::SnapshotInfo snapshot;
    std::optional<v1::SnapshotInfo> baseline;
    std::optional<v1::Plan> plan;
    FiscalPeriod period;
    v1::Period period_proto;  // `period` as the normalised request carries it
  };
  // Steps 1-4 above.
  absl::StatusOr<ReportInputs> PrepareReport(grpc::CallbackServerContext* context,
                                             const ReportSpec& spec);
  // Steps 5-6: the cached report for `normalized`, or `build`'s, then cached. `method` names the
  // report and anything else the answer depends on that the request does not say.
  template <typename Response, typename Request, typename Build>
  absl::Status CachedReport(const std::string& method, const Request& normalized, Build build,
                            Response* response);
  // The snapshots of the same company (same root territory) among `ids`, loaded.
  absl::StatusOr<std::vector<std::shared_ptr<const Snapshot>>> EarlierSnapshots(
      const Snapshot& now, const std::vector<std::string>& ids);
  // ForecastService.ForecastLanding for each request, several at a time.
  LandingBatchFn LandingCaller(grpc::CallbackServerContext* context);

  absl::Status BuildAttainment(grpc::CallbackServerContext* context,
                               const v1::AttainmentReportRequest& request,
                               v1::AttainmentReportResponse* response);
  absl::Status BuildPipeline(grpc::CallbackServerContext* context,
                             const v1::PipelineReportRequest& request,
                             v1::PipelineReportResponse* response);
  absl::Status BuildKpi(grpc::CallbackServerContext* context, const v1::KpiReportRequest& request,
                        v1::KpiReportResponse* response);
  absl::Status BuildAccuracy(grpc::CallbackServerContext* context,
                             const v1::ForecastAccuracyRequest& request,
                             v1::ForecastAccuracyResponse* response);

  ReportingDeps deps_;
  UploadRegistry uploads_;
};

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_REPORTING_SERVICE_H_
