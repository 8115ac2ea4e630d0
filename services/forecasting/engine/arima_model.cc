#include "services/forecasting/engine/arima_model.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>

#include <Eigen/Dense>

#include "absl/strings/str_format.h"

namespace salesops::forecast::arima {
namespace {

constexpr int kMaxTransformed = 100;  // R's partrans limit

// Degree after dropping trailing coefficients with |c| <= tol.
int TrimmedDegree(std::span<const double> c, double tol) {
  int k = static_cast<int>(c.size());
  while (k > 0 && !(std::abs(c[k - 1]) > tol)) --k;
  return k;
}

// The eigenvalues of the companion matrix of z^k + a_1 z^{k-1} + ... + a_k, a_i = sign * c_i:
// the reciprocals of the roots of 1 + sign * (c_1 z + ... + c_k z^k).
Eigen::VectorXcd ReciprocalRoots(std::span<const double> c, int k, double sign) {
  if (k == 1) return Eigen::VectorXcd::Constant(1, std::complex<double>(-sign * c[0], 0));
  Eigen::MatrixXd companion = Eigen::MatrixXd::Zero(k, k);
  for (int i = 0; i < k; ++i) companion(0, i) = -sign * c[i];
  for (int i = 1; i < k; ++i) companion(i, i - 1) = 1;
  Eigen::EigenSolver<Eigen::MatrixXd> solver(companion, /*computeEigenvectors=*/false);
  return solver.eigenvalues();
}

}  // namespace

std::string ArimaOrder::Name() const {
  std::string name = absl::StrFormat("ARIMA(%d,%d,%d)", p, d, q);
  if (m > 1 && P + D + Q > 0) absl::StrAppendFormat(&name, "(%d,%d,%d)[%d]", P, D, Q, m);
  return name;
}

void ExpandArma(const ArimaOrder& order, std::span<const double> coef, std::span<double> phi,
                std::span<double> theta) {
  const int p = order.p, q = order.q, sp = order.P, sq = order.Q, m = order.m;
  std::fill(phi.begin(), phi.end(), 0.0);
  std::fill(theta.begin(), theta.end(), 0.0);
  for (int i = 0; i < p; ++i) phi[i] = coef[i];
  for (int i = 0; i < q; ++i) theta[i] = coef[p + i];
  for (int j = 0; j < sp; ++j) {
    const double s = coef[p + q + j];
    phi[(j + 1) * m - 1] += s;
    for (int i = 0; i < p; ++i) phi[(j + 1) * m + i] -= coef[i] * s;
  }
  for (int j = 0; j < sq; ++j) {
    const double s = coef[p + q + sp + j];
    theta[(j + 1) * m - 1] += s;
    for (int i = 0; i < q; ++i) theta[(j + 1) * m + i] += coef[p + i] * s;
  }
}

void ArFromUnconstrained(std::span<const double> raw, std::span<double> ar) {
  const int p = std::min<int>(static_cast<int>(raw.size()), kMaxTransformed);
  double work[kMaxTransformed];
  for (int j = 0; j < p; ++j) work[j] = ar[j] = std::tanh(raw[j]);
  for (int j = 1; j < p; ++j) {
    const double a = ar[j];
    for (int k = 0; k < j; ++k) work[k] -= a * ar[j - k - 1];
    for (int k = 0; k < j; ++k) ar[k] = work[k];
  }
}

void UnconstrainedFromAr(std::span<const double> ar, std::span<double> raw) {
  const int p = std::min<int>(static_cast<int>(ar.size()), kMaxTransformed);
  double work[kMaxTransformed];
  for (int j = 0; j < p; ++j) work[j] = raw[j] = ar[j];
  for (int j = p - 1; j > 0; --j) {
    const double a = raw[j];
    for (int k = 0; k < j; ++k) work[k] = (raw[k] + a * raw[j - k - 1]) / (1 - a * a);
    for (int k = 0; k < j; ++k) raw[k] = work[k];
  }
  for (int j = 0; j < p; ++j) raw[j] = std::atanh(raw[j]);
}

bool ArIsStationary(std::span<const double> ar) {
  const int k = TrimmedDegree(ar, 0.0);
  if (k == 0) return true;
  for (int i = 0; i < k; ++i) {
    if (!std::isfinite(ar[i])) return false;
  }
  const Eigen::VectorXcd inv = ReciprocalRoots(ar, k, -1.0);
  for (int i = 0; i < inv.size(); ++i) {
    // |root| > 1  <=>  |1/root| < 1
    if (!(std::abs(inv[i]) < 1.0)) return false;
  }
  return true;
}

void InvertMa(std::span<double> ma) {
  const int q0 = TrimmedDegree(ma, 0.0);
  if (q0 == 0) return;
  for (int i = 0; i < q0; ++i) {
    if (!std::isfinite(ma[i])) return;
  }
  const Eigen::VectorXcd inv = ReciprocalRoots(ma, q0, 1.0);
  bool any_inside = false;
  for (int i = 0; i < q0; ++i) any_inside |= std::abs(inv[i]) > 1.0;
  if (!any_inside) return;
  if (q0 == 1) {
    ma[0] = 1.0 / ma[0];
    return;
  }
  // Roots r_i = 1/inv_i; those inside the unit circle are replaced by their reciprocals, and the
  // polynomial prod (1 - z/r_i) is rebuilt.
  std::vector<std::complex<double>> x(q0 + 1, 0.0);
  x[0] = 1.0;
  int len = 1;
  for (int i = 0; i < q0; ++i) {
    std::complex<double> root = 1.0 / inv[i];
    if (std::abs(root) < 1.0) root = 1.0 / root;
    // x <- c(x, 0) - c(0, x) / root
    for (int j = len; j >= 1; --j) x[j] -= x[j - 1] / root;
    ++len;
  }
  for (int i = 0; i < q0; ++i) ma[i] = x[i + 1].real();
  for (std::size_t i = q0; i < ma.size(); ++i) ma[i] = 0;
}

double MinRootModulus(std::span<const double> c, double sign) {
  const int k = TrimmedDegree(c, 1e-8);
  if (k == 0) return std::numeric_limits<double>::infinity();
  for (int i = 0; i < k; ++i) {
    if (!std::isfinite(c[i])) return 0;
  }
  const Eigen::VectorXcd inv = ReciprocalRoots(c, k, sign);
  double largest = 0;
  for (int i = 0; i < inv.size(); ++i) largest = std::max(largest, std::abs(inv[i]));
  if (!(largest > 0)) return std::numeric_limits<double>::infinity();
  return 1.0 / largest;
}

double MinRootModulusOfModel(const ArimaOrder& order, std::span<const double> coef) {
  const int p = order.p, q = order.q, sp = order.P, sq = order.Q;
  const double root_m = 1.0 / std::max(1, order.m);
  double result = std::numeric_limits<double>::infinity();
  if (p > 0) result = std::min(result, MinRootModulus(coef.subspan(0, p), -1.0));
  if (sp > 0) {
    result = std::min(result, std::pow(MinRootModulus(coef.subspan(p + q, sp), -1.0), root_m));
  }
  if (q > 0) result = std::min(result, MinRootModulus(coef.subspan(p, q), 1.0));
  if (sq > 0) {
    result = std::min(result, std::pow(MinRootModulus(coef.subspan(p + q + sp, sq), 1.0), root_m));
  }
  return result;
}

}  // namespace salesops::forecast::arima
