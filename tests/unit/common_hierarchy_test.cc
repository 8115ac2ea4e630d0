#include "common/hierarchy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops {
namespace {

using ::testing::HasSubstr;
using Nodes = google::protobuf::RepeatedPtrField<v1::TerritoryNode>;
using Reps = google::protobuf::RepeatedPtrField<v1::Rep>;

Nodes MakeNodes(std::initializer_list<std::pair<const char*, const char*>> list) {
  Nodes nodes;
  for (auto [id, parent] : list) {
    auto* n = nodes.Add();
    n->set_id(id);
    n->set_parent_id(parent);
  }
  return nodes;
}

Reps MakeReps(std::initializer_list<std::pair<const char*, const char*>> list) {
  Reps reps;
  for (auto [id, territory] : list) {
    auto* r = reps.Add();
    r->set_id(id);
    r->set_territory_id(territory);
  }
  return reps;
}

TEST(HierarchyTest, IndexesTheTree) {
  auto h = Hierarchy::Build(MakeNodes({{"CO", ""}, {"NA", "CO"}, {"EU", "CO"}, {"NA-W", "NA"}}),
                            MakeReps({{"u1", "NA-W"}, {"u2", "NA-W"}, {"u3", "EU"}}));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->node(h->root()).id(), "CO");
  int na = h->FindNode("NA"), naw = h->FindNode("NA-W"), eu = h->FindNode("EU");
  EXPECT_EQ(h->parent(naw), na);
  EXPECT_EQ(h->depth(naw), 2);
  EXPECT_EQ(h->reps_of(naw).size(), 2u);
  EXPECT_EQ(h->node_of_rep(h->FindRep("u3")), eu);
  EXPECT_TRUE(h->IsInSubtree(naw, h->root()));
  EXPECT_FALSE(h->IsInSubtree(naw, eu));
  std::vector<int> order = h->Subtree(h->root());
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order[0], h->root());
  EXPECT_EQ(order[1], na);
  EXPECT_EQ(order[2], naw);
  EXPECT_EQ(order[3], eu);
  EXPECT_EQ(h->FindNode("nope"), -1);
}

struct BadCase {
  Nodes nodes;
  Reps reps;
  const char* message;
};

TEST(HierarchyTest, RejectsInvalidTreesNamingTheField) {
  std::vector<BadCase> cases = {
      {Nodes(), Reps(), "territories: at least one node"},
      {MakeNodes({{"", ""}}), Reps(), "territories[0].id: required"},
      {MakeNodes({{"CO", ""}, {"CO", "CO"}}), Reps(), "territories[1].id: duplicate id \"CO\""},
      {MakeNodes({{"CO", ""}, {"NA", "XX"}}), Reps(), "territories[1].parent_id: unknown node \"XX\""},
      {MakeNodes({{"CO", ""}, {"EU", ""}}), Reps(), "territories[1].parent_id: a second root"},
      {MakeNodes({{"A", "B"}, {"B", "A"}}), Reps(), "territories: no root"},
      {MakeNodes({{"CO", ""}, {"A", "B"}, {"B", "A"}}), Reps(), "territories[1].parent_id: cycle"},
      {MakeNodes({{"CO", ""}, {"A", "A"}}), Reps(), "territories[1].parent_id: a node cannot be its own parent"},
      {MakeNodes({{"CO", ""}}), MakeReps({{"u1", "XX"}}), "reps[0].territory_id: unknown territory \"XX\""},
      {MakeNodes({{"CO", ""}}), MakeReps({{"u1", ""}}), "reps[0].territory_id: required"},
      {MakeNodes({{"CO", ""}, {"NA", "CO"}}), MakeReps({{"u1", "CO"}, {"u1", "NA"}}),
       "reps[1].id: rep \"u1\" is listed twice"},
      {MakeNodes({{"CO", ""}}), MakeReps({{"CO", "CO"}}), "reps[0].id: \"CO\" is also a territory id"},
  };
  for (const auto& c : cases) {
    auto h = Hierarchy::Build(c.nodes, c.reps);
    ASSERT_FALSE(h.ok()) << c.message;
    EXPECT_EQ(h.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(h.status().message()), HasSubstr(c.message));
  }
}

TEST(HierarchyTest, LimitsSizeAndDepthNamingTheLimit) {
  // A chain CO <- L1 <- L2 <- L3: three levels below the root.
  const Nodes chain = MakeNodes({{"CO", ""}, {"L1", "CO"}, {"L2", "L1"}, {"L3", "L2"}});
  const Reps reps = MakeReps({{"u1", "L3"}, {"u2", "L3"}});
  HierarchyLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(Hierarchy::Build(chain, reps, "territories", "reps", limits).ok());

  limits.max_depth = 2;
  auto deep = Hierarchy::Build(chain, reps, "territories", "reps", limits);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(deep.status().message(),
            "territories[3].parent_id: \"L3\" is 3 levels below the root, beyond the limit of 2 "
            "(max_hierarchy_depth)");

  limits = HierarchyLimits();
  limits.max_nodes = 3;
  EXPECT_EQ(Hierarchy::Build(chain, reps, "territories", "reps", limits).status().message(),
            "territories: 4 nodes exceed the limit of 3 (max_hierarchy_nodes)");
  limits = HierarchyLimits();
  limits.max_reps = 1;
  EXPECT_EQ(Hierarchy::Build(chain, reps, "territories", "reps", limits).status().message(),
            "reps: 2 reps exceed the limit of 1 (max_hierarchy_reps)");

  // The default depth limit stops a hostile 10,000-level chain.
  Nodes long_chain = MakeNodes({{"N0", ""}});
  for (int i = 1; i < 10000; ++i) {
    auto* n = long_chain.Add();
    n->set_id("N" + std::to_string(i));
    n->set_parent_id("N" + std::to_string(i - 1));
  }
  auto hostile = Hierarchy::Build(long_chain, Reps());
  ASSERT_FALSE(hostile.ok());
  EXPECT_THAT(std::string(hostile.status().message()), HasSubstr("(max_hierarchy_depth)"));
}

}  // namespace
}  // namespace salesops
