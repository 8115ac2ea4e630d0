// Coherent forecasts for a hierarchy: every aggregate equals the sum of its bottom-level members.
//
// A hierarchy is described by its summing structure: each series is either bottom level or an
// aggregate of a set of bottom-level series. This covers trees (company > region > territory) and
// grouped structures (territory x product with totals both ways). Base forecasts come from
// ForecastSeries for every series; then
//   bottom-up   : aggregates are the sums of the bottom forecasts;
//   top-down    : the total's forecast split by the bottom series' shares of the historical
//                 averages (Gross & Sohl's "proportions of the historical averages");
//   MinT shrink : the minimum-trace combination of all levels (Wickramasuriya, Athanasopoulos &
//                 Hyndman 2019), y~ = S (S' W^-1 S)^-1 S' W^-1 y^, with W the Schafer-Strimmer
//                 shrinkage estimate of the one-step in-sample error covariance.
// Intervals keep each base forecast's width around the reconciled mean (an approximation: exact
// coherent intervals need the joint error distribution).
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_RECONCILE_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_RECONCILE_H_

#include <functional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "services/forecasting/engine/forecaster.h"

namespace salesops::forecast {

enum class ReconcileMethod { kBottomUp, kTopDownProportions, kMinTShrink };

struct ReconcileOptions {
  ForecastOptions base;  // model, horizon, levels, season length of the base forecasts
  ReconcileMethod method = ReconcileMethod::kMinTShrink;
};

struct ReconcileResult {
  std::vector<ForecastResult> base;        // one per series
  std::vector<ForecastResult> reconciled;  // one per series, coherent
  double shrinkage = 0;                    // MinT's shrinkage intensity lambda (0..1)
};

// Runs fn(i) for i in [0, n); the service passes its thread pool, tests a plain loop.
using ParallelFor = std::function<void(size_t n, const std::function<void(size_t)>& fn)>;

// `series`: the history of every series, all the same length. `bottom_members[i]`: empty when
// series i is bottom level, else the indices of the bottom-level series it sums.
// InvalidArgument (naming the field: "series", "aggregates") for an inconsistent structure.
absl::StatusOr<ReconcileResult> ReconcileHierarchy(const std::vector<std::vector<double>>& series,
                                                   const std::vector<std::vector<int>>& bottom_members,
                                                   const ReconcileOptions& options,
                                                   const ParallelFor& parallel_for = nullptr);

// The Schafer-Strimmer shrinkage estimate of the covariance of the columns of `residuals`
// (rows = time, columns = series; not centred, as for forecast errors), towards its diagonal.
// Returns the covariance (row-major, k x k) and the intensity through `lambda`.
std::vector<double> ShrinkageCovariance(const std::vector<std::vector<double>>& residuals_by_series,
                                        double* lambda);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_RECONCILE_H_
