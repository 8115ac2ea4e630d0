// The two objective functions R's stats::arima estimates an ARMA model of a differenced series
// with: the conditional sum of squares (CSS, R's ARIMA_CSS) and the exact Gaussian likelihood
// (R's ARIMA_Like), computed by a Kalman filter started from the stationary state covariance (the
// matrix R's getQ0 gives, obtained here from the process's autocovariances).
//
// Both work on w, the series after differencing ((1-B)^d (1-B^m)^D x), of length N. The exact
// likelihood of w is the exact diffuse likelihood of the undifferenced series. R does not compute
// that: it filters the undifferenced series and approximates the diffuse prior of the differencing
// states by a variance of kappa = 1e6, so its log-likelihoods are an approximation of ours: on
// most series the two agree to ~1e-4, on some they differ by up to ~3e-3 (USAccDeaths and
// log(AirPassengers) under the airline model). R with kappa = 1e10 reproduces ours (to ~1e-5).
//
// Filtering the differenced series keeps the state small (r = max(p', q'+1) instead of that plus
// d + m*D). The filter runs the Chandrasekhar recursions, O(r) a step instead of the O(r^2) of the
// covariance recursion, and once the gain has converged to its steady state (it does for an
// invertible MA part) only the state is updated.
//
// ArmaKalmanFilter reuses its workspaces: Run allocates nothing once it has filtered a model and
// series at least as large.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_LIKELIHOOD_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_LIKELIHOOD_H_

#include <span>
#include <vector>

#include <Eigen/Dense>

#include "services/forecasting/engine/arima_model.h"

namespace salesops::forecast::arima {

// Conditional residuals of R's ARIMA_CSS on the differenced series w minus `mean`, with the
// expanded polynomials phi (length p') and theta (length q'): e_t = 0 for t < p' (R's n.cond after
// differencing), then e_t = z_t - sum phi_k z_{t-k} - sum theta_k e_{t-k}. `resid` has w.size()
// elements. Returns the sum of squares of e_t, t >= p'.
double CssResiduals(std::span<const double> phi, std::span<const double> theta,
                    std::span<const double> w, double mean, std::span<double> resid);

// Jacobian of the CSS residuals e_t, t >= p', with respect to R's coefficient vector `coef` (the
// NumArma() values phi and theta were expanded from) and, when `with_mean`, the mean: written
// column by column into `jac`, (N - p') rows and NumArma() + with_mean columns. `resid` holds the
// residuals CssResiduals gave at this point.
void CssJacobian(const ArimaOrder& order, std::span<const double> coef,
                 std::span<const double> phi, std::span<const double> theta,
                 std::span<const double> w, double mean, std::span<const double> resid,
                 bool with_mean, Eigen::Ref<Eigen::MatrixXd> jac);

// The exact likelihood's sufficient pieces, in R's terms (ARIMA_Like's ssq, sumlog, nu).
struct ExactLikelihood {
  double ssq = 0;     // sum of squared standardised innovations e_t^2 / f_t
  double sumlog = 0;  // sum of log f_t
  int nu = 0;         // innovations counted (R skips those with gain f_t >= 1e4)
  double mean = 0;    // the mean of w used: the generalised least-squares estimate when profiled
  // R's armafn: 0.5 * (log(ssq / nu) + sumlog / nu).
  double Objective() const;
};

// The stationary covariance of the ARMA state (R's getQ0) for unit innovation variance:
// max(p', q'+1) squared values, row-major (symmetric). False when phi is not stationary.
bool StationaryStateCovariance(std::span<const double> phi, std::span<const double> theta,
                               std::vector<double>* q0);

// Kalman filter for a stationary ARMA process with unit innovation variance, in R's state-space
// form (Harvey's: the state's first element is the observation). Reusable workspace; not
// thread-safe (use one per thread).
class ArmaKalmanFilter {
 public:
  // Filters z_t = w_t - mean. When `profile_mean`, the mean is the generalised least-squares
  // estimate (exact: innovations are linear in the mean, so one extra filtered column of ones
  // gives it). `std_resid`, when not empty (w.size() elements), receives (z_t - zhat_t)/sqrt(f_t)
  // for counted innovations and 0 for skipped ones. Returns false when phi has no stationary
  // covariance (non-stationary AR, or numerically singular).
  bool Run(std::span<const double> phi, std::span<const double> theta, std::span<const double> w,
           bool profile_mean, double mean, ExactLikelihood* out, std::span<double> std_resid = {});

  // Sets up phi and theta and computes their stationary state covariance (see
  // StationaryStateCovariance); Run calls it.
  bool Prepare(std::span<const double> phi, std::span<const double> theta,
               bool full_covariance = true);
  const std::vector<double>& initial_covariance() const { return q0_; }

 private:
  bool StationaryCovariance(bool full);

  int p_ = 0, q_ = 0, r_ = 0;
  std::vector<double> phi_, v_;     // padded to r: phi_[i] multiplies lag i+1; v_ = (1, theta)
  std::vector<int> nz_phi_, nz_v_;  // indices of non-zero entries
  std::vector<double> psi_, gamma_, ar_gamma_, levels_, row0_, k_, w_, a_, b_, q0_;
  std::vector<double> ew_, e1_, f_;
};

}  // namespace salesops::forecast::arima

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_LIKELIHOOD_H_
