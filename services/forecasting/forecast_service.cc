#include "services/forecasting/forecast_service.h"

#include "common/rpc.h"
#include "services/forecasting/backtest_request.h"
#include "services/forecasting/landing_request.h"
#include "services/forecasting/reconcile_request.h"

namespace salesops::forecast {
namespace {

absl::Status NoValidation(const v1::ForecastLandingRequest&, const ForecastLimits&) {
  return absl::OkStatus();  // ComputeLanding validates as it converts
}

absl::StatusOr<v1::ForecastLandingResponse> Landing(const v1::ForecastLandingRequest& request,
                                                    ThreadPool&) {
  return ComputeLanding(request);
}

}  // namespace

ForecastServiceImpl::ForecastServiceImpl(ThreadPool& handlers, ThreadPool& compute, Cache& cache,
                                         ForecastLimits limits)
    : handlers_(handlers), compute_(compute), cache_(cache), limits_(limits) {}

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
  return Cached(context, "ForecastLanding", request, response, &NoValidation, &Landing);
}

}  // namespace salesops::forecast
