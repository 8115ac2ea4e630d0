// Top-down quota allocation over the territory hierarchy.
//
// The root gets the target. Each node splits what it got among its children — its child nodes and
// its active reps — by their weights (or equally), exactly, in minor units. Leaves (reps, and nodes
// with nothing below them) split their annual quota over the 12 fiscal months by a seasonal
// profile; a node's months are the sums of its children's, so every total holds at every level:
// children sum to their parent, months to quarters, quarters to the year.
#ifndef SALESOPS_SERVICES_QUOTA_ALLOCATION_H_
#define SALESOPS_SERVICES_QUOTA_ALLOCATION_H_

#include <array>
#include <cstdint>
#include <vector>

#include "common/hierarchy.h"

namespace salesops::quota {

struct AllocationInput {
  // The company target in minor units, >= 0.
  int64_t target = 0;
  // True: every child of a node gets the same share. False: shares follow the weights below
  // (a node whose children all weigh 0 splits equally).
  bool equal_split = true;
  // One weight per node and per rep (>= 0), used when equal_split is false.
  std::vector<double> node_weight;
  std::vector<double> rep_weight;
  // Reps that carry quota; others get 0 and take no share. Empty means all.
  std::vector<bool> rep_active;
  // Share of the year in each fiscal month (>= 0; normalised). All equal means an even split.
  std::array<double, 12> month_profile = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
};

struct Quota {
  int64_t annual = 0;
  std::array<int64_t, 12> monthly{};
  // Share of the parent's annual quota, 0..1 (1 for the root).
  double share_of_parent = 0;

  int64_t Quarter(int q) const {  // q = 1..4
    return monthly[3 * (q - 1)] + monthly[3 * (q - 1) + 1] + monthly[3 * (q - 1) + 2];
  }
};

struct AllocationResult {
  std::vector<Quota> nodes;  // indexed like Hierarchy nodes
  std::vector<Quota> reps;   // indexed like Hierarchy reps
};

AllocationResult AllocateTopDown(const Hierarchy& hierarchy, const AllocationInput& input);

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_ALLOCATION_H_
