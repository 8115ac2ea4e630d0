// What a client presents to a salesops server: TLS settings (the CA that signed the server's
// certificate, and a client certificate for servers that require one) and a bearer token. Used by
// the services for their calls to other services and by salesctl; MakeServiceChannel
// (common/rpc.h) puts the token on every call of the channel.
#ifndef SALESOPS_COMMON_CALLER_CREDENTIALS_H_
#define SALESOPS_COMMON_CALLER_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/tls.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_interceptor.h"

namespace CLI {
class App;
}

namespace salesops {

struct CallerCredentials {
  std::shared_ptr<grpc::ChannelCredentials> channel = grpc::InsecureChannelCredentials();
  std::string bearer_token;  // empty: calls carry no token
};

// A service's credentials for calling other services.
struct ServiceCallerConfig {
  ClientTlsConfig tls{.ca_file = {}, .cert_file = {}, .key_file = {}, .reload_seconds = 60};
  std::string token_file;
};

// --service-tls-ca-file, --service-tls-cert-file, --service-tls-key-file, --service-token-file,
// with the environment fallbacks SALESOPS_SERVICE_TLS_CA_FILE, ..._CERT_FILE, ..._KEY_FILE and
// SALESOPS_SERVICE_TOKEN_FILE.
void AddServiceCallerFlags(CLI::App& app, ServiceCallerConfig& config);

// Reads the TLS files and the token file (when set); errors name the flag and the file.
absl::StatusOr<CallerCredentials> LoadCaller(const ClientTlsConfig& tls,
                                             const ClientTlsFlagNames& tls_flags,
                                             const char* token_flag, const std::string& token_file);

// LoadCaller for the service flags above.
absl::StatusOr<CallerCredentials> LoadServiceCaller(const ServiceCallerConfig& config);

// A client interceptor that adds "authorization: Bearer <token>" to every call.
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> BearerTokenInterceptor(
    std::string token);

}  // namespace salesops

#endif  // SALESOPS_COMMON_CALLER_CREDENTIALS_H_
