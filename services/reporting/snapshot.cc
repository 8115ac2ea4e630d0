#include "services/reporting/snapshot.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/calendar.h"
#include "common/proto_convert.h"

namespace salesops::reporting {

uint64_t OpportunityKey(std::string_view id) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (unsigned char c : id) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;  // fmix64: spreads FNV's weak low-order mixing over all bits
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

absl::StatusOr<Deal> ToDeal(const Hierarchy& h, const v1::Opportunity& o,
                            std::vector<std::string>& stages) {
  Deal d;
  if (!o.stage().empty()) {
    // A CRM has a handful of stages: a linear search is the fastest lookup.
    auto it = std::find(stages.begin(), stages.end(), o.stage());
    if (it == stages.end()) {
      if (stages.size() >= 32767)
        return absl::DataLossError(absl::StrCat("opportunity ", o.id(), ": more than 32,767 stage names"));
      it = stages.insert(stages.end(), o.stage());
    }
    d.stage = static_cast<int16_t>(it - stages.begin());
  }
  d.key = OpportunityKey(o.id());
  d.rep = h.FindRep(o.owner_rep_id());
  d.node = h.FindNode(o.territory_id());
  if (d.rep < 0 || d.node < 0)
    return absl::DataLossError(absl::StrCat("opportunity ", o.id(), " refers to an unknown rep or territory"));
  auto created = FromProto(o.created_date());
  auto close = FromProto(o.close_date());
  if (!created.ok() || !close.ok())
    return absl::DataLossError(absl::StrCat("opportunity ", o.id(), " has an invalid date"));
  d.amount = o.amount().minor_units();
  d.probability = o.probability();
  d.category = o.forecast_category();
  d.created_day = DayNumber(*created);
  d.close_day = DayNumber(*close);
  d.closed = o.closed();
  d.won = o.closed() && o.won();
  return d;
}

absl::StatusOr<SnapshotDecoder> SnapshotDecoder::Start(std::string id,
                                                       const v1::SnapshotHeader& header,
                                                       const v1::SnapshotChunk& structure) {
  auto hierarchy = Hierarchy::Build(structure.territories(), structure.reps());
  if (!hierarchy.ok())
    return absl::DataLossError(absl::StrCat("snapshot ", id, ": ", hierarchy.status().message()));
  auto as_of = FromProto(header.as_of());
  if (!as_of.ok()) return absl::DataLossError(absl::StrCat("snapshot ", id, ": bad as_of date"));
  SnapshotDecoder decoder;
  decoder.snapshot_.id = std::move(id);
  decoder.snapshot_.header = header;
  decoder.snapshot_.hierarchy = std::move(*hierarchy);
  decoder.snapshot_.as_of_day = DayNumber(*as_of);
  return decoder;
}

absl::Status SnapshotDecoder::AddOpportunities(const v1::SnapshotChunk& chunk) {
  snapshot_.deals.reserve(snapshot_.deals.size() + chunk.opportunities_size());
  for (const v1::Opportunity& o : chunk.opportunities()) {
    auto deal = ToDeal(snapshot_.hierarchy, o, snapshot_.stages);
    if (!deal.ok()) return deal.status();
    snapshot_.deals.push_back(*deal);
  }
  return absl::OkStatus();
}

Snapshot SnapshotDecoder::Finish() && { return std::move(snapshot_); }

}  // namespace salesops::reporting
