// The bridge between ForecastRequest messages and the engine: validation with field-naming errors,
// conversion, and computing every series in parallel. Used by the service, by salesctl --local and
// by batch workers, so all of them give identical answers.
#ifndef SALESOPS_SERVICES_FORECASTING_FORECAST_REQUEST_H_
#define SALESOPS_SERVICES_FORECASTING_FORECAST_REQUEST_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/thread_pool.h"
#include "salesops/v1/forecasting.pb.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {

// Limits on what one request may ask; violations are INVALID_ARGUMENT naming the limit.
struct ForecastLimits {
  int max_series = 100000;
  int max_series_length = 100000;
  int max_horizon = 1000;
  int max_season_length = 1000;
  int max_levels = 10;
  // ForecastLanding: open deals, and past deals it calibrates on.
  int max_landing_deals = 1'000'000;
  int max_landing_history = 5'000'000;
};

// The model fields every forecasting request shares (Forecast, Backtest, Reconcile).
struct ModelFields {
  int horizon = 0;
  const google::protobuf::RepeatedField<double>& levels;
  int model = 0;
  int season_length = 0;
  const std::string& ets_model;
};
ModelFields FieldsOf(const v1::ForecastRequest& request);

// OK, or InvalidArgument whose message starts with the offending field, e.g.
// "series[3].values[7]: not a finite number".
absl::Status ValidateForecastRequest(const v1::ForecastRequest& request,
                                     const ForecastLimits& limits);
absl::Status ValidateSeriesList(const google::protobuf::RepeatedPtrField<v1::TimeSeries>& series,
                                const ForecastLimits& limits);
absl::Status ValidateModelFields(const ModelFields& fields, const ForecastLimits& limits);

// Engine options from the shared fields (season_length is per series: SeasonLengthFor).
ForecastOptions OptionsFor(const ModelFields& fields);
// The seasonal period for a series: `requested` when > 0, else inferred from its granularity.
int SeasonLengthFor(int requested, const v1::TimeSeries& series);
std::span<const double> ValuesOf(const v1::TimeSeries& series);
// A result as the API returns it, dated from the series' start when it has one.
void ToProto(const ForecastResult& result, const v1::TimeSeries& series, v1::SeriesForecast* out);

// Forecasts every series of a valid request on `pool` (the calling thread helps).
absl::StatusOr<v1::ForecastResponse> ComputeForecasts(const v1::ForecastRequest& request,
                                                      ThreadPool& pool);

ModelKind ModelKindFromProto(v1::ModelType type);
v1::ModelType ModelTypeToProto(ModelKind kind);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_FORECAST_REQUEST_H_
