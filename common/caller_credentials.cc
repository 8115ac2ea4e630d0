#include "common/caller_credentials.h"

#include "CLI/CLI.hpp"
#include "common/secret_file.h"

namespace salesops {
namespace {

class BearerToken : public grpc::experimental::Interceptor {
 public:
  explicit BearerToken(const std::string* header) : header_(header) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("authorization", *header_);
    }
    methods->Proceed();
  }

 private:
  const std::string* header_;  // owned by the factory, which outlives the channel's calls
};

class BearerTokenFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenFactory(std::string token) : header_("Bearer " + token) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new BearerToken(&header_);
  }

 private:
  const std::string header_;
};

}  // namespace

void AddServiceCallerFlags(CLI::App& app, ServiceCallerConfig& c) {
  app.add_option("--service-tls-ca-file", c.tls.ca_file,
                 "calls to other services: CA that signed their certificates (turns TLS on)")
      ->envname("SALESOPS_SERVICE_TLS_CA_FILE");
  app.add_option("--service-tls-cert-file", c.tls.cert_file,
                 "calls to other services: this service's client certificate (mutual TLS)")
      ->envname("SALESOPS_SERVICE_TLS_CERT_FILE");
  app.add_option("--service-tls-key-file", c.tls.key_file,
                 "calls to other services: the client certificate's private key")
      ->envname("SALESOPS_SERVICE_TLS_KEY_FILE");
  app.add_option("--service-tls-reload-seconds", c.tls.reload_seconds,
                 "calls to other services: read those TLS files again this often")
      ->envname("SALESOPS_SERVICE_TLS_RELOAD_SECONDS")->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--service-token-file", c.token_file,
                 "calls to other services: file holding this service's bearer token")
      ->envname("SALESOPS_SERVICE_TOKEN_FILE");
}

absl::StatusOr<CallerCredentials> LoadCaller(const ClientTlsConfig& tls,
                                             const ClientTlsFlagNames& tls_flags,
                                             const char* token_flag, const std::string& token_file) {
  CallerCredentials caller;
  auto channel = MakeChannelCredentials(tls, tls_flags);
  if (!channel.ok()) return channel.status();
  caller.channel = *channel;
  if (!token_file.empty()) {
    auto token = ReadOneLineSecret(token_flag, token_file);
    if (!token.ok()) return token.status();
    caller.bearer_token = *token;
  }
  return caller;
}

absl::StatusOr<CallerCredentials> LoadServiceCaller(const ServiceCallerConfig& config) {
  return LoadCaller(config.tls,
                    {"--service-tls-ca-file", "--service-tls-cert-file", "--service-tls-key-file"},
                    "--service-token-file", config.token_file);
}

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> BearerTokenInterceptor(
    std::string token) {
  return std::make_unique<BearerTokenFactory>(std::move(token));
}

}  // namespace salesops
