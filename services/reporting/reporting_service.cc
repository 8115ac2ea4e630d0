#include "services/reporting/reporting_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/proto_convert.h"
#include "common/rpc.h"
#include "services/reporting/accuracy.h"
#include "services/reporting/attainment.h"
#include "services/reporting/html_report.h"
#include "services/reporting/kpi.h"
#include "services/reporting/pipeline.h"
#include "services/reporting/render_page.h"

namespace salesops::reporting {
namespace {

// ListSnapshots page sizes.
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
// The earlier snapshots a landing calibrates on: those of the last 400 days (the four quarters
// before the current one), two weeks apart, at most 32, so a report loads a bounded amount.
constexpr int kHistoryWindowDays = 400;
constexpr int kHistoryGapDays = 14;
constexpr int kMaxHistorySnapshots = 32;
// The accuracy report: the snapshots of its periods (a week apart) and, for the first of them,
// the history window before; at most 80 snapshots.
constexpr int kAccuracyGapDays = 7;
constexpr int kMaxAccuracySnapshots = 80;
// Landing calls to ForecastService in flight at once for one report.
constexpr int kLandingCallsInFlight = 8;

// Reads the upload stream message by message; each chunk is validated and written to the store
// before the next is read, so memory stays bounded and a slow store slows the client down.
// The registry counts it from creation to OnDone and cancels it when the client stalls.
class UploadReactor : public grpc::ServerReadReactor<v1::UploadSnapshotRequest> {
 public:
  UploadReactor(grpc::CallbackServerContext* context, UploadRegistry& uploads,
                std::unique_ptr<SnapshotWriter> writer, v1::SnapshotInfo* response)
      : context_(context), uploads_(uploads), writer_(std::move(writer)), response_(response) {
    StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    // A read also fails when the call was cancelled (client gone, deadline, idle): then the upload
    // is incomplete and must not be stored.
    if (!ok && context_->IsCancelled())
      return Fail(absl::CancelledError("the upload was cancelled before it ended; nothing was stored"));
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
    uploads_.Touch(context_);
    StartRead(&message_);
  }

  void OnDone() override {
    uploads_.Remove(context_);
    delete this;
  }

 private:
  void Fail(const absl::Status& status) {
    writer_.reset();  // discards what was written
    Finish(ToGrpcStatus(status));
  }

  grpc::CallbackServerContext* context_;
  UploadRegistry& uploads_;
  std::unique_ptr<SnapshotWriter> writer_;
  v1::SnapshotInfo* response_;
  v1::UploadSnapshotRequest message_;
  int index_ = 0;
};

// An upload refused before it started.
class RefusedUpload : public grpc::ServerReadReactor<v1::UploadSnapshotRequest> {
 public:
  explicit RefusedUpload(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

ReportingServiceImpl::ReportingServiceImpl(ReportingDeps deps)
    : deps_(std::move(deps)),
      uploads_(deps_.limits.max_concurrent_uploads,
               std::chrono::milliseconds(deps_.limits.upload_idle_ms)) {}

grpc::ServerReadReactor<v1::UploadSnapshotRequest>* ReportingServiceImpl::UploadSnapshot(
    grpc::CallbackServerContext* context, v1::SnapshotInfo* response) {
  // A streaming call is not covered by FinishOnPool's check: the caller is checked here.
  if (auto allowed = CheckCallAuth(context); !allowed.ok())
    return new RefusedUpload(ToGrpcStatus(allowed));
  if (auto admitted = uploads_.Add(context); !admitted.ok())
    return new RefusedUpload(ToGrpcStatus(admitted));
  return new UploadReactor(context, uploads_, deps_.snapshots->NewWriter(deps_.limits), response);
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

grpc::ServerUnaryReactor* ReportingServiceImpl::ListSnapshots(
    grpc::CallbackServerContext* context, const v1::ListSnapshotsRequest* request,
    v1::ListSnapshotsResponse* response) {
  return FinishOnPool(context, *deps_.handlers, [=, this]() -> absl::Status {
    int page_size = request->page_size();
    if (page_size == 0) page_size = kDefaultPageSize;
    if (page_size < 1 || page_size > kMaxPageSize)
      return absl::InvalidArgumentError(absl::StrCat("page_size: must be 1..", kMaxPageSize,
                                                     " (0 means ", kDefaultPageSize, "), got ",
                                                     request->page_size()));
    auto page = deps_.snapshots->List(page_size, request->page_token());
    if (!page.ok()) return page.status();
    *response = std::move(*page);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingServiceImpl::DeleteSnapshot(
    grpc::CallbackServerContext* context, const v1::DeleteSnapshotRequest* request,
    v1::DeleteSnapshotResponse* response) {
  return FinishOnPool(context, *deps_.handlers, [=, this]() -> absl::Status {
    if (auto s = ValidateSnapshotId(request->snapshot_id(), "snapshot_id"); !s.ok()) return s;
    if (auto s = deps_.snapshots->Delete(request->snapshot_id()); !s.ok()) return s;
    log::Info("snapshot_deleted", {{"snapshot_id", request->snapshot_id()}});
    response->set_snapshot_id(request->snapshot_id());
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

grpc::ServerUnaryReactor* ReportingServiceImpl::PipelineReport(
    grpc::CallbackServerContext* context, const v1::PipelineReportRequest* request,
    v1::PipelineReportResponse* response) {
  return FinishOnPool(context, *deps_.handlers, [=, this]() {
    return BuildPipeline(context, *request, response);
  });
}

grpc::ServerUnaryReactor* ReportingServiceImpl::KpiReport(grpc::CallbackServerContext* context,
                                                          const v1::KpiReportRequest* request,
                                                          v1::KpiReportResponse* response) {
  return FinishOnPool(context, *deps_.handlers, [=, this]() {
    return BuildKpi(context, *request, response);
  });
}

grpc::ServerUnaryReactor* ReportingServiceImpl::RenderReport(grpc::CallbackServerContext* context,
                                                             const v1::RenderReportRequest* request,
                                                             v1::RenderReportResponse* response) {
  return FinishOnPool(context, *deps_.handlers, [=, this]() -> absl::Status {
    // The two reports (each from the cache when there), then the page; the fields they share
    // have the same names, so their errors name this request's fields.
    v1::AttainmentReportRequest attainment_request;
    attainment_request.set_snapshot_id(request->snapshot_id());
    attainment_request.set_plan_id(request->plan_id());
    attainment_request.set_plan_version(request->plan_version());
    if (request->has_period()) *attainment_request.mutable_period() = request->period();
    attainment_request.set_node_id(request->node_id());
    v1::AttainmentReportResponse attainment;
    if (auto s = BuildAttainment(context, attainment_request, &attainment); !s.ok()) return s;
    // The page's fan chart and landing columns cannot be drawn without the landing.
    if (!attainment.landing_unavailable().empty())
      return absl::UnavailableError(attainment.landing_unavailable());
    v1::PipelineReportRequest pipeline_request;
    pipeline_request.set_snapshot_id(request->snapshot_id());
    pipeline_request.set_plan_id(request->plan_id());
    pipeline_request.set_plan_version(attainment.plan_version());
    *pipeline_request.mutable_period() = attainment.period();
    pipeline_request.set_node_id(request->node_id());
    pipeline_request.set_baseline_snapshot_id(request->baseline_snapshot_id());
    v1::PipelineReportResponse pipeline;
    if (auto s = BuildPipeline(context, pipeline_request, &pipeline); !s.ok()) return s;
    auto snapshot = deps_.snapshots->Load(request->snapshot_id());
    if (!snapshot.ok()) return snapshot.status();
    response->set_html(RenderHtmlReport(BuildReportPage(**snapshot, attainment, &pipeline)));
    response->set_snapshot_id(attainment.snapshot_id());
    response->set_plan_id(attainment.plan_id());
    response->set_plan_version(attainment.plan_version());
    response->set_engine_version(attainment.engine_version());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingServiceImpl::ForecastAccuracyReport(
    grpc::CallbackServerContext* context, const v1::ForecastAccuracyRequest* request,
    v1::ForecastAccuracyResponse* response) {
  return FinishOnPool(context, *deps_.handlers, [=, this]() {
    return BuildAccuracy(context, *request, response);
  });
}

absl::StatusOr<ReportingServiceImpl::ReportInputs> ReportingServiceImpl::PrepareReport(
    grpc::CallbackServerContext* context, const ReportSpec& spec) {
  // 1. The request on its own.
  if (auto s = ValidateSnapshotId(spec.snapshot_id, "snapshot_id"); !s.ok()) return s;
  if (!spec.baseline_snapshot_id.empty()) {
    if (auto s = ValidateSnapshotId(spec.baseline_snapshot_id, "baseline_snapshot_id"); !s.ok())
      return s;
  }
  if (spec.plan_required && spec.plan_id.empty())
    return absl::InvalidArgumentError("plan_id: required");
  if (spec.plan_version < 0)
    return absl::InvalidArgumentError("plan_version: must be >= 0 (0 = latest)");
  if (spec.plan_version > 0 && spec.plan_id.empty())
    return absl::InvalidArgumentError("plan_version: given without plan_id");
  if (spec.period != nullptr) {
    if (auto s = ValidatePeriod(*spec.period, "period"); !s.ok()) return s;
  }

  // 2. The snapshots, as the store has them now.
  ReportInputs inputs;
  auto info = deps_.snapshots->Info(spec.snapshot_id, "snapshot_id");
  if (!info.ok()) return info.status();
  inputs.snapshot = std::move(*info);
  const v1::SnapshotHeader& header = inputs.snapshot.header();
  if (!spec.baseline_snapshot_id.empty()) {
    auto baseline = deps_.snapshots->Info(spec.baseline_snapshot_id, "baseline_snapshot_id");
    if (!baseline.ok()) return baseline.status();
    const v1::SnapshotHeader& base = baseline->header();
    auto base_as_of = FromProto(base.as_of()), as_of = FromProto(header.as_of());
    if (base_as_of.ok() && as_of.ok() && *base_as_of > *as_of)
      return absl::InvalidArgumentError(absl::StrCat(
          "baseline_snapshot_id: the baseline is as of ", FormatDate(*base_as_of),
          ", after the snapshot's ", FormatDate(*as_of), " (the baseline is the earlier one)"));
    if (base.currency_code() != header.currency_code())
      return absl::FailedPreconditionError(absl::StrCat(
          "baseline_snapshot_id: the baseline is in ", base.currency_code(), ", the snapshot in ",
          header.currency_code()));
    if (NormalizeStartMonth(base.calendar().start_month()) !=
        NormalizeStartMonth(header.calendar().start_month()))
      return absl::FailedPreconditionError(
          "baseline_snapshot_id: the baseline's fiscal calendar differs from the snapshot's");
    inputs.baseline = std::move(*baseline);
  }

  // 3. The plan (its latest version when none is named) from QuotaService.
  if (!spec.plan_id.empty()) {
    v1::GetPlanRequest plan_request;
    plan_request.set_plan_id(spec.plan_id);
    plan_request.set_version(spec.plan_version);
    auto plan = CallService<v1::Plan>(
        "quota service", *context, deps_.default_deadline,
        [&](grpc::ClientContext* c, v1::Plan* p) { return deps_.quota->GetPlan(c, plan_request, p); });
    if (!plan.ok()) return plan.status();
    inputs.plan = std::move(*plan);
  }

  // 4. The period: as asked, or the quarter containing the as-of date.
  if (spec.period != nullptr) {
    inputs.period = FromProto(*spec.period);
  } else {
    auto as_of = FromProto(header.as_of());
    if (!as_of.ok())
      return absl::DataLossError(absl::StrCat("snapshot store: bad as-of date of ", spec.snapshot_id));
    inputs.period = PeriodContaining(*as_of, PeriodKind::kQuarter, header.calendar().start_month());
  }
  inputs.period_proto = ToProto(inputs.period);
  return inputs;
}

template <typename Response, typename Request, typename Build>
absl::Status ReportingServiceImpl::CachedReport(const std::string& method, const Request& normalized,
                                                Build build, Response* response) {
  const std::string key = deps_.cache->KeyFor(method, normalized);
  if (deps_.cache->GetMessage(key, response)) return absl::OkStatus();
  absl::StatusOr<Response> report = build();
  if (!report.ok()) return report.status();
  *response = std::move(*report);
  // A report missing a part because a service was down is an answer for now, not the answer.
  if constexpr (requires { response->landing_unavailable(); }) {
    if (!response->landing_unavailable().empty()) return absl::OkStatus();
  }
  deps_.cache->PutMessage(key, *response);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::shared_ptr<const Snapshot>>> ReportingServiceImpl::EarlierSnapshots(
    const Snapshot& now, const std::vector<std::string>& ids) {
  const std::string& root = now.hierarchy.node(now.hierarchy.root()).id();
  std::vector<std::shared_ptr<const Snapshot>> past;
  for (const std::string& id : ids) {
    auto snapshot = deps_.snapshots->Load(id);
    if (absl::IsNotFound(snapshot.status())) continue;  // deleted meanwhile
    if (!snapshot.ok()) return snapshot.status();
    const Hierarchy& h = (*snapshot)->hierarchy;
    if (h.node(h.root()).id() == root) past.push_back(std::move(*snapshot));  // the same company
  }
  return past;
}

LandingBatchFn ReportingServiceImpl::LandingCaller(grpc::CallbackServerContext* context) {
  return [this, context](std::span<const v1::ForecastLandingRequest> requests) {
    return CallServiceAll<v1::ForecastLandingResponse>(
        "forecast service", *context, deps_.default_deadline, requests, kLandingCallsInFlight,
        [this](grpc::ClientContext* c, const v1::ForecastLandingRequest* request,
               v1::ForecastLandingResponse* response, std::function<void(grpc::Status)> done) {
          deps_.forecast->async()->ForecastLanding(c, request, response, std::move(done));
        });
  };
}

absl::Status ReportingServiceImpl::BuildAttainment(grpc::CallbackServerContext* context,
                                                   const v1::AttainmentReportRequest& request,
                                                   v1::AttainmentReportResponse* response) {
  ReportSpec spec;
  spec.snapshot_id = request.snapshot_id();
  spec.plan_id = request.plan_id();
  spec.plan_version = request.plan_version();
  spec.plan_required = true;
  spec.period = request.has_period() ? &request.period() : nullptr;
  auto inputs = PrepareReport(context, spec);
  if (!inputs.ok()) return inputs.status();
  v1::AttainmentReportRequest normalized = request;
  normalized.set_plan_version(inputs->plan->version());
  *normalized.mutable_period() = inputs->period_proto;
  // The earlier snapshots the landing may calibrate on: those whose period (moved as far on as
  // the report's period is from today's) is over, i.e. taken before the first day of the period
  // `offset` periods before today's. None for a period already over (it has landed). The landing
  // depends on them: their ids are part of the cache key.
  const int as_of_day = DayNumber(*FromProto(inputs->snapshot.header().as_of()));
  const int start_month = inputs->snapshot.header().calendar().start_month();
  const FiscalPeriod today = PeriodContaining(FromDayNumber(as_of_day), inputs->period.kind, start_month);
  const int offset = PeriodsBetween(today, inputs->period);
  std::vector<std::string> past_ids;
  if (offset >= 0) {
    const int before_day = DayNumber(RangeOf(ShiftPeriod(today, -offset), start_month).first);
    auto ids = deps_.snapshots->EarlierIds(before_day, kHistoryWindowDays, kHistoryGapDays,
                                           kMaxHistorySnapshots);
    if (!ids.ok()) return ids.status();
    past_ids = std::move(*ids);
  }
  return CachedReport(
      absl::StrCat("AttainmentReport/", absl::StrJoin(past_ids, ",")), normalized,
      [&]() -> absl::StatusOr<v1::AttainmentReportResponse> {
        // Where a cold report's time goes, in the log: loading, the landing calls, the rest.
        const auto start = std::chrono::steady_clock::now();
        auto ms_since = [](std::chrono::steady_clock::time_point t) {
          return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
        };
        auto snapshot = deps_.snapshots->Load(request.snapshot_id());
        if (!snapshot.ok()) return snapshot.status();
        auto past = EarlierSnapshots(**snapshot, past_ids);
        if (!past.ok()) return past.status();
        const double load_ms = ms_since(start);
        double landing_ms = 0;
        LandingBatchFn call = LandingCaller(context);
        LandingBatchFn timed = [&](std::span<const v1::ForecastLandingRequest> requests) {
          const auto t = std::chrono::steady_clock::now();
          auto answered = call(requests);
          landing_ms += ms_since(t);
          return answered;
        };
        auto report = BuildAttainmentReport(**snapshot, *past, *inputs->plan, inputs->period,
                                            request.node_id(), timed);
        if (!report.ok()) return report.status();
        if (!report->landing_unavailable().empty())
          log::Warn("attainment_report_without_landing",
                    {{"snapshot_id", request.snapshot_id()}, {"error", report->landing_unavailable()}});
        log::Info("attainment_report_built",
                  {{"snapshot_id", request.snapshot_id()}, {"rows", report->rows_size()},
                   {"history_snapshots", past->size()}, {"load_ms", load_ms},
                   {"landing_calls_ms", landing_ms}, {"total_ms", ms_since(start)}});
        return report;
      },
      response);
}

absl::Status ReportingServiceImpl::BuildPipeline(grpc::CallbackServerContext* context,
                                                 const v1::PipelineReportRequest& request,
                                                 v1::PipelineReportResponse* response) {
  ReportSpec spec;
  spec.snapshot_id = request.snapshot_id();
  spec.baseline_snapshot_id = request.baseline_snapshot_id();
  spec.plan_id = request.plan_id();
  spec.plan_version = request.plan_version();
  spec.period = request.has_period() ? &request.period() : nullptr;
  auto inputs = PrepareReport(context, spec);
  if (!inputs.ok()) return inputs.status();
  v1::PipelineReportRequest normalized = request;
  normalized.set_plan_version(inputs->plan ? inputs->plan->version() : 0);
  *normalized.mutable_period() = inputs->period_proto;
  return CachedReport(
      "PipelineReport", normalized,
      [&]() -> absl::StatusOr<v1::PipelineReportResponse> {
        auto now = deps_.snapshots->Load(request.snapshot_id());
        if (!now.ok()) return now.status();
        std::shared_ptr<const Snapshot> baseline;
        if (inputs->baseline) {
          auto loaded = deps_.snapshots->Load(request.baseline_snapshot_id());
          if (!loaded.ok()) return loaded.status();
          baseline = std::move(*loaded);
        }
        return BuildPipelineReport(**now, baseline.get(), inputs->plan ? &*inputs->plan : nullptr,
                                   inputs->period, request.node_id());
      },
      response);
}

absl::Status ReportingServiceImpl::BuildKpi(grpc::CallbackServerContext* context,
                                            const v1::KpiReportRequest& request,
                                            v1::KpiReportResponse* response) {
  ReportSpec spec;
  spec.snapshot_id = request.snapshot_id();
  spec.period = request.has_period() ? &request.period() : nullptr;
  auto inputs = PrepareReport(context, spec);
  if (!inputs.ok()) return inputs.status();
  v1::KpiReportRequest normalized = request;
  *normalized.mutable_period() = inputs->period_proto;
  return CachedReport(
      "KpiReport", normalized,
      [&]() -> absl::StatusOr<v1::KpiReportResponse> {
        auto snapshot = deps_.snapshots->Load(request.snapshot_id());
        if (!snapshot.ok()) return snapshot.status();
        return BuildKpiReport(**snapshot, inputs->period, request.node_id());
      },
      response);
}

absl::Status ReportingServiceImpl::BuildAccuracy(grpc::CallbackServerContext* context,
                                                 const v1::ForecastAccuracyRequest& request,
                                                 v1::ForecastAccuracyResponse* response) {
  PeriodKind kind = PeriodKind::kQuarter;
  switch (request.period_type()) {
    case v1::PERIOD_TYPE_UNSPECIFIED:
    case v1::PERIOD_TYPE_QUARTER: break;
    case v1::PERIOD_TYPE_MONTH: kind = PeriodKind::kMonth; break;
    default:
      return absl::InvalidArgumentError("period_type: must be MONTH or QUARTER (unset: QUARTER)");
  }
  ReportSpec spec;
  spec.snapshot_id = request.snapshot_id();
  auto inputs = PrepareReport(context, spec);
  if (!inputs.ok()) return inputs.status();
  // The snapshots of the periods asked for (those before today's), and the calibration window
  // before the first of them.
  const int as_of_day = DayNumber(*FromProto(inputs->snapshot.header().as_of()));
  const int start_month = inputs->snapshot.header().calendar().start_month();
  const int before_day = DayNumber(
      RangeOf(PeriodContaining(FromDayNumber(as_of_day), kind, start_month), start_month).first);
  const int period_days = kind == PeriodKind::kMonth ? 31 : 92;
  const int periods = request.periods() > 0 ? request.periods() : 4;
  auto earlier_ids = deps_.snapshots->EarlierIds(
      before_day, std::clamp(periods, 1, 12) * period_days + kHistoryWindowDays, kAccuracyGapDays,
      kMaxAccuracySnapshots);
  if (!earlier_ids.ok()) return earlier_ids.status();
  v1::ForecastAccuracyRequest normalized = request;
  normalized.set_period_type(kind == PeriodKind::kMonth ? v1::PERIOD_TYPE_MONTH : v1::PERIOD_TYPE_QUARTER);
  return CachedReport(
      absl::StrCat("ForecastAccuracyReport/", absl::StrJoin(*earlier_ids, ",")), normalized,
      [&]() -> absl::StatusOr<v1::ForecastAccuracyResponse> {
        auto latest = deps_.snapshots->Load(request.snapshot_id());
        if (!latest.ok()) return latest.status();
        auto earlier = EarlierSnapshots(**latest, *earlier_ids);
        if (!earlier.ok()) return earlier.status();
        return BuildForecastAccuracyReport(**latest, *earlier, request.node_id(), kind,
                                           request.periods(), LandingCaller(context));
      },
      response);
}

}  // namespace salesops::reporting
