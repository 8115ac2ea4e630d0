// salesops.v1.ForecastService: validates, checks the cache, computes on the thread pool.
#ifndef SALESOPS_SERVICES_FORECASTING_FORECAST_SERVICE_H_
#define SALESOPS_SERVICES_FORECASTING_FORECAST_SERVICE_H_

#include <memory>

#include "common/cache.h"
#include "common/thread_pool.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "services/forecasting/forecast_request.h"

namespace salesops::forecast {

class ForecastServiceImpl final : public v1::ForecastService::CallbackService {
 public:
  // `handlers` runs request handlers; `compute` runs the per-series work.
  ForecastServiceImpl(ThreadPool& handlers, ThreadPool& compute, Cache& cache,
                      ForecastLimits limits);

  grpc::ServerUnaryReactor* Forecast(grpc::CallbackServerContext* context,
                                     const v1::ForecastRequest* request,
                                     v1::ForecastResponse* response) override;
  grpc::ServerUnaryReactor* Backtest(grpc::CallbackServerContext* context,
                                     const v1::BacktestRequest* request,
                                     v1::BacktestResponse* response) override;
  grpc::ServerUnaryReactor* Reconcile(grpc::CallbackServerContext* context,
                                      const v1::ReconcileRequest* request,
                                      v1::ReconcileResponse* response) override;
  grpc::ServerUnaryReactor* ForecastLanding(grpc::CallbackServerContext* context,
                                            const v1::ForecastLandingRequest* request,
                                            v1::ForecastLandingResponse* response) override;

 private:
  // Validate, look in the cache, compute on a miss, store: the shape of every RPC here.
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Cached(grpc::CallbackServerContext* context, const char* method,
                                   const Request* request, Response* response,
                                   absl::Status (*validate)(const Request&, const ForecastLimits&),
                                   absl::StatusOr<Response> (*compute)(const Request&, ThreadPool&));

  ThreadPool& handlers_;
  ThreadPool& compute_;
  Cache& cache_;
  ForecastLimits limits_;
};

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_FORECAST_SERVICE_H_
