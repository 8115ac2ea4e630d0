// The seasonal ARIMA(p,d,q)(P,D,Q)[m] model: its orders, and the algebra on its coefficients that
// R's stats::arima applies — expanding the multiplicative seasonal polynomials, the PACF
// reparameterisation that keeps AR parts stationary during R's ML (here only the coordinates of
// R's coefficient covariance: FitArima keeps the AR parts stationary by rejecting steps instead),
// flipping MA roots into the invertible region (R's maInvert; FitArima never needs it, its MA
// parts stay invertible) — and the root checks forecast::auto.arima applies to every candidate.
//
// Sign conventions are R's: the AR polynomial is 1 - phi_1 B - ... and the MA polynomial
// 1 + theta_1 B + ...; a coefficient vector is laid out as R's coef(): ar1..ar_p, ma1..ma_q,
// sar1..sar_P, sma1..sma_Q.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_MODEL_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_MODEL_H_

#include <span>
#include <string>
#include <vector>

namespace salesops::forecast::arima {

// Orders of ARIMA(p,d,q)(P,D,Q)[m]. m = 1 (or P = D = Q = 0) is a non-seasonal model.
struct ArimaOrder {
  int p = 0;
  int d = 0;
  int q = 0;
  int P = 0;
  int D = 0;
  int Q = 0;
  int m = 1;

  // Number of ARMA coefficients (R's narma).
  int NumArma() const { return p + q + P + Q; }
  // Lengths of the expanded polynomials: phi has p + m*P coefficients, theta q + m*Q.
  int FullAr() const { return p + m * P; }
  int FullMa() const { return q + m * Q; }
  // Observations lost to differencing (R's length(Delta)).
  int NumLost() const { return d + m * D; }
  // R's arima.string: "ARIMA(p,d,q)", with "(P,D,Q)[m]" appended when m > 1 and P+D+Q > 0.
  std::string Name() const;

  bool operator==(const ArimaOrder&) const = default;
};

// Expands the coefficient vector `coef` (NumArma() values, R's layout) into the full AR and MA
// polynomials of the multiplicative model, as R's ARIMA_transPars(trans = FALSE):
// phi(B) = (1 - sum ar_i B^i)(1 - sum sar_j B^{mj}), theta(B) = (1 + sum ma_i B^i)(1 + sum
// sma_j B^{mj}). `phi` and `theta` must have FullAr() and FullMa() elements.
void ExpandArma(const ArimaOrder& order, std::span<const double> coef, std::span<double> phi,
                std::span<double> theta);

// R's partrans: unconstrained values -> partial autocorrelations tanh(raw) -> AR coefficients of
// a stationary process (Durbin-Levinson). `raw` and `ar` have the same length (<= 100).
void ArFromUnconstrained(std::span<const double> raw, std::span<double> ar);

// R's invpartrans, the inverse of ArFromUnconstrained. `ar` must be stationary.
void UnconstrainedFromAr(std::span<const double> ar, std::span<double> raw);

// R's arCheck: true when every root of 1 - ar_1 z - ... - ar_k z^k lies outside the unit circle
// (trailing zero coefficients ignored).
bool ArIsStationary(std::span<const double> ar);

// R's maInvert: reflects the roots of 1 + ma_1 z + ... inside the unit circle to the outside,
// giving the invertible MA polynomial with the same autocovariances. Changes `ma` in place.
void InvertMa(std::span<double> ma);

// The smallest modulus of the roots of 1 + sign * (c_1 z + c_2 z^2 + ...), with trailing
// coefficients of magnitude <= 1e-8 dropped as in forecast's myarima; +infinity for a constant
// polynomial. sign = -1 for AR polynomials, +1 for MA polynomials.
double MinRootModulus(std::span<const double> c, double sign);

// myarima's check on a fitted model: the smallest root modulus of the full AR and MA polynomials
// (computed factor by factor: a root w of the seasonal factor in B^m gives roots |w|^(1/m)).
double MinRootModulusOfModel(const ArimaOrder& order, std::span<const double> coef);

}  // namespace salesops::forecast::arima

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ARIMA_MODEL_H_
