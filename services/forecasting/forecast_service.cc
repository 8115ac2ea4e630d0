#include "services/forecasting/forecast_service.h"

#include <atomic>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/grpc_status.h"
#include "common/rpc.h"
#include "grpcpp/alarm.h"
#include "services/forecasting/backtest_request.h"
#include "services/forecasting/landing_request.h"
#include "services/forecasting/reconcile_request.h"
#include "services/forecasting/snapshot_series.h"

namespace salesops::forecast {
namespace {

absl::StatusOr<v1::ForecastLandingResponse> Landing(const v1::ForecastLandingRequest& request,
                                                    ThreadPool&) {
  return ComputeLanding(request);
}

bool Finished(const v1::BatchStatus& s) {
  return s.state() == v1::BATCH_STATE_DONE || s.state() == v1::BATCH_STATE_CANCELLED;
}

// WatchBatch: sends the status, then polls the store every `interval` (on the handler pool, never
// on gRPC's threads, waiting with an Alarm in between, so a watch holds no thread) and sends each
// change until the job is finished or the client goes away.
class WatchReactor : public grpc::ServerWriteReactor<v1::BatchStatus> {
 public:
  WatchReactor(BatchStore& store, ThreadPool& pool, std::string batch_id,
               std::chrono::milliseconds interval)
      : store_(store), pool_(pool), batch_id_(std::move(batch_id)), interval_(interval) {
    Poll();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return End(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    if (Finished(sent_)) return End(grpc::Status::OK);
    Schedule();
  }
  void OnCancel() override {
    cancelled_ = true;
    alarm_.Cancel();
  }
  void OnDone() override { delete this; }

 private:
  void Poll() {
    pool_.Submit([this] {
      if (cancelled_) return End(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
      auto status = store_.Status(batch_id_);
      if (!status.ok()) return End(ToGrpcStatus(status.status()));
      if (!has_sent_ || status->SerializeAsString() != sent_.SerializeAsString()) {
        sent_ = std::move(*status);
        has_sent_ = true;
        StartWrite(&sent_);  // OnWriteDone goes on
        return;
      }
      Schedule();
    });
  }
  void Schedule() {
    alarm_.Set(std::chrono::system_clock::now() + interval_, [this](bool fired) {
      if (!fired) return End(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
      Poll();
    });
  }
  void End(const grpc::Status& status) {
    if (!ended_.exchange(true)) Finish(status);
  }

  BatchStore& store_;
  ThreadPool& pool_;
  const std::string batch_id_;
  const std::chrono::milliseconds interval_;
  grpc::Alarm alarm_;
  v1::BatchStatus sent_;
  bool has_sent_ = false;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> ended_{false};
};

// ListSnapshots-style page tokens: the next task index, base64 with a prefix.
constexpr char kPageTokenPrefix[] = "batch-results-v1:";

std::string PageToken(int next_task) {
  return absl::WebSafeBase64Escape(absl::StrCat(kPageTokenPrefix, next_task));
}

absl::StatusOr<int> TaskOfPageToken(const std::string& token) {
  if (token.empty()) return 0;
  std::string decoded;
  int task = 0;
  absl::string_view rest;
  if (absl::WebSafeBase64Unescape(token, &decoded)) rest = decoded;
  if (!absl::ConsumePrefix(&rest, kPageTokenPrefix) || !absl::SimpleAtoi(rest, &task) || task < 0)
    return absl::InvalidArgumentError("page_token: not a token from a previous GetBatchResults response");
  return task;
}

}  // namespace

ForecastServiceImpl::ForecastServiceImpl(ThreadPool& handlers, ThreadPool& compute, Cache& cache,
                                         ForecastLimits limits, BatchStore* batches,
                                         BatchLimits batch_limits,
                                         reporting::SnapshotStore* snapshots)
    : handlers_(handlers),
      compute_(compute),
      cache_(cache),
      limits_(limits),
      batches_(batches),
      batch_limits_(batch_limits),
      snapshots_(snapshots) {}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* ForecastServiceImpl::Cached(
    grpc::CallbackServerContext* context, const char* method, const Request* request,
    Response* response, absl::Status (*validate)(const Request&, const ForecastLimits&),
    absl::StatusOr<Response> (*compute)(const Request&, ThreadPool&)) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    if (auto status = validate(*request, limits_); !status.ok()) return status;
    const std::string key = cache_.KeyFor(method, *request);
    if (cache_.GetMessage(key, response)) return absl::OkStatus();
    auto computed = compute(*request, compute_);
    if (!computed.ok()) return computed.status();
    *response = std::move(*computed);
    cache_.PutMessage(key, *response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ForecastServiceImpl::Forecast(grpc::CallbackServerContext* context,
                                                        const v1::ForecastRequest* request,
                                                        v1::ForecastResponse* response) {
  return Cached(context, "Forecast", request, response, &ValidateForecastRequest, &ComputeForecasts);
}

grpc::ServerUnaryReactor* ForecastServiceImpl::Backtest(grpc::CallbackServerContext* context,
                                                        const v1::BacktestRequest* request,
                                                        v1::BacktestResponse* response) {
  return Cached(context, "Backtest", request, response, &ValidateBacktestRequest, &ComputeBacktest);
}

grpc::ServerUnaryReactor* ForecastServiceImpl::Reconcile(grpc::CallbackServerContext* context,
                                                         const v1::ReconcileRequest* request,
                                                         v1::ReconcileResponse* response) {
  return Cached(context, "Reconcile", request, response, &ValidateReconcileRequest, &ComputeReconcile);
}

grpc::ServerUnaryReactor* ForecastServiceImpl::ForecastLanding(
    grpc::CallbackServerContext* context, const v1::ForecastLandingRequest* request,
    v1::ForecastLandingResponse* response) {
  return Cached(context, "ForecastLanding", request, response, &ValidateLandingSize, &Landing);
}

absl::StatusOr<BatchStore*> ForecastServiceImpl::Batches(const std::string& batch_id) const {
  if (batches_ == nullptr)
    return absl::FailedPreconditionError(
        "batches need a store: start salesops-forecast with --store-redis");
  if (batch_id.empty()) return absl::InvalidArgumentError("batch_id: required");
  if (batch_id.size() != 32 || batch_id.find_first_not_of("0123456789abcdef") != std::string::npos)
    return absl::InvalidArgumentError(
        absl::StrCat("batch_id: \"", batch_id.substr(0, 64), "\" is not a batch id (32 hex digits)"));
  return batches_;
}

grpc::ServerUnaryReactor* ForecastServiceImpl::SubmitBatch(grpc::CallbackServerContext* context,
                                                           const v1::SubmitBatchRequest* request,
                                                           v1::BatchStatus* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    if (batches_ == nullptr)
      return absl::FailedPreconditionError(
          "batches need a store: start salesops-forecast with --store-redis");
    v1::ForecastRequest from_snapshot;
    if (request->has_from_snapshot()) {
      if (request->forecast().series_size() > 0)
        return absl::InvalidArgumentError(
            "forecast.series: leave empty with from_snapshot (the series come from the snapshot)");
      if (snapshots_ == nullptr)
        return absl::FailedPreconditionError("from_snapshot: this server has no snapshot store");
      auto series = SnapshotSeries(*snapshots_, request->from_snapshot(), batch_limits_.max_series);
      if (!series.ok()) return series.status();
      if (series->empty())
        return absl::InvalidArgumentError(
            "from_snapshot: the snapshot has no closed-won bookings before its last month");
      from_snapshot = request->forecast();
      for (auto& one : *series) *from_snapshot.add_series() = std::move(one);
    }
    const v1::ForecastRequest& forecast =
        request->has_from_snapshot() ? from_snapshot : request->forecast();
    if (forecast.series_size() > batch_limits_.max_series)
      return absl::InvalidArgumentError(absl::StrCat("forecast.series: at most ",
                                                     batch_limits_.max_series, " series per batch, got ",
                                                     forecast.series_size()));
    // The per-call series limit does not apply to a batch; everything else does.
    ForecastLimits limits = limits_;
    limits.max_series = batch_limits_.max_series;
    if (auto s = ValidateForecastRequest(forecast, limits); !s.ok())
      return absl::Status(s.code(), absl::StrCat("forecast.", s.message()));
    int per_task = request->series_per_task();
    if (per_task == 0) per_task = batch_limits_.default_series_per_task;
    if (per_task < 1 || per_task > batch_limits_.max_series_per_task)
      return absl::InvalidArgumentError(absl::StrCat("series_per_task: must be 1..",
                                                     batch_limits_.max_series_per_task, " (0 means ",
                                                     batch_limits_.default_series_per_task, ")"));
    if (request->request_id().size() > 200)
      return absl::InvalidArgumentError("request_id: at most 200 characters");
    auto status = batches_->Submit(forecast, per_task, request->request_id());
    if (!status.ok()) return status.status();
    *response = std::move(*status);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ForecastServiceImpl::GetBatch(grpc::CallbackServerContext* context,
                                                        const v1::GetBatchRequest* request,
                                                        v1::BatchStatus* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    auto store = Batches(request->batch_id());
    if (!store.ok()) return store.status();
    auto status = (*store)->Status(request->batch_id());
    if (!status.ok()) return status.status();
    *response = std::move(*status);
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::BatchStatus>* ForecastServiceImpl::WatchBatch(
    grpc::CallbackServerContext* context, const v1::GetBatchRequest* request) {
  class Failed : public grpc::ServerWriteReactor<v1::BatchStatus> {
   public:
    explicit Failed(const grpc::Status& s) { Finish(s); }
    void OnDone() override { delete this; }
  };
  // A streaming call is not covered by FinishOnPool's check: the caller is checked here.
  if (auto allowed = CheckCallAuth(context); !allowed.ok()) return new Failed(ToGrpcStatus(allowed));
  auto store = Batches(request->batch_id());
  if (!store.ok()) return new Failed(ToGrpcStatus(store.status()));
  return new WatchReactor(**store, handlers_, request->batch_id(), batch_limits_.watch_interval);
}

grpc::ServerUnaryReactor* ForecastServiceImpl::GetBatchResults(
    grpc::CallbackServerContext* context, const v1::GetBatchResultsRequest* request,
    v1::GetBatchResultsResponse* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    auto store = Batches(request->batch_id());
    if (!store.ok()) return store.status();
    int page_size = request->page_size() ? request->page_size() : batch_limits_.default_page_size;
    if (page_size < 1 || page_size > batch_limits_.max_page_size)
      return absl::InvalidArgumentError(absl::StrCat("page_size: must be 1..",
                                                     batch_limits_.max_page_size, " (0 means ",
                                                     batch_limits_.default_page_size, ")"));
    auto first = TaskOfPageToken(request->page_token());
    if (!first.ok()) return first.status();
    int next = 0;
    auto page = (*store)->Results(request->batch_id(), *first, page_size, &next);
    if (!page.ok()) return page.status();
    *response = std::move(*page);
    if (next < response->status().tasks_total()) response->set_next_page_token(PageToken(next));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ForecastServiceImpl::CancelBatch(grpc::CallbackServerContext* context,
                                                           const v1::CancelBatchRequest* request,
                                                           v1::BatchStatus* response) {
  return FinishOnPool(context, handlers_, [=, this]() -> absl::Status {
    auto store = Batches(request->batch_id());
    if (!store.ok()) return store.status();
    auto status = (*store)->Cancel(request->batch_id());
    if (!status.ok()) return status.status();
    *response = std::move(*status);
    return absl::OkStatus();
  });
}

}  // namespace salesops::forecast
