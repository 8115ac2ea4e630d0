// Streams a company's CRM data to ReportingService.UploadSnapshot in chunks.
#ifndef SALESOPS_TOOLS_SALESCTL_SNAPSHOT_UPLOAD_H_
#define SALESOPS_TOOLS_SALESCTL_SNAPSHOT_UPLOAD_H_

#include <functional>

#include "absl/status/statusor.h"
#include "grpcpp/client_context.h"
#include "salesops/v1/reporting.grpc.pb.h"
#include "tools/salesctl/demo_data.h"

namespace salesops::salesctl {

// Called after each chunk with (opportunities sent, total).
using UploadProgress = std::function<void(int64_t sent, int64_t total)>;

// Sends the header, then the territories and reps, then the opportunities `chunk_size` at a time.
// The snapshot id depends only on the content, not on the chunking.
absl::StatusOr<v1::SnapshotInfo> UploadCompany(v1::ReportingService::StubInterface& stub,
                                               grpc::ClientContext& context,
                                               const DemoCompany& company, int chunk_size = 5000,
                                               const UploadProgress& progress = nullptr);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_SNAPSHOT_UPLOAD_H_
