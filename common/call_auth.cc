#include "common/call_auth.h"

#include <atomic>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "common/log.h"

namespace salesops {
namespace {

std::atomic<bool> enforcing{false};

// The decision of every call in flight, by its server context; an entry lives as long as the
// call's interceptor.
class Decisions {
 public:
  static Decisions& Get() {
    static auto* decisions = new Decisions;
    return *decisions;
  }
  void Put(const grpc::ServerContextBase* context, absl::Status status) {
    absl::MutexLock lock(&mu_);
    map_[context] = std::move(status);
  }
  void Erase(const grpc::ServerContextBase* context) {
    absl::MutexLock lock(&mu_);
    map_.erase(context);
  }
  absl::Status Find(const grpc::ServerContextBase* context) {
    absl::MutexLock lock(&mu_);
    auto it = map_.find(context);
    if (it == map_.end())
      return absl::PermissionDeniedError("no authorization decision for this call");
    return it->second;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const grpc::ServerContextBase*, absl::Status> map_ ABSL_GUARDED_BY(mu_);
};

class AuthInterceptor : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(grpc::experimental::ServerRpcInfo* info,
                  std::shared_ptr<const auth::TokenTable> tokens)
      : context_(info->server_context()), method_(info->method()), tokens_(std::move(tokens)) {
    // Until the metadata has been read, the call is not allowed.
    Decisions::Get().Put(context_, absl::UnauthenticatedError("metadata not read yet"));
  }
  ~AuthInterceptor() override { Decisions::Get().Erase(context_); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      std::optional<absl::string_view> authorization;
      auto* metadata = methods->GetRecvInitialMetadata();
      if (auto it = metadata->find("authorization"); it != metadata->end())
        authorization = absl::string_view(it->second.data(), it->second.size());
      auth::Decision decision = auth::Authorize(*tokens_, method_, authorization);
      caller_ = decision.caller;
      allowed_ = decision.status.ok();
      if (!allowed_) {
        // The message names the caller and the role, never the token.
        log::Warn("call_denied", {{"method", method_},
                                  {"caller", caller_},
                                  {"code", absl::StatusCodeToString(decision.status.code())},
                                  {"reason", std::string(decision.status.message())}});
      }
      Decisions::Get().Put(context_, std::move(decision.status));
    }
    if (allowed_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      log::Info("call", {{"method", method_},
                         {"caller", caller_},
                         {"code", absl::StatusCodeToString(
                                      static_cast<absl::StatusCode>(methods->GetSendStatus().error_code()))}});
    }
    methods->Proceed();
  }

 private:
  const grpc::ServerContextBase* context_;
  const std::string method_;
  const std::shared_ptr<const auth::TokenTable> tokens_;
  std::string caller_;
  bool allowed_ = false;
};

class AuthInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuthInterceptorFactory(TokenSource tokens) : tokens_(std::move(tokens)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    absl::string_view method = info->method();
    if (absl::StartsWith(method, "/grpc.health.") || absl::StartsWith(method, "/grpc.reflection."))
      return nullptr;
    return new AuthInterceptor(info, tokens_());
  }

 private:
  const TokenSource tokens_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> EnableCallAuth(
    TokenSource tokens) {
  enforcing = true;
  return std::make_unique<AuthInterceptorFactory>(std::move(tokens));
}

absl::Status CheckCallAuth(const grpc::ServerContextBase* context) {
  if (!enforcing) return absl::OkStatus();
  return Decisions::Get().Find(context);
}

}  // namespace salesops
