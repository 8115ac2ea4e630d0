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

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_LARGEST_REMAINDER_H_
