#include "services/forecasting/engine/arima.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/arima_fit.h"
#include "services/forecasting/engine/auto_arima.h"
#include "services/forecasting/engine/result.h"

namespace salesops::forecast {
namespace {

using arima::ArimaOrder;

// R's arima.string, without padding.
std::string ModelName(const arima::ArimaFit& fit) {
  const ArimaOrder& o = fit.order;
  std::string name = o.Name();
  if (fit.constant) {
    absl::StrAppend(&name, o.d + o.D == 0 ? " with non-zero mean" : " with drift");
  } else if (o.d == 0 && o.D == 0) {
    absl::StrAppend(&name, " with zero mean");
  }
  return name;
}

std::vector<std::pair<std::string, double>> Parameters(const arima::ArimaFit& fit,
                                                       double sigma2) {
  const ArimaOrder& o = fit.order;
  std::vector<std::pair<std::string, double>> out;
  int j = 0;
  for (int i = 1; i <= o.p; ++i) out.emplace_back(absl::StrCat("ar", i), fit.coef[j++]);
  for (int i = 1; i <= o.q; ++i) out.emplace_back(absl::StrCat("ma", i), fit.coef[j++]);
  for (int i = 1; i <= o.P; ++i) out.emplace_back(absl::StrCat("sar", i), fit.coef[j++]);
  for (int i = 1; i <= o.Q; ++i) out.emplace_back(absl::StrCat("sma", i), fit.coef[j++]);
  if (fit.constant) {
    out.emplace_back(o.d + o.D == 0 ? "intercept" : "drift", fit.coef[j]);
  }
  out.emplace_back("sigma", std::sqrt(std::max(0.0, sigma2)));
  return out;
}


}  // namespace

absl::StatusOr<ForecastResult> ForecastAutoArima(std::span<const double> y,
                                                 const ForecastOptions& options) {
  if (absl::Status status = ValidateSeriesAndOptions(y, options); !status.ok()) return status;
  absl::StatusOr<arima::AutoArimaModel> model = arima::AutoArima(y, options.season_length);
  if (!model.ok()) return model.status();
  const arima::ArimaFit& fit = model->fit;
  const int h = options.horizon;
  std::vector<double> mean(h), sd(h, 0.0);
  if (model->constant_series) {
    for (int i = 0; i < h; ++i) mean[i] = y[0];
  } else {
    const arima::ArimaPrediction prediction = arima::PredictArima(y, fit, h);
    for (int i = 0; i < h; ++i) {
      mean[i] = prediction.mean[i];
      sd[i] = std::sqrt(std::max(0.0, prediction.variance[i] * model->sigma2));
    }
  }
  // A non-finite forecast (an explosive fit on pathological data) is not a usable model.
  for (int i = 0; i < h; ++i) {
    if (!std::isfinite(mean[i])) {
      return absl::InvalidArgumentError("y: the fitted ARIMA model gives non-finite forecasts");
    }
    if (std::isnan(sd[i])) sd[i] = 0;  // an infinite sd is clamped by Assemble
  }
  const ArimaOrder& o = fit.order;
  const int season_length = (o.m > 1 && o.P + o.D + o.Q > 0) ? o.m : 1;
  return Assemble(ModelKind::kArima, ModelName(fit), season_length,
                  Parameters(fit, model->sigma2), model->aicc, mean, sd, options);
}

}  // namespace salesops::forecast
