// The snapshot uploads in progress. Uploads are client streams that a client may open and then
// stall; each holds memory and a half-written upload in the store. The registry caps how many run
// at once (RESOURCE_EXHAUSTED beyond the cap) and a sweeper thread cancels any upload whose client
// has sent nothing for the idle timeout, so stalled clients cannot pile up.
#ifndef SALESOPS_SERVICES_REPORTING_UPLOAD_REGISTRY_H_
#define SALESOPS_SERVICES_REPORTING_UPLOAD_REGISTRY_H_

#include <chrono>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"

namespace salesops::reporting {

class UploadRegistry {
 public:
  UploadRegistry(int max_uploads, std::chrono::milliseconds idle_timeout);
  ~UploadRegistry();  // stops the sweeper

  // Registers an upload call; ResourceExhausted naming the limit when max_uploads are running.
  absl::Status Add(grpc::CallbackServerContext* context);
  // A message of the upload arrived.
  void Touch(grpc::CallbackServerContext* context);
  // The call is done (before its reactor is deleted).
  void Remove(grpc::CallbackServerContext* context);

  int active() const;

 private:
  void Sweep();

  const int max_uploads_;
  const std::chrono::milliseconds idle_timeout_;
  mutable absl::Mutex mu_;
  absl::CondVar stopping_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  // Each upload's last activity; a cancelled upload stays until its call is done.
  absl::flat_hash_map<grpc::CallbackServerContext*, std::chrono::steady_clock::time_point> last_seen_
      ABSL_GUARDED_BY(mu_);
  std::thread sweeper_;
};

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_UPLOAD_REGISTRY_H_
