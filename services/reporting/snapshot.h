// A snapshot decoded for reporting: the header, the hierarchy and every opportunity in a compact
// form (indexes instead of ids, day numbers instead of dates), so reports scan plain arrays.
#ifndef SALESOPS_SERVICES_REPORTING_SNAPSHOT_H_
#define SALESOPS_SERVICES_REPORTING_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/hierarchy.h"
#include "salesops/v1/reporting.pb.h"

namespace salesops::reporting {

// 48 bytes: eight-byte fields first, so a 1M-opportunity snapshot holds 48 MB of deals.
struct Deal {
  uint64_t key = 0;  // OpportunityKey(opportunity id): matches a deal across snapshots
  int64_t amount = 0;  // minor units
  double probability = 0;  // 0..1
  int rep = -1;   // Hierarchy rep index of the owner
  int node = -1;  // Hierarchy node index of the territory
  v1::ForecastCategory category = v1::FORECAST_CATEGORY_UNSPECIFIED;
  int created_day = 0;  // DayNumber
  int close_day = 0;    // DayNumber
  bool closed = false;
  bool won = false;
  int16_t stage = -1;  // index into Snapshot::stages; -1 when the CRM gave none
};
static_assert(sizeof(Deal) <= 48, "Deal is stored once per opportunity: keep it compact");

// A stable 64-bit hash of an opportunity id (FNV-1a, then the MurmurHash3 finalizer): the same in
// every process and build, so the deals of two snapshots can be matched by it. Different ids may
// collide (about 3e-8 for a pair of 1M-deal snapshots); code matching deals must stay correct,
// if less precise, when they do.
uint64_t OpportunityKey(std::string_view id);

struct Snapshot {
  std::string id;
  v1::SnapshotHeader header;
  Hierarchy hierarchy;
  std::vector<Deal> deals;
  std::vector<std::string> stages;  // the distinct CRM stage names, in order of first appearance
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

// The compact form of one opportunity; DataLoss when it names an unknown rep or territory, or
// when `stages` (the snapshot's stage names, extended with a new one) would exceed 32,767 names.
absl::StatusOr<Deal> ToDeal(const Hierarchy& hierarchy, const v1::Opportunity& opportunity,
                            std::vector<std::string>& stages);

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_SNAPSHOT_H_
