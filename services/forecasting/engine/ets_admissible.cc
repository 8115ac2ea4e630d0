#include "services/forecasting/engine/ets_admissible.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include <Eigen/Dense>

namespace salesops::forecast::ets {
namespace {

// R accepts roots up to this modulus.
constexpr double kRootRadius = 1 + 1e-10;
// Largest seasonal period handled without allocating (R's ets refuses m > 24).
constexpr int kMaxStackDegree = 64;

// Writes R's characteristic polynomial for a seasonal model, lowest power first:
//   phi(1-alpha-gamma) + (alpha+beta-alpha*phi+gamma-1) z + (alpha+beta-alpha*phi) z^2 + ...
//   + (alpha+beta-alpha*phi) z^{m-1} + (alpha+beta-phi) z^m + z^{m+1}.
void SeasonalPolynomial(int m, double alpha, double beta, double gamma, double phi, double* c) {
  c[0] = phi * (1 - alpha - gamma);
  c[1] = alpha + beta - alpha * phi + gamma - 1;
  for (int i = 2; i < m; ++i) c[i] = alpha + beta - alpha * phi;
  c[m] = alpha + beta - phi;
  c[m + 1] = 1;
}

// Schur-Cohn: true when every root of sum c[i] z^i (degree d, c[d] != 0) lies strictly inside the
// unit circle. Each stage replaces c by (c - k c*) / z with k = c[0] / c[d] (c* the reversed
// polynomial), which keeps the number of roots inside the circle as long as |k| < 1.
// Overwrites c.
bool AllRootsInsideUnitCircle(double* c, int d) {
  while (d > 0) {
    const double lead = c[d];
    if (lead == 0 || !std::isfinite(lead)) return false;
    const double k = c[0] / lead;
    if (!(std::fabs(k) < 1)) return false;
    // New coefficient a-1 is c[a] - k c[d-a] (a = 1..d); indices a and d-a form closed pairs, so
    // the update runs in place and the new polynomial starts at c + 1.
    c[d] -= k * c[0];
    int a = 1, b = d - 1;
    for (; a < b; ++a, --b) {
      const double ca = c[a] - k * c[b];
      const double cb = c[b] - k * c[a];
      c[a] = ca;
      c[b] = cb;
    }
    if (a == b) c[a] -= k * c[a];
    ++c;
    --d;
  }
  return true;
}

}  // namespace

bool WithinUsualBounds(const EtsSpec& spec, const EtsParams& p, const EtsBounds& b) {
  if (!(p.alpha >= b.alpha_lower && p.alpha <= b.alpha_upper)) return false;
  if (spec.has_trend()) {
    if (!(p.beta >= b.beta_lower && p.beta <= p.alpha && p.beta <= b.beta_upper)) return false;
  }
  if (spec.damped && spec.has_trend()) {
    if (!(p.phi >= b.phi_lower && p.phi <= b.phi_upper)) return false;
  }
  if (spec.has_season()) {
    if (!(p.gamma >= b.gamma_lower && p.gamma <= 1 - p.alpha && p.gamma <= b.gamma_upper)) {
      return false;
    }
  }
  return true;
}

bool Admissible(const EtsSpec& spec, const EtsParams& p) {
  const double phi = (spec.damped && spec.has_trend()) ? p.phi : 1.0;
  const double alpha = p.alpha;
  if (phi < 0 || phi > 1 + 1e-8) return false;
  if (!spec.has_season()) {
    if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi) return false;
    if (spec.has_trend()) {
      if (p.beta < alpha * (phi - 1) || p.beta > (1 + phi) * (2 - alpha)) return false;
    }
    return true;
  }
  const int m = spec.m;
  if (m <= 1) return true;
  const double beta = spec.has_trend() ? p.beta : 0.0;
  const double gamma = p.gamma;
  if (gamma < std::max(1 - 1 / phi - alpha, 0.0) || gamma > 1 + 1 / phi - alpha) return false;
  if (alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m)) return false;
  if (beta < -(1 - phi) * (gamma / m + alpha)) return false;

  if (m > kMaxStackDegree) {
    return MaxSeasonalRootModulus(spec, p) <= kRootRadius;
  }
  // Roots within radius r of P(z) <=> roots within the unit circle of P(r w).
  double c[kMaxStackDegree + 2];
  SeasonalPolynomial(m, alpha, beta, gamma, phi, c);
  double scale = 1;
  for (int i = 0; i <= m + 1; ++i) {
    c[i] *= scale;
    scale *= kRootRadius;
  }
  return AllRootsInsideUnitCircle(c, m + 1);
}

double MaxSeasonalRootModulus(const EtsSpec& spec, const EtsParams& p) {
  const int m = spec.m;
  const double phi = (spec.damped && spec.has_trend()) ? p.phi : 1.0;
  const double beta = spec.has_trend() ? p.beta : 0.0;
  std::vector<double> c(m + 2);
  SeasonalPolynomial(m, p.alpha, beta, p.gamma, phi, c.data());
  const int d = m + 1;
  // Companion matrix of the monic polynomial (c[d] == 1).
  Eigen::MatrixXd companion = Eigen::MatrixXd::Zero(d, d);
  for (int i = 1; i < d; ++i) companion(i, i - 1) = 1;
  for (int i = 0; i < d; ++i) companion(i, d - 1) = -c[i] / c[d];
  Eigen::EigenSolver<Eigen::MatrixXd> solver(companion, /*computeEigenvectors=*/false);
  double max_modulus = 0;
  for (const std::complex<double>& root : solver.eigenvalues()) {
    max_modulus = std::max(max_modulus, std::abs(root));
  }
  return max_modulus;
}

}  // namespace salesops::forecast::ets
