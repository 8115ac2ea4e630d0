#include "absl/strings/string_view.h"
#include "services/reporting/snapshot_store.h"

#include <cmath>

#include "absl/hash/hash.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
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
constexpr char kIndexKey[] = "salesops:snapshot-index";
constexpr char kIndexSeqKey[] = "salesops:snapshot-index:seq";
constexpr char kLegacyIndexKey[] = "salesops:snapshots";  // before the index; removed on delete
constexpr char kPageTokenPrefix[] = "snapshots-v1:";

// Makes an upload visible under its id, atomically (a script runs alone): when the id exists
// already, drops the upload and adds the index entry if missing (snapshots stored before the
// index existed), returning 1; else moves the opportunities under the id, writes the structure and
// the info, and adds the index entry, returning 0. The index score is as_of_day * 2^32 + the
// upload sequence, formatted with %.0f because Lua's tostring keeps only 14 digits; scores stay
// exact doubles (|score| < 2^53) for dates 1900..2200 and the first 2^32 uploads.
//   KEYS: info, structure, opportunities, upload list, index, sequence
//   ARGV: info bytes, structure bytes, as-of day number, id, "1" when there are opportunities
constexpr char kFinishScript[] = R"lua(
local seq = redis.call('INCR', KEYS[6]) % 4294967296
local score = string.format('%.0f', tonumber(ARGV[3]) * 4294967296 + seq)
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DEL', KEYS[4])
  redis.call('ZADD', KEYS[5], 'NX', score, ARGV[4])
  return 1
end
if ARGV[5] == '1' then
  redis.call('RENAME', KEYS[4], KEYS[3])
  redis.call('PERSIST', KEYS[3])
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[5], score, ARGV[4])
return 0
)lua";

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
  if (auto s = amounts_.Add(o.amount().minor_units(), field + ".amount.minor_units"); !s.ok()) return s;
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
  if (structure_.territories_size() + chunk.territories_size() > limits_.hierarchy.max_nodes)
    return Invalid(prefix + ".territories",
                   absl::StrCat("more than ", limits_.hierarchy.max_nodes,
                                " territories (max_hierarchy_nodes)"));
  if (structure_.reps_size() + chunk.reps_size() > limits_.hierarchy.max_reps)
    return Invalid(prefix + ".reps",
                   absl::StrCat("more than ", limits_.hierarchy.max_reps, " reps (max_hierarchy_reps)"));
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
    return StoreError(redis_->ReplyError((*replies)[0], "RPUSH"));
  return absl::OkStatus();
}

absl::StatusOr<v1::SnapshotInfo> SnapshotWriter::Finish() {
  if (!begun_) return Invalid("header", "the stream carried no header");
  auto hierarchy = Hierarchy::Build(structure_.territories(), structure_.reps(), "territories", "reps",
                                    limits_.hierarchy);
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

  const std::string upload_key = absl::StrCat("salesops:upload:", token_, ":opportunities");
  auto as_of = FromProto(header_.as_of());
  auto reply = redis_->Command({"EVAL", kFinishScript, "6", Key(id, "info"), Key(id, "structure"),
                                Key(id, "opportunities"), upload_key, kIndexKey, kIndexSeqKey,
                                info.SerializeAsString(), structure_.SerializeAsString(),
                                absl::StrCat(DayNumber(*as_of)), id,
                                opportunity_count_ > 0 ? "1" : "0"});
  if (!reply.ok()) return StoreError(reply.status());
  finished_ = true;  // the script consumed the upload key either way
  if (reply->integer == 1) info.set_already_existed(true);
  return info;
}

SnapshotStore::SnapshotStore(std::shared_ptr<RedisClient> redis, int cached_snapshots)
    : redis_(std::move(redis)), capacity_(std::max(1, cached_snapshots)) {}

absl::StatusOr<v1::SnapshotInfo> SnapshotStore::Info(const std::string& id,
                                                     absl::string_view field) {
  auto reply = redis_->Command({"GET", Key(id, "info")});
  if (!reply.ok()) return StoreError(reply.status());
  if (reply->is_nil())
    return absl::NotFoundError(absl::StrCat(field, ": no snapshot \"", id, "\""));
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
  if (auto s = ForEachChunk(id, [&](const v1::SnapshotChunk& chunk) { return decoder->AddOpportunities(chunk); });
      !s.ok())
    return s;
  auto snapshot = std::make_shared<const Snapshot>(std::move(*decoder).Finish());
  if (static_cast<int64_t>(snapshot->deals.size()) != info->opportunity_count())
    return absl::DataLossError(absl::StrCat("snapshot store: ", id, " has ", snapshot->deals.size(),
                                            " opportunities, expected ", info->opportunity_count()));
  absl::MutexLock lock(&mu_);
  recent_.push_front(snapshot);
  while (recent_.size() > capacity_) recent_.pop_back();
  return snapshot;
}

absl::Status SnapshotStore::ForEachChunk(
    const std::string& id, const std::function<absl::Status(const v1::SnapshotChunk&)>& f) {
  for (int64_t from = 0;; from += kLoadBatch) {
    auto batch = redis_->Command({"LRANGE", Key(id, "opportunities"), absl::StrCat(from),
                                  absl::StrCat(from + kLoadBatch - 1)});
    if (!batch.ok()) return StoreError(batch.status());
    for (const RedisReply& r : batch->elements) {
      v1::SnapshotChunk chunk;
      if (!chunk.ParseFromString(r.str))
        return absl::DataLossError(absl::StrCat("snapshot store: corrupt chunk of ", id));
      if (auto s = f(chunk); !s.ok()) return s;
    }
    if (static_cast<int>(batch->elements.size()) < kLoadBatch) return absl::OkStatus();
  }
}

absl::Status SnapshotStore::ForEachOpportunity(const std::string& id, absl::string_view field,
                                               const std::function<void(const v1::Opportunity&)>& f) {
  if (auto info = Info(id, field); !info.ok()) return info.status();
  return ForEachChunk(id, [&](const v1::SnapshotChunk& chunk) {
    for (const v1::Opportunity& o : chunk.opportunities()) f(o);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ListSnapshotsResponse> SnapshotStore::List(int page_size,
                                                              const std::string& page_token) {
  // The token is the score of the last snapshot returned; the next page starts below it.
  std::string max = "+inf";
  if (!page_token.empty()) {
    std::string decoded;
    bool ok = absl::WebSafeBase64Unescape(page_token, &decoded);
    absl::string_view position = decoded;
    double score = 0;
    ok = ok && absl::ConsumePrefix(&position, kPageTokenPrefix) &&
         absl::SimpleAtod(position, &score) && std::isfinite(score);
    if (!ok)
      return absl::InvalidArgumentError(
          "page_token: not a token from a previous ListSnapshots response");
    max = absl::StrCat("(", position);
  }
  auto page = redis_->Command({"ZREVRANGEBYSCORE", kIndexKey, max, "-inf", "WITHSCORES", "LIMIT",
                               "0", absl::StrCat(page_size + 1)});
  if (!page.ok()) return StoreError(page.status());
  // [id, score, id, score, ...]; one more than asked says whether there is a next page.
  const size_t found = page->elements.size() / 2;
  const size_t take = std::min<size_t>(found, page_size);
  v1::ListSnapshotsResponse response;
  if (take == 0) return response;
  std::vector<std::vector<std::string>> gets;
  for (size_t i = 0; i < take; ++i) gets.push_back({"GET", Key(page->elements[2 * i].str, "info")});
  auto infos = redis_->Pipeline(gets);
  if (!infos.ok()) return StoreError(infos.status());
  for (size_t i = 0; i < take; ++i) {
    const RedisReply& r = (*infos)[i];
    if (r.type == RedisReply::Type::kError) return StoreError(redis_->ReplyError(r, "GET"));
    if (r.is_nil()) continue;  // deleted between the two calls
    if (!response.add_snapshots()->ParseFromString(r.str))
      return absl::DataLossError(
          absl::StrCat("snapshot store: corrupt info of ", page->elements[2 * i].str));
  }
  if (found > take) {
    // Redis prints scores with %.17g: integers below 2^53 come back exactly.
    response.set_next_page_token(absl::WebSafeBase64Escape(
        absl::StrCat(kPageTokenPrefix, page->elements[2 * take - 1].str)));
  }
  return response;
}

absl::StatusOr<std::vector<std::string>> SnapshotStore::EarlierIds(int before_day, int window_days,
                                                                   int min_gap_days, int max_count) {
  // Index scores are as_of_day * 2^32 + upload sequence (see the top of snapshot_store.h).
  const auto score = [](int64_t day) { return absl::StrCat(day << 32); };
  auto reply = redis_->Command({"ZREVRANGEBYSCORE", kIndexKey, absl::StrCat("(", score(before_day)),
                                score(before_day - window_days), "WITHSCORES"});
  if (!reply.ok()) return StoreError(reply.status());
  std::vector<std::string> ids;
  int64_t last_kept = INT64_MAX;
  for (size_t i = 0; i + 1 < reply->elements.size() && static_cast<int>(ids.size()) < max_count; i += 2) {
    double s = 0;
    if (!absl::SimpleAtod(reply->elements[i + 1].str, &s)) continue;
    const int64_t day = static_cast<int64_t>(s) >> 32;
    if (last_kept != INT64_MAX && day > last_kept - min_gap_days) continue;
    ids.push_back(reply->elements[i].str);
    last_kept = day;
  }
  return ids;
}

absl::Status SnapshotStore::Delete(const std::string& id) {
  auto replies = redis_->Pipeline({{"MULTI"},
                                   {"DEL", Key(id, "info")},
                                   {"DEL", Key(id, "structure"), Key(id, "opportunities")},
                                   {"ZREM", kIndexKey, id},
                                   {"ZREM", kLegacyIndexKey, id},
                                   {"EXEC"}});
  if (!replies.ok()) return StoreError(replies.status());
  if (replies->front().type == RedisReply::Type::kError)  // e.g. LOADING: nothing was done
    return StoreError(redis_->ReplyError(replies->front(), "MULTI"));
  const RedisReply& exec = replies->back();
  if (exec.type != RedisReply::Type::kArray || exec.elements.empty())
    return StoreError(absl::InternalError("snapshot delete transaction failed: " + exec.str));
  for (const RedisReply& r : exec.elements) {
    if (r.type == RedisReply::Type::kError) return StoreError(redis_->ReplyError(r, "EXEC"));
  }
  {
    absl::MutexLock lock(&mu_);
    recent_.remove_if([&](const std::shared_ptr<const Snapshot>& s) { return s->id == id; });
  }
  if (exec.elements[0].integer == 0)
    return absl::NotFoundError(absl::StrCat("snapshot_id: no snapshot \"", id, "\""));
  return absl::OkStatus();
}

}  // namespace salesops::reporting
