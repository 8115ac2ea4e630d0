#include "common/hierarchy_flags.h"

#include "CLI/CLI.hpp"

namespace salesops {

void AddHierarchyLimitFlags(CLI::App& app, HierarchyLimits& limits) {
  app.add_option("--max-hierarchy-nodes", limits.max_nodes, "territories per hierarchy")
      ->envname("SALESOPS_MAX_HIERARCHY_NODES")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  app.add_option("--max-hierarchy-reps", limits.max_reps, "reps per hierarchy")
      ->envname("SALESOPS_MAX_HIERARCHY_REPS")
      ->check(CLI::Range(0, 10'000'000))
      ->capture_default_str();
  app.add_option("--max-hierarchy-depth", limits.max_depth, "levels below the root")
      ->envname("SALESOPS_MAX_HIERARCHY_DEPTH")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
}

}  // namespace salesops
