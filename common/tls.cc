#include "common/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "absl/strings/str_cat.h"
#include "common/secret_file.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace salesops {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Certificate = std::unique_ptr<X509, X509Free>;
using PrivateKey = std::unique_ptr<EVP_PKEY, KeyFree>;

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

absl::Status Bad(const char* flag, const std::string& path, absl::string_view why) {
  ERR_clear_error();
  return absl::FailedPreconditionError(absl::StrCat(flag, " ", path, ": ", why));
}

// A PEM file's content after checking that it holds at least one certificate, none expired; the
// first one in *first when asked for.
absl::StatusOr<std::string> ReadCertificates(const char* flag, const std::string& path,
                                             Certificate* first = nullptr) {
  auto pem = ReadSecretFile(flag, path);
  if (!pem.ok()) return pem.status();
  auto bio = MemoryBio(*pem);
  int count = 0;
  while (Certificate cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0)
      return Bad(flag, path, absl::StrCat("certificate ", count + 1, " has expired"));
    if (count++ == 0 && first != nullptr) *first = std::move(cert);
  }
  if (count == 0) return Bad(flag, path, "no PEM certificate in the file");
  ERR_clear_error();  // the loop ends on a "no start line" error
  return pem;
}

// A PEM private key's content after checking that it parses and belongs to `cert`.
absl::StatusOr<std::string> ReadKey(const char* flag, const std::string& path, X509* cert,
                                    const char* cert_flag) {
  auto pem = ReadSecretFile(flag, path);
  if (!pem.ok()) return pem.status();
  auto bio = MemoryBio(*pem);
  PrivateKey key{PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)};
  if (!key) return Bad(flag, path, "no PEM private key in the file (or it is encrypted)");
  if (X509_check_private_key(cert, key.get()) != 1)
    return Bad(flag, path, absl::StrCat("does not match the certificate of ", cert_flag));
  return pem;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsConfig& config) {
  if (!config.enabled()) return grpc::InsecureServerCredentials();
  if (config.cert_file.empty() || config.key_file.empty())
    return absl::InvalidArgumentError(
        "TLS needs both --tls-cert-file and --tls-key-file (and --tls-client-ca-file for mutual TLS)");
  Certificate cert;
  auto chain = ReadCertificates("--tls-cert-file", config.cert_file, &cert);
  if (!chain.ok()) return chain.status();
  auto key = ReadKey("--tls-key-file", config.key_file, cert.get(), "--tls-cert-file");
  if (!key.ok()) return key.status();
  if (!config.client_ca_file.empty()) {
    auto roots = ReadCertificates("--tls-client-ca-file", config.client_ca_file);
    if (!roots.ok()) return roots.status();
  }
  if (config.reload_seconds < 1)
    return absl::InvalidArgumentError("--tls-reload-seconds: must be at least 1");
  // The files are good: from here on gRPC reads them, now and every reload_seconds.
  auto files = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      config.key_file, config.cert_file, config.client_ca_file, config.reload_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(files);
  options.watch_identity_key_cert_pairs();
  if (config.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsConfig& config, const ClientTlsFlagNames& flags) {
  if (!config.enabled()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  if (!config.ca_file.empty()) {
    auto roots = ReadCertificates(flags.ca_file, config.ca_file);
    if (!roots.ok()) return roots.status();
    options.pem_root_certs = *roots;
  }
  if (config.cert_file.empty() != config.key_file.empty())
    return absl::InvalidArgumentError(absl::StrCat("a client certificate needs both ",
                                                   flags.cert_file, " and ", flags.key_file));
  if (!config.cert_file.empty()) {
    Certificate cert;
    auto chain = ReadCertificates(flags.cert_file, config.cert_file, &cert);
    if (!chain.ok()) return chain.status();
    auto key = ReadKey(flags.key_file, config.key_file, cert.get(), flags.cert_file);
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *chain;
    options.pem_private_key = *key;
  }
  if (config.reload_seconds <= 0 || config.ca_file.empty()) return grpc::SslCredentials(options);
  // The files are good: from here on gRPC reads them, now and every reload_seconds.
  auto files = config.cert_file.empty()
                   ? std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
                         config.ca_file, config.reload_seconds)
                   : std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
                         config.key_file, config.cert_file, config.ca_file, config.reload_seconds);
  grpc::experimental::TlsChannelCredentialsOptions tls;
  tls.set_certificate_provider(files);
  tls.watch_root_certs();
  if (!config.cert_file.empty()) tls.watch_identity_key_cert_pairs();
  // As SslCredentials: the chain must lead to the CA and the certificate must name the target.
  tls.set_verify_server_certs(true);
  tls.set_certificate_verifier(std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  return grpc::experimental::TlsCredentials(tls);
}

}  // namespace salesops
