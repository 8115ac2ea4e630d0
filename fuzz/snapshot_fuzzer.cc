// Fuzzes the snapshot decoder (SnapshotDecoder, services/reporting/snapshot.h) and the upload
// validation (SnapshotWriter, services/reporting/snapshot_store.h).
//
// The input is binary: a 16-bit little-endian length and that many bytes of a SnapshotChunk (the
// structure: territories and reps), a 16-bit length and that many bytes of a SnapshotHeader (none:
// a fixed valid header), then the rest, a SnapshotChunk with the opportunities. Inputs whose parts
// do not parse as those protos are skipped.
//
// The decoder gets the two chunks as they are. The writer gets the header and the two chunks as an
// upload stream; its Redis is a closed port on loopback, so everything but storing runs (storing
// fails at once with UNAVAILABLE, after the validation). Besides never crashing, it checks:
//  - decoded deals point into the hierarchy and the stage list;
//  - errors are DataLoss (decoder) or InvalidArgument (writer's validation);
//  - what the writer accepts, the decoder reads: the snapshot, as the store keeps it, decodes
//    without error.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/redis_client.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/proto_mutator.h"
#include "services/reporting/snapshot.h"
#include "services/reporting/snapshot_store.h"

namespace salesops::fuzz {
namespace {

v1::SnapshotHeader DefaultHeader() {
  v1::SnapshotHeader header;
  header.mutable_as_of()->set_year(2026);
  header.mutable_as_of()->set_month(11);
  header.mutable_as_of()->set_day(27);
  header.set_currency_code("USD");
  header.mutable_calendar()->set_start_month(2);
  header.set_source("fuzz");
  return header;
}

std::shared_ptr<RedisClient> ClosedRedis() {
  static auto* redis = [] {
    RedisOptions options;
    options.host = "127.0.0.1";
    options.port = 1;  // nothing listens there: connections are refused at once
    options.connect_timeout = std::chrono::milliseconds(100);
    options.command_timeout = std::chrono::milliseconds(100);
    return new std::shared_ptr<RedisClient>(std::make_shared<RedisClient>(options));
  }();
  return *redis;
}

void CheckDecoded(const reporting::Snapshot& s) {
  const int nodes = s.hierarchy.node_count(), reps = s.hierarchy.rep_count();
  for (const reporting::Deal& d : s.deals) {
    Check(d.rep >= 0 && d.rep < reps, "deal rep out of range");
    Check(d.node >= 0 && d.node < nodes, "deal node out of range");
    Check(d.stage >= -1 && d.stage < static_cast<int>(s.stages.size()), "deal stage out of range");
    Check(!d.won || d.closed, "deal won but open");
  }
}

// Start + AddOpportunities for each chunk; the snapshot, or the first error.
absl::StatusOr<reporting::Snapshot> Decode(const v1::SnapshotHeader& header,
                                           const v1::SnapshotChunk& structure,
                                           std::initializer_list<const v1::SnapshotChunk*> chunks) {
  auto decoder = reporting::SnapshotDecoder::Start("fuzz", header, structure);
  if (!decoder.ok()) return decoder.status();
  for (const v1::SnapshotChunk* chunk : chunks) {
    if (absl::Status s = decoder->AddOpportunities(*chunk); !s.ok()) return s;
  }
  return std::move(*decoder).Finish();
}

bool Parse(std::string_view bytes, google::protobuf::Message* message) {
  return message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

// Validation errors are InvalidArgument; the store being down is UNAVAILABLE.
bool Rejected(const absl::Status& s) {
  if (s.ok() || absl::IsUnavailable(s)) return false;
  Note("upload rejected", s.message());
  Check(absl::IsInvalidArgument(s), "SnapshotWriter error is not InvalidArgument", s.ToString());
  return true;
}

}  // namespace
}  // namespace salesops::fuzz

#ifdef SALESOPS_LIBFUZZER
// The structure-aware mutations of proto_mutator.h on the three parts (the header only sometimes:
// most inputs keep the fixed one).
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  using namespace salesops;
  fuzz::ProtoMutator mutator(seed);
  fuzz::ByteReader in(data, size);
  const std::string_view structure_bytes = in.Take(in.U16());
  const std::string_view header_bytes = in.Take(in.U16());
  const std::string_view opportunities_bytes = in.Rest();
  v1::SnapshotChunk structure, opportunities;
  v1::SnapshotHeader header;
  if (mutator.OneIn(4) ||
      !structure.ParseFromArray(structure_bytes.data(), static_cast<int>(structure_bytes.size())) ||
      !header.ParseFromArray(header_bytes.data(), static_cast<int>(header_bytes.size())) ||
      !opportunities.ParseFromArray(opportunities_bytes.data(),
                                    static_cast<int>(opportunities_bytes.size()))) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  const bool with_header = !header_bytes.empty() || mutator.OneIn(8);
  if (with_header && mutator.OneIn(3)) {
    mutator.Mutate({&header});
  } else {
    mutator.Mutate({&structure, &opportunities});
  }
  const std::string s = structure.SerializeAsString();
  const std::string h = with_header ? header.SerializeAsString() : "";
  const std::string out = fuzz::U16Prefix(s.size()) + s + fuzz::U16Prefix(h.size()) + h +
                          opportunities.SerializeAsString();
  if (s.size() > 0xffff || h.size() > 0xffff || out.size() > max_size)
    return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;
  using namespace salesops::fuzz;
  ByteReader in(data, size);
  const std::string_view structure_bytes = in.Take(in.U16());
  const std::string_view header_bytes = in.Take(in.U16());
  const std::string_view opportunities_bytes = in.Rest();
  v1::SnapshotChunk structure, opportunities;
  v1::SnapshotHeader header = DefaultHeader();
  if (!Parse(structure_bytes, &structure) || !Parse(opportunities_bytes, &opportunities) ||
      (!header_bytes.empty() && !Parse(header_bytes, &header))) {
    Note("not protos");
    return 0;
  }

  // The decoder on the parts as they are.
  auto decoded = Decode(header, structure, {&opportunities});
  if (decoded.ok()) {
    Note("decoded", std::to_string(decoded->deals.size()) + " deals");
    CheckDecoded(*decoded);
  } else {
    Note("not decoded", decoded.status().message());
    Check(absl::IsDataLoss(decoded.status()), "SnapshotDecoder error is not DataLoss",
          decoded.status().ToString());
  }

  // The writer, with small limits so that they are reached too.
  reporting::SnapshotLimits limits;
  limits.max_opportunities = 200;
  limits.hierarchy.max_nodes = 50;
  limits.hierarchy.max_reps = 50;
  limits.hierarchy.max_depth = 8;
  bool accepted = false;
  {
    reporting::SnapshotWriter writer(ClosedRedis(), limits);
    accepted = !Rejected(writer.Begin(header)) && !Rejected(writer.Add(structure, 1)) &&
               !Rejected(writer.Add(opportunities, 2));
    if (accepted) {
      auto info = writer.Finish();
      accepted = !Rejected(info.status());
    }
  }
  if (!accepted) return 0;
  Note("upload accepted");

  // Accepted: the store keeps the territories and reps of every chunk as the structure, and the
  // opportunities chunk by chunk; that must decode.
  v1::SnapshotChunk stored_structure;
  v1::SnapshotChunk stored_first;
  for (const v1::SnapshotChunk* chunk : {&structure, &opportunities}) {
    for (const auto& t : chunk->territories()) *stored_structure.add_territories() = t;
    for (const auto& r : chunk->reps()) *stored_structure.add_reps() = r;
  }
  *stored_first.mutable_opportunities() = structure.opportunities();
  v1::SnapshotChunk stored_second;
  *stored_second.mutable_opportunities() = opportunities.opportunities();
  auto stored = Decode(header, stored_structure, {&stored_first, &stored_second});
  Check(stored.ok(), "an accepted upload does not decode", stored.status().ToString());
  CheckDecoded(*stored);
  Check(stored->deals.size() ==
            static_cast<size_t>(structure.opportunities_size() + opportunities.opportunities_size()),
        "an accepted upload decodes to a different number of deals");
  return 0;
}
