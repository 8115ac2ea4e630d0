#include "services/reporting/reporting_service.h"

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/proto_convert.h"
#include "common/rpc.h"
#include "services/reporting/attainment.h"

namespace salesops::reporting {
namespace {

// Reads the upload stream message by message; each chunk is validated and written to the store
// before the next is read, so memory stays bounded and a slow store slows the client down.
class UploadReactor : public grpc::ServerReadReactor<v1::UploadSnapshotRequest> {
 public:
  UploadReactor(std::unique_ptr<SnapshotWriter> writer, v1::SnapshotInfo* response)
      : writer_(std::move(writer)), response_(response) {
    StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client closed its side: the upload is complete
      auto info = writer_->Finish();
      if (!info.ok()) return Fail(info.status());
      *response_ = *info;
      log::Info("snapshot_uploaded", {{"snapshot_id", info->snapshot_id()},
                                      {"opportunities", info->opportunity_count()},
                                      {"already_existed", info->already_existed()}});
      Finish(grpc::Status::OK);
      return;
    }
    ++index_;
    absl::Status status;
    if (index_ == 1) {
      status = message_.has_header()
                   ? writer_->Begin(message_.header())
                   : absl::InvalidArgumentError("header: the first message must carry the header");
    } else if (message_.has_header()) {
      status = absl::InvalidArgumentError(
          absl::StrCat("message[", index_, "].header: only the first message carries the header"));
    } else {
      status = writer_->Add(message_.chunk(), index_ - 1);
    }
    if (!status.ok()) return Fail(status);
    StartRead(&message_);
  }

  void OnDone() override { delete this; }

 private:
  void Fail(const absl::Status& status) {
    writer_.reset();  // discards what was written
    Finish(ToGrpcStatus(status));
  }

  std::unique_ptr<SnapshotWriter> writer_;
  v1::SnapshotInfo* response_;
  v1::UploadSnapshotRequest message_;
  int index_ = 0;
};

}  // namespace

ReportingServiceImpl::ReportingServiceImpl(ReportingDeps deps) : deps_(std::move(deps)) {}

grpc::ServerReadReactor<v1::UploadSnapshotRequest>* ReportingServiceImpl::UploadSnapshot(
    grpc::CallbackServerContext* context, v1::SnapshotInfo* response) {
  return new UploadReactor(deps_.snapshots->NewWriter(deps_.limits), response);
}

grpc::ServerUnaryReactor* ReportingServiceImpl::GetSnapshot(grpc::CallbackServerContext* context,
                                                            const v1::GetSnapshotRequest* request,
                                                            v1::SnapshotInfo* response) {
  return FinishOnPool(context, *deps_.handlers, [=, this]() -> absl::Status {
    if (auto s = ValidateSnapshotId(request->snapshot_id(), "snapshot_id"); !s.ok()) return s;
    auto info = deps_.snapshots->Info(request->snapshot_id());
    if (!info.ok()) return info.status();
    *response = std::move(*info);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingServiceImpl::AttainmentReport(
    grpc::CallbackServerContext* context, const v1::AttainmentReportRequest* request,
    v1::AttainmentReportResponse* response) {
  return FinishOnPool(context, *deps_.handlers, [=, this]() {
    return BuildAttainment(context, *request, response);
  });
}

absl::Status ReportingServiceImpl::BuildAttainment(grpc::CallbackServerContext* context,
                                                   const v1::AttainmentReportRequest& request,
                                                   v1::AttainmentReportResponse* response) {
  if (auto s = ValidateSnapshotId(request.snapshot_id(), "snapshot_id"); !s.ok()) return s;
  if (request.plan_id().empty()) return absl::InvalidArgumentError("plan_id: required");
  if (request.plan_version() < 0)
    return absl::InvalidArgumentError("plan_version: must be >= 0 (0 = latest)");
  if (request.has_period()) {
    if (auto s = ValidatePeriod(request.period(), "period"); !s.ok()) return s;
  }
  auto snapshot = deps_.snapshots->Load(request.snapshot_id());
  if (!snapshot.ok()) return snapshot.status();

  // The plan (its latest version when none is named) from QuotaService.
  v1::GetPlanRequest plan_request;
  plan_request.set_plan_id(request.plan_id());
  plan_request.set_version(request.plan_version());
  auto fetched = CallService<v1::Plan>(
      "quota service", *context, deps_.default_deadline,
      [&](grpc::ClientContext* c, v1::Plan* p) { return deps_.quota->GetPlan(c, plan_request, p); });
  if (!fetched.ok()) return fetched.status();
  const v1::Plan& plan = *fetched;

  // Normalised request: the exact plan version and period, so the cache key names exact inputs.
  v1::AttainmentReportRequest normalized = request;
  normalized.set_plan_version(plan.version());
  const int start_month = (*snapshot)->header.calendar().start_month();
  FiscalPeriod period = request.has_period()
                            ? FromProto(request.period())
                            : PeriodContaining(FromDayNumber((*snapshot)->as_of_day),
                                               PeriodKind::kQuarter, start_month);
  *normalized.mutable_period() = ToProto(period);
  const std::string key = deps_.cache->KeyFor("AttainmentReport", normalized);
  if (deps_.cache->GetMessage(key, response)) return absl::OkStatus();

  ForecastFn forecast = [&](const v1::ForecastRequest& forecast_request) {
    return CallService<v1::ForecastResponse>(
        "forecast service", *context, deps_.default_deadline,
        [&](grpc::ClientContext* c, v1::ForecastResponse* r) {
          return deps_.forecast->Forecast(c, forecast_request, r);
        });
  };
  auto report = BuildAttainmentReport(**snapshot, plan, period, request.node_id(), forecast);
  if (!report.ok()) return report.status();
  *response = std::move(*report);
  deps_.cache->PutMessage(key, *response);
  return absl::OkStatus();
}

}  // namespace salesops::reporting
