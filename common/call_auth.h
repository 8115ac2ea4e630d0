// Enforces bearer tokens (common/auth.h) inside the server, so it works with TLS and without it
// (behind a mesh that terminates TLS).
//
// gRPC 1.51's server interceptors cannot fail a call (they cannot hijack it), so the work is split:
// an interceptor reads the token when the call's metadata arrives, decides, logs the caller, and
// records the decision for the call; every handler then asks CheckCallAuth(context) first and
// finishes with its status when it is not OK. FinishOnPool (common/rpc.h) does that for every unary
// RPC; the streaming handlers (UploadSnapshot, WatchBatch) call it themselves. When auth is on and
// a call has no recorded decision the check fails closed.
//
// The health service is open to every caller and is not intercepted; server reflection (schemas
// only, no data) is gRPC's own service and cannot be checked this way (README, "Security").
#ifndef SALESOPS_COMMON_CALL_AUTH_H_
#define SALESOPS_COMMON_CALL_AUTH_H_

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "common/auth.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"

namespace salesops {

// The tokens to check a new call against (they may change while the server runs: TokenFile).
using TokenSource = std::function<std::shared_ptr<const auth::TokenTable>()>;

// Turns the check on for this process (from now on every call must pass it) and returns the
// interceptor factory that makes the decisions; install it on the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> EnableCallAuth(
    TokenSource tokens);

// OK when auth is off or the call's caller has the role its RPC needs; else UNAUTHENTICATED or
// PERMISSION_DENIED with the message for the client.
absl::Status CheckCallAuth(const grpc::ServerContextBase* context);

}  // namespace salesops

#endif  // SALESOPS_COMMON_CALL_AUTH_H_
