// Command-line flags for HierarchyLimits, shared by the services that accept hierarchies (quota
// plans and reporting snapshots).
#ifndef SALESOPS_COMMON_HIERARCHY_FLAGS_H_
#define SALESOPS_COMMON_HIERARCHY_FLAGS_H_

#include "common/hierarchy.h"

namespace CLI {
class App;
}

namespace salesops {

// --max-hierarchy-nodes, --max-hierarchy-reps, --max-hierarchy-depth (env SALESOPS_MAX_HIERARCHY_*).
void AddHierarchyLimitFlags(CLI::App& app, HierarchyLimits& limits);

}  // namespace salesops

#endif  // SALESOPS_COMMON_HIERARCHY_FLAGS_H_
