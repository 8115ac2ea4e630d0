#include "services/quota/largest_remainder.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace salesops::quota {

std::vector<int64_t> SplitByWeights(int64_t total, std::span<const double> weights) {
  const size_t n = weights.size();
  std::vector<int64_t> parts(n, 0);
  if (n == 0) return parts;
  long double sum = 0;
  for (double w : weights) sum += std::max(0.0, w);
  std::vector<long double> exact(n);
  for (size_t i = 0; i < n; ++i) {
    long double share = sum > 0 ? std::max(0.0, weights[i]) / sum : 1.0L / n;
    exact[i] = share * static_cast<long double>(total);
  }
  int64_t assigned = 0;
  for (size_t i = 0; i < n; ++i) {
    parts[i] = static_cast<int64_t>(std::floor(exact[i]));
    assigned += parts[i];
  }
  // Hand out what is left, one unit at a time, to the largest fractional remainders. Rounding
  // error in long double can leave the leftover slightly outside [0, n): loop until exact.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return exact[a] - std::floor(exact[a]) > exact[b] - std::floor(exact[b]);
  });
  int64_t left = total - assigned;
  for (size_t k = 0; left != 0; k = (k + 1) % n) {
    int64_t step = left > 0 ? 1 : -1;
    parts[order[k]] += step;
    left -= step;
  }
  return parts;
}

std::vector<int64_t> SplitByWeightsInUnits(int64_t total, std::span<const double> weights,
                                           int64_t unit) {
  if (unit <= 1 || weights.empty()) return SplitByWeights(total, weights);
  std::vector<int64_t> parts = SplitByWeights(total / unit, weights);
  for (int64_t& p : parts) p *= unit;
  const auto largest = std::max_element(weights.begin(), weights.end()) - weights.begin();
  parts[static_cast<size_t>(largest)] += total % unit;
  return parts;
}

}  // namespace salesops::quota
