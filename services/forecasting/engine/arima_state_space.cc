#include "services/forecasting/engine/arima_state_space.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "services/forecasting/engine/arima_likelihood.h"

namespace salesops::forecast::arima {
namespace {

constexpr double kMaxGain = 1e4;  // as ARIMA_Like

}  // namespace

std::vector<double> DifferencingPolynomial(int d, int seasonal_d, int m) {
  // Delta <- 1; Delta <- Delta %+% c(1, -1) d times, %+% c(1, 0..0, -1) D times;
  // Delta <- -Delta[-1].
  std::vector<double> poly = {1.0};
  auto convolve = [&](const std::vector<double>& b) {
    std::vector<double> out(poly.size() + b.size() - 1, 0.0);
    for (std::size_t i = 0; i < poly.size(); ++i) {
      for (std::size_t j = 0; j < b.size(); ++j) out[i + j] += poly[i] * b[j];
    }
    poly = std::move(out);
  };
  for (int i = 0; i < d; ++i) convolve({1.0, -1.0});
  if (m >= 1) {
    std::vector<double> seasonal(m + 1, 0.0);
    seasonal[0] = 1;
    seasonal[m] = -1;
    for (int i = 0; i < seasonal_d; ++i) convolve(seasonal);
  }
  std::vector<double> delta(poly.size() - 1);
  for (std::size_t i = 1; i < poly.size(); ++i) delta[i - 1] = -poly[i];
  return delta;
}

std::vector<double> Difference(std::span<const double> x, int d, int seasonal_d, int m) {
  std::vector<double> w(x.begin(), x.end());
  for (int k = 0; k < d; ++k) {
    if (w.size() <= 1) return {};
    for (std::size_t t = w.size() - 1; t >= 1; --t) w[t] -= w[t - 1];
    w.erase(w.begin());
  }
  for (int k = 0; k < seasonal_d; ++k) {
    if (w.size() <= static_cast<std::size_t>(m)) return {};
    for (std::size_t t = w.size() - 1; t >= static_cast<std::size_t>(m); --t) w[t] -= w[t - m];
    w.erase(w.begin(), w.begin() + m);
  }
  return w;
}

ArimaStateSpace::ArimaStateSpace(std::span<const double> phi, std::span<const double> theta,
                                 std::span<const double> delta, double kappa)
    : phi_(phi.begin(), phi.end()), theta_(theta.begin(), theta.end()),
      delta_(delta.begin(), delta.end()) {
  p_ = static_cast<int>(phi.size());
  q_ = static_cast<int>(theta.size());
  r_ = std::max(p_, q_ + 1);
  d_ = static_cast<int>(delta.size());
  rd_ = r_ + d_;
  // makeARIMA pads theta to r - 1 values.
  theta_.resize(std::max(q_, r_ - 1), 0.0);
  a_.assign(rd_, 0.0);
  P_.assign(static_cast<std::size_t>(rd_) * rd_, 0.0);
  Pn_.assign(static_cast<std::size_t>(rd_) * rd_, 0.0);
  std::vector<double> q0;
  if (StationaryStateCovariance(phi, theta, &q0)) {
    for (int i = 0; i < r_; ++i) {
      for (int j = 0; j < r_; ++j) Pn_[i + rd_ * j] = q0[i * r_ + j];
    }
  } else {
    // No stationary covariance (a non-stationary AR part): treat the ARMA state as diffuse too
    // rather than fail.
    for (int i = 0; i < r_; ++i) Pn_[i + rd_ * i] = kappa;
  }
  for (int i = r_; i < rd_; ++i) Pn_[i + rd_ * i] = kappa;
}

void ArimaStateSpace::PredictState(const std::vector<double>& a, std::vector<double>& anew) const {
  const int r = r_, p = p_, d = d_;
  for (int i = 0; i < r; ++i) {
    double tmp = (i < r - 1) ? a[i + 1] : 0.0;
    if (i < p) tmp += phi_[i] * a[0];
    anew[i] = tmp;
  }
  if (d > 0) {
    for (int i = r + 1; i < rd_; ++i) anew[i] = a[i - 1];
    double tmp = a[0];
    for (int i = 0; i < d; ++i) tmp += delta_[i] * a[r + i];
    anew[r] = tmp;
  }
}

void ArimaStateSpace::PredictCovariance(const std::vector<double>& P, std::vector<double>& Pnew,
                                        std::vector<double>& mm) const {
  const int r = r_, p = p_, d = d_, rd = rd_;
  const int q = static_cast<int>(theta_.size());
  // mm = T P
  for (int i = 0; i < r; ++i) {
    for (int j = 0; j < rd; ++j) {
      double tmp = 0.0;
      if (i < p) tmp += phi_[i] * P[rd * j];
      if (i < r - 1) tmp += P[i + 1 + rd * j];
      mm[i + rd * j] = tmp;
    }
  }
  if (d > 0) {
    for (int j = 0; j < rd; ++j) {
      double tmp = P[rd * j];
      for (int k = 0; k < d; ++k) tmp += delta_[k] * P[r + k + rd * j];
      mm[r + rd * j] = tmp;
    }
    for (int i = 1; i < d; ++i) {
      for (int j = 0; j < rd; ++j) mm[r + i + rd * j] = P[r + i - 1 + rd * j];
    }
  }
  // Pnew = mm T'
  for (int i = 0; i < r; ++i) {
    for (int j = 0; j < rd; ++j) {
      double tmp = 0.0;
      if (i < p) tmp += phi_[i] * mm[j];
      if (i < r - 1) tmp += mm[rd * (i + 1) + j];
      Pnew[j + rd * i] = tmp;
    }
  }
  if (d > 0) {
    for (int j = 0; j < rd; ++j) {
      double tmp = mm[j];
      for (int k = 0; k < d; ++k) tmp += delta_[k] * mm[rd * (r + k) + j];
      Pnew[rd * r + j] = tmp;
    }
    for (int i = 1; i < d; ++i) {
      for (int j = 0; j < rd; ++j) Pnew[rd * (r + i) + j] = mm[rd * (r + i - 1) + j];
    }
  }
  // + (1, theta) (1, theta)'
  const int qq = std::min(q, r - 1);
  for (int i = 0; i <= qq; ++i) {
    const double vi = (i == 0) ? 1.0 : theta_[i - 1];
    for (int j = 0; j <= qq; ++j) Pnew[i + rd * j] += vi * ((j == 0) ? 1.0 : theta_[j - 1]);
  }
}

double ArimaStateSpace::Filter(std::span<const double> x, std::vector<double>* resid) {
  const int n = static_cast<int>(x.size());
  const int r = r_, d = d_, rd = rd_;
  std::vector<double> anew(rd), M(rd), mm(static_cast<std::size_t>(rd) * rd);
  resid->assign(n, 0.0);
  double ssq = 0;
  for (int l = 0; l < n; ++l) {
    PredictState(a_, anew);
    if (l > 0) PredictCovariance(P_, Pn_, mm);
    double res = x[l] - anew[0];
    for (int i = 0; i < d; ++i) res -= delta_[i] * anew[r + i];
    for (int i = 0; i < rd; ++i) {
      double tmp = Pn_[i];
      for (int j = 0; j < d; ++j) tmp += Pn_[i + (r + j) * rd] * delta_[j];
      M[i] = tmp;
    }
    double gain = M[0];
    for (int j = 0; j < d; ++j) gain += delta_[j] * M[r + j];
    if (gain < kMaxGain) ssq += res * res / gain;
    (*resid)[l] = gain > 0 ? res / std::sqrt(gain) : 0.0;
    for (int i = 0; i < rd; ++i) a_[i] = anew[i] + (gain > 0 ? M[i] * res / gain : 0.0);
    for (int i = 0; i < rd; ++i) {
      for (int j = 0; j < rd; ++j) {
        P_[i + j * rd] = Pn_[i + j * rd] - (gain > 0 ? M[i] * M[j] / gain : 0.0);
      }
    }
  }
  return ssq;
}

void ArimaStateSpace::Forecast(int h, std::vector<double>* mean,
                               std::vector<double>* variance) const {
  const int r = r_, d = d_, rd = rd_;
  std::vector<double> a = a_, anew(rd), P = P_, Pnew(P.size()), mm(P.size());
  mean->assign(h, 0.0);
  variance->assign(h, 0.0);
  // Z = (1, 0, ..., 0, delta)
  auto z_at = [&](int i) { return i == 0 ? 1.0 : (i >= r ? delta_[i - r] : 0.0); };
  for (int l = 0; l < h; ++l) {
    PredictState(a, anew);
    double fc = 0;
    for (int i = 0; i < rd; ++i) fc += anew[i] * z_at(i);
    a = anew;
    (*mean)[l] = fc;
    PredictCovariance(P, Pnew, mm);
    P = Pnew;
    double var = 0;
    for (int i = 0; i < rd; ++i) {
      const double zi = z_at(i);
      if (zi == 0) continue;
      for (int j = 0; j < rd; ++j) {
        const double zj = z_at(j);
        if (zj != 0) var += zi * zj * P[i + j * rd];
      }
    }
    (*variance)[l] = var;
  }
  (void)d;
}

}  // namespace salesops::forecast::arima
