// Snapshots in the Redis store, addressed by the SHA-256 of their content.
//
//   salesops:upload:<token>:opportunities   list of SnapshotChunk, while an upload is in flight
//                                           (expires after an hour if abandoned)
//   salesops:snapshot:<id>:info             SnapshotInfo
//   salesops:snapshot:<id>:structure        SnapshotChunk with the territories and reps
//   salesops:snapshot:<id>:opportunities    list of SnapshotChunk with the opportunities
//   salesops:snapshot-index                 sorted set of ids, score as_of_day * 2^32 + upload
//                                           sequence: newest as-of date, then newest upload, last
//   salesops:snapshot-index:seq             the upload sequence (INCR)
//
// An upload streams its opportunities to Redis chunk by chunk (server memory stays bounded by the
// hierarchy and one chunk), is validated as it goes, and becomes visible under its id only when it
// completes: one Lua script moves the opportunities under the id, writes the structure and the
// info and adds the index entry, so a failed or abandoned upload leaves nothing behind and a
// snapshot is listed exactly when it exists. Deleting removes the keys and the index entry in one
// MULTI/EXEC.
//
// Snapshots stored before the index existed (only in the old sorted set salesops:snapshots, by
// as-of day) are not listed; GetSnapshot, reports and DeleteSnapshot work on them as before, and
// uploading the same content again adds the index entry.
#ifndef SALESOPS_SERVICES_REPORTING_SNAPSHOT_STORE_H_
#define SALESOPS_SERVICES_REPORTING_SNAPSHOT_STORE_H_

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/hash.h"
#include "common/hierarchy.h"
#include "common/money.h"
#include "common/redis_client.h"
#include "salesops/v1/reporting.pb.h"
#include "services/reporting/snapshot.h"

namespace salesops::reporting {

// Limits on one snapshot; violations are INVALID_ARGUMENT naming the limit.
struct SnapshotLimits {
  int64_t max_opportunities = 5'000'000;
  HierarchyLimits hierarchy;  // territories and reps
  // Uploads in progress at once (RESOURCE_EXHAUSTED beyond), and how long an upload may go
  // without a message before it is cancelled (see UploadRegistry).
  int max_concurrent_uploads = 16;
  int upload_idle_ms = 60'000;
};

// One upload in progress. Not thread-safe: one stream drives it.
class SnapshotWriter {
 public:
  SnapshotWriter(std::shared_ptr<RedisClient> redis, SnapshotLimits limits);
  ~SnapshotWriter();  // discards an unfinished upload

  // The first message. InvalidArgument naming the field when the header is invalid.
  absl::Status Begin(const v1::SnapshotHeader& header);
  // Every later message (`index` counts messages from 1, for error messages).
  absl::Status Add(const v1::SnapshotChunk& chunk, int index);
  // Checks references across chunks, hashes, and makes the snapshot visible under its id.
  absl::StatusOr<v1::SnapshotInfo> Finish();

 private:
  absl::Status Validate(const v1::Opportunity& o, const std::string& field);
  void Discard();

  std::shared_ptr<RedisClient> redis_;
  SnapshotLimits limits_;
  std::string token_;
  bool begun_ = false;
  bool finished_ = false;
  v1::SnapshotHeader header_;
  v1::SnapshotChunk structure_;
  Sha256 hash_;
  int64_t opportunity_count_ = 0;
  absl::flat_hash_set<uint64_t> opportunity_ids_;  // hashes of ids, to find duplicates
  AmountTotal amounts_;                             // keeps every sum of amounts inside an int64
  // Referenced ids, checked against the hierarchy at the end, with where they were first seen.
  absl::flat_hash_map<std::string, std::string> referenced_reps_, referenced_territories_;
};

class SnapshotStore {
 public:
  // Keeps up to `cached_snapshots` decoded snapshots in memory (they are immutable).
  SnapshotStore(std::shared_ptr<RedisClient> redis, int cached_snapshots = 4);

  std::unique_ptr<SnapshotWriter> NewWriter(SnapshotLimits limits) const {
    return std::make_unique<SnapshotWriter>(redis_, limits);
  }
  // NotFound naming `field` ("<field>: no snapshot ...") when there is no snapshot with that id.
  absl::StatusOr<v1::SnapshotInfo> Info(const std::string& id,
                                        absl::string_view field = "snapshot_id");
  // The decoded snapshot, from memory when recently used. A snapshot held in memory is returned
  // without asking the store whether it still exists: callers that must not see a deleted
  // snapshot check Info first (the reports do).
  absl::StatusOr<std::shared_ptr<const Snapshot>> Load(const std::string& id);
  // Calls `f` for every opportunity of the snapshot in upload order, reading a few chunks at a
  // time (memory stays bounded by them). NotFound naming `field` when there is no such snapshot.
  absl::Status ForEachOpportunity(const std::string& id, absl::string_view field,
                                  const std::function<void(const v1::Opportunity&)>& f);
  // Snapshots newest as-of date first, then newest upload; `page_size` > 0 of them after the
  // position `page_token` names (empty: from the start). next_page_token is empty on the last
  // page. Tokens are positions, not offsets: uploads and deletes between pages neither repeat
  // nor skip the snapshots that stay. InvalidArgument "page_token: ..." for a token this did not
  // make.
  absl::StatusOr<v1::ListSnapshotsResponse> List(int page_size, const std::string& page_token);
  // Ids of listed snapshots with an as-of date in [before_day - window_days, before_day), newest
  // first, keeping only snapshots at least `min_gap_days` apart (the newest of each gap), at most
  // `max_count` of them: the earlier snapshots a report calibrates on.
  absl::StatusOr<std::vector<std::string>> EarlierIds(int before_day, int window_days,
                                                      int min_gap_days, int max_count);
  // Removes the snapshot's keys and its index entry in one transaction, and forgets the decoded
  // copy this process holds. NotFound when there is no snapshot with that id.
  absl::Status Delete(const std::string& id);

 private:
  // Calls `f` for each stored opportunity chunk, a batch of chunks per round trip.
  absl::Status ForEachChunk(const std::string& id,
                            const std::function<absl::Status(const v1::SnapshotChunk&)>& f);

  std::shared_ptr<RedisClient> redis_;
  const size_t capacity_;
  absl::Mutex mu_;
  // Most recently used first.
  std::list<std::shared_ptr<const Snapshot>> recent_ ABSL_GUARDED_BY(mu_);
};

// OK, or InvalidArgument "<field>: ..." for a snapshot id that is not 64 hex digits.
absl::Status ValidateSnapshotId(const std::string& id, absl::string_view field);

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_SNAPSHOT_STORE_H_
