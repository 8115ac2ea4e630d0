// The territory hierarchy as a validated tree: nodes (TerritoryNode) with their child nodes and
// the reps assigned to each node. Built once from the protos, then read-only and cheap to walk.
#ifndef SALESOPS_COMMON_HIERARCHY_H_
#define SALESOPS_COMMON_HIERARCHY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "salesops/v1/types.pb.h"

namespace salesops {

// Limits on a hierarchy's size and depth (a territory tree is rarely more than ten levels deep);
// violations are INVALID_ARGUMENT naming the limit.
struct HierarchyLimits {
  int max_nodes = 100'000;
  int max_reps = 100'000;
  int max_depth = 32;  // levels below the root
};

class Hierarchy {
 public:
  // Validates and indexes the tree. InvalidArgument naming the field (using `nodes_field` and
  // `reps_field` as the names of the two lists, e.g. "territories[3].parent_id") for: a missing or
  // duplicate id, an unknown parent, no root or more than one, a cycle, a rep in an unknown
  // territory, a rep listed twice (a rep in two territories), a rep id that is also a node id, and
  // a tree beyond `limits`.
  static absl::StatusOr<Hierarchy> Build(
      const google::protobuf::RepeatedPtrField<v1::TerritoryNode>& nodes,
      const google::protobuf::RepeatedPtrField<v1::Rep>& reps,
      absl::string_view nodes_field = "territories", absl::string_view reps_field = "reps",
      const HierarchyLimits& limits = {});

  int root() const { return root_; }
  int node_count() const { return static_cast<int>(nodes_.size()); }
  int rep_count() const { return static_cast<int>(reps_.size()); }
  const v1::TerritoryNode& node(int n) const { return nodes_[n]; }
  const v1::Rep& rep(int r) const { return reps_[r]; }
  // Parent node index; -1 for the root.
  int parent(int n) const { return parent_[n]; }
  // Child nodes, in input order.
  const std::vector<int>& child_nodes(int n) const { return child_nodes_[n]; }
  // Reps assigned directly to node n, in input order.
  const std::vector<int>& reps_of(int n) const { return reps_of_[n]; }
  // Node index of the rep's territory.
  int node_of_rep(int r) const { return node_of_rep_[r]; }
  // Distance from the root (root = 0).
  int depth(int n) const { return depth_[n]; }

  // -1 when unknown.
  int FindNode(absl::string_view id) const;
  int FindRep(absl::string_view id) const;

  // Nodes of the subtree rooted at n, parents before children (depth-first, input order).
  std::vector<int> Subtree(int n) const;
  // True when `n` is `ancestor` or lies below it.
  bool IsInSubtree(int n, int ancestor) const;

 private:
  std::vector<v1::TerritoryNode> nodes_;
  std::vector<v1::Rep> reps_;
  std::vector<int> parent_, depth_, node_of_rep_;
  std::vector<std::vector<int>> child_nodes_, reps_of_;
  absl::flat_hash_map<std::string, int> node_index_, rep_index_;
  int root_ = -1;
};

}  // namespace salesops

#endif  // SALESOPS_COMMON_HIERARCHY_H_
