#include "services/forecasting/engine/landing.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <limits>
#include <tuple>

#include "absl/strings/str_format.h"

namespace salesops::forecast::landing {
namespace {

// Prior strength of each shrinkage level, in examples.
constexpr double kShrinkage = 8.0;
// Deals drawn one by one; the rest (smaller ones) as a normal sum.
constexpr size_t kMaxExactDeals = 1000;
// Period factors need this many past observations to be used.
constexpr int kMinFactorGroups = 4;

// Time left in the period, in three buckets: the last two weeks, the last month and a half, more.
int TimeLeftBucket(int days_left) { return days_left <= 14 ? 0 : days_left <= 45 ? 1 : 2; }

// The cells a deal falls into, from the coarsest to the finest.
struct Cells {
  int category;
  bool large;
  bool past_due;
  std::string stage;
  int bucket;
};

// Deals at or above this share of history's amounts count as large: big deals slip more and win
// less often within their period.
constexpr double kLargeDealQuantile = 0.8;

int64_t LargeDealThreshold(const std::vector<Example>& history) {
  if (history.empty()) return std::numeric_limits<int64_t>::max();
  std::vector<int64_t> amounts;
  amounts.reserve(history.size());
  for (const Example& e : history) amounts.push_back(e.deal.amount);
  auto nth = amounts.begin() + static_cast<long>(kLargeDealQuantile * (amounts.size() - 1));
  std::nth_element(amounts.begin(), nth, amounts.end());
  return *nth;
}

Cells CellsOf(const Deal& d, int observed_day, int period_end_day, int64_t large_from) {
  return {d.category, d.amount >= large_from, d.close_day < observed_day, d.stage,
          TimeLeftBucket(period_end_day - observed_day)};
}

struct Count {
  double n = 0, won = 0, slipped = 0;
};

// Counts at every level, and the shrunk rates they give.
class Calibration {
 public:
  explicit Calibration(const std::vector<Example>& history)
      : large_from_(LargeDealThreshold(history)) {
    for (const Example& e : history) {
      const Cells c = CellsOf(e.deal, e.observed_day, e.period_end_day, large_from_);
      const bool won = e.outcome == Outcome::kWonInPeriod;
      const bool slipped = e.outcome == Outcome::kWonLater || e.outcome == Outcome::kStillOpen;
      for (Count* count : {&all_, &by_category_[c.category], &by_size_[{c.category, c.large}],
                           &by_past_due_[{c.category, c.large, c.past_due}],
                           &by_stage_[{c.category, c.large, c.past_due, c.stage}],
                           &by_bucket_[{c.category, c.large, c.past_due, c.stage, c.bucket}],
                           &by_category_stage_[{c.category, c.stage}]}) {
        count->n += 1;
        count->won += won;
        count->slipped += slipped;
      }
    }
  }

  bool empty() const { return all_.n == 0; }

  // Probability of being won in the period for a deal observed on `observed_day`.
  double Win(const Deal& d, int observed_day, int period_end_day) const {
    const Cells c = CellsOf(d, observed_day, period_end_day, large_from_);
    double p = (all_.won + 1) / (all_.n + 2);
    p = Shrink(Find(by_category_, c.category), p, &Count::won);
    p = Shrink(Find(by_size_, std::make_pair(c.category, c.large)), p, &Count::won);
    p = Shrink(Find(by_past_due_, std::make_tuple(c.category, c.large, c.past_due)), p, &Count::won);
    p = Shrink(Find(by_stage_, std::make_tuple(c.category, c.large, c.past_due, c.stage)), p, &Count::won);
    return Shrink(Find(by_bucket_, std::make_tuple(c.category, c.large, c.past_due, c.stage, c.bucket)), p,
                  &Count::won);
  }

  std::vector<Rate> Rates() const {
    std::vector<Rate> rates;
    const double win_all = (all_.won + 1) / (all_.n + 2);
    const double slip_all = (all_.slipped + 1) / (all_.n + 2);
    for (const auto& [category, count] : by_category_) {
      Rate r{category, "", Shrink(count, win_all, &Count::won), Shrink(count, slip_all, &Count::slipped),
             static_cast<int64_t>(count.n)};
      rates.push_back(r);
      for (const auto& [key, stage_count] : by_category_stage_) {
        if (key.first != category) continue;
        rates.push_back({category, key.second, Shrink(stage_count, r.win_in_period, &Count::won),
                         Shrink(stage_count, r.slip, &Count::slipped), static_cast<int64_t>(stage_count.n)});
      }
    }
    return rates;
  }

 private:
  template <typename Map, typename Key>
  static const Count* Find(const Map& map, const Key& key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  }
  static double Shrink(const Count* count, double prior, double Count::*field) {
    if (count == nullptr) return prior;
    return (count->*field + kShrinkage * prior) / (count->n + kShrinkage);
  }
  static double Shrink(const Count& count, double prior, double Count::*field) {
    return Shrink(&count, prior, field);
  }

  int64_t large_from_;
  Count all_;
  std::map<int, Count> by_category_;
  std::map<std::pair<int, bool>, Count> by_size_;
  std::map<std::tuple<int, bool, bool>, Count> by_past_due_;
  std::map<std::tuple<int, bool, bool, std::string>, Count> by_stage_;
  std::map<std::tuple<int, bool, bool, std::string, int>, Count> by_bucket_;
  std::map<std::pair<int, std::string>, Count> by_category_stage_;
};

// Actual / calibrated-expected pipeline conversion of each past observation (scored out of sample),
// shrunk towards their mean so that only the spread beyond what independent deals would show is
// kept: A/E varies by sum p(1-p)a^2 / E^2 even when deals are independent, and the simulation adds
// that part itself. (Method of moments: keep sqrt(excess / total) of each deviation.)
std::vector<double> PeriodFactors(const std::vector<Example>& history) {
  struct Group {
    double expected = 0, actual = 0, bernoulli_variance = 0;
  };
  // Each period's observations are scored with rates learned from the other periods only, so a
  // period's own outcomes cannot flatter its factor (in-sample rates would hide real variation).
  std::map<int, std::vector<const Example*>> by_period;
  for (const Example& e : history) by_period[e.period_end_day].push_back(&e);
  std::map<std::pair<int, int>, Group> groups;
  for (const auto& [period_end, examples] : by_period) {
    std::vector<Example> others;
    others.reserve(history.size() - examples.size());
    for (const Example& e : history)
      if (e.period_end_day != period_end) others.push_back(e);
    if (others.empty()) continue;
    const Calibration calibration(others);
    for (const Example* e : examples) {
      Group& g = groups[{e->observed_day, e->period_end_day}];
      const double amount = static_cast<double>(e->deal.amount);
      const double p = calibration.Win(e->deal, e->observed_day, e->period_end_day);
      g.expected += amount * p;
      g.bernoulli_variance += p * (1 - p) * amount * amount;
      if (e->outcome == Outcome::kWonInPeriod) g.actual += amount;
    }
  }
  std::vector<double> factors;
  double independent_variance = 0;
  for (const auto& [key, g] : groups) {
    if (g.expected <= 0) continue;
    factors.push_back(g.actual / g.expected);
    independent_variance += g.bernoulli_variance / (g.expected * g.expected);
  }
  if (static_cast<int>(factors.size()) < kMinFactorGroups) return {1.0};
  const double n = static_cast<double>(factors.size());
  const double mean = std::accumulate(factors.begin(), factors.end(), 0.0) / n;
  double variance = 0;
  for (double f : factors) variance += (f - mean) * (f - mean) / (n - 1);
  independent_variance /= n;
  const double keep = variance > 0 ? std::sqrt(std::max(0.0, variance - independent_variance) / variance) : 0.0;
  for (double& f : factors) f = std::max(0.0, mean + keep * (f - mean));
  return factors;
}

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // 64 random bits: four 16-bit uniforms, for the deals' coin flips. The generator is most of the
  // simulation's cost, and a probability resolved to 1/65536 is finer than any deal's is known.
  uint64_t Bits64() { return engine_(); }
  // x / 2^16 < q exactly when x < Threshold16(q), for a 16-bit x (q rounded up to the next 2^-16).
  static uint32_t Threshold16(double q) {
    return static_cast<uint32_t>(std::ceil(std::clamp(q, 0.0, 1.0) * 65536.0));
  }
  size_t Index(size_t n) { return std::min(n - 1, static_cast<size_t>(Uniform() * static_cast<double>(n))); }
  // Standard normal (Box-Muller), deterministic across platforms.
  double Normal() {
    const double u1 = 1.0 - Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::mt19937_64 engine_;
};

absl::Status Validate(const LandingInput& in) {
  if (in.period_end_day < in.period_start_day)
    return absl::InvalidArgumentError("period_end: before period_start");
  if (in.as_of_day > in.period_end_day)
    return absl::InvalidArgumentError("as_of: after the period's end; the period has landed");
  if (in.closed_won_to_date < 0) return absl::InvalidArgumentError("closed_won_to_date: negative");
  if (in.simulations < 1000 || in.simulations > 1000000)
    return absl::InvalidArgumentError(
        absl::StrFormat("simulations: must be 1000..1000000, got %d", in.simulations));
  for (size_t i = 0; i < in.open_deals.size(); ++i) {
    const Deal& d = in.open_deals[i];
    if (d.amount < 0)
      return absl::InvalidArgumentError(absl::StrFormat("open_deals[%d].amount: negative", i));
    if (!(d.crm_probability >= 0 && d.crm_probability <= 1))
      return absl::InvalidArgumentError(
          absl::StrFormat("open_deals[%d].probability: must be 0..1", i));
  }
  for (size_t i = 0; i < in.history.size(); ++i) {
    const Example& e = in.history[i];
    if (e.period_end_day >= in.as_of_day)
      return absl::InvalidArgumentError(absl::StrFormat(
          "history[%d].period_end: not before as_of; only periods that have ended can calibrate "
          "(their outcomes are final)", i));
    if (e.observed_day > e.period_end_day)
      return absl::InvalidArgumentError(
          absl::StrFormat("history[%d].observed_on: after its period_end", i));
    if (e.deal.amount < 0)
      return absl::InvalidArgumentError(absl::StrFormat("history[%d].deal.amount: negative", i));
  }
  for (size_t i = 0; i < in.new_business.size(); ++i) {
    const NewBusinessExample& e = in.new_business[i];
    if (e.period_end_day >= in.as_of_day)
      return absl::InvalidArgumentError(absl::StrFormat(
          "new_business_history[%d].period_end: not before as_of", i));
    if (e.observed_day > e.period_end_day || e.won < 0)
      return absl::InvalidArgumentError(absl::StrFormat(
          "new_business_history[%d]: observed after its period or negative amount", i));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LandingResult> ForecastLanding(const LandingInput& in) {
  if (auto status = Validate(in); !status.ok()) return status;
  const Calibration calibration(in.history);
  LandingResult result;

  // Each open deal's probability of being won in this period.
  const size_t n = in.open_deals.size();
  result.deal_probabilities.resize(n);
  std::map<int, CategoryTotal> categories;
  for (size_t i = 0; i < n; ++i) {
    const Deal& d = in.open_deals[i];
    const double p = calibration.empty()
                         ? d.crm_probability
                         : calibration.Win(d, in.as_of_day, in.period_end_day);
    result.deal_probabilities[i] = p;
    CategoryTotal& total = categories[d.category];
    total.category = d.category;
    total.open_amount += d.amount;
    total.expected += p * static_cast<double>(d.amount);
    total.deals += 1;
  }
  for (const auto& [category, total] : categories) result.categories.push_back(total);
  result.rates = calibration.Rates();

  const std::vector<double> factors = calibration.empty() ? std::vector<double>{1.0}
                                                          : PeriodFactors(in.history);

  // The largest deals are drawn one by one, the rest as a normal sum per period factor.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return in.open_deals[a].amount > in.open_deals[b].amount;
  });
  const size_t exact = std::min(n, kMaxExactDeals);
  std::vector<int64_t> exact_amount(exact);
  std::vector<double> exact_p(exact);
  for (size_t k = 0; k < exact; ++k) {
    exact_amount[k] = in.open_deals[order[k]].amount;
    exact_p[k] = result.deal_probabilities[order[k]];
  }
  std::vector<double> rest_mean(factors.size(), 0), rest_sd(factors.size(), 0);
  for (size_t f = 0; f < factors.size(); ++f) {
    double mean = 0, var = 0;
    for (size_t k = exact; k < n; ++k) {
      const double a = static_cast<double>(in.open_deals[order[k]].amount);
      const double q = std::min(1.0, result.deal_probabilities[order[k]] * factors[f]);
      mean += q * a;
      var += q * (1 - q) * a * a;
    }
    rest_mean[f] = mean;
    rest_sd[f] = std::sqrt(var);
  }

  // New business: the past observations with about as many days left as now.
  const int days_left = std::max(0, in.period_end_day - in.as_of_day);
  std::vector<double> new_business_draws;
  if (!in.new_business.empty() && days_left > 0) {
    std::vector<std::pair<int, double>> by_distance;
    for (const NewBusinessExample& e : in.new_business) {
      const int left = e.period_end_day - e.observed_day;
      const double scaled = left > 0 ? static_cast<double>(e.won) * days_left / left : static_cast<double>(e.won);
      by_distance.emplace_back(std::abs(left - days_left), scaled);
    }
    std::stable_sort(by_distance.begin(), by_distance.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    const size_t keep = std::min(by_distance.size(), std::max<size_t>(5, by_distance.size() / 5));
    for (size_t k = 0; k < keep; ++k) new_business_draws.push_back(by_distance[k].second);
  }

  // Each exact deal's win threshold under each period factor (integer compares in the hot loop
  // below; the same draws as comparing Uniform() with the probability).
  std::vector<uint32_t> thresholds(factors.size() * exact);
  for (size_t f = 0; f < factors.size(); ++f) {
    for (size_t k = 0; k < exact; ++k)
      thresholds[f * exact + k] = Random::Threshold16(std::min(1.0, exact_p[k] * factors[f]));
  }

  Random random(in.seed ? in.seed : 1);
  std::vector<double> totals(in.simulations);
  double pipeline_sum = 0, new_sum = 0;
  for (int s = 0; s < in.simulations; ++s) {
    const size_t f = random.Index(factors.size());
    const uint32_t* threshold = thresholds.data() + f * exact;
    // Four deals per 64 random bits; branch-free integer sums, as whether a deal wins is a coin
    // flip the CPU cannot predict (the mask is all ones for a win, zero otherwise).
    int64_t won = 0;
    uint64_t bits = 0;
    for (size_t k = 0; k < exact; ++k) {
      if (k % 4 == 0) bits = random.Bits64();
      const uint32_t slice = static_cast<uint32_t>(bits >> (16 * (k % 4))) & 0xffffu;
      won += exact_amount[k] & -static_cast<int64_t>(slice < threshold[k]);
    }
    double pipeline = static_cast<double>(won);
    if (exact < n) pipeline += std::max(0.0, rest_mean[f] + rest_sd[f] * random.Normal());
    const double new_business =
        new_business_draws.empty() ? 0.0 : new_business_draws[random.Index(new_business_draws.size())];
    pipeline_sum += pipeline;
    new_sum += new_business;
    totals[s] = static_cast<double>(in.closed_won_to_date) + pipeline + new_business;
  }
  const double sims = static_cast<double>(in.simulations);
  result.expected_from_pipeline = pipeline_sum / sims;
  result.expected_from_new_business = new_sum / sims;
  result.expected = static_cast<double>(in.closed_won_to_date) + result.expected_from_pipeline +
                    result.expected_from_new_business;
  if (in.quota) {
    const double quota = static_cast<double>(*in.quota);
    result.probability_of_quota =
        static_cast<double>(std::count_if(totals.begin(), totals.end(), [&](double t) { return t >= quota; })) / sims;
  }
  // The element at each quantile's position (selection, not a full sort).
  auto quantile = [&](double q) {
    auto at = totals.begin() + static_cast<ptrdiff_t>(q * (totals.size() - 1) + 0.5);
    std::nth_element(totals.begin(), at, totals.end());
    return *at;
  };
  result.p10 = quantile(0.10);
  result.p50 = quantile(0.50);
  result.p90 = quantile(0.90);
  return result;
}

}  // namespace salesops::forecast::landing
