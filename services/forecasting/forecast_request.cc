#include "absl/strings/string_view.h"
#include "services/forecasting/forecast_request.h"

#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/calendar.h"
#include "common/proto_convert.h"

namespace salesops::forecast {
namespace {

const std::regex& EtsModelPattern() {
  static const std::regex* pattern = new std::regex("^[AMZ](N|A|Ad|M|Md|Z)[NAMZ]$");
  return *pattern;
}

absl::Status Invalid(std::string field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

// Date of step `offset` after `start`, at `granularity`.
std::optional<Date> StepDate(Date start, v1::Granularity granularity, int offset) {
  switch (granularity) {
    case v1::GRANULARITY_DAY: return FromDayNumber(DayNumber(start) + offset);
    case v1::GRANULARITY_WEEK: return FromDayNumber(DayNumber(start) + 7 * offset);
    case v1::GRANULARITY_MONTH: return FirstDayOfMonthNumber(MonthNumber(start) + offset);
    case v1::GRANULARITY_QUARTER: return FirstDayOfMonthNumber(MonthNumber(start) + 3 * offset);
    case v1::GRANULARITY_YEAR: return FirstDayOfMonthNumber(MonthNumber(start) + 12 * offset);
    default: return std::nullopt;
  }
}

}  // namespace

ModelKind ModelKindFromProto(v1::ModelType type) {
  switch (type) {
    case v1::MODEL_TYPE_NAIVE: return ModelKind::kNaive;
    case v1::MODEL_TYPE_SEASONAL_NAIVE: return ModelKind::kSeasonalNaive;
    case v1::MODEL_TYPE_DRIFT: return ModelKind::kDrift;
    case v1::MODEL_TYPE_SES: return ModelKind::kSes;
    case v1::MODEL_TYPE_HOLT: return ModelKind::kHolt;
    case v1::MODEL_TYPE_DAMPED_HOLT: return ModelKind::kDampedHolt;
    case v1::MODEL_TYPE_HOLT_WINTERS_ADDITIVE: return ModelKind::kHoltWintersAdditive;
    case v1::MODEL_TYPE_ETS: return ModelKind::kEts;
    case v1::MODEL_TYPE_THETA: return ModelKind::kTheta;
    case v1::MODEL_TYPE_OPTIMIZED_THETA: return ModelKind::kOptimizedTheta;
    case v1::MODEL_TYPE_ARIMA: return ModelKind::kArima;
    case v1::MODEL_TYPE_CROSTON: return ModelKind::kCroston;
    case v1::MODEL_TYPE_SBA: return ModelKind::kSba;
    case v1::MODEL_TYPE_TSB: return ModelKind::kTsb;
    default: return ModelKind::kAuto;
  }
}

v1::ModelType ModelTypeToProto(ModelKind kind) {
  switch (kind) {
    case ModelKind::kAuto: return v1::MODEL_TYPE_AUTO;
    case ModelKind::kNaive: return v1::MODEL_TYPE_NAIVE;
    case ModelKind::kSeasonalNaive: return v1::MODEL_TYPE_SEASONAL_NAIVE;
    case ModelKind::kDrift: return v1::MODEL_TYPE_DRIFT;
    case ModelKind::kSes: return v1::MODEL_TYPE_SES;
    case ModelKind::kHolt: return v1::MODEL_TYPE_HOLT;
    case ModelKind::kDampedHolt: return v1::MODEL_TYPE_DAMPED_HOLT;
    case ModelKind::kHoltWintersAdditive: return v1::MODEL_TYPE_HOLT_WINTERS_ADDITIVE;
    case ModelKind::kEts: return v1::MODEL_TYPE_ETS;
    case ModelKind::kTheta: return v1::MODEL_TYPE_THETA;
    case ModelKind::kOptimizedTheta: return v1::MODEL_TYPE_OPTIMIZED_THETA;
    case ModelKind::kArima: return v1::MODEL_TYPE_ARIMA;
    case ModelKind::kCroston: return v1::MODEL_TYPE_CROSTON;
    case ModelKind::kSba: return v1::MODEL_TYPE_SBA;
    case ModelKind::kTsb: return v1::MODEL_TYPE_TSB;
  }
  return v1::MODEL_TYPE_AUTO;
}

absl::Status ValidateSeriesList(const google::protobuf::RepeatedPtrField<v1::TimeSeries>& series_list,
                                const ForecastLimits& limits) {
  if (series_list.empty()) return Invalid("series", "at least one series is required");
  if (series_list.size() > limits.max_series)
    return Invalid("series", absl::StrFormat("%d series exceed the limit of %d (max_series)",
                                             series_list.size(), limits.max_series));
  absl::flat_hash_set<absl::string_view> ids;
  for (int s = 0; s < series_list.size(); ++s) {
    const v1::TimeSeries& series = series_list[s];
    std::string field = absl::StrCat("series[", s, "]");
    if (series.id().empty()) return Invalid(field + ".id", "required");
    if (!ids.insert(series.id()).second)
      return Invalid(field + ".id", absl::StrCat("duplicate series id \"", series.id(), "\""));
    if (series.values_size() == 0) return Invalid(field + ".values", "the series is empty");
    if (series.values_size() > limits.max_series_length)
      return Invalid(field + ".values",
                     absl::StrFormat("%d values exceed the limit of %d (max_series_length)",
                                     series.values_size(), limits.max_series_length));
    for (int i = 0; i < series.values_size(); ++i) {
      if (!std::isfinite(series.values(i)))
        return Invalid(absl::StrCat(field, ".values[", i, "]"),
                       absl::StrCat("not a finite number (", series.values(i), ")"));
    }
    if (!v1::Granularity_IsValid(series.granularity()))
      return Invalid(field + ".granularity", absl::StrCat("unknown granularity ", series.granularity()));
    if (series.has_start()) {
      if (auto status = ValidateDate(series.start(), field + ".start"); !status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateModelFields(const ModelFields& f, const ForecastLimits& limits) {
  if (f.horizon < 1 || f.horizon > limits.max_horizon)
    return Invalid("horizon", absl::StrFormat("must be between 1 and %d (max_horizon), got %d",
                                              limits.max_horizon, f.horizon));
  if (f.levels.size() > limits.max_levels)
    return Invalid("levels", absl::StrFormat("at most %d levels", limits.max_levels));
  for (int i = 0; i < f.levels.size(); ++i) {
    double level = f.levels[i];
    if (!std::isfinite(level) || level <= 0 || level >= 100)
      return Invalid(absl::StrCat("levels[", i, "]"),
                     absl::StrFormat("must be a percentage strictly between 0 and 100, got %g", level));
  }
  if (!v1::ModelType_IsValid(f.model))
    return Invalid("model", absl::StrCat("unknown model type ", f.model));
  if (f.season_length < 0 || f.season_length > limits.max_season_length)
    return Invalid("season_length", absl::StrFormat("must be between 0 and %d, got %d",
                                                    limits.max_season_length, f.season_length));
  if (!f.ets_model.empty() && !std::regex_match(f.ets_model, EtsModelPattern()))
    return Invalid("ets_model", absl::StrCat("\"", f.ets_model,
                                             "\" is not an ETS model such as ZZZ, MAdM or ANN"));
  return absl::OkStatus();
}

absl::Status ValidateForecastRequest(const v1::ForecastRequest& request,
                                     const ForecastLimits& limits) {
  if (auto status = ValidateSeriesList(request.series(), limits); !status.ok()) return status;
  return ValidateModelFields(FieldsOf(request), limits);
}

ModelFields FieldsOf(const v1::ForecastRequest& request) {
  return {request.horizon(), request.levels(), request.model(), request.season_length(),
          request.ets_model()};
}

ForecastOptions OptionsFor(const ModelFields& f) {
  ForecastOptions options;
  options.horizon = f.horizon;
  if (!f.levels.empty()) options.levels.assign(f.levels.begin(), f.levels.end());
  options.model = ModelKindFromProto(static_cast<v1::ModelType>(f.model));
  if (!f.ets_model.empty()) options.ets_spec = f.ets_model;
  return options;
}

std::span<const double> ValuesOf(const v1::TimeSeries& series) {
  return std::span<const double>(series.values().data(), series.values_size());
}

void ToProto(const ForecastResult& r, const v1::TimeSeries& series, v1::SeriesForecast* out) {
  out->set_series_id(series.id());
  out->mutable_mean()->Assign(r.mean.begin(), r.mean.end());
  for (const Interval& interval : r.intervals) {
    v1::PredictionInterval* pi = out->add_intervals();
    pi->set_level(interval.level);
    pi->mutable_lower()->Assign(interval.lower.begin(), interval.lower.end());
    pi->mutable_upper()->Assign(interval.upper.begin(), interval.upper.end());
  }
  out->set_model(r.model_name);
  out->set_model_type(ModelTypeToProto(r.model));
  for (const auto& [name, value] : r.parameters) (*out->mutable_parameters())[name] = value;
  out->set_aicc(r.aicc);
  out->set_season_length(r.season_length);
  if (series.has_start()) {
    if (auto start = FromProto(series.start()); start.ok()) {
      if (auto first = StepDate(*start, series.granularity(), series.values_size()))
        *out->mutable_first_date() = salesops::ToProto(*first);
    }
  }
}

int SeasonLengthFor(int requested, const v1::TimeSeries& series) {
  if (requested > 0) return requested;
  switch (series.granularity()) {
    case v1::GRANULARITY_MONTH: return 12;
    case v1::GRANULARITY_QUARTER: return 4;
    case v1::GRANULARITY_WEEK: return 52;
    case v1::GRANULARITY_DAY: return 7;
    default: return 1;
  }
}

absl::StatusOr<v1::ForecastResponse> ComputeForecasts(const v1::ForecastRequest& request,
                                                      ThreadPool& pool) {
  const ForecastOptions base = OptionsFor(FieldsOf(request));
  const int n = request.series_size();
  std::vector<absl::StatusOr<ForecastResult>> results(n, absl::UnknownError("not computed"));
  pool.ParallelFor(n, [&](size_t i) {
    const v1::TimeSeries& series = request.series(static_cast<int>(i));
    ForecastOptions options = base;
    options.season_length = SeasonLengthFor(request.season_length(), series);
    results[i] = ForecastSeries(ValuesOf(series), options);
  });

  v1::ForecastResponse response;
  response.set_engine_version(SALESOPS_ENGINE_VERSION);
  for (int i = 0; i < n; ++i) {
    const v1::TimeSeries& series = request.series(i);
    if (!results[i].ok()) {
      return absl::Status(results[i].status().code(),
                          absl::StrCat("series[", i, "] (\"", series.id(), "\"): ",
                                       results[i].status().message()));
    }
    ToProto(*results[i], series, response.add_forecasts());
  }
  return response;
}

}  // namespace salesops::forecast
