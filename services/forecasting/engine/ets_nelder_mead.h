// The Nelder-Mead minimiser of R's optim() (nmmin in R's src/appl/optim.c), which R's
// forecast::ets uses to fit every model: the same initial simplex (one step of 10% of the largest
// |parameter| along every axis), the same reflection / expansion / contraction / shrink rules, the
// same treatment of non-finite values (as 1e35) and the same stopping rules (the simplex's value
// range within reltol * (|f(start)| + reltol), or more than max_evaluations evaluations, or a
// shrink that does not shrink). Following R step by step is what makes our ETS fits R's fits.
//
// Two additions, neither changing the path: coordinates may be held in other units than R's
// (`units[i]` converts coordinate i to R's units, for the step and the size measure; exact when the
// units are powers of two), and a run can be paused after a number of evaluations and resumed
// later, ending exactly where one uninterrupted run would have.
#ifndef SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_NELDER_MEAD_H_
#define SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_NELDER_MEAD_H_

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace salesops::forecast::ets {

class NelderMeadR {
 public:
  struct Settings {
    double reltol = 1.490116119384765625e-8;  // R: sqrt(.Machine$double.eps)
    double abstol = -HUGE_VAL;
    double alpha = 1.0;  // reflection
    double beta = 0.5;   // contraction
    double gamma = 2.0;  // expansion
  };

  // `start` and `units` have the problem's dimension; empty `units` means R's units throughout.
  NelderMeadR(std::span<const double> start, std::span<const double> units, Settings settings);
  NelderMeadR(std::span<const double> start, std::span<const double> units)
      : NelderMeadR(start, units, Settings{}) {}

  // Evaluates the start and builds the simplex. False (and finished) when f(start) is not finite,
  // where R stops with "function cannot be evaluated at initial parameters".
  template <typename F>
  bool Start(F& f);

  // Continues until the run ends or more than `max_evaluations` evaluations have been spent in
  // total (R's maxit). Calling again with a larger limit resumes.
  template <typename F>
  void Run(F& f, int max_evaluations);

  bool finished() const { return finished_; }     // converged, or shrink failed
  bool converged() const { return converged_; }   // the value range test
  int evaluations() const { return evaluations_; }
  double best_value() const { return value_[low_]; }
  std::span<const double> best() const { return {&p_[low_ * n_], static_cast<std::size_t>(n_)}; }

 private:
  static constexpr double kBig = 1.0e35;
  double* Vertex(int j) { return &p_[static_cast<std::size_t>(j) * n_]; }
  template <typename F>
  double Eval(F& f, const double* x) {
    ++evaluations_;
    const double v = f(x);
    return std::isfinite(v) ? v : kBig;
  }
  double SizeTerm(int i, double delta) const { return std::fabs(delta) * units_[i]; }

  int n_;
  Settings settings_;
  std::vector<double> units_;
  std::vector<double> p_;      // n + 2 vertices of n coordinates; vertex n + 1 is R's column C
  std::vector<double> value_;  // n + 2 values
  std::vector<double> trial_;  // R's Bvec
  int low_ = 0;                // R's L - 1
  int evaluations_ = 0;
  double convtol_ = 0;
  double oldsize_ = 0;
  bool calcvert_ = true;
  bool finished_ = false;
  bool converged_ = false;
};

template <typename F>
bool NelderMeadR::Start(F& f) {
  const double f0 = f(trial_.data());
  evaluations_ = 1;
  if (!std::isfinite(f0)) {
    finished_ = true;
    return false;
  }
  convtol_ = settings_.reltol * (std::fabs(f0) + settings_.reltol);
  for (int i = 0; i < n_; ++i) Vertex(0)[i] = trial_[i];
  value_[0] = f0;
  low_ = 0;
  double step = 0;
  for (int i = 0; i < n_; ++i) step = std::max(step, 0.1 * std::fabs(trial_[i] * units_[i]));
  if (step == 0) step = 0.1;
  double size = 0;
  for (int j = 1; j <= n_; ++j) {
    double* v = Vertex(j);
    for (int i = 0; i < n_; ++i) v[i] = trial_[i];
    const int k = j - 1;
    double trystep = step;
    while (v[k] == trial_[k]) {
      v[k] = trial_[k] + trystep / units_[k];
      trystep *= 10;
    }
    size += trystep;
  }
  oldsize_ = size;
  calcvert_ = true;
  return true;
}

template <typename F>
void NelderMeadR::Run(F& f, int max_evaluations) {
  const int n1 = n_ + 1;
  double* centroid = Vertex(n1);
  while (!finished_ && evaluations_ <= max_evaluations) {
    if (calcvert_) {
      for (int j = 0; j < n1; ++j) {
        if (j != low_) value_[j] = Eval(f, Vertex(j));
      }
      calcvert_ = false;
    }
    // Lowest and highest vertex (R scans from its current L; ties keep the earlier choice).
    double vl = value_[low_], vh = vl;
    int high = low_;
    for (int j = 0; j < n1; ++j) {
      if (j == low_) continue;
      const double v = value_[j];
      if (v < vl) {
        low_ = j;
        vl = v;
      }
      if (v > vh) {
        high = j;
        vh = v;
      }
    }
    if (vh <= vl + convtol_ || vl <= settings_.abstol) {
      finished_ = converged_ = true;
      break;
    }
    double* worst = Vertex(high);
    for (int i = 0; i < n_; ++i) {
      double sum = -worst[i];
      for (int j = 0; j < n1; ++j) sum += Vertex(j)[i];
      centroid[i] = sum / n_;
    }
    for (int i = 0; i < n_; ++i) {
      trial_[i] = (1.0 + settings_.alpha) * centroid[i] - settings_.alpha * worst[i];
    }
    const double vr = Eval(f, trial_.data());
    if (vr < vl) {
      value_[n1] = vr;
      for (int i = 0; i < n_; ++i) {
        const double e = settings_.gamma * trial_[i] + (1 - settings_.gamma) * centroid[i];
        centroid[i] = trial_[i];
        trial_[i] = e;
      }
      const double ve = Eval(f, trial_.data());
      if (ve < vr) {
        for (int i = 0; i < n_; ++i) worst[i] = trial_[i];
        value_[high] = ve;
      } else {
        for (int i = 0; i < n_; ++i) worst[i] = centroid[i];
        value_[high] = vr;
      }
    } else {
      if (vr < vh) {
        for (int i = 0; i < n_; ++i) worst[i] = trial_[i];
        value_[high] = vr;
      }
      for (int i = 0; i < n_; ++i) {
        trial_[i] = (1 - settings_.beta) * worst[i] + settings_.beta * centroid[i];
      }
      const double vc = Eval(f, trial_.data());
      if (vc < value_[high]) {
        for (int i = 0; i < n_; ++i) worst[i] = trial_[i];
        value_[high] = vc;
      } else if (vr >= vh) {
        calcvert_ = true;
        double size = 0;
        const double* best = Vertex(low_);
        for (int j = 0; j < n1; ++j) {
          if (j == low_) continue;
          double* v = Vertex(j);
          for (int i = 0; i < n_; ++i) {
            v[i] = settings_.beta * (v[i] - best[i]) + best[i];
            size += SizeTerm(i, v[i] - best[i]);
          }
        }
        if (size < oldsize_) {
          oldsize_ = size;
        } else {
          finished_ = true;
          break;
        }
      }
    }
  }
}

inline NelderMeadR::NelderMeadR(std::span<const double> start, std::span<const double> units,
                                Settings settings)
    : n_(static_cast<int>(start.size())),
      settings_(settings),
      units_(start.size(), 1.0),
      p_((start.size() + 2) * start.size(), 0.0),
      value_(start.size() + 2, 0.0),
      trial_(start.begin(), start.end()) {
  if (!units.empty()) units_.assign(units.begin(), units.end());
}

}  // namespace salesops::forecast::ets

#endif  // SALESOPS_SERVICES_FORECASTING_ENGINE_ETS_NELDER_MEAD_H_
