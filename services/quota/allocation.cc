#include "services/quota/allocation.h"

#include "services/quota/largest_remainder.h"

namespace salesops::quota {
namespace {

// Year -> quarters -> months, so that an even profile gives exactly even quarters.
void SplitOverMonths(Quota& q, const std::array<double, 12>& profile) {
  std::array<double, 4> quarter_weights{};
  for (int m = 0; m < 12; ++m) quarter_weights[m / 3] += profile[m];
  std::vector<int64_t> quarters = SplitByWeights(q.annual, quarter_weights);
  for (int k = 0; k < 4; ++k) {
    std::vector<int64_t> months =
        SplitByWeights(quarters[k], std::span<const double>(profile.data() + 3 * k, 3));
    for (int i = 0; i < 3; ++i) q.monthly[3 * k + i] = months[i];
  }
}

void AddMonths(Quota& into, const Quota& from) {
  for (int m = 0; m < 12; ++m) into.monthly[m] += from.monthly[m];
}

}  // namespace

AllocationResult AllocateTopDown(const Hierarchy& h, const AllocationInput& input) {
  AllocationResult result;
  result.nodes.resize(h.node_count());
  result.reps.resize(h.rep_count());
  auto active = [&](int r) { return input.rep_active.empty() || input.rep_active[r]; };

  result.nodes[h.root()].annual = input.target;
  result.nodes[h.root()].share_of_parent = 1.0;

  // Parents before children: each node hands its annual quota down.
  const std::vector<int> order = h.Subtree(h.root());
  for (int v : order) {
    std::vector<int> child_nodes = h.child_nodes(v);
    std::vector<int> child_reps;
    for (int r : h.reps_of(v)) {
      if (active(r)) child_reps.push_back(r);
    }
    std::vector<double> weights;
    for (int c : child_nodes) weights.push_back(input.equal_split ? 1.0 : input.node_weight[c]);
    for (int r : child_reps) weights.push_back(input.equal_split ? 1.0 : input.rep_weight[r]);
    if (weights.empty()) continue;
    const int64_t amount = result.nodes[v].annual;
    std::vector<int64_t> parts = SplitByWeights(amount, weights);
    size_t k = 0;
    for (int c : child_nodes) {
      result.nodes[c].annual = parts[k++];
      result.nodes[c].share_of_parent = amount ? static_cast<double>(result.nodes[c].annual) / amount : 0;
    }
    for (int r : child_reps) {
      result.reps[r].annual = parts[k++];
      result.reps[r].share_of_parent = amount ? static_cast<double>(result.reps[r].annual) / amount : 0;
    }
  }

  // Months: leaves split by the profile, nodes sum their children (children before parents).
  for (int r = 0; r < h.rep_count(); ++r) SplitOverMonths(result.reps[r], input.month_profile);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    int v = *it;
    Quota& q = result.nodes[v];
    bool has_children = !h.child_nodes(v).empty();
    for (int r : h.reps_of(v)) has_children = has_children || active(r);
    if (!has_children) {
      SplitOverMonths(q, input.month_profile);
      continue;
    }
    q.monthly.fill(0);
    for (int c : h.child_nodes(v)) AddMonths(q, result.nodes[c]);
    for (int r : h.reps_of(v)) AddMonths(q, result.reps[r]);
  }
  return result;
}

}  // namespace salesops::quota
