// Who may call what: the roles, the role every RPC needs (the one table, for every service), and
// the bearer-token file that maps tokens to callers and their roles.
//
// Token file (--auth-tokens-file), one token per line, blank lines and # comments ignored:
//
//   <sha256 of the token, 64 hex digits> <caller> <role>[,<role>...]
//   e3b0c442...b855  cro-dashboard  read
//
// Only the SHA-256 of each token is stored, so the file (a Kubernetes Secret) never holds a usable
// token. Callers send "authorization: Bearer <token>"; the server hashes it and compares it with
// every entry in constant time.
#ifndef SALESOPS_COMMON_AUTH_H_
#define SALESOPS_COMMON_AUTH_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace salesops::auth {

enum class Role : uint8_t {
  kRead,            // every read RPC: forecasts, reports, plans, snapshots, batch status
  kEditPlans,       // create and change draft quota plans
  kApprovePlans,    // approve, archive and reopen plans
  kRunBatches,      // submit and cancel batch forecasts
  kWriteSnapshots,  // upload and delete CRM snapshots
};
inline constexpr Role kAllRoles[] = {Role::kRead, Role::kEditPlans, Role::kApprovePlans,
                                     Role::kRunBatches, Role::kWriteSnapshots};

// "read", "edit_plans", "approve_plans", "run_batches", "write_snapshots".
absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);

// Every RPC of every salesops service with the role it needs, by full method name
// ("/salesops.v1.QuotaService/ApprovePlan"). The health service is open to all and not listed.
const std::vector<std::pair<absl::string_view, Role>>& RpcRoles();
// The role `method` needs; nullopt for a method not in the table (denied).
std::optional<Role> RequiredRole(absl::string_view method);

struct Caller {
  std::string name;
  uint32_t roles = 0;  // bit i: Role i

  bool Has(Role role) const { return (roles >> static_cast<int>(role)) & 1u; }
};

class TokenTable {
 public:
  // Parses a token file; an error names the line and what is wrong with it, never its content.
  static absl::StatusOr<TokenTable> Parse(absl::string_view text);

  // The caller whose token this is, or nullptr. Compares with every entry in constant time.
  const Caller* Find(absl::string_view token) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::array<uint8_t, 32> digest;
    Caller caller;
  };
  std::vector<Entry> entries_;
};

// The SHA-256 of a token, in hex: what the token file stores.
std::string TokenDigestHex(absl::string_view token);

// The outcome of checking one call: OK (caller set), UNAUTHENTICATED ("missing bearer token",
// "unknown token") or PERMISSION_DENIED naming the caller, the RPC and the role it needs.
struct Decision {
  absl::Status status;
  std::string caller;  // empty when unauthenticated
};

// `authorization`: the value of the call's authorization header, nullopt when absent.
Decision Authorize(const TokenTable& tokens, absl::string_view method,
                   std::optional<absl::string_view> authorization);

}  // namespace salesops::auth

#endif  // SALESOPS_COMMON_AUTH_H_
