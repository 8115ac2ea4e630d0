#include "common/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace salesops::auth {
namespace {

constexpr absl::string_view kForecast = "/salesops.v1.ForecastService/";
constexpr absl::string_view kQuota = "/salesops.v1.QuotaService/";
constexpr absl::string_view kReporting = "/salesops.v1.ReportingService/";

std::array<uint8_t, 32> Digest(absl::string_view token) {
  std::array<uint8_t, 32> digest;
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  return digest;
}

bool ValidCallerName(absl::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != '@' && c != ':')
      return false;
  }
  return true;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kRead: return "read";
    case Role::kEditPlans: return "edit_plans";
    case Role::kApprovePlans: return "approve_plans";
    case Role::kRunBatches: return "run_batches";
    case Role::kWriteSnapshots: return "write_snapshots";
  }
  return "?";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

const std::vector<std::pair<absl::string_view, Role>>& RpcRoles() {
  // The one table of who may call what. tests/unit/common_auth_test.cc fails when an RPC of any
  // service in proto/ is missing here.
  static const auto* table = [] {
    // Static too, not only leaked: the views below point into these strings, and LeakSanitizer
    // (scripts/test) reports memory that nothing points to any more.
    static const auto* t = new std::vector<std::pair<std::string, Role>>{
        {absl::StrCat(kForecast, "Forecast"), Role::kRead},
        {absl::StrCat(kForecast, "Backtest"), Role::kRead},
        {absl::StrCat(kForecast, "Reconcile"), Role::kRead},
        {absl::StrCat(kForecast, "ForecastLanding"), Role::kRead},
        {absl::StrCat(kForecast, "SubmitBatch"), Role::kRunBatches},
        {absl::StrCat(kForecast, "GetBatch"), Role::kRead},
        {absl::StrCat(kForecast, "WatchBatch"), Role::kRead},
        {absl::StrCat(kForecast, "GetBatchResults"), Role::kRead},
        {absl::StrCat(kForecast, "CancelBatch"), Role::kRunBatches},
        {absl::StrCat(kQuota, "CreatePlan"), Role::kEditPlans},
        {absl::StrCat(kQuota, "GetPlan"), Role::kRead},
        {absl::StrCat(kQuota, "ListPlans"), Role::kRead},
        {absl::StrCat(kQuota, "ListPlanVersions"), Role::kRead},
        {absl::StrCat(kQuota, "UpdatePlan"), Role::kEditPlans},
        {absl::StrCat(kQuota, "ApprovePlan"), Role::kApprovePlans},
        {absl::StrCat(kQuota, "ArchivePlan"), Role::kApprovePlans},
        {absl::StrCat(kQuota, "ReopenPlan"), Role::kApprovePlans},
        {absl::StrCat(kQuota, "ComparePlans"), Role::kRead},
        {absl::StrCat(kQuota, "SimulatePlan"), Role::kRead},
        {absl::StrCat(kReporting, "UploadSnapshot"), Role::kWriteSnapshots},
        {absl::StrCat(kReporting, "GetSnapshot"), Role::kRead},
        {absl::StrCat(kReporting, "ListSnapshots"), Role::kRead},
        {absl::StrCat(kReporting, "DeleteSnapshot"), Role::kWriteSnapshots},
        {absl::StrCat(kReporting, "AttainmentReport"), Role::kRead},
        {absl::StrCat(kReporting, "PipelineReport"), Role::kRead},
        {absl::StrCat(kReporting, "KpiReport"), Role::kRead},
        {absl::StrCat(kReporting, "RenderReport"), Role::kRead},
        {absl::StrCat(kReporting, "ForecastAccuracyReport"), Role::kRead},
    };
    auto* views = new std::vector<std::pair<absl::string_view, Role>>;
    for (const auto& [method, role] : *t) views->emplace_back(method, role);
    return views;
  }();
  return *table;
}

std::optional<Role> RequiredRole(absl::string_view method) {
  static const auto* index = [] {
    auto* m = new absl::flat_hash_map<absl::string_view, Role>;
    for (const auto& [method, role] : RpcRoles()) m->emplace(method, role);
    return m;
  }();
  auto it = index->find(method);
  if (it == index->end()) return std::nullopt;
  return it->second;
}

std::string TokenDigestHex(absl::string_view token) {
  auto digest = Digest(token);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

absl::StatusOr<TokenTable> TokenTable::Parse(absl::string_view text) {
  TokenTable table;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("token file line ", line_number, ": ", why));
    };
    if (fields.size() != 3)
      return bad("expected <sha256-hex> <caller> <role>[,<role>...] (3 fields)");
    Entry entry;
    std::string digest;
    if (fields[0].size() != 64 ||
        fields[0].find_first_not_of("0123456789abcdefABCDEF") != absl::string_view::npos)
      return bad("the first field must be the SHA-256 of the token, 64 hex digits "
                 "(scripts/make-token prints it)");
    digest = absl::HexStringToBytes(absl::AsciiStrToLower(fields[0]));
    std::copy(digest.begin(), digest.end(), entry.digest.begin());
    if (!ValidCallerName(fields[1]))
      return bad("the caller name may use letters, digits and - _ . @ : (at most 128)");
    entry.caller.name = std::string(fields[1]);
    for (absl::string_view name : absl::StrSplit(fields[2], ',', absl::SkipEmpty())) {
      auto role = ParseRole(name);
      if (!role) {
        return bad(absl::StrCat("unknown role \"", name.substr(0, 40),
                                "\" (roles: read, edit_plans, approve_plans, run_batches, "
                                "write_snapshots)"));
      }
      entry.caller.roles |= 1u << static_cast<int>(*role);
    }
    for (const Entry& other : table.entries_) {
      if (other.digest == entry.digest) return bad("the same token is listed twice");
    }
    table.entries_.push_back(std::move(entry));
  }
  if (table.entries_.empty())
    return absl::InvalidArgumentError("token file: no tokens in it");
  return table;
}

const Caller* TokenTable::Find(absl::string_view token) const {
  const auto digest = Digest(token);
  const Caller* found = nullptr;
  // Every entry is compared, each in constant time, so the time taken says nothing about which
  // entry (if any) matched or how much of it did.
  for (const Entry& entry : entries_) {
    const bool match = CRYPTO_memcmp(entry.digest.data(), digest.data(), digest.size()) == 0;
    if (match) found = &entry.caller;
  }
  return found;
}

Decision Authorize(const TokenTable& tokens, absl::string_view method,
                   std::optional<absl::string_view> authorization) {
  Decision decision;
  absl::string_view token;
  if (authorization) {
    token = absl::StripAsciiWhitespace(*authorization);
    // The scheme is case-insensitive (RFC 7235).
    if (token.size() > 7 && absl::EqualsIgnoreCase(token.substr(0, 7), "bearer ")) {
      token = absl::StripLeadingAsciiWhitespace(token.substr(7));
    } else {
      token = {};
    }
  }
  if (token.empty()) {
    decision.status = absl::UnauthenticatedError(
        "missing bearer token (send the metadata \"authorization: Bearer <token>\")");
    return decision;
  }
  const Caller* caller = tokens.Find(token);
  if (caller == nullptr) {
    decision.status = absl::UnauthenticatedError("unknown token");
    return decision;
  }
  decision.caller = caller->name;
  const absl::string_view rpc = absl::StripPrefix(method, "/");
  const auto role = RequiredRole(method);
  if (!role) {
    decision.status = absl::PermissionDeniedError(
        absl::StrCat("caller \"", caller->name, "\" may not call ", rpc, ": no role grants it"));
  } else if (!caller->Has(*role)) {
    decision.status = absl::PermissionDeniedError(absl::StrCat(
        "caller \"", caller->name, "\" may not call ", rpc, ": it needs the role ",
        RoleName(*role)));
  }
  return decision;
}

}  // namespace salesops::auth
