#include "services/reporting/upload_registry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace salesops::reporting {

UploadRegistry::UploadRegistry(int max_uploads, std::chrono::milliseconds idle_timeout)
    : max_uploads_(max_uploads), idle_timeout_(idle_timeout), sweeper_([this] { Sweep(); }) {}

UploadRegistry::~UploadRegistry() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    stopping_.Signal();
  }
  sweeper_.join();
}

absl::Status UploadRegistry::Add(grpc::CallbackServerContext* context) {
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(last_seen_.size()) >= max_uploads_)
    return absl::ResourceExhaustedError(
        absl::StrCat(max_uploads_, " uploads are in progress, the limit (max_concurrent_uploads); "
                                   "retry when one has finished"));
  last_seen_[context] = std::chrono::steady_clock::now();
  return absl::OkStatus();
}

void UploadRegistry::Touch(grpc::CallbackServerContext* context) {
  absl::MutexLock lock(&mu_);
  auto it = last_seen_.find(context);
  if (it != last_seen_.end() && it->second != std::chrono::steady_clock::time_point::max())
    it->second = std::chrono::steady_clock::now();
}

void UploadRegistry::Remove(grpc::CallbackServerContext* context) {
  absl::MutexLock lock(&mu_);
  last_seen_.erase(context);
}

int UploadRegistry::active() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(last_seen_.size());
}

void UploadRegistry::Sweep() {
  // Checking four times per timeout cancels a stalled upload within 1.25 timeouts.
  const auto period = std::max(std::chrono::milliseconds(50), idle_timeout_ / 4);
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    stopping_.WaitWithTimeout(&mu_, absl::FromChrono(period));
    const auto now = std::chrono::steady_clock::now();
    for (auto& [context, seen] : last_seen_) {
      if (seen == std::chrono::steady_clock::time_point::max() || now - seen < idle_timeout_) continue;
      // Safe under mu_: Remove (called before the reactor goes away) waits for us.
      context->TryCancel();
      seen = std::chrono::steady_clock::time_point::max();  // cancelled once
      log::Warn("upload_cancelled_idle",
                {{"idle_ms", std::chrono::duration_cast<std::chrono::milliseconds>(idle_timeout_).count()}});
    }
  }
}

}  // namespace salesops::reporting
