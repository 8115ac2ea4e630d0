#include "common/secret_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace salesops {

absl::StatusOr<std::string> ReadSecretFile(absl::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat(flag, " ", path, ": cannot read (", std::strerror(errno), ")"));
  }
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::FailedPreconditionError(absl::StrCat(flag, " ", path, ": read error"));
  std::string text = content.str();
  if (absl::StripAsciiWhitespace(text).empty())
    return absl::FailedPreconditionError(absl::StrCat(flag, " ", path, ": the file is empty"));
  return text;
}

absl::StatusOr<std::string> ReadOneLineSecret(absl::string_view flag, const std::string& path) {
  auto text = ReadSecretFile(flag, path);
  if (!text.ok()) return text.status();
  std::string secret(absl::StripAsciiWhitespace(*text));
  if (secret.find_first_of("\r\n") != std::string::npos)
    return absl::FailedPreconditionError(
        absl::StrCat(flag, " ", path, ": expected one line, found several"));
  return secret;
}

}  // namespace salesops
