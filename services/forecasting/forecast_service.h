// salesops.v1.ForecastService: validates, checks the cache, computes on the thread pool.
#ifndef SALESOPS_SERVICES_FORECASTING_FORECAST_SERVICE_H_
#define SALESOPS_SERVICES_FORECASTING_FORECAST_SERVICE_H_

#include <chrono>
#include <memory>

#include "common/cache.h"
#include "common/thread_pool.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "services/forecasting/batch_store.h"
#include "services/forecasting/forecast_request.h"
#include "services/reporting/snapshot_store.h"

namespace salesops::forecast {

// Limits of a batch (the per-call limits of Forecast apply to each series and the options).
struct BatchLimits {
  int max_series = 1000000;
  int default_series_per_task = 200;
  int max_series_per_task = 10000;
  int default_page_size = 5000;
  int max_page_size = 50000;
  // WatchBatch looks for progress this often.
  std::chrono::milliseconds watch_interval{250};
};

class ForecastServiceImpl final : public v1::ForecastService::CallbackService {
 public:
  // `handlers` runs request handlers; `compute` runs the per-series work. `batches`: the batch
  // job store, or null when the server has no store (the batch RPCs then answer
  // FAILED_PRECONDITION).
  // `snapshots`: the stored snapshots a batch may take its series from (null: none).
  ForecastServiceImpl(ThreadPool& handlers, ThreadPool& compute, Cache& cache,
                      ForecastLimits limits, BatchStore* batches = nullptr,
                      BatchLimits batch_limits = {},
                      reporting::SnapshotStore* snapshots = nullptr);

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
  grpc::ServerUnaryReactor* SubmitBatch(grpc::CallbackServerContext* context,
                                        const v1::SubmitBatchRequest* request,
                                        v1::BatchStatus* response) override;
  grpc::ServerUnaryReactor* GetBatch(grpc::CallbackServerContext* context,
                                     const v1::GetBatchRequest* request,
                                     v1::BatchStatus* response) override;
  grpc::ServerWriteReactor<v1::BatchStatus>* WatchBatch(grpc::CallbackServerContext* context,
                                                         const v1::GetBatchRequest* request) override;
  grpc::ServerUnaryReactor* GetBatchResults(grpc::CallbackServerContext* context,
                                            const v1::GetBatchResultsRequest* request,
                                            v1::GetBatchResultsResponse* response) override;
  grpc::ServerUnaryReactor* CancelBatch(grpc::CallbackServerContext* context,
                                        const v1::CancelBatchRequest* request,
                                        v1::BatchStatus* response) override;

 private:
  // The batch store, or FailedPrecondition when the server runs without one; and the batch id
  // checked.
  absl::StatusOr<BatchStore*> Batches(const std::string& batch_id) const;

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
  BatchStore* batches_;
  BatchLimits batch_limits_;
  reporting::SnapshotStore* snapshots_;
};

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_FORECAST_SERVICE_H_
