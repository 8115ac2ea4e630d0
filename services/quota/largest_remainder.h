// Splits an integer total into integer parts proportional to weights, exactly: the parts always sum
// to the total (largest-remainder method, ties to the earlier part).
#ifndef SALESOPS_SERVICES_QUOTA_LARGEST_REMAINDER_H_
#define SALESOPS_SERVICES_QUOTA_LARGEST_REMAINDER_H_

#include <cstdint>
#include <span>
#include <vector>

namespace salesops::quota {

// Weights must be finite and >= 0. When they sum to 0 (or there are none positive), the total is
// split equally. An empty weight list returns an empty result.
std::vector<int64_t> SplitByWeights(int64_t total, std::span<const double> weights);

// The same in multiples of `unit` (>= 1): every part is a multiple of it, except that the
// remainder of a total that is not goes to the part with the largest weight (the first on ties).
std::vector<int64_t> SplitByWeightsInUnits(int64_t total, std::span<const double> weights,
                                           int64_t unit);

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_LARGEST_REMAINDER_H_
