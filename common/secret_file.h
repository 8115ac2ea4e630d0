// Reads the files that hold secrets and certificates (TLS keys, bearer tokens, Redis passwords),
// once at start. Errors name the flag and the path, never the content, so they are safe to log.
#ifndef SALESOPS_COMMON_SECRET_FILE_H_
#define SALESOPS_COMMON_SECRET_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace salesops {

// The whole file named by `flag` (e.g. "--tls-key-file"). FailedPrecondition when it cannot be
// read or is empty: "--tls-key-file /etc/tls/tls.key: cannot read (No such file or directory)".
absl::StatusOr<std::string> ReadSecretFile(absl::string_view flag, const std::string& path);

// As ReadSecretFile, without the trailing newline and spaces an editor or `echo` leaves behind:
// for one-line secrets (a token, a password).
absl::StatusOr<std::string> ReadOneLineSecret(absl::string_view flag, const std::string& path);

}  // namespace salesops

#endif  // SALESOPS_COMMON_SECRET_FILE_H_
