#include "common/rpc.h"

#include "common/call_auth.h"
#include "common/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace salesops {

grpc::ServerUnaryReactor* FinishOnPool(grpc::CallbackServerContext* context, ThreadPool& pool,
                                       std::function<absl::Status()> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::Status allowed = CheckCallAuth(context); !allowed.ok()) {
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  pool.Submit([context, reactor, work = std::move(work)] {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled before it started"));
      return;
    }
    if (context->deadline() < std::chrono::system_clock::now()) {
      reactor->Finish(
          grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed before it started"));
      return;
    }
    reactor->Finish(ToGrpcStatus(work()));
  });
  return reactor;
}

std::unique_ptr<grpc::ClientContext> DownstreamContext(const grpc::CallbackServerContext& parent,
                                                       std::chrono::milliseconds default_deadline) {
  auto limit = std::chrono::system_clock::now() + default_deadline;
  if (parent.deadline() < limit) {
    // Propagates the deadline and cancellation of the incoming call.
    return grpc::ClientContext::FromCallbackServerContext(parent);
  }
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(limit);
  return context;
}

std::shared_ptr<grpc::Channel> MakeServiceChannel(const std::string& target,
                                                  const CallerCredentials& caller) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(R"({"loadBalancingConfig": [{"round_robin": {}}]})");
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  // Notice a restarted service within seconds: gRPC's default back-off grows to 120 s.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  if (caller.bearer_token.empty()) return grpc::CreateCustomChannel(target, caller.channel, args);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(BearerTokenInterceptor(caller.bearer_token));
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, caller.channel, args,
                                                                 std::move(interceptors));
}

}  // namespace salesops
