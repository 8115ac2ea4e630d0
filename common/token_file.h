// The bearer-token file (--auth-tokens-file, format in common/auth.h), read at start and again
// every reload interval, so a token added to or removed from it takes effect without a restart.
// In Kubernetes the file is a mounted Secret, which the kubelet updates in place (within about a
// minute of `kubectl apply`); anywhere else, replace the file (write a new one and rename it over
// the old, or edit it).
//
// A reload that cannot read or parse the file keeps the tokens in use and logs why (the flag, the
// path, the line and what is wrong with it; never the content); the next reload tries again. An
// unchanged file is not parsed again.
#ifndef SALESOPS_COMMON_TOKEN_FILE_H_
#define SALESOPS_COMMON_TOKEN_FILE_H_

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/auth.h"

namespace salesops {

class TokenFile {
 public:
  // Reads and parses the file now (an error names the flag and the path and stops the start); then,
  // with a positive `reload_interval`, reads it again that often on a thread of its own.
  static absl::StatusOr<std::shared_ptr<TokenFile>> Open(std::string path,
                                                         std::chrono::milliseconds reload_interval);
  // Stops the reloading thread.
  ~TokenFile();
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;

  // The tokens in use. A call keeps what it got for its whole life, a reload notwithstanding.
  std::shared_ptr<const auth::TokenTable> Current() const;

  // Reads the file again now: OK (and the tokens replaced) when it parsed or had not changed; else
  // the error, with the tokens in use kept.
  absl::Status Reload();

 private:
  TokenFile(std::string path, std::string text, std::shared_ptr<const auth::TokenTable> tokens);
  void ReloadEvery(std::chrono::milliseconds interval);

  const std::string path_;
  mutable absl::Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);  // the content the tokens in use came from
  std::shared_ptr<const auth::TokenTable> tokens_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread reloader_;
};

}  // namespace salesops

#endif  // SALESOPS_COMMON_TOKEN_FILE_H_
