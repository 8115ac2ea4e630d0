#include "absl/strings/string_view.h"
#include "common/hierarchy.h"

#include "absl/strings/str_cat.h"

namespace salesops {
namespace {

absl::Status Invalid(absl::string_view list, int i, absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(list, "[", i, "].", field, ": ", why));
}

}  // namespace

absl::StatusOr<Hierarchy> Hierarchy::Build(
    const google::protobuf::RepeatedPtrField<v1::TerritoryNode>& nodes,
    const google::protobuf::RepeatedPtrField<v1::Rep>& reps, absl::string_view nodes_field,
    absl::string_view reps_field, const HierarchyLimits& limits) {
  Hierarchy h;
  if (nodes.empty())
    return absl::InvalidArgumentError(absl::StrCat(nodes_field, ": at least one node is required"));
  if (nodes.size() > limits.max_nodes)
    return absl::InvalidArgumentError(absl::StrCat(nodes_field, ": ", nodes.size(),
                                                   " nodes exceed the limit of ", limits.max_nodes,
                                                   " (max_hierarchy_nodes)"));
  if (reps.size() > limits.max_reps)
    return absl::InvalidArgumentError(absl::StrCat(reps_field, ": ", reps.size(),
                                                   " reps exceed the limit of ", limits.max_reps,
                                                   " (max_hierarchy_reps)"));
  h.nodes_.assign(nodes.begin(), nodes.end());
  const int n = static_cast<int>(h.nodes_.size());
  for (int i = 0; i < n; ++i) {
    const std::string& id = h.nodes_[i].id();
    if (id.empty()) return Invalid(nodes_field, i, "id", "required");
    auto [it, inserted] = h.node_index_.emplace(id, i);
    if (!inserted)
      return Invalid(nodes_field, i, "id",
                     absl::StrCat("duplicate id \"", id, "\" (also ", nodes_field, "[", it->second,
                                  "])"));
  }
  h.parent_.assign(n, -1);
  h.child_nodes_.assign(n, {});
  h.reps_of_.assign(n, {});
  for (int i = 0; i < n; ++i) {
    const std::string& parent_id = h.nodes_[i].parent_id();
    if (parent_id.empty()) {
      if (h.root_ >= 0)
        return Invalid(nodes_field, i, "parent_id",
                       absl::StrCat("a second root (\"", h.nodes_[h.root_].id(), "\" and \"",
                                    h.nodes_[i].id(), "\" have no parent); there must be one"));
      h.root_ = i;
      continue;
    }
    int p = h.FindNode(parent_id);
    if (p < 0)
      return Invalid(nodes_field, i, "parent_id", absl::StrCat("unknown node \"", parent_id, "\""));
    if (p == i) return Invalid(nodes_field, i, "parent_id", "a node cannot be its own parent");
    h.parent_[i] = p;
    h.child_nodes_[p].push_back(i);
  }
  if (h.root_ < 0)
    return absl::InvalidArgumentError(
        absl::StrCat(nodes_field, ": no root (every node has a parent, so there is a cycle)"));
  // Depths by walking down from the root; a node never reached sits on a cycle.
  h.depth_.assign(n, -1);
  std::vector<int> stack = {h.root_};
  h.depth_[h.root_] = 0;
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    for (int c : h.child_nodes_[v]) {
      h.depth_[c] = h.depth_[v] + 1;
      if (h.depth_[c] > limits.max_depth)
        return Invalid(nodes_field, c, "parent_id",
                       absl::StrCat("\"", h.nodes_[c].id(), "\" is ", h.depth_[c],
                                    " levels below the root, beyond the limit of ", limits.max_depth,
                                    " (max_hierarchy_depth)"));
      stack.push_back(c);
    }
  }
  for (int i = 0; i < n; ++i) {
    if (h.depth_[i] < 0)
      return Invalid(nodes_field, i, "parent_id",
                     absl::StrCat("cycle: \"", h.nodes_[i].id(),
                                  "\" is not below the root \"", h.nodes_[h.root_].id(), "\""));
  }

  h.reps_.assign(reps.begin(), reps.end());
  const int r = static_cast<int>(h.reps_.size());
  h.node_of_rep_.assign(r, -1);
  for (int i = 0; i < r; ++i) {
    const v1::Rep& rep = h.reps_[i];
    if (rep.id().empty()) return Invalid(reps_field, i, "id", "required");
    if (h.FindNode(rep.id()) >= 0)
      return Invalid(reps_field, i, "id",
                     absl::StrCat("\"", rep.id(), "\" is also a territory id; ids must be distinct"));
    auto [it, inserted] = h.rep_index_.emplace(rep.id(), i);
    if (!inserted)
      return Invalid(reps_field, i, "id",
                     absl::StrCat("rep \"", rep.id(), "\" is listed twice (also ", reps_field, "[",
                                  it->second, "], territory \"",
                                  h.reps_[it->second].territory_id(),
                                  "\"); a rep belongs to exactly one territory"));
    int t = h.FindNode(rep.territory_id());
    if (t < 0)
      return Invalid(reps_field, i, "territory_id",
                     rep.territory_id().empty()
                         ? std::string("required")
                         : absl::StrCat("unknown territory \"", rep.territory_id(), "\""));
    h.node_of_rep_[i] = t;
    h.reps_of_[t].push_back(i);
  }
  return h;
}

int Hierarchy::FindNode(absl::string_view id) const {
  auto it = node_index_.find(id);
  return it == node_index_.end() ? -1 : it->second;
}

int Hierarchy::FindRep(absl::string_view id) const {
  auto it = rep_index_.find(id);
  return it == rep_index_.end() ? -1 : it->second;
}

std::vector<int> Hierarchy::Subtree(int n) const {
  std::vector<int> out;
  std::vector<int> stack = {n};
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    out.push_back(v);
    const auto& children = child_nodes_[v];
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
  }
  return out;
}

bool Hierarchy::IsInSubtree(int n, int ancestor) const {
  for (int v = n; v >= 0; v = parent_[v]) {
    if (v == ancestor) return true;
  }
  return false;
}

}  // namespace salesops
