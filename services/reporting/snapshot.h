// A snapshot decoded for reporting: the header, the hierarchy and every opportunity in a compact
// form (indexes instead of ids, day numbers instead of dates), so reports scan plain arrays.
#ifndef SALESOPS_SERVICES_REPORTING_SNAPSHOT_H_
#define SALESOPS_SERVICES_REPORTING_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/hierarchy.h"
#include "salesops/v1/reporting.pb.h"

namespace salesops::reporting {

struct Deal {
  int rep = -1;   // Hierarchy rep index of the owner
  int node = -1;  // Hierarchy node index of the territory
  int64_t amount = 0;  // minor units
  double probability = 0;  // 0..1
  v1::ForecastCategory category = v1::FORECAST_CATEGORY_UNSPECIFIED;
  int created_day = 0;  // DayNumber
  int close_day = 0;    // DayNumber
  bool closed = false;
  bool won = false;
};

struct Snapshot {
  std::string id;
  v1::SnapshotHeader header;
  Hierarchy hierarchy;
  std::vector<Deal> deals;
  int as_of_day = 0;  // DayNumber of header.as_of
};

// Builds a Snapshot from its stored parts: the structure (territories and reps) first, then the
// opportunities chunk by chunk, so a large snapshot is never held twice in memory. The parts were
// validated on upload; anything inconsistent now is DataLoss.
class SnapshotDecoder {
 public:
  static absl::StatusOr<SnapshotDecoder> Start(std::string id, const v1::SnapshotHeader& header,
                                               const v1::SnapshotChunk& structure);
  absl::Status AddOpportunities(const v1::SnapshotChunk& chunk);
  Snapshot Finish() &&;

 private:
  Snapshot snapshot_;
};

// The compact form of one opportunity; DataLoss when it names an unknown rep or territory.
absl::StatusOr<Deal> ToDeal(const Hierarchy& hierarchy, const v1::Opportunity& opportunity);

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_SNAPSHOT_H_
