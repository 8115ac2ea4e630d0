// The standard normal quantile function (inverse CDF), for prediction-interval multipliers.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_NORMAL_QUANTILE_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_NORMAL_QUANTILE_H_

namespace salesops::forecast {

// The z with Phi(z) = p, for p in (0, 1); -inf / +inf at 0 / 1, NaN outside [0, 1].
// Acklam's rational approximation (relative error < 1.2e-9) refined by one Halley step against
// std::erfc, which brings it to within a few ulps of R's qnorm.
double NormalQuantile(double p);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_NORMAL_QUANTILE_H_
