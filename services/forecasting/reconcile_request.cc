#include "services/forecasting/reconcile_request.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/forecasting/engine/reconcile.h"

namespace salesops::forecast {
namespace {

ModelFields FieldsOf(const v1::ReconcileRequest& request) {
  static const std::string kNoEtsModel;
  return {request.horizon(), request.levels(), request.model(), request.season_length(), kNoEtsModel};
}

ReconcileMethod MethodOf(v1::ReconcileMethod method) {
  switch (method) {
    case v1::RECONCILE_METHOD_BOTTOM_UP: return ReconcileMethod::kBottomUp;
    case v1::RECONCILE_METHOD_TOP_DOWN_PROPORTIONS: return ReconcileMethod::kTopDownProportions;
    default: return ReconcileMethod::kMinTShrink;
  }
}

v1::ReconcileMethod MethodToProto(ReconcileMethod method) {
  switch (method) {
    case ReconcileMethod::kBottomUp: return v1::RECONCILE_METHOD_BOTTOM_UP;
    case ReconcileMethod::kTopDownProportions: return v1::RECONCILE_METHOD_TOP_DOWN_PROPORTIONS;
    case ReconcileMethod::kMinTShrink: return v1::RECONCILE_METHOD_MINT_SHRINK;
  }
  return v1::RECONCILE_METHOD_MINT_SHRINK;
}

// For each series, the indices of the bottom-level series it sums (empty for bottom series).
absl::StatusOr<std::vector<std::vector<int>>> MembersOf(const v1::ReconcileRequest& request) {
  absl::flat_hash_map<std::string, int> index;
  for (int i = 0; i < request.series_size(); ++i) index[request.series(i).id()] = i;
  std::vector<std::vector<int>> members(request.series_size());
  absl::flat_hash_set<int> aggregates;
  for (int a = 0; a < request.aggregates_size(); ++a) {
    const auto& aggregate = request.aggregates(a);
    auto it = index.find(aggregate.series_id());
    if (it == index.end())
      return absl::InvalidArgumentError(absl::StrCat("aggregates[", a, "].series_id: no series \"",
                                                     aggregate.series_id(), "\""));
    if (!aggregates.insert(it->second).second)
      return absl::InvalidArgumentError(absl::StrCat("aggregates[", a, "].series_id: \"",
                                                     aggregate.series_id(), "\" is listed twice"));
    if (aggregate.bottom_series_ids_size() == 0)
      return absl::InvalidArgumentError(absl::StrCat("aggregates[", a, "].bottom_series_ids: empty"));
  }
  for (int a = 0; a < request.aggregates_size(); ++a) {
    const auto& aggregate = request.aggregates(a);
    const int self = index[aggregate.series_id()];
    absl::flat_hash_set<int> seen;
    for (int m = 0; m < aggregate.bottom_series_ids_size(); ++m) {
      const std::string& id = aggregate.bottom_series_ids(m);
      const std::string field = absl::StrCat("aggregates[", a, "].bottom_series_ids[", m, "]");
      auto it = index.find(id);
      if (it == index.end())
        return absl::InvalidArgumentError(absl::StrCat(field, ": no series \"", id, "\""));
      if (aggregates.contains(it->second))
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": \"", id, "\" is an aggregate; list bottom-level series only"));
      if (!seen.insert(it->second).second)
        return absl::InvalidArgumentError(absl::StrCat(field, ": \"", id, "\" is listed twice"));
      members[self].push_back(it->second);
    }
  }
  return members;
}

}  // namespace

absl::Status ValidateReconcileRequest(const v1::ReconcileRequest& request, const ForecastLimits& limits) {
  if (auto s = ValidateSeriesList(request.series(), limits); !s.ok()) return s;
  if (auto s = ValidateModelFields(FieldsOf(request), limits); !s.ok()) return s;
  if (request.series_size() > 5000)
    return absl::InvalidArgumentError("series: a hierarchy of at most 5000 series");
  if (!v1::ReconcileMethod_IsValid(request.method()))
    return absl::InvalidArgumentError(absl::StrCat("method: unknown method ", request.method()));
  for (int i = 1; i < request.series_size(); ++i) {
    if (request.series(i).values_size() != request.series(0).values_size())
      return absl::InvalidArgumentError(absl::StrCat(
          "series[", i, "].values: ", request.series(i).values_size(), " values, series[0] has ",
          request.series(0).values_size(), "; a hierarchy's series share one time axis"));
  }
  auto members = MembersOf(request);
  if (!members.ok()) return members.status();
  if (request.method() == v1::RECONCILE_METHOD_TOP_DOWN_PROPORTIONS) {
    int bottom = 0;
    for (const auto& m : *members) bottom += m.empty();
    bool has_total = false;
    for (const auto& m : *members) has_total = has_total || static_cast<int>(m.size()) == bottom;
    if (!has_total)
      return absl::InvalidArgumentError(
          "aggregates: TOP_DOWN_PROPORTIONS needs a total (an aggregate of every bottom-level series)");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ReconcileResponse> ComputeReconcile(const v1::ReconcileRequest& request, ThreadPool& pool) {
  auto members = MembersOf(request);
  if (!members.ok()) return members.status();
  std::vector<std::vector<double>> series;
  for (const auto& s : request.series()) series.emplace_back(s.values().begin(), s.values().end());
  ReconcileOptions options;
  options.base = OptionsFor(FieldsOf(request));
  options.base.season_length = SeasonLengthFor(request.season_length(), request.series(0));
  options.method = MethodOf(request.method());
  auto result = ReconcileHierarchy(series, *members, options,
                                   [&](size_t n, const std::function<void(size_t)>& fn) { pool.ParallelFor(n, fn); });
  if (!result.ok()) return result.status();
  v1::ReconcileResponse response;
  response.set_method(MethodToProto(options.method));
  response.set_engine_version(SALESOPS_ENGINE_VERSION);
  for (int i = 0; i < request.series_size(); ++i) {
    ToProto(result->reconciled[i], request.series(i), response.add_forecasts());
    ToProto(result->base[i], request.series(i), response.add_base_forecasts());
  }
  return response;
}

}  // namespace salesops::forecast
