#include "services/forecasting/forecast_service.h"

#include "common/rpc.h"

namespace salesops::forecast {

ForecastServiceImpl::ForecastServiceImpl(ThreadPool& handlers, ThreadPool& compute, Cache& cache,
                                         ForecastLimits limits)
    : handlers_(handlers), compute_(compute), cache_(cache), limits_(limits) {}

grpc::ServerUnaryReactor* ForecastServiceImpl::Forecast(grpc::CallbackServerContext* context,
                                                        const v1::ForecastRequest* request,
                                                        v1::ForecastResponse* response) {
  return FinishOnPool(context, handlers_, [this, request, response]() -> absl::Status {
    if (auto status = ValidateForecastRequest(*request, limits_); !status.ok()) return status;
    const std::string key = cache_.KeyFor("Forecast", *request);
    if (cache_.GetMessage(key, response)) return absl::OkStatus();
    auto computed = ComputeForecasts(*request, compute_);
    if (!computed.ok()) return computed.status();
    *response = std::move(*computed);
    cache_.PutMessage(key, *response);
    return absl::OkStatus();
  });
}

}  // namespace salesops::forecast
