#include "services/quota/plan_simulation.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "absl/strings/str_format.h"

namespace salesops::quota {
namespace {

// Bookings within a relative 1e-9 of the quota (or target) count as reaching it.
constexpr double kTolerance = 1e-9;
// The most sd of the log of company bookings accepted: a factor of 150 per sd is already beyond any
// forecast, and the draws stay finite.
constexpr double kMaxCompanyLogSd = 5.0;
// Per-rep histogram for the exact medians: kBins bins over the rep's likely range, plus one bin
// each side for what falls outside (still counted, so the median stays exact).
constexpr int kBins = 128;
constexpr int kBinStride = kBins + 2;
// Consistency factor of the MAD for a normal distribution.
constexpr double kMadToSd = 1.4826;

// std::mt19937_64 with our own transforms (as forecasting's landing), so that draws are the same on
// every platform: the standard library's distributions are not specified bit for bit.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Standard normal: Marsaglia's polar method (Box-Muller without the sine and cosine); both values
  // of a pair are used.
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double x, y, r2;
    do {
      x = 2 * Uniform() - 1;
      y = 2 * Uniform() - 1;
      r2 = x * x + y * y;
    } while (r2 >= 1 || r2 == 0);
    const double f = std::sqrt(-2 * std::log(r2) / r2);
    spare_ = y * f;
    has_spare_ = true;
    return x * f;
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// Nearest-rank quantile of sorted values (as forecasting's landing).
size_t NearestRank(size_t n, double q) { return static_cast<size_t>(q * static_cast<double>(n - 1) + 0.5); }

double Median(std::vector<double> v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  return 0.5 * (upper + *std::max_element(v.begin(), v.begin() + static_cast<long>(mid)));
}

// The draws of one path after another: the log of the company's total, and each active rep's log
// multiplier log m = sigma z - sigma^2 / 2. The same seed replays the same paths.
class Draws {
 public:
  Draws(const PlanSimulationInput& in, size_t reps, uint64_t seed)
      : random_(seed),
        log_median_(std::log(in.company.median)),
        log_sd_(in.company.log_sd),
        sigma_(in.rep_sigma),
        log_multiplier_(reps, 0.0) {}

  // Returns the log of the company's total; log_multiplier() holds the reps'.
  double Next() {
    const double log_total = log_median_ + (log_sd_ > 0 ? log_sd_ * random_.Normal() : 0.0);
    if (sigma_ > 0) {
      const double drift = -0.5 * sigma_ * sigma_;
      for (double& lm : log_multiplier_) lm = sigma_ * random_.Normal() + drift;
    }
    return log_total;
  }
  const std::vector<double>& log_multiplier() const { return log_multiplier_; }

 private:
  Random random_;
  double log_median_, log_sd_, sigma_;
  std::vector<double> log_multiplier_;
};

// A rep's bookings in a path, B = w m T / S = (w m) x scale, and the key its histogram bins:
// log B = log w + log m + shift, without a log per rep. Both passes compute them alike.
inline double Weighted(double weight, double log_multiplier) { return weight * std::exp(log_multiplier); }
inline double Bookings(double weighted, double scale) { return weighted * scale; }
inline double Key(double log_weight, double log_multiplier, double shift) {
  return log_weight + log_multiplier + shift;
}

absl::Status Validate(const PlanSimulationInput& in) {
  if (in.paths < 100 || in.paths > 200000)
    return absl::InvalidArgumentError(absl::StrFormat("paths: must be 100..200000, got %d", in.paths));
  if (!(std::isfinite(in.target) && in.target > 0))
    return absl::InvalidArgumentError(absl::StrFormat("target: must be finite and > 0, got %g", in.target));
  if (!(std::isfinite(in.company.median) && in.company.median > 0))
    return absl::InvalidArgumentError(
        absl::StrFormat("company.median: must be finite and > 0, got %g", in.company.median));
  if (!(in.company.log_sd >= 0 && in.company.log_sd <= kMaxCompanyLogSd))
    return absl::InvalidArgumentError(
        absl::StrFormat("company.log_sd: must be 0..%g, got %g", kMaxCompanyLogSd, in.company.log_sd));
  if (!(in.rep_sigma >= 0 && in.rep_sigma <= kMaxRepSigma))
    return absl::InvalidArgumentError(
        absl::StrFormat("rep_sigma: must be 0..%g, got %g", kMaxRepSigma, in.rep_sigma));
  if (in.reps.empty()) return absl::InvalidArgumentError("reps: the plan has no reps");
  double total_share = 0;
  for (size_t i = 0; i < in.reps.size(); ++i) {
    const RepPlan& r = in.reps[i];
    if (!(std::isfinite(r.quota) && r.quota > 0))
      return absl::InvalidArgumentError(
          absl::StrFormat("reps[%d].quota: must be finite and > 0, got %g", i, r.quota));
    if (!(std::isfinite(r.expected_share) && r.expected_share >= 0))
      return absl::InvalidArgumentError(
          absl::StrFormat("reps[%d].expected_share: must be finite and >= 0, got %g", i, r.expected_share));
    total_share += r.expected_share;
  }
  if (!(total_share > 0 && std::isfinite(total_share)))
    return absl::InvalidArgumentError("reps: no rep has an expected_share > 0");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CompanyBookings> LogNormalFromMeanSd(double mean, double sd) {
  if (!(std::isfinite(mean) && mean > 0))
    return absl::InvalidArgumentError(absl::StrFormat("mean: must be finite and > 0, got %g", mean));
  if (!(std::isfinite(sd) && sd >= 0))
    return absl::InvalidArgumentError(absl::StrFormat("sd: must be finite and >= 0, got %g", sd));
  const double cv = sd / mean;
  const double log_variance = std::log1p(cv * cv);
  return CompanyBookings{mean / std::sqrt(1 + cv * cv), std::sqrt(log_variance)};
}

RepVariability EstimateRepVariability(const std::vector<std::vector<double>>& annual_bookings) {
  size_t years = 0;
  for (const auto& row : annual_bookings) years = std::max(years, row.size());
  // Missing: beyond the row, NaN, negative (and 0, which has no log share).
  auto value = [&](size_t rep, size_t year) {
    const auto& row = annual_bookings[rep];
    return year < row.size() && std::isfinite(row[year]) && row[year] > 0 ? row[year] : 0.0;
  };
  std::vector<double> total(years, 0.0);
  for (size_t r = 0; r < annual_bookings.size(); ++r)
    for (size_t y = 0; y < years; ++y) total[y] += value(r, y);

  std::vector<double> centred;
  std::vector<double> d, sorted;
  for (size_t y = 1; y < years; ++y) {
    d.clear();
    for (size_t r = 0; r < annual_bookings.size(); ++r) {
      const double before = value(r, y - 1), after = value(r, y);
      if (before > 0 && after > 0) d.push_back(std::log((after / total[y]) / (before / total[y - 1])));
    }
    if (d.size() < 2) continue;
    // Each d against the median of the others' (leave one out: no zero for the median rep itself,
    // and d is independent of its centre), scaled back to d's sd: the centre's variance is sigma_d^2
    // times 1 / m for m = 1, 2 others and about pi / (2m) beyond.
    sorted = d;
    std::sort(sorted.begin(), sorted.end());
    const size_t m = d.size() - 1;
    const double centre_variance = m <= 2 ? 1.0 / static_cast<double>(m)
                                          : std::numbers::pi / (2 * static_cast<double>(m));
    const double rescale = 1 / std::sqrt(1 + centre_variance);
    for (double x : d) {
      const size_t j = static_cast<size_t>(std::lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin());
      auto other = [&](size_t i) { return sorted[i < j ? i : i + 1]; };  // the others, in order
      const double centre = m % 2 ? other(m / 2) : 0.5 * (other(m / 2 - 1) + other(m / 2));
      centred.push_back((x - centre) * rescale);
    }
  }

  RepVariability result;
  result.pairs_observed = static_cast<int>(centred.size());
  if (result.pairs_observed < kMinRepVariabilityPairs) return result;  // the default, not from history

  const double centre = Median(centred);
  std::vector<double> deviation(centred.size());
  for (size_t i = 0; i < centred.size(); ++i) deviation[i] = std::fabs(centred[i] - centre);
  double spread = kMadToSd * Median(deviation);
  if (spread == 0) {
    double mean = 0;
    for (double x : centred) mean += x;
    mean /= static_cast<double>(centred.size());
    double ss = 0;
    for (double x : centred) ss += (x - mean) * (x - mean);
    spread = std::sqrt(ss / static_cast<double>(centred.size() - 1));
  }
  result.sigma = std::clamp(spread / std::numbers::sqrt2, kMinRepSigma, kMaxRepSigma);
  result.from_history = true;
  return result;
}

absl::StatusOr<PlanSimulationResult> SimulatePlan(const PlanSimulationInput& in) {
  if (auto status = Validate(in); !status.ok()) return status;
  const size_t n_reps = in.reps.size();
  const size_t paths = static_cast<size_t>(in.paths);

  // The reps that book anything, with their normalised shares.
  double total_share = 0;
  for (const RepPlan& r : in.reps) total_share += r.expected_share;
  std::vector<size_t> active;
  std::vector<double> weight, threshold;
  for (size_t i = 0; i < n_reps; ++i) {
    if (in.reps[i].expected_share <= 0) continue;
    active.push_back(i);
    weight.push_back(in.reps[i].expected_share / total_share);
    threshold.push_back(in.reps[i].quota * (1 - kTolerance));
  }
  const size_t n = active.size();
  const double target_threshold = in.target * (1 - kTolerance);

  // Histogram grid of each rep's log bookings: around log(median x share), wide enough for the
  // company's and the rep's noise (the rest lands in the outer bins).
  const double half_width = 6 * (in.company.log_sd + 2 * in.rep_sigma) + 1e-6;
  std::vector<double> grid_low(n), grid_scale(n);
  for (size_t k = 0; k < n; ++k) {
    grid_low[k] = std::log(in.company.median * weight[k]) - half_width;
    grid_scale[k] = kBins / (2 * half_width);
  }
  auto bin = [&](size_t k, double key) {
    const double x = std::clamp((key - grid_low[k]) * grid_scale[k], -1.0, static_cast<double>(kBins));
    return static_cast<int>(std::floor(x)) + 1;
  };

  // Pass 1: everything but the reps' medians, and their histograms. Each path's scale T / S and
  // shift log T - log S are kept for pass 2.
  std::vector<double> log_weight(n);
  for (size_t k = 0; k < n; ++k) log_weight[k] = std::log(weight[k]);
  std::vector<double> totals(paths), scale(paths), shift(paths);
  std::vector<int> at_quota(paths);
  std::vector<int64_t> made(n, 0);
  std::vector<double> sum_bookings(n, 0.0), value(n);
  std::vector<uint32_t> histogram(n * kBinStride, 0);
  int64_t target_hits = 0, made_total = 0;
  {
    Draws draws(in, n, in.seed);
    const std::vector<double>& lm = draws.log_multiplier();
    for (size_t p = 0; p < paths; ++p) {
      const double log_total = draws.Next();
      const double total = std::exp(log_total);
      double sum = 0;
      for (size_t k = 0; k < n; ++k) sum += value[k] = Weighted(weight[k], lm[k]);
      totals[p] = total;
      scale[p] = total / sum;
      shift[p] = log_total - std::log(sum);
      target_hits += total >= target_threshold;
      int count = 0;
      for (size_t k = 0; k < n; ++k) {
        const double b = Bookings(value[k], scale[p]);
        sum_bookings[k] += b;
        const bool hit = b >= threshold[k];
        made[k] += hit;
        count += hit;
        ++histogram[k * kBinStride + bin(k, Key(log_weight[k], lm[k], shift[p]))];
      }
      at_quota[p] = count;
      made_total += count;
    }
  }

  // The bin holding each rep's median, the count below it, and room for that bin's values.
  const size_t rank = NearestRank(paths, 0.5);
  std::vector<int> median_bin(n);
  std::vector<size_t> below(n), offset(n + 1, 0);
  for (size_t k = 0; k < n; ++k) {
    size_t cumulative = 0;
    int b = 0;
    while (cumulative + histogram[k * kBinStride + b] <= rank) cumulative += histogram[k * kBinStride + b++];
    median_bin[k] = b;
    below[k] = cumulative;
    offset[k + 1] = offset[k] + histogram[k * kBinStride + b];
  }

  // Pass 2: replay the draws, keeping the values in each rep's median bin (only those need the
  // exponential).
  std::vector<double> kept(offset[n]);
  {
    std::vector<size_t> fill(offset.begin(), offset.end() - 1);
    Draws draws(in, n, in.seed);
    const std::vector<double>& lm = draws.log_multiplier();
    for (size_t p = 0; p < paths; ++p) {
      draws.Next();
      for (size_t k = 0; k < n; ++k)
        // Same draws, same arithmetic: exactly the values pass 1 counted in that bin (the bound is
        // only a guard).
        if (bin(k, Key(log_weight[k], lm[k], shift[p])) == median_bin[k] && fill[k] < offset[k + 1])
          kept[fill[k]++] = Bookings(Weighted(weight[k], lm[k]), scale[p]);
    }
  }

  PlanSimulationResult result;
  const double sims = static_cast<double>(paths);
  result.reps.resize(n_reps);  // reps without a share: zeros (they book 0 and miss quota)
  for (size_t k = 0; k < n; ++k) {
    RepOutcome& out = result.reps[active[k]];
    auto first = kept.begin() + static_cast<long>(offset[k]);
    auto nth = first + static_cast<long>(rank - below[k]);
    std::nth_element(first, nth, kept.begin() + static_cast<long>(offset[k + 1]));
    out.probability_of_quota = static_cast<double>(made[k]) / sims;
    out.median_bookings = *nth;
    out.median_attainment = *nth / in.reps[active[k]].quota;
    out.expected_bookings = sum_bookings[k] / sims;
  }

  result.probability_of_target = static_cast<double>(target_hits) / sims;
  const double reps = static_cast<double>(n_reps);
  result.expected_share_at_quota = static_cast<double>(made_total) / (sims * reps);
  std::sort(at_quota.begin(), at_quota.end());
  result.share_at_quota_p10 = at_quota[NearestRank(paths, 0.10)] / reps;
  result.share_at_quota_p90 = at_quota[NearestRank(paths, 0.90)] / reps;

  double sum_total = 0;
  for (double t : totals) sum_total += t;
  result.company_expected = sum_total / sims;
  std::sort(totals.begin(), totals.end());
  result.company_p10 = totals[NearestRank(paths, 0.10)];
  result.company_p50 = totals[NearestRank(paths, 0.50)];
  result.company_p90 = totals[NearestRank(paths, 0.90)];
  return result;
}

}  // namespace salesops::quota
