// Automatic ARIMA order selection, as R's forecast::auto.arima (forecast 8.x) with its defaults:
// D from the seasonal-strength test and d from KPSS tests (unit_root.h), then the
// Hyndman-Khandakar stepwise search over (p, q, P, Q) and the constant, minimising AICc.
//
// What R does and this does too:
//   - max orders p, q <= 5 and P, Q <= 2, each also <= a third of the series (in seasons for P,
//     Q); p, q < m when seasonal terms are allowed; at most 94 models. (Like R, the stepwise
//     search does not enforce max.order = 5 on p+q+P+Q; only the exhaustive search does.)
//   - start with ARIMA(2,d,2)(1,D,1), (0,d,0)(0,D,0), (1,d,0)(1,D,0), (0,d,1)(0,D,1) and the
//     model without constant (1/1/0/0 and no seasonal start for fewer than 10 observations), then
//     move to the best neighbour (+-1 in one or two orders, or toggling the constant) while the
//     AICc improves, with R's order of neighbours and R's bookkeeping quirks;
//   - a constant is an intercept when d + D = 0 and a drift when d + D = 1; none otherwise;
//   - each candidate is fitted by CSS-ML (arima_fit.h), or, when the series is long (n > 150) or
//     m > 12, by CSS with R's likelihood offset during the search and the best models refitted
//     by ML afterwards (R's approximation);
//   - a candidate is discarded when a root of its AR or MA polynomial lies within 1.01 of the unit
//     circle, when its coefficient covariance is invalid (forecast's checkarima), or when it
//     cannot be fitted at all;
//   - a constant series gives ARIMA(0,0,0) with its mean; a differenced series that is constant
//     gives R's fixed-constant random-walk models.
// Where this departs from R:
//   - an AICc whose denominator nstar - npar - 1 is zero or negative is treated as +infinity (R
//     uses the negative value, which favours over-parameterised models on tiny series);
//   - estimation is FitArima's (arima_fit.h): candidates R's stats::arima refuses (a
//     non-stationary CSS estimate) are fitted and scored, and a fit may end in a different local
//     optimum from R's, so the search can take another path;
//   - in the stepwise search, ML of each candidate after the first may start from the
//     coefficients of the best model so far (shared lags kept, new ones zero) when its likelihood
//     is higher there, so a model nesting the best one does not end below it for want of a good
//     start.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_AUTO_ARIMA_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_AUTO_ARIMA_H_

#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "services/forecasting/engine/arima_fit.h"
#include "services/forecasting/engine/arima_model.h"

namespace salesops::forecast::arima {

enum class InformationCriterion { kAicc, kAic, kBic };

struct AutoArimaOptions {
  int max_p = 5;
  int max_q = 5;
  int max_P = 2;
  int max_Q = 2;
  int max_order = 5;  // exhaustive search only
  int max_d = 2;
  int max_D = 1;
  int start_p = 2;
  int start_q = 2;
  int start_P = 1;
  int start_Q = 1;
  // Fixed differencing orders instead of the tests.
  std::optional<int> d;
  std::optional<int> D;
  bool stepwise = true;
  int max_models = 94;  // R's nmodels (stepwise)
  InformationCriterion ic = InformationCriterion::kAicc;
  // R's default: n > 150 or m > 12.
  std::optional<bool> approximation;
  bool allow_drift = true;
  bool allow_mean = true;
  // forecast's checkarima on candidates that would become the best model.
  bool check_covariance = true;
};

// One model the search fitted, as auto.arima(trace = TRUE) lists it.
struct SearchStep {
  ArimaOrder order;
  bool constant = false;
  double ic = 0;  // +infinity when the model was discarded or could not be fitted
};

// The chosen model with forecast's statistics.
struct AutoArimaModel {
  ArimaFit fit;
  // forecast's aic, aicc and bic (myarima's; on R's scale).
  double aic = 0;
  double aicc = 0;
  double bic = 0;
  // forecast's sigma2: sum of squared residuals / (nobs - npar + 1).
  double sigma2 = 0;
  // The series is constant: forecasts repeat its first value with zero variance (R's
  // fit$constant).
  bool constant_series = false;
  int models_fitted = 0;
  // Every model fitted, in order (the refits of R's approximation included).
  std::vector<SearchStep> search;
};

// Chooses and fits an ARIMA model for x with seasonal period m (1 for none). Fails
// (InvalidArgument naming y) only when no model can be fitted at all, as R's "No suitable ARIMA
// model found".
absl::StatusOr<AutoArimaModel> AutoArima(std::span<const double> x, int m,
                                         const AutoArimaOptions& options = {});

}  // namespace salesops::forecast::arima

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_AUTO_ARIMA_H_
