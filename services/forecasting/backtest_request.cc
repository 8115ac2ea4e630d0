#include "services/forecasting/backtest_request.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/backtest.h"

namespace salesops::forecast {
namespace {

constexpr int kMaxWindows = 100;
constexpr int kMaxModels = 16;

ModelFields FieldsOf(const v1::BacktestRequest& request) {
  static const std::string kNoEtsModel;
  return {request.horizon(), request.levels(), v1::MODEL_TYPE_AUTO, request.season_length(),
          kNoEtsModel};
}

std::vector<ModelKind> ModelsOf(const v1::BacktestRequest& request) {
  std::vector<ModelKind> models;
  for (int m : request.models()) models.push_back(ModelKindFromProto(static_cast<v1::ModelType>(m)));
  if (models.empty()) {
    models = {ModelKind::kAuto, ModelKind::kEts, ModelKind::kTheta, ModelKind::kArima,
              ModelKind::kNaive, ModelKind::kSeasonalNaive};
  }
  return models;
}

BacktestOptions OptionsOf(const v1::BacktestRequest& request, const v1::TimeSeries& series) {
  BacktestOptions options;
  options.horizon = request.horizon();
  options.windows = request.windows();
  options.step = request.step() > 0 ? request.step() : request.horizon();
  options.models = ModelsOf(request);
  options.season_length = SeasonLengthFor(request.season_length(), series);
  if (request.levels_size() > 0) options.levels.assign(request.levels().begin(), request.levels().end());
  return options;
}

void Fill(const AccuracySums& sums, v1::ModelType model, const std::vector<double>& levels,
          v1::ModelAccuracy* out) {
  out->set_model(model);
  out->set_smape(sums.Smape());
  out->set_mase(sums.Mase());
  out->set_bias(sums.Bias());
  out->set_bias_pct(sums.BiasPct());
  for (size_t l = 0; l < levels.size(); ++l) {
    auto* c = out->add_coverage();
    c->set_level(levels[l]);
    c->set_coverage(sums.Coverage(l));
  }
  out->set_points(sums.points);
  out->set_origins_skipped(sums.origins_skipped);
}

}  // namespace

absl::Status ValidateBacktestRequest(const v1::BacktestRequest& request, const ForecastLimits& limits) {
  if (auto s = ValidateSeriesList(request.series(), limits); !s.ok()) return s;
  if (auto s = ValidateModelFields(FieldsOf(request), limits); !s.ok()) return s;
  if (request.windows() < 1 || request.windows() > kMaxWindows)
    return absl::InvalidArgumentError(
        absl::StrFormat("windows: must be 1..%d, got %d", kMaxWindows, request.windows()));
  if (request.step() < 0 || request.step() > 10000)
    return absl::InvalidArgumentError(absl::StrFormat("step: must be 0..10000, got %d", request.step()));
  if (request.models_size() > kMaxModels)
    return absl::InvalidArgumentError(absl::StrFormat("models: at most %d", kMaxModels));
  for (int i = 0; i < request.models_size(); ++i) {
    if (!v1::ModelType_IsValid(request.models(i)))
      return absl::InvalidArgumentError(absl::StrCat("models[", i, "]: unknown model type ", request.models(i)));
  }
  for (int s = 0; s < request.series_size(); ++s) {
    auto origins = BacktestOrigins(request.series(s).values_size(), OptionsOf(request, request.series(s)));
    if (!origins.ok())
      return absl::InvalidArgumentError(absl::StrCat("series[", s, "]: ", origins.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::BacktestResponse> ComputeBacktest(const v1::BacktestRequest& request, ThreadPool& pool) {
  const int n = request.series_size();
  std::vector<absl::StatusOr<SeriesBacktest>> results(n, absl::UnknownError("not computed"));
  pool.ParallelFor(n, [&](size_t i) {
    const v1::TimeSeries& series = request.series(static_cast<int>(i));
    results[i] = BacktestSeries(ValuesOf(series), OptionsOf(request, series));
  });
  const std::vector<ModelKind> models = ModelsOf(request);
  const std::vector<double> levels = n > 0 ? OptionsOf(request, request.series(0)).levels : std::vector<double>{};
  v1::BacktestResponse response;
  response.set_engine_version(SALESOPS_ENGINE_VERSION);
  // Overall: sMAPE and MASE averaged over series (the M-competition convention), the rest pooled.
  std::vector<AccuracySums> pooled(models.size());
  std::vector<double> smape_total(models.size(), 0), mase_total(models.size(), 0);
  std::vector<int> series_scored(models.size(), 0), mase_scored(models.size(), 0);
  for (int i = 0; i < n; ++i) {
    if (!results[i].ok()) {
      return absl::Status(results[i].status().code(),
                          absl::StrCat("series[", i, "]: ", results[i].status().message()));
    }
    v1::SeriesBacktest* out = response.add_series();
    out->set_series_id(request.series(i).id());
    for (size_t k = 0; k < models.size(); ++k) {
      const AccuracySums& sums = results[i]->models[k];
      Fill(sums, ModelTypeToProto(models[k]), levels, out->add_models());
      pooled[k].Add(sums);
      if (sums.points > 0) {
        smape_total[k] += sums.Smape();
        ++series_scored[k];
      }
      if (sums.scaled_points > 0) {
        mase_total[k] += sums.Mase();
        ++mase_scored[k];
      }
    }
    if (results[i]->best >= 0) out->set_best_model(ModelTypeToProto(models[results[i]->best]));
  }
  for (size_t k = 0; k < models.size(); ++k) {
    v1::ModelAccuracy* overall = response.add_overall();
    Fill(pooled[k], ModelTypeToProto(models[k]), levels, overall);
    overall->set_smape(series_scored[k] ? smape_total[k] / series_scored[k] : 0);
    overall->set_mase(mase_scored[k] ? mase_total[k] / mase_scored[k] : 0);
  }
  return response;
}

}  // namespace salesops::forecast
