#include "common/rpc.h"

#include "common/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace salesops {

grpc::ServerUnaryReactor* FinishOnPool(grpc::CallbackServerContext* context, ThreadPool& pool,
                                       std::function<absl::Status()> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
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

std::shared_ptr<grpc::Channel> MakeServiceChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(R"({"loadBalancingConfig": [{"round_robin": {}}]})");
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

}  // namespace salesops
