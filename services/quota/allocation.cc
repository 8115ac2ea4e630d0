#include "services/quota/allocation.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "services/quota/largest_remainder.h"

namespace salesops::quota {
namespace {

// Year -> quarters -> months, so that an even profile gives exactly even quarters.
// Months outside the period get nothing; a profile without weight in the period is even over it.
void SplitOverMonths(Quota& q, const MonthProfile& profile, const std::array<bool, 12>& period,
                     int64_t unit) {
  MonthProfile p;
  double total = 0;
  for (int m = 0; m < 12; ++m) {
    p[m] = period[m] ? std::max(0.0, profile[m]) : 0.0;
    total += p[m];
  }
  if (!(total > 0)) {
    for (int m = 0; m < 12; ++m) p[m] = period[m] ? 1.0 : 0.0;
  }
  std::array<double, 4> quarter_weights{};
  for (int m = 0; m < 12; ++m) quarter_weights[m / 3] += p[m];
  std::vector<int64_t> quarters = SplitByWeightsInUnits(q.annual, quarter_weights, unit);
  for (int k = 0; k < 4; ++k) {
    std::vector<int64_t> months =
        SplitByWeightsInUnits(quarters[k], std::span<const double>(p.data() + 3 * k, 3), unit);
    for (int i = 0; i < 3; ++i) q.monthly[3 * k + i] = months[i];
  }
}

// The siblings being split: child nodes, then (optionally) the pool of the node's reps.
struct Sibling {
  int node = -1;           // a child node, or -1 for the pool
  std::vector<int> reps;   // the pool's reps
};

// Blended weights of siblings: each basis normalised among them, then mixed by blend weight.
std::vector<double> BlendedWeights(const std::vector<Sibling>& siblings,
                                   const std::vector<ShareBasis>& bases) {
  std::vector<double> blended(siblings.size(), 0.0);
  for (const ShareBasis& basis : bases) {
    std::vector<double> w(siblings.size(), 0.0);
    double total = 0;
    for (size_t k = 0; k < siblings.size(); ++k) {
      const Sibling& s = siblings[k];
      if (basis.equal) {
        w[k] = s.node >= 0 ? 1.0 : static_cast<double>(s.reps.size());
      } else if (s.node >= 0) {
        w[k] = std::max(0.0, basis.node_weight[s.node]);
      } else {
        for (int r : s.reps) w[k] += std::max(0.0, basis.rep_weight[r]);
      }
      total += w[k];
    }
    for (size_t k = 0; k < siblings.size(); ++k) {
      const double share = total > 0 ? w[k] / total : 1.0 / static_cast<double>(siblings.size());
      blended[k] += basis.blend_weight * share;
    }
  }
  return blended;
}

// Splits `amount` among parts with `weights`, keeping the locked ones: the unlocked share the rest.
// `what` names the parent in errors.
absl::StatusOr<std::vector<int64_t>> SplitWithLocks(int64_t amount,
                                                    const std::vector<double>& weights,
                                                    const std::vector<std::optional<int64_t>>& locks,
                                                    int64_t unit, const std::string& what) {
  std::vector<int64_t> parts(weights.size(), 0);
  int64_t locked = 0;
  std::vector<double> free_weights;
  std::vector<size_t> free_index;
  for (size_t k = 0; k < weights.size(); ++k) {
    if (locks[k].has_value()) {
      parts[k] = *locks[k];
      locked += *locks[k];
    } else {
      free_weights.push_back(weights[k]);
      free_index.push_back(k);
    }
  }
  const int64_t rest = amount - locked;
  if (rest < 0) {
    return absl::InvalidArgumentError(absl::StrCat("overrides: the locked quotas under ", what,
                                                   " add up to ", locked, ", more than its ",
                                                   amount));
  }
  if (free_index.empty()) {
    if (rest != 0) {
      return absl::InvalidArgumentError(absl::StrCat("overrides: everything under ", what,
                                                     " is locked and adds up to ", locked,
                                                     ", not its ", amount));
    }
    return parts;
  }
  std::vector<int64_t> shared = SplitByWeightsInUnits(rest, free_weights, unit);
  for (size_t j = 0; j < free_index.size(); ++j) parts[free_index[j]] = shared[j];
  return parts;
}

double ShareOf(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

absl::StatusOr<AllocationResult> AllocateTopDown(const Hierarchy& h, const AllocationInput& input) {
  AllocationResult result;
  result.nodes.resize(h.node_count());
  result.reps.resize(h.rep_count());
  auto active = [&](int r) { return input.rep_active.empty() || input.rep_active[r]; };
  auto node_lock = [&](int v) {
    return input.node_lock.empty() ? std::nullopt : input.node_lock[v];
  };
  auto rep_lock = [&](int r) { return input.rep_lock.empty() ? std::nullopt : input.rep_lock[r]; };
  const std::vector<ShareBasis> equal_only = {ShareBasis{}};
  const std::vector<ShareBasis>& bases = input.bases.empty() ? equal_only : input.bases;
  const int64_t unit = std::max<int64_t>(1, input.rounding_unit);
  const double gross_up = 1 + input.over_assignment;

  result.nodes[h.root()].annual = input.target;
  result.nodes[h.root()].share_of_parent = 1.0;

  // Parents before children: each node hands its quota down.
  const std::vector<int> order = h.Subtree(h.root());
  for (int v : order) {
    const std::string what = absl::StrCat("\"", h.node(v).id(), "\"");
    std::vector<Sibling> siblings;
    for (int c : h.child_nodes(v)) siblings.push_back({c, {}});
    Sibling pool;
    for (int r : h.reps_of(v)) {
      if (active(r)) pool.reps.push_back(r);
    }
    const bool has_pool = !pool.reps.empty();
    // The pool is locked when all its reps are: at what they carry, before over-assignment.
    std::optional<int64_t> pool_lock;
    int64_t reps_locked = 0;
    bool all_reps_locked = has_pool;
    for (int r : pool.reps) {
      if (auto lock = rep_lock(r)) {
        reps_locked += *lock;
      } else {
        all_reps_locked = false;
      }
    }
    if (has_pool) siblings.push_back(pool);
    if (siblings.empty()) continue;

    std::vector<std::optional<int64_t>> locks;
    for (const Sibling& s : siblings) locks.push_back(s.node >= 0 ? node_lock(s.node) : std::nullopt);
    const int64_t amount = result.nodes[v].annual;
    if (all_reps_locked) {
      // The pool takes whatever its sibling nodes leave (it cannot be rebalanced); when the nodes
      // are all locked too, the pool is simply the rest.
      bool nodes_all_locked = true;
      for (size_t k = 0; k + 1 < siblings.size(); ++k) nodes_all_locked = nodes_all_locked && locks[k];
      if (!nodes_all_locked) {
        locks.back() = static_cast<int64_t>(std::llround(static_cast<double>(reps_locked) / gross_up));
      }
    }
    auto parts = SplitWithLocks(amount, BlendedWeights(siblings, bases), locks, unit, what);
    if (!parts.ok()) return parts.status();
    for (size_t k = 0; k < siblings.size(); ++k) {
      if (siblings[k].node < 0) continue;
      Quota& q = result.nodes[siblings[k].node];
      q.annual = (*parts)[k];
      q.share_of_parent = ShareOf(q.annual, amount);
    }
    if (!has_pool) continue;

    // The pool, grossed up, among its reps.
    const int64_t pool_amount = parts->back();
    const int64_t extra = std::llround(static_cast<double>(pool_amount) * input.over_assignment /
                                       static_cast<double>(unit)) * unit;
    if (all_reps_locked && !locks.back()) {
      // Everything under the node is locked and the pool took the rest: the reps' locks must be
      // what that pool carries (grossed up as above, or back to it by dividing).
      const int64_t reps_pool =
          static_cast<int64_t>(std::llround(static_cast<double>(reps_locked) / gross_up));
      if (reps_locked != pool_amount + extra && reps_pool != pool_amount) {
        return absl::InvalidArgumentError(absl::StrCat(
            "overrides: everything under ", what, " is locked and adds up to ",
            amount - pool_amount + reps_pool, ", not its ", amount));
      }
    }
    const int64_t carried = all_reps_locked ? reps_locked : pool_amount + extra;
    std::vector<Sibling> reps;
    std::vector<std::optional<int64_t>> rep_locks;
    for (int r : pool.reps) {
      reps.push_back({-1, {r}});
      rep_locks.push_back(rep_lock(r));
    }
    auto rep_parts = SplitWithLocks(carried, BlendedWeights(reps, bases), rep_locks, unit,
                                    absl::StrCat("the reps of ", what));
    if (!rep_parts.ok()) return rep_parts.status();
    for (size_t k = 0; k < pool.reps.size(); ++k) {
      Quota& q = result.reps[pool.reps[k]];
      q.annual = (*rep_parts)[k];
      q.share_of_parent = ShareOf(q.annual, carried);
      result.rep_total += q.annual;
    }
  }

  // Months. Reps by their profile (else their node's); nodes with reps by their own; nodes with
  // only child nodes sum their children's (children before parents).
  auto node_profile = [&](int v) -> const MonthProfile& {
    if (!input.node_profile.empty() && input.node_profile[v]) return *input.node_profile[v];
    return input.month_profile;
  };
  for (int r = 0; r < h.rep_count(); ++r) {
    if (!active(r)) continue;
    const bool own = !input.rep_profile.empty() && input.rep_profile[r];
    SplitOverMonths(result.reps[r], own ? *input.rep_profile[r] : node_profile(h.node_of_rep(r)),
                    input.period_months, unit);
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const int v = *it;
    Quota& q = result.nodes[v];
    bool has_reps = false;
    for (int r : h.reps_of(v)) has_reps = has_reps || active(r);
    if (has_reps || h.child_nodes(v).empty()) {
      SplitOverMonths(q, node_profile(v), input.period_months, unit);
      continue;
    }
    q.monthly.fill(0);
    for (int c : h.child_nodes(v)) {
      for (int m = 0; m < 12; ++m) q.monthly[m] += result.nodes[c].monthly[m];
    }
  }
  return result;
}

}  // namespace salesops::quota
