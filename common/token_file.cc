#include "common/token_file.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "common/secret_file.h"

namespace salesops {
namespace {

constexpr absl::string_view kFlag = "--auth-tokens-file";

absl::StatusOr<std::shared_ptr<const auth::TokenTable>> Parse(const std::string& path,
                                                              const std::string& text) {
  auto table = auth::TokenTable::Parse(text);
  if (!table.ok())
    return absl::InvalidArgumentError(
        absl::StrCat(kFlag, " ", path, ": ", table.status().message()));
  return std::make_shared<const auth::TokenTable>(std::move(*table));
}

}  // namespace

absl::StatusOr<std::shared_ptr<TokenFile>> TokenFile::Open(
    std::string path, std::chrono::milliseconds reload_interval) {
  auto text = ReadSecretFile(kFlag, path);
  if (!text.ok()) return text.status();
  auto tokens = Parse(path, *text);
  if (!tokens.ok()) return tokens.status();
  std::shared_ptr<TokenFile> file(new TokenFile(std::move(path), std::move(*text), *tokens));
  if (reload_interval.count() > 0)
    file->reloader_ = std::thread([f = file.get(), reload_interval] { f->ReloadEvery(reload_interval); });
  return file;
}

TokenFile::TokenFile(std::string path, std::string text,
                     std::shared_ptr<const auth::TokenTable> tokens)
    : path_(std::move(path)), text_(std::move(text)), tokens_(std::move(tokens)) {}

TokenFile::~TokenFile() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (reloader_.joinable()) reloader_.join();
}

std::shared_ptr<const auth::TokenTable> TokenFile::Current() const {
  absl::MutexLock lock(&mu_);
  return tokens_;
}

absl::Status TokenFile::Reload() {
  auto text = ReadSecretFile(kFlag, path_);
  if (!text.ok()) return text.status();
  {
    absl::MutexLock lock(&mu_);
    if (*text == text_) return absl::OkStatus();
  }
  auto tokens = Parse(path_, *text);
  if (!tokens.ok()) return tokens.status();
  const size_t count = (*tokens)->size();
  {
    absl::MutexLock lock(&mu_);
    text_ = std::move(*text);
    tokens_ = std::move(*tokens);
  }
  log::Info("auth_tokens_reloaded", {{"file", path_}, {"tokens", count}});
  return absl::OkStatus();
}

void TokenFile::ReloadEvery(std::chrono::milliseconds interval) {
  std::string last_error;  // logged once, not every interval
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stop_), absl::FromChrono(interval))) return;
    }
    absl::Status status = Reload();
    if (!status.ok() && status.ToString() != last_error)
      log::Error("auth_tokens_reload_failed",
                 {{"error", status.ToString()}, {"kept", "the tokens in use"}});
    last_error = status.ok() ? "" : status.ToString();
  }
}

}  // namespace salesops
