// Helpers for handlers and for calls to other services.
#ifndef SALESOPS_COMMON_RPC_H_
#define SALESOPS_COMMON_RPC_H_

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/call_auth.h"
#include "common/caller_credentials.h"
#include "common/grpc_status.h"
#include "common/thread_pool.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace salesops {

// Runs `work` on `pool` (never on gRPC's own callback threads, so handlers may block on Redis or
// on other services) and finishes the call with the status it returns. A call whose deadline has
// passed or that was cancelled while queued is not started. A call whose caller may not make it
// (CheckCallAuth, common/call_auth.h) is finished at once with UNAUTHENTICATED or
// PERMISSION_DENIED and `work` never runs.
grpc::ServerUnaryReactor* FinishOnPool(grpc::CallbackServerContext* context, ThreadPool& pool,
                                       std::function<absl::Status()> work);

// A client context for a call made while serving `parent`: it carries the parent's deadline and
// cancellation, or `default_deadline` from now when the parent has none.
std::unique_ptr<grpc::ClientContext> DownstreamContext(const grpc::CallbackServerContext& parent,
                                                       std::chrono::milliseconds default_deadline);

// Makes one call to another service with DownstreamContext; a failure becomes DownstreamError,
// which names the service. `call(ClientContext*, Response*)` issues the call on a stub.
template <typename Response, typename Call>
absl::StatusOr<Response> CallService(absl::string_view service,
                                     const grpc::CallbackServerContext& parent,
                                     std::chrono::milliseconds default_deadline, Call call) {
  auto context = DownstreamContext(parent, default_deadline);
  Response response;
  grpc::Status status = call(context.get(), &response);
  if (!status.ok()) return DownstreamError(service, status);
  return response;
}

// Makes one call per request to another service, at most `max_in_flight` at a time, and waits
// for them all: the responses in request order, or the first failure (as CallService). `start`
// issues one asynchronous call: start(ClientContext*, const Request*, Response*,
// std::function<void(grpc::Status)> done), e.g. via stub->async()->Method(...).
template <typename Response, typename Request, typename Start>
absl::StatusOr<std::vector<Response>> CallServiceAll(absl::string_view service,
                                                     const grpc::CallbackServerContext& parent,
                                                     std::chrono::milliseconds default_deadline,
                                                     std::span<const Request> requests,
                                                     int max_in_flight, Start start) {
  std::vector<Response> responses(requests.size());
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts(requests.size());
  absl::Mutex mu;
  absl::CondVar progressed;
  size_t finished = 0, started = 0;
  grpc::Status failure;  // the first failure
  auto launch = [&](size_t i) {  // called with mu held
    contexts[i] = DownstreamContext(parent, default_deadline);
    ++started;
    start(contexts[i].get(), &requests[i], &responses[i], [&](grpc::Status status) {
      absl::MutexLock lock(&mu);
      if (!status.ok() && failure.ok()) failure = status;
      ++finished;
      progressed.Signal();
    });
  };
  absl::MutexLock lock(&mu);
  while (finished < requests.size()) {
    // Keep up to max_in_flight calls going; stop starting new ones after a failure.
    while (started < requests.size() && started - finished < static_cast<size_t>(max_in_flight) &&
           failure.ok())
      launch(started);
    if (!failure.ok() && finished == started) break;
    const size_t seen = finished;
    while (finished == seen) progressed.Wait(&mu);
  }
  if (!failure.ok()) return DownstreamError(service, failure);
  return responses;
}

// A channel to another service: round_robin over every address the target resolves to (use
// dns:///name:port with a headless Kubernetes Service), keepalive, large messages; TLS as
// `caller` says, and its bearer token on every call.
std::shared_ptr<grpc::Channel> MakeServiceChannel(const std::string& target,
                                                  const CallerCredentials& caller = {});

}  // namespace salesops

#endif  // SALESOPS_COMMON_RPC_H_
