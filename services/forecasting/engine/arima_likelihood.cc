#include "services/forecasting/engine/arima_likelihood.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

namespace salesops::forecast::arima {
namespace {

// R counts an innovation in the likelihood only when its gain is below this (ARIMA_Like).
constexpr double kMaxGain = 1e4;
// Once every filtered state variance is below this (in units of the innovation variance), the
// filter has converged to its steady state and the covariance recursion is dropped.
constexpr double kSteadyStateTolerance = 1e-11;

// One term of a derivative of an expanded polynomial: d coefficient[index] = value.
struct Term {
  int index;
  double value;
};

}  // namespace

double CssResiduals(std::span<const double> phi, std::span<const double> theta,
                    std::span<const double> w, double mean, std::span<double> resid) {
  const int n = static_cast<int>(w.size());
  const int p = static_cast<int>(phi.size());
  const int q = static_cast<int>(theta.size());
  const int ncond = std::min(p, n);
  for (int t = 0; t < ncond; ++t) resid[t] = 0;
  double ssq = 0;
  for (int t = ncond; t < n; ++t) {
    double e = w[t] - mean;
    for (int k = 0; k < p; ++k) {
      if (phi[k] != 0) e -= phi[k] * (w[t - k - 1] - mean);
    }
    const int lags = std::min(t - ncond, q);
    for (int k = 0; k < lags; ++k) {
      if (theta[k] != 0) e -= theta[k] * resid[t - k - 1];
    }
    resid[t] = e;
    ssq += e * e;
  }
  return ssq;
}

void CssJacobian(const ArimaOrder& order, std::span<const double> coef,
                 std::span<const double> phi, std::span<const double> theta,
                 std::span<const double> w, double mean, std::span<const double> resid,
                 bool with_mean, Eigen::Ref<Eigen::MatrixXd> jac) {
  const int n = static_cast<int>(w.size());
  const int pf = static_cast<int>(phi.size());
  const int qf = static_cast<int>(theta.size());
  const int ncond = std::min(pf, n);
  const int rows = n - ncond;
  const int p = order.p, q = order.q, sp = order.P, sq = order.Q, m = order.m;
  // Non-zero MA lags, for the recursion shared by every column.
  int nz_theta[64];
  int num_nz_theta = 0;
  for (int k = 0; k < qf && num_nz_theta < 64; ++k) {
    if (theta[k] != 0) nz_theta[num_nz_theta++] = k;
  }
  Term dphi[8], dtheta[8];
  const int num_arma = order.NumArma();
  for (int c = 0; c < num_arma + (with_mean ? 1 : 0); ++c) {
    int num_dphi = 0, num_dtheta = 0;
    double constant = 0;  // the mean's column: d e_t / d mean = -(1 - sum phi) - ...
    if (c < p) {
      dphi[num_dphi++] = {c, 1.0};
      for (int j = 0; j < sp; ++j) dphi[num_dphi++] = {(j + 1) * m + c, -coef[p + q + j]};
    } else if (c < p + q) {
      const int i = c - p;
      dtheta[num_dtheta++] = {i, 1.0};
      for (int j = 0; j < sq; ++j) dtheta[num_dtheta++] = {(j + 1) * m + i, coef[p + q + sp + j]};
    } else if (c < p + q + sp) {
      const int j = c - p - q;
      dphi[num_dphi++] = {(j + 1) * m - 1, 1.0};
      for (int i = 0; i < p; ++i) dphi[num_dphi++] = {(j + 1) * m + i, -coef[i]};
    } else if (c < num_arma) {
      const int j = c - p - q - sp;
      dtheta[num_dtheta++] = {(j + 1) * m - 1, 1.0};
      for (int i = 0; i < q; ++i) dtheta[num_dtheta++] = {(j + 1) * m + i, coef[p + i]};
    } else {
      double sum_phi = 0;
      for (int k = 0; k < pf; ++k) sum_phi += phi[k];
      constant = -(1 - sum_phi);
    }
    double* g = jac.col(c).data();  // g[t - ncond]
    for (int t = ncond; t < n; ++t) {
      double v = constant;
      for (int i = 0; i < num_dphi; ++i) v -= dphi[i].value * (w[t - dphi[i].index - 1] - mean);
      for (int i = 0; i < num_dtheta; ++i) {
        const int s = t - dtheta[i].index - 1;
        if (s >= ncond) v -= dtheta[i].value * resid[s];
      }
      for (int i = 0; i < num_nz_theta; ++i) {
        const int s = t - nz_theta[i] - 1;
        if (s >= ncond) v -= theta[nz_theta[i]] * g[s - ncond];
      }
      g[t - ncond] = v;
    }
  }
  (void)rows;
}

double ExactLikelihood::Objective() const {
  if (nu <= 0 || !(ssq > 0)) return -1e300;
  return 0.5 * (std::log(ssq / nu) + sumlog / nu);
}

bool ArmaKalmanFilter::StationaryCovariance(bool full) {
  const int p = p_, q = q_, r = r_;
  // psi weights psi_0..psi_r and MA coefficients theta_j = v_[j] (theta_0 = 1, 0 beyond q).
  auto theta_at = [&](int j) { return j <= q ? v_[j] : 0.0; };
  psi_.assign(r + 1, 0.0);
  psi_[0] = 1;
  for (int j = 1; j <= r; ++j) {
    double s = theta_at(j);
    for (int k = 1; k <= std::min(j, p); ++k) s += phi_[k - 1] * psi_[j - k];
    psi_[j] = s;
  }
  // Autocovariances gamma_0..gamma_r of the ARMA process with unit innovation variance, as
  // those of the pure AR process Y (phi(B) Y = e) filtered by theta(B):
  // gamma(h) = sum_{i,j} theta_i theta_j gamma_Y(h + i - j). gamma_Y comes from the step-down
  // (inverse Durbin-Levinson) recursion in O(p^2), which also tests stationarity: every partial
  // autocorrelation must lie in (-1, 1).
  const int lags = r + q;
  ar_gamma_.assign(lags + 1, 0.0);
  if (p == 0) {
    ar_gamma_[0] = 1;
  } else {
    // levels_[k * p + j]: coefficient j (1-based) of the order-k predictor, k = 1..p.
    levels_.assign(static_cast<std::size_t>(p + 1) * (p + 1), 0.0);
    double* top = levels_.data() + static_cast<std::size_t>(p) * (p + 1);
    for (int j = 1; j <= p; ++j) top[j] = phi_[j - 1];
    double prod = 1;
    for (int k = p; k >= 1; --k) {
      const double* cur = levels_.data() + static_cast<std::size_t>(k) * (p + 1);
      double* next = levels_.data() + static_cast<std::size_t>(k - 1) * (p + 1);
      const double kappa = cur[k];
      if (!(std::abs(kappa) < 1.0)) return false;
      const double denom = 1 - kappa * kappa;
      prod *= denom;
      for (int j = 1; j < k; ++j) next[j] = (cur[j] + kappa * cur[k - j]) / denom;
    }
    ar_gamma_[0] = 1.0 / prod;
    for (int k = 1; k <= p && k <= lags; ++k) {
      const double* cur = levels_.data() + static_cast<std::size_t>(k) * (p + 1);
      double s = 0;
      for (int j = 1; j <= k; ++j) s += cur[j] * ar_gamma_[k - j];
      ar_gamma_[k] = s;
    }
    for (int h = p + 1; h <= lags; ++h) {
      double s = 0;
      for (int j : nz_phi_) s += phi_[j] * ar_gamma_[h - j - 1];
      ar_gamma_[h] = s;
    }
  }
  gamma_.assign(r + 1, 0.0);
  for (int h = 0; h <= r; ++h) {
    double s = 0;
    for (int i : nz_v_) {
      for (int j : nz_v_) s += v_[i] * v_[j] * ar_gamma_[std::abs(h + i - j)];
    }
    gamma_[h] = s;
  }
  if (!(gamma_[0] > 0) || !std::isfinite(gamma_[0])) return false;
  // First row: P[0][i] = Cov(y_t, a_t[i]) = sum_j phi_{i+1+j} gamma_{1+j} + theta_{i+j} psi_j.
  row0_.assign(r, 0.0);
  for (int i = 0; i < r; ++i) {
    double s = 0;
    for (int j = 0; j <= r - 1 - i; ++j) s += phi_[i + j] * gamma_[1 + j] + v_[i + j] * psi_[j];
    row0_[i] = s;
  }
  row0_[0] = gamma_[0];
  for (int i = 0; i < r; ++i) {
    if (!std::isfinite(row0_[i])) return false;
  }
  if (!full) return true;
  q0_.assign(static_cast<std::size_t>(r) * r, 0.0);
  double* P = q0_.data();
  for (int i = 0; i < r; ++i) P[i] = row0_[i];
  // The rest from the stationarity equation P = T P T' + v v', bottom-right first:
  // P[i][j] = v_i v_j + phi_i phi_j P00 + P[i+1][j+1] + phi_i P[0][j+1] + phi_j P[0][i+1].
  const double p00 = P[0];
  for (int i = r - 1; i >= 1; --i) {
    for (int j = i; j < r; ++j) {
      double s = v_[i] * v_[j] + phi_[i] * phi_[j] * p00;
      if (j + 1 < r) s += P[(i + 1) * r + j + 1] + phi_[i] * P[j + 1];
      if (i + 1 < r) s += phi_[j] * P[i + 1];
      P[i * r + j] = s;
    }
  }
  for (int i = 0; i < r; ++i) {
    if (!std::isfinite(P[i * r + i]) || P[i * r + i] < 0) return false;
    for (int j = i + 1; j < r; ++j) P[j * r + i] = P[i * r + j];
  }
  return true;
}

bool StationaryStateCovariance(std::span<const double> phi, std::span<const double> theta,
                               std::vector<double>* q0) {
  ArmaKalmanFilter filter;
  if (!filter.Prepare(phi, theta, /*full_covariance=*/true)) return false;
  *q0 = filter.initial_covariance();
  return true;
}

bool ArmaKalmanFilter::Prepare(std::span<const double> phi, std::span<const double> theta,
                               bool full_covariance) {
  const int p = static_cast<int>(phi.size());
  const int q = static_cast<int>(theta.size());
  const int r = std::max(p, q + 1);
  p_ = p;
  q_ = q;
  r_ = r;
  phi_.assign(r + 1, 0.0);  // one spare zero so phi_[r] reads as 0
  v_.assign(r + 1, 0.0);
  for (int i = 0; i < p; ++i) phi_[i] = phi[i];
  v_[0] = 1;
  for (int i = 0; i < q; ++i) v_[i + 1] = theta[i];
  nz_phi_.clear();
  nz_v_.clear();
  for (int i = 0; i < r; ++i) {
    if (phi_[i] != 0) nz_phi_.push_back(i);
    if (v_[i] != 0) nz_v_.push_back(i);
  }
  for (int i = 0; i < p; ++i) {
    if (!std::isfinite(phi[i])) return false;
  }
  for (int i = 0; i < q; ++i) {
    if (!std::isfinite(theta[i])) return false;
  }
  return StationaryCovariance(full_covariance);
}

bool ArmaKalmanFilter::Run(std::span<const double> phi, std::span<const double> theta,
                           std::span<const double> w, bool profile_mean, double mean,
                           ExactLikelihood* out, std::span<double> std_resid) {
  if (!Prepare(phi, theta, /*full_covariance=*/false)) return false;
  const int r = r_;
  const int n = static_cast<int>(w.size());
  // Chandrasekhar recursions (Morf, Sidhu and Kailath 1974; for ARMA models Melard 1984): with
  // the stationary initial covariance, P_{t+1|t} - P_{t|t-1} has rank one, W M W', so the
  // filter needs the gain vector K_t = T P_{t|t-1} Z' and the innovation variance F_t only:
  //   F_{t+1} = F_t + M (Z W)^2,   K_{t+1} = K_t + M (Z W) T W,
  //   W_{t+1} = T W - K_t (Z W) / F_t,   M_{t+1} = M - M^2 (Z W)^2 / F_{t+1},
  // from F_1 = P0[0][0], K_1 = T P0 Z', W_1 = K_1, M_1 = -1 / F_1. O(r) a step instead of the
  // O(r^2) of the covariance recursion, and the same numbers.
  k_.assign(r + 1, 0.0);
  w_.assign(r + 1, 0.0);
  a_.assign(r + 1, 0.0);
  b_.assign(r + 1, 0.0);
  for (int i = 0; i < r; ++i) {
    k_[i] = phi_[i] * row0_[0] + (i + 1 < r ? row0_[i + 1] : 0.0);
    w_[i] = k_[i];
  }
  double f = row0_[0];
  if (!(f > 0)) return false;
  double mm = -1.0 / f;
  bool converged = false;
  ew_.resize(n);
  e1_.resize(n);
  f_.resize(n);
  for (int t = 0; t < n; ++t) {
    const double z = profile_mean ? w[t] : w[t] - mean;
    const double ew = z - a_[0];
    ew_[t] = ew;
    f_[t] = f;
    // a <- T a + K e / f (and the same for the column of ones when the mean is profiled).
    const double kw = ew / f;
    const double a0 = a_[0];
    for (int i = 0; i < r; ++i) a_[i] = a_[i + 1] + phi_[i] * a0 + k_[i] * kw;
    if (profile_mean) {
      const double e1 = 1.0 - b_[0];
      e1_[t] = e1;
      const double k1 = e1 / f;
      const double b0 = b_[0];
      for (int i = 0; i < r; ++i) b_[i] = b_[i + 1] + phi_[i] * b0 + k_[i] * k1;
    }
    if (converged) continue;
    const double g = w_[0];
    const double mg = mm * g;
    const double f_next = f + mg * g;
    const double g_over_f = g / f;
    const double w0 = w_[0];
    double norm = 0;
    for (int i = 0; i < r; ++i) {
      const double tw = phi_[i] * w0 + w_[i + 1];
      const double k_old = k_[i];
      w_[i] = tw - k_old * g_over_f;
      k_[i] = k_old + mg * tw;
      norm += w_[i] * w_[i];
    }
    mm -= mg * mg / f_next;
    f = f_next;
    if (!(f > 0) || !std::isfinite(f)) return false;
    // Once the increments vanish the gain has reached its steady state.
    converged = std::abs(mm) * norm < kSteadyStateTolerance * f;
  }

  // Mean (generalised least squares when profiled), then the likelihood pieces.
  double mu = mean;
  if (profile_mean) {
    double s11 = 0, sw1 = 0;
    for (int t = 0; t < n; ++t) {
      if (!(f_[t] < kMaxGain)) continue;
      s11 += e1_[t] * e1_[t] / f_[t];
      sw1 += ew_[t] * e1_[t] / f_[t];
    }
    mu = s11 > 0 ? sw1 / s11 : 0.0;
  }
  double ssq = 0, sumlog = 0;
  int nu = 0;
  for (int t = 0; t < n; ++t) {
    const double e = profile_mean ? ew_[t] - mu * e1_[t] : ew_[t];
    if (f_[t] < kMaxGain && f_[t] > 0) {
      const double s = e / std::sqrt(f_[t]);
      ssq += s * s;
      sumlog += std::log(f_[t]);
      ++nu;
      if (!std_resid.empty()) std_resid[t] = s;
    } else if (!std_resid.empty()) {
      std_resid[t] = 0;
    }
  }
  out->ssq = ssq;
  out->sumlog = sumlog;
  out->nu = nu;
  out->mean = mu;
  return std::isfinite(ssq) && std::isfinite(sumlog);
}

}  // namespace salesops::forecast::arima
