#include "services/forecasting/engine/auto_arima.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "services/forecasting/engine/arima_state_space.h"
#include "services/forecasting/engine/unit_root.h"

namespace salesops::forecast::arima {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMinRoot = 1.01;  // myarima rejects roots closer to the unit circle

// One model of the search: forecast's myarima applied to an order and a constant.
struct Candidate {
  ArimaOrder order;
  bool constant = false;
  double ic = kInf;
  double aic = kInf;
  double aicc = kInf;
  double bic = kInf;
  std::optional<ArimaFit> fit;
  bool covariance_checked = false;
};

// The information criteria forecast's myarima attaches to a fit. nstar = n - d - D m and
// npar = estimated coefficients + 1; for CSS fits the AIC is offset + nstar log(sigma2) + 2 npar.
void SetCriteria(Candidate& c, InformationCriterion ic, int n, double offset) {
  const ArimaFit& fit = *c.fit;
  const int nstar = n - fit.order.NumLost();
  const int npar = fit.num_estimated + 1;
  double aic = fit.aic;
  if (fit.method == FitMethod::kCss) aic = offset + nstar * std::log(fit.sigma2) + 2 * npar;
  if (std::isnan(aic)) {
    c.aic = c.aicc = c.bic = c.ic = kInf;
    return;
  }
  c.aic = aic;
  c.bic = aic + npar * (std::log(static_cast<double>(nstar)) - 2);
  const int denominator = nstar - npar - 1;
  c.aicc = denominator > 0 ? aic + 2.0 * npar * (npar + 1) / denominator : kInf;
  switch (ic) {
    case InformationCriterion::kAicc:
      c.ic = c.aicc;
      break;
    case InformationCriterion::kAic:
      c.ic = c.aic;
      break;
    case InformationCriterion::kBic:
      c.ic = c.bic;
      break;
  }
  if (!std::isfinite(c.ic) && !(c.ic == -kInf)) c.ic = kInf;
}

// The coefficients of a fitted model carried over to a neighbouring order: shared lags keep their
// values, new ones start at zero.
std::vector<double> MapCoefficients(const ArimaOrder& from, const std::vector<double>& coef,
                                    const ArimaOrder& to) {
  std::vector<double> out(to.NumArma(), 0.0);
  const int from_offsets[4] = {0, from.p, from.p + from.q, from.p + from.q + from.P};
  const int from_lengths[4] = {from.p, from.q, from.P, from.Q};
  const int to_offsets[4] = {0, to.p, to.p + to.q, to.p + to.q + to.P};
  const int to_lengths[4] = {to.p, to.q, to.P, to.Q};
  for (int b = 0; b < 4; ++b) {
    for (int i = 0; i < std::min(from_lengths[b], to_lengths[b]); ++i) {
      out[to_offsets[b] + i] = coef[from_offsets[b] + i];
    }
  }
  return out;
}

class Search {
 public:
  Search(std::span<const double> x, int m, int d, int D, InformationCriterion ic, double offset,
         bool check_covariance)
      : x_(x), m_(m), d_(d), D_(D), ic_(ic), offset_(offset), check_(check_covariance) {}

  // myarima: fits, scores and applies the root check (the covariance check is deferred to
  // Beats, since it only matters for a model that would become the best). `from`, when given, is
  // a fitted neighbour whose coefficients seed the ML search.
  Candidate Fit(int p, int q, int P, int Q, bool constant, bool approximation,
                const Candidate* from = nullptr) {
    ++fitted_;
    Candidate c;
    c.order = ArimaOrder{p, d_, q, P, D_, Q, m_};
    c.constant = constant;
    ArimaFitOptions options;
    options.method = approximation ? FitMethod::kCss : FitMethod::kCssMl;
    if (from != nullptr && from->fit.has_value()) {
      options.start = MapCoefficients(from->order, from->fit->coef, c.order);
    }
    absl::StatusOr<ArimaFit> fit = FitArima(x_, c.order, constant, options);
    steps_.push_back({c.order, constant, kInf});
    if (!fit.ok()) return c;
    c.fit = *std::move(fit);
    SetCriteria(c, ic_, static_cast<int>(x_.size()), offset_);
    if (c.ic < kInf && MinRootModulusOfModel(c.order, c.fit->coef) < kMinRoot) c.ic = kInf;
    steps_.back().ic = c.ic;
    return c;
  }

  // True when c beats `best_ic` after forecast's checkarima (run here, once per candidate).
  bool Beats(Candidate& c, double best_ic) {
    if (!(c.ic < best_ic)) return false;
    return PassesCovarianceCheck(c);
  }

  bool PassesCovarianceCheck(Candidate& c) {
    if (!c.fit.has_value() || !(c.ic < kInf)) return false;
    if (check_ && !c.covariance_checked) {
      c.covariance_checked = true;
      if (CoefficientCovarianceInvalid(x_, *c.fit)) {
        c.ic = kInf;
        for (SearchStep& s : steps_) {
          if (s.order == c.order && s.constant == c.constant) s.ic = kInf;
        }
      }
    }
    return c.ic < kInf;
  }

  int fitted() const { return fitted_; }
  std::vector<SearchStep>& steps() { return steps_; }

 private:
  std::span<const double> x_;
  int m_, d_, D_;
  InformationCriterion ic_;
  double offset_;
  bool check_;
  int fitted_ = 0;
  std::vector<SearchStep> steps_;
};

// A row of auto.arima's results table.
struct Row {
  int p, q, P, Q;
  bool constant;
  double ic;
};

bool NewModel(const std::vector<Row>& rows, int p, int q, int P, int Q, bool constant) {
  for (const Row& r : rows) {
    if (r.p == p && r.q == q && r.P == P && r.Q == Q && r.constant == constant) return false;
  }
  return true;
}

double Mean(std::span<const double> v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

// forecast's final statistics for the chosen fit: its criteria (exact ML), and sigma2 from the
// residuals of the full state-space filter.
AutoArimaModel Finish(std::span<const double> x, const Candidate& c, int fitted,
                      std::vector<SearchStep> steps = {}) {
  AutoArimaModel model;
  model.search = std::move(steps);
  model.fit = *c.fit;
  model.aic = c.aic;
  model.aicc = c.aicc;
  model.bic = c.bic;
  model.models_fitted = fitted;
  const std::vector<double> resid = ArimaResiduals(x, model.fit);
  double ss = 0;
  for (double r : resid) ss += r * r;
  const int nstar = static_cast<int>(x.size()) - model.fit.order.NumLost();
  const int npar = model.fit.num_estimated + 1;
  const int denominator = std::max(1, nstar - npar + 1);
  model.sigma2 = ss / denominator;
  return model;
}

// A fit with no search (auto.arima's special cases), scored as Arima() scores it.
absl::StatusOr<AutoArimaModel> FitFixed(std::span<const double> x, const ArimaOrder& order,
                                        bool constant, std::optional<double> fixed_constant,
                                        InformationCriterion ic) {
  ArimaFitOptions options;
  options.fixed_constant = fixed_constant;
  absl::StatusOr<ArimaFit> fit = FitArima(x, order, constant, options);
  if (!fit.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("y: no ARIMA model can be fitted: ", fit.status().message()));
  }
  Candidate c;
  c.order = order;
  c.constant = constant;
  c.fit = *std::move(fit);
  SetCriteria(c, ic, static_cast<int>(x.size()), 0);
  return Finish(x, c, 1);
}

}  // namespace

absl::StatusOr<AutoArimaModel> AutoArima(std::span<const double> x, int m,
                                         const AutoArimaOptions& options) {
  const int n = static_cast<int>(x.size());
  if (n == 0) return absl::InvalidArgumentError("y: must not be empty");
  for (double v : x) {
    if (!std::isfinite(v)) return absl::InvalidArgumentError("y: values must be finite");
  }
  m = std::max(1, m);

  // A constant series: its mean, zero variance.
  if (IsConstant(x)) {
    absl::StatusOr<AutoArimaModel> model =
        FitFixed(x, ArimaOrder{0, 0, 0, 0, 0, 0, m}, options.allow_mean,
                 options.allow_mean ? std::optional<double>(Mean(x)) : std::nullopt,
                 InformationCriterion::kAic);
    if (model.ok()) model->constant_series = true;
    return model;
  }

  const InformationCriterion ic = n <= 3 ? InformationCriterion::kAic : options.ic;
  int max_p = std::min(options.max_p, n / 3);
  int max_q = std::min(options.max_q, n / 3);
  int max_P = std::min(options.max_P, n / 3 / m);
  int max_Q = std::min(options.max_Q, n / 3 / m);

  // Seasonal differencing, then ordinary differencing, by R's tests.
  int D = 0;
  if (m == 1) {
    max_P = max_Q = 0;
  } else if (options.D.has_value()) {
    D = *options.D;
  } else if (n > 2 * m && options.max_D > 0) {
    D = NumSeasonalDifferences(x, m);
    if (D > 0 && Difference(x, 0, D, m).empty()) --D;
  }
  std::vector<double> dx = D > 0 ? Difference(x, 0, D, m) : std::vector<double>(x.begin(), x.end());
  int d = 0;
  if (options.d.has_value()) {
    d = *options.d;
  } else {
    d = NumDifferences(dx, options.max_d);
    if (d > 0 && Difference(dx, d, 0, 1).empty()) --d;
  }
  if (d > 0) dx = Difference(dx, d, 0, 1);
  if (dx.empty()) return absl::InvalidArgumentError("y: not enough data to fit an ARIMA model");

  // A series that differencing makes constant: R's fixed-constant models.
  if (IsConstant(dx)) {
    if (D > 0 && d == 0) {
      return FitFixed(x, ArimaOrder{0, 0, 0, 0, D, 0, m}, true, Mean(dx) / m, ic);
    }
    if (D > 0 && d > 0) return FitFixed(x, ArimaOrder{0, d, 0, 0, D, 0, m}, false, std::nullopt, ic);
    if (d == 2) return FitFixed(x, ArimaOrder{0, d, 0, 0, 0, 0, m}, false, std::nullopt, ic);
    return FitFixed(x, ArimaOrder{0, d, 0, 0, 0, 0, m}, true, Mean(dx), ic);
  }

  if (m > 1) {
    if (max_P > 0) max_p = std::min(max_p, m - 1);
    if (max_Q > 0) max_q = std::min(max_q, m - 1);
  }
  const bool approximation = options.approximation.value_or(n > 150 || m > 12);
  double offset = 0;
  if (approximation) {
    absl::StatusOr<ArimaFit> base =
        FitArima(x, ArimaOrder{0, d, 0, 0, D, 0, m}, /*constant=*/d + D == 0);
    if (base.ok()) offset = -2 * base->loglik - n * std::log(base->sigma2);
  }
  const bool allow_drift = options.allow_drift && d + D == 1;
  const bool allow_mean = options.allow_mean && d + D == 0;
  bool constant = allow_drift || allow_mean;

  Search search(x, m, d, D, ic, offset, options.check_covariance);
  std::vector<Candidate> candidates;  // every model fitted, in order (R's results table)
  std::vector<Row> rows;
  auto record = [&](Candidate c) {
    rows.push_back({c.order.p, c.order.q, c.order.P, c.order.Q, c.constant, c.ic});
    candidates.push_back(std::move(c));
    return candidates.size() - 1;
  };

  std::size_t best = 0;
  if (!options.stepwise) {
    // forecast's search.arima: every model within max.order.
    double best_ic = kInf;
    bool found = false;
    for (int i = 0; i <= max_p; ++i) {
      for (int j = 0; j <= max_q; ++j) {
        for (int I = 0; I <= max_P; ++I) {
          for (int J = 0; J <= max_Q; ++J) {
            if (i + j + I + J > options.max_order) continue;
            for (int K = 0; K <= (constant ? 1 : 0); ++K) {
              const std::size_t at = record(search.Fit(i, j, I, J, K == 1, approximation));
              if (search.Beats(candidates[at], best_ic)) {
                best_ic = candidates[at].ic;
                best = at;
                found = true;
              }
            }
          }
        }
      }
    }
    if (!found) return absl::InvalidArgumentError("y: no suitable ARIMA model found");
    if (approximation) {
      const Candidate& b = candidates[best];
      Candidate refit = search.Fit(b.order.p, b.order.q, b.order.P, b.order.Q, b.constant, false);
      if (search.PassesCovarianceCheck(refit)) return Finish(x, refit, search.fitted(), search.steps());
      AutoArimaOptions exact = options;
      exact.approximation = false;
      exact.d = d;
      exact.D = D;
      return AutoArima(x, m, exact);
    }
    return Finish(x, candidates[best], search.fitted(), search.steps());
  }

  // Stepwise (Hyndman-Khandakar).
  int start_p = options.start_p, start_q = options.start_q;
  int start_P = options.start_P, start_Q = options.start_Q;
  if (n < 10) {
    start_p = std::min(start_p, 1);
    start_q = std::min(start_q, 1);
    start_P = 0;
    start_Q = 0;
  }
  int p = std::min(start_p, max_p);
  int q = std::min(start_q, max_q);
  int P = std::min(start_P, max_P);
  int Q = std::min(start_Q, max_Q);
  const int nmodels = options.max_models;

  best = record(search.Fit(p, q, P, Q, constant, approximation));
  search.PassesCovarianceCheck(candidates[best]);
  rows[best].ic = candidates[best].ic;
  auto try_start = [&](int sp, int sq, int sP, int sQ, bool c) {
    const std::size_t at =
        record(search.Fit(sp, sq, sP, sQ, c, approximation, &candidates[best]));
    if (search.Beats(candidates[at], candidates[best].ic)) {
      best = at;
      return true;
    }
    return false;
  };
  if (try_start(0, 0, 0, 0, constant)) p = q = P = Q = 0;
  if (max_p > 0 || max_P > 0) {
    const int sp = max_p > 0 ? 1 : 0, sP = (m > 1 && max_P > 0) ? 1 : 0;
    if (try_start(sp, 0, sP, 0, constant)) {
      p = sp;
      P = sP;
      q = Q = 0;
    }
  }
  if (max_q > 0 || max_Q > 0) {
    const int sq = max_q > 0 ? 1 : 0, sQ = (m > 1 && max_Q > 0) ? 1 : 0;
    if (try_start(0, sq, 0, sQ, constant)) {
      p = P = 0;
      Q = sQ;
      q = sq;
    }
  }
  if (constant) {
    // (R keeps `constant` TRUE even when the model without it wins here.)
    if (try_start(0, 0, 0, 0, false)) p = q = P = Q = 0;
  }

  int k = static_cast<int>(candidates.size());
  int startk = 0;
  struct Move {
    int dp, dq, dP, dQ;
  };
  static constexpr Move kMoves[] = {
      {0, 0, -1, 0}, {0, 0, 0, -1}, {0, 0, 1, 0},  {0, 0, 0, 1},  {0, 0, -1, -1}, {0, 0, -1, 1},
      {0, 0, 1, -1}, {0, 0, 1, 1},  {-1, 0, 0, 0}, {0, -1, 0, 0}, {1, 0, 0, 0},   {0, 1, 0, 0},
      {-1, -1, 0, 0}, {-1, 1, 0, 0}, {1, -1, 0, 0}, {1, 1, 0, 0}};
  while (startk < k && k < nmodels) {
    startk = k;
    bool restart = false;
    for (const Move& mv : kMoves) {
      const int np = p + mv.dp, nq = q + mv.dq, nP = P + mv.dP, nQ = Q + mv.dQ;
      if (np < 0 || nq < 0 || nP < 0 || nQ < 0) continue;
      if (np > max_p || nq > max_q || nP > max_P || nQ > max_Q) continue;
      if (!NewModel(rows, np, nq, nP, nQ, constant)) continue;
      ++k;
      if (k > nmodels) {
        restart = true;
        break;
      }
      const std::size_t at =
          record(search.Fit(np, nq, nP, nQ, constant, approximation, &candidates[best]));
      if (search.Beats(candidates[at], candidates[best].ic)) {
        best = at;
        p = np;
        q = nq;
        P = nP;
        Q = nQ;
        restart = true;
        break;
      }
    }
    if (restart) continue;
    if (allow_drift || allow_mean) {
      if (NewModel(rows, p, q, P, Q, !constant)) {
        ++k;
        if (k > nmodels) continue;
        const std::size_t at =
            record(search.Fit(p, q, P, Q, !constant, approximation, &candidates[best]));
        if (search.Beats(candidates[at], candidates[best].ic)) {
          best = at;
          constant = !constant;
        }
      }
    }
  }

  if (approximation && candidates[best].fit.has_value()) {
    // Refit the models by ML in the order of their approximate criterion (those discarded,
    // +infinity, last), keeping the first that passes every check.
    std::vector<std::size_t> order(candidates.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return candidates[a].ic < candidates[b].ic;
    });
    std::vector<std::size_t> deferred;
    auto try_refit = [&](std::size_t i) -> std::optional<AutoArimaModel> {
      const Candidate& c = candidates[i];
      Candidate refit = search.Fit(c.order.p, c.order.q, c.order.P, c.order.Q, c.constant, false);
      if (search.PassesCovarianceCheck(refit)) return Finish(x, refit, search.fitted(), search.steps());
      return std::nullopt;
    };
    for (std::size_t i : order) {
      Candidate& c = candidates[i];
      if (c.ic < kInf && !search.PassesCovarianceCheck(c)) {
        deferred.push_back(i);  // R would have scored it +infinity
        continue;
      }
      if (!(c.ic < kInf)) {
        deferred.push_back(i);
        continue;
      }
      if (std::optional<AutoArimaModel> model = try_refit(i)) return *std::move(model);
    }
    for (std::size_t i : deferred) {
      if (std::optional<AutoArimaModel> model = try_refit(i)) return *std::move(model);
    }
    return absl::InvalidArgumentError("y: no suitable ARIMA model found");
  }
  if (!(candidates[best].ic < kInf) || !candidates[best].fit.has_value()) {
    return absl::InvalidArgumentError("y: no suitable ARIMA model found");
  }
  return Finish(x, candidates[best], search.fitted(), search.steps());
}

}  // namespace salesops::forecast::arima
