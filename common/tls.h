// TLS credentials from PEM files. The files are parsed with OpenSSL at start before gRPC sees
// them, so a wrong path, a key that does not match its certificate or an expired certificate stops
// the process at start with a message that names the flag and the file (never its content),
// instead of failing every handshake later.
//
// A server then reads its files again every reload_seconds (gRPC's FileWatcherCertificateProvider),
// so a renewed certificate (cert-manager rewriting a mounted Secret) is used for new connections
// without a restart; connections already open keep theirs. A client may do the same (the services
// for their calls to each other; salesctl reads its files once). Replace the files together, in one
// atomic step, as the kubelet does (it switches a symlink to a new directory): gRPC does not check
// that a new key matches its certificate, and while a file cannot be read new handshakes fail.
#ifndef SALESOPS_COMMON_TLS_H_
#define SALESOPS_COMMON_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace salesops {

// A server's TLS files. TLS is on when cert_file and key_file are set; with client_ca_file too,
// every client must present a certificate signed by that CA (mutual TLS).
struct ServerTlsConfig {
  std::string cert_file;       // --tls-cert-file: the server's certificate chain (PEM)
  std::string key_file;        // --tls-key-file: its private key (PEM)
  std::string client_ca_file;  // --tls-client-ca-file: CA(s) client certificates must chain to
  int reload_seconds = 60;     // --tls-reload-seconds: how often the files are read again

  bool enabled() const { return !cert_file.empty() || !key_file.empty() || !client_ca_file.empty(); }
};

// TLS credentials for the config, or insecure ones when TLS is off.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsConfig& config);

// A client's TLS files. TLS is on when any is set; cert_file and key_file (mutual TLS) go together.
struct ClientTlsConfig {
  std::string ca_file;    // CA(s) the server's certificate must chain to (empty: system roots)
  std::string cert_file;  // the client's certificate, for servers that require one
  std::string key_file;   // its private key
  // > 0: the files are read again this often (with a ca_file); 0: once.
  int reload_seconds = 0;

  bool enabled() const { return !ca_file.empty() || !cert_file.empty() || !key_file.empty(); }
};

// The flag names a program uses for ClientTlsConfig, for error messages.
struct ClientTlsFlagNames {
  const char* ca_file = "--tls-ca-file";
  const char* cert_file = "--tls-cert-file";
  const char* key_file = "--tls-key-file";
};

// TLS channel credentials for the config, or insecure ones when TLS is off.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsConfig& config, const ClientTlsFlagNames& flags = {});

}  // namespace salesops

#endif  // SALESOPS_COMMON_TLS_H_
