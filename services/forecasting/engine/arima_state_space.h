// The full state-space form of an ARIMA model, differencing included, as R's stats::makeARIMA
// builds it: the ARMA state of dimension r = max(p', q'+1), started from its stationary
// covariance, followed by d + m*D states holding past undifferenced values, the latter with R's
// approximately diffuse prior of variance kappa = 1e6. (An ARMA part with no stationary covariance
// gets that prior too instead of failing.)
//
// Estimation never needs this (it filters the differenced series, see arima_likelihood.h); it is
// run once on the chosen model to reproduce what R reports and forecasts from: the residuals
// (whose first d + m*D values carry R's diffuse-prior artefact and enter forecast's sigma2), the
// filtered state at the end of the series, and KalmanForecast's point forecasts and variances.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_STATE_SPACE_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_STATE_SPACE_H_

#include <span>
#include <vector>

#include "services/forecasting/engine/arima_model.h"

namespace salesops::forecast::arima {

// The differencing polynomial as R's Delta: x_t = sum_i delta[i] x_{t-1-i} + w_t, d + m*D values.
std::vector<double> DifferencingPolynomial(int d, int seasonal_d, int m);

// Applies (1-B)^d (1-B^m)^D to x; the result has x.size() - d - m*D values (empty if none).
std::vector<double> Difference(std::span<const double> x, int d, int seasonal_d, int m);

class ArimaStateSpace {
 public:
  // phi and theta are the expanded polynomials (ExpandArma), delta the differencing polynomial.
  ArimaStateSpace(std::span<const double> phi, std::span<const double> theta,
                  std::span<const double> delta, double kappa = 1e6);

  // R's ARIMA_Like(giveResid = TRUE) over x (already net of any regression term): fills `resid`
  // (x.size() values, R's residuals: innovation / sqrt(gain), in the data's units) and leaves the
  // filtered state at the end of x for Forecast. Returns R's ssq (sum over counted innovations).
  double Filter(std::span<const double> x, std::vector<double>* resid);

  // R's KalmanForecast from the current state: h point forecasts and their variances in units of
  // the innovation variance (multiply by sigma2).
  void Forecast(int h, std::vector<double>* mean, std::vector<double>* variance) const;

 private:
  // pnew = T p T' + v v' (column-major rd x rd, R's layout).
  void PredictCovariance(const std::vector<double>& p, std::vector<double>& pnew,
                         std::vector<double>& mm) const;
  void PredictState(const std::vector<double>& a, std::vector<double>& anew) const;

  int p_ = 0, q_ = 0, r_ = 0, d_ = 0, rd_ = 0;
  std::vector<double> phi_, theta_, delta_;
  std::vector<double> a_, P_, Pn_;
};

}  // namespace salesops::forecast::arima

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_STATE_SPACE_H_
