#include "absl/strings/string_view.h"
#include "services/reporting/snapshot_store.h"

#include <cmath>

#include "absl/hash/hash.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/hierarchy.h"
#include "common/metrics.h"
#include "common/proto_convert.h"

namespace salesops::reporting {
namespace {

constexpr char kHashDomain[] = "salesops-snapshot-v1";
constexpr int kUploadTtlSeconds = 3600;
constexpr int kLoadBatch = 64;  // chunks per LRANGE when loading

std::string Key(const std::string& id, absl::string_view part) {
  return absl::StrCat("salesops:snapshot:", id, ":", part);
}

absl::Status StoreError(const absl::Status& status) {
  Metrics::Get().RecordRedisError("store");
  return absl::Status(status.code() == absl::StatusCode::kUnavailable ? status.code()
                                                                      : absl::StatusCode::kInternal,
                      absl::StrCat("snapshot store: ", status.message()));
}

std::string Deterministic(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// Feeds one entity into the content hash: a type tag, its length, its bytes.
void HashEntity(Sha256& hash, char tag, const google::protobuf::Message& m) {
  std::string bytes = Deterministic(m);
  hash.Update(std::string_view(&tag, 1));
  hash.Update(absl::StrCat(bytes.size(), ":"));
  hash.Update(bytes);
}

absl::Status Invalid(const std::string& field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

}  // namespace

absl::Status ValidateSnapshotId(const std::string& id, absl::string_view field) {
  bool ok = id.size() == 64;
  for (char c : id) ok = ok && absl::ascii_isxdigit(static_cast<unsigned char>(c)) && !absl::ascii_isupper(static_cast<unsigned char>(c));
  if (!ok)
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": not a snapshot id (64 lower-case hex digits), got \"",
                     id.substr(0, 80), "\""));
  return absl::OkStatus();
}

SnapshotWriter::SnapshotWriter(std::shared_ptr<RedisClient> redis, SnapshotLimits limits)
    : redis_(std::move(redis)), limits_(limits) {
  static absl::Mutex mu;
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock lock(&mu);
  token_ = absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(*gen), absl::Uniform<uint64_t>(*gen));
  hash_.Update(kHashDomain);
}

SnapshotWriter::~SnapshotWriter() {
  if (begun_ && !finished_) Discard();
}

void SnapshotWriter::Discard() {
  (void)redis_->Command({"DEL", absl::StrCat("salesops:upload:", token_, ":opportunities")});
}

absl::Status SnapshotWriter::Begin(const v1::SnapshotHeader& header) {
  if (auto s = ValidateDate(header.as_of(), "header.as_of"); !s.ok()) return s;
  if (auto s = ValidateCurrencyCode(header.currency_code(), "header.currency_code"); !s.ok()) return s;
  if (auto s = ValidateCalendar(header.calendar(), "header.calendar"); !s.ok()) return s;
  if (header.source().size() > 1000) return Invalid("header.source", "at most 1000 characters");
  header_ = header;
  begun_ = true;
  HashEntity(hash_, 'H', header_);
  return absl::OkStatus();
}

absl::Status SnapshotWriter::Validate(const v1::Opportunity& o, const std::string& field) {
  if (o.id().empty()) return Invalid(field + ".id", "required");
  if (!opportunity_ids_.insert(absl::HashOf(o.id())).second)
    return Invalid(field + ".id", absl::StrCat("duplicate opportunity id \"", o.id(), "\""));
  if (o.owner_rep_id().empty()) return Invalid(field + ".owner_rep_id", "required");
  if (o.territory_id().empty()) return Invalid(field + ".territory_id", "required");
  if (o.amount().currency_code() != header_.currency_code())
    return Invalid(field + ".amount.currency_code",
                   absl::StrCat("\"", o.amount().currency_code(), "\" differs from the snapshot's \"",
                                header_.currency_code(), "\""));
  if (!std::isfinite(o.probability()) || o.probability() < 0 || o.probability() > 1)
    return Invalid(field + ".probability",
                   absl::StrCat("must be a fraction 0..1, got ", o.probability()));
  if (!v1::ForecastCategory_IsValid(o.forecast_category()) ||
      o.forecast_category() == v1::FORECAST_CATEGORY_UNSPECIFIED)
    return Invalid(field + ".forecast_category", "required (PIPELINE, BEST_CASE, COMMIT, CLOSED or OMITTED)");
  if (auto s = ValidateDate(o.created_date(), field + ".created_date"); !s.ok()) return s;
  if (auto s = ValidateDate(o.close_date(), field + ".close_date"); !s.ok()) return s;
  if (o.won() && !o.closed()) return Invalid(field + ".won", "an open opportunity cannot be won");
  referenced_reps_.try_emplace(o.owner_rep_id(), field + ".owner_rep_id");
  referenced_territories_.try_emplace(o.territory_id(), field + ".territory_id");
  return absl::OkStatus();
}

absl::Status SnapshotWriter::Add(const v1::SnapshotChunk& chunk, int index) {
  if (!begun_) return Invalid("header", "the first message must carry the header");
  const std::string prefix = absl::StrCat("chunk[", index, "]");
  if (structure_.territories_size() + chunk.territories_size() > limits_.max_territories)
    return Invalid(prefix + ".territories",
                   absl::StrCat("more than ", limits_.max_territories, " territories (max_territories)"));
  if (structure_.reps_size() + chunk.reps_size() > limits_.max_reps)
    return Invalid(prefix + ".reps", absl::StrCat("more than ", limits_.max_reps, " reps (max_reps)"));
  if (opportunity_count_ + chunk.opportunities_size() > limits_.max_opportunities)
    return Invalid(prefix + ".opportunities",
                   absl::StrCat("more than ", limits_.max_opportunities,
                                " opportunities (max_opportunities)"));
  for (const auto& t : chunk.territories()) {
    HashEntity(hash_, 'T', t);
    *structure_.add_territories() = t;
  }
  for (int i = 0; i < chunk.reps_size(); ++i) {
    const v1::Rep& r = chunk.reps(i);
    std::string field = absl::StrCat(prefix, ".reps[", i, "]");
    if (r.has_hire_date() && !IsUnset(r.hire_date())) {
      if (auto s = ValidateDate(r.hire_date(), field + ".hire_date"); !s.ok()) return s;
    }
    if (r.has_end_date() && !IsUnset(r.end_date())) {
      if (auto s = ValidateDate(r.end_date(), field + ".end_date"); !s.ok()) return s;
    }
    HashEntity(hash_, 'R', r);
    *structure_.add_reps() = r;
  }
  if (chunk.opportunities_size() == 0) return absl::OkStatus();
  v1::SnapshotChunk opportunities;
  for (int i = 0; i < chunk.opportunities_size(); ++i) {
    const v1::Opportunity& o = chunk.opportunities(i);
    if (auto s = Validate(o, absl::StrCat(prefix, ".opportunities[", i, "]")); !s.ok()) return s;
    HashEntity(hash_, 'O', o);
  }
  *opportunities.mutable_opportunities() = chunk.opportunities();
  opportunity_count_ += chunk.opportunities_size();
  const std::string key = absl::StrCat("salesops:upload:", token_, ":opportunities");
  auto replies = redis_->Pipeline({{"RPUSH", key, opportunities.SerializeAsString()},
                                   {"EXPIRE", key, absl::StrCat(kUploadTtlSeconds)}});
  if (!replies.ok()) return StoreError(replies.status());
  if ((*replies)[0].type == RedisReply::Type::kError)
    return StoreError(absl::InternalError((*replies)[0].str));
  return absl::OkStatus();
}

absl::StatusOr<v1::SnapshotInfo> SnapshotWriter::Finish() {
  if (!begun_) return Invalid("header", "the stream carried no header");
  auto hierarchy = Hierarchy::Build(structure_.territories(), structure_.reps(), "territories", "reps");
  if (!hierarchy.ok()) return hierarchy.status();
  for (const auto& [id, field] : referenced_reps_) {
    if (hierarchy->FindRep(id) < 0)
      return Invalid(field, absl::StrCat("unknown rep \"", id, "\" (not among the snapshot's reps)"));
  }
  for (const auto& [id, field] : referenced_territories_) {
    if (hierarchy->FindNode(id) < 0)
      return Invalid(field, absl::StrCat("unknown territory \"", id, "\""));
  }

  v1::SnapshotInfo info;
  info.set_snapshot_id(hash_.HexDigest());
  *info.mutable_header() = header_;
  info.set_territory_count(structure_.territories_size());
  info.set_rep_count(structure_.reps_size());
  info.set_opportunity_count(opportunity_count_);
  const std::string& id = info.snapshot_id();

  auto exists = redis_->Command({"EXISTS", Key(id, "info")});
  if (!exists.ok()) return StoreError(exists.status());
  if (exists->integer == 1) {
    finished_ = true;
    Discard();
    info.set_already_existed(true);
    return info;
  }
  const std::string upload_key = absl::StrCat("salesops:upload:", token_, ":opportunities");
  std::vector<std::vector<std::string>> commands = {{"MULTI"}};
  if (opportunity_count_ > 0) {
    commands.push_back({"RENAME", upload_key, Key(id, "opportunities")});
    commands.push_back({"PERSIST", Key(id, "opportunities")});
  }
  commands.push_back({"SET", Key(id, "structure"), structure_.SerializeAsString()});
  commands.push_back({"SET", Key(id, "info"), info.SerializeAsString()});
  auto as_of = FromProto(header_.as_of());
  commands.push_back({"ZADD", "salesops:snapshots", absl::StrCat(DayNumber(*as_of)), id});
  commands.push_back({"EXEC"});
  auto replies = redis_->Pipeline(commands);
  if (!replies.ok()) return StoreError(replies.status());
  const RedisReply& exec = replies->back();
  if (exec.type != RedisReply::Type::kArray)
    return StoreError(absl::InternalError("snapshot transaction failed: " + exec.str));
  for (const RedisReply& r : exec.elements) {
    if (r.type == RedisReply::Type::kError) return StoreError(absl::InternalError(r.str));
  }
  finished_ = true;
  return info;
}

SnapshotStore::SnapshotStore(std::shared_ptr<RedisClient> redis, int cached_snapshots)
    : redis_(std::move(redis)), capacity_(std::max(1, cached_snapshots)) {}

absl::StatusOr<v1::SnapshotInfo> SnapshotStore::Info(const std::string& id) {
  auto reply = redis_->Command({"GET", Key(id, "info")});
  if (!reply.ok()) return StoreError(reply.status());
  if (reply->is_nil()) return absl::NotFoundError(absl::StrCat("snapshot_id: no snapshot \"", id, "\""));
  v1::SnapshotInfo info;
  if (!info.ParseFromString(reply->str))
    return absl::DataLossError(absl::StrCat("snapshot store: corrupt info of ", id));
  return info;
}

absl::StatusOr<std::shared_ptr<const Snapshot>> SnapshotStore::Load(const std::string& id) {
  {
    absl::MutexLock lock(&mu_);
    for (auto it = recent_.begin(); it != recent_.end(); ++it) {
      if ((*it)->id == id) {
        auto found = *it;
        recent_.erase(it);
        recent_.push_front(found);
        return found;
      }
    }
  }
  auto info = Info(id);
  if (!info.ok()) return info.status();
  auto structure_reply = redis_->Command({"GET", Key(id, "structure")});
  if (!structure_reply.ok()) return StoreError(structure_reply.status());
  v1::SnapshotChunk structure;
  if (structure_reply->is_nil() || !structure.ParseFromString(structure_reply->str))
    return absl::DataLossError(absl::StrCat("snapshot store: missing structure of ", id));
  auto decoder = SnapshotDecoder::Start(id, info->header(), structure);
  if (!decoder.ok()) return decoder.status();
  for (int64_t from = 0;; from += kLoadBatch) {
    auto batch = redis_->Command({"LRANGE", Key(id, "opportunities"), absl::StrCat(from),
                                  absl::StrCat(from + kLoadBatch - 1)});
    if (!batch.ok()) return StoreError(batch.status());
    for (const RedisReply& r : batch->elements) {
      v1::SnapshotChunk chunk;
      if (!chunk.ParseFromString(r.str))
        return absl::DataLossError(absl::StrCat("snapshot store: corrupt chunk of ", id));
      if (auto s = decoder->AddOpportunities(chunk); !s.ok()) return s;
    }
    if (static_cast<int>(batch->elements.size()) < kLoadBatch) break;
  }
  auto snapshot = std::make_shared<const Snapshot>(std::move(*decoder).Finish());
  if (static_cast<int64_t>(snapshot->deals.size()) != info->opportunity_count())
    return absl::DataLossError(absl::StrCat("snapshot store: ", id, " has ", snapshot->deals.size(),
                                            " opportunities, expected ", info->opportunity_count()));
  absl::MutexLock lock(&mu_);
  recent_.push_front(snapshot);
  while (recent_.size() > capacity_) recent_.pop_back();
  return snapshot;
}

}  // namespace salesops::reporting
