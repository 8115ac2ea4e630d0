// Top-down quota allocation over the territory hierarchy.
//
// The root gets the target. Each node splits what it got among its children: its child nodes and,
// as one more child, the pool of its active reps. Shares follow one or more bases (equal split,
// historical, forecast, capacity weights), each normalised among the siblings and then blended.
// Then the pool is split among the reps, grossed up by the over-assignment.
//
// Locked quotas (manual overrides) are never changed: the unlocked siblings share what is left of
// their parent's quota in their usual proportions. A rep's lock is the quota the rep carries
// (over-assignment included); when every rep of a node is locked, the pool is what they carry.
//
// Every amount is a multiple of the rounding unit, except where the amount being split is not:
// its remainder goes to the largest part. Totals always hold exactly:
//   - child nodes + the reps' pool = the parent (the pool is the reps' total before over-assignment)
//   - reps of a node = round((1 + over_assignment) x pool), or their locks when all are locked
//   - months sum to quarters, quarters to the period. A node with reps (a territory) splits its
//     quota over the months by its profile, each rep by its own; a node with only child nodes
//     takes the month-by-month sums of its children, so regions add up month by month too.
#ifndef SALESOPS_SERVICES_QUOTA_ALLOCATION_H_
#define SALESOPS_SERVICES_QUOTA_ALLOCATION_H_

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/hierarchy.h"

namespace salesops::quota {

using MonthProfile = std::array<double, 12>;

// One way of weighing siblings, and its weight in the blend.
struct ShareBasis {
  double blend_weight = 1;
  // true: every child weighs the same (the reps' pool weighs as many reps as it has).
  bool equal = true;
  // Otherwise one weight (>= 0) per node and per rep. A pool weighs the sum of its reps'. Siblings
  // that all weigh 0 under a basis fall back to an equal split for that basis.
  std::vector<double> node_weight;
  std::vector<double> rep_weight;
};

struct AllocationInput {
  // The period's target in minor units, >= 0.
  int64_t target = 0;
  // Blended; empty means equal split.
  std::vector<ShareBasis> bases;
  // Reps that carry quota; others get 0 and take no share. Empty means all.
  std::vector<bool> rep_active;
  // Locked quotas by node and by rep (empty vectors: none). The root cannot be locked.
  std::vector<std::optional<int64_t>> node_lock;
  std::vector<std::optional<int64_t>> rep_lock;
  // Reps carry (1 + over_assignment) times their pool, >= 0.
  double over_assignment = 0;
  // Amounts are multiples of this (>= 1).
  int64_t rounding_unit = 1;
  // The fiscal months the plan covers (a quarter plan: three); the others get 0.
  std::array<bool, 12> period_months = {true, true, true, true, true, true,
                                        true, true, true, true, true, true};
  // Month profiles (>= 0; no weight in the period means even over it). Nodes without their own
  // profile use `month_profile`; reps without their own use their node's.
  MonthProfile month_profile = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  std::vector<std::optional<MonthProfile>> node_profile;
  std::vector<std::optional<MonthProfile>> rep_profile;
};

struct Quota {
  int64_t annual = 0;  // the plan period's quota
  std::array<int64_t, 12> monthly{};
  // Share of the parent's quota, 0..1 (1 for the root); for reps, of the parent's pool after
  // over-assignment.
  double share_of_parent = 0;

  int64_t Quarter(int q) const {  // q = 1..4
    return monthly[3 * (q - 1)] + monthly[3 * (q - 1) + 1] + monthly[3 * (q - 1) + 2];
  }
};

struct AllocationResult {
  std::vector<Quota> nodes;  // indexed like Hierarchy nodes
  std::vector<Quota> reps;   // indexed like Hierarchy reps
  int64_t rep_total = 0;     // what the active reps carry together
};

// InvalidArgument starting with "overrides" when the locks cannot hold: locked children exceed
// their parent, or every child is locked and they do not add up to it.
absl::StatusOr<AllocationResult> AllocateTopDown(const Hierarchy& hierarchy,
                                                 const AllocationInput& input);

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_ALLOCATION_H_
