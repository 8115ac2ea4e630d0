// Streams a company's CRM data to ReportingService.UploadSnapshot in chunks, and the whole of
// `salesctl import --upload`: read and validate an export, and only then send it.
#ifndef SALESOPS_TOOLS_SALESCTL_SNAPSHOT_UPLOAD_H_
#define SALESOPS_TOOLS_SALESCTL_SNAPSHOT_UPLOAD_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/client_context.h"
#include "salesops/v1/reporting.grpc.pb.h"
#include "tools/salesctl/crm_csv.h"
#include "tools/salesctl/demo_data.h"

namespace salesops::salesctl {

// Called after each chunk with (opportunities sent, total).
using UploadProgress = std::function<void(int64_t sent, int64_t total)>;

// Where the messages of an upload go: a ReportingService.UploadSnapshot stream, or a test's list.
class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  // False when the stream is broken (Finish says why).
  virtual bool Write(const v1::UploadSnapshotRequest& message) = 0;
  // Ends the stream and returns the server's answer.
  virtual absl::StatusOr<v1::SnapshotInfo> Finish() = 0;
};

// An UploadSnapshot call on `stub`; the call starts when this is called.
std::unique_ptr<SnapshotSink> OpenUploadStream(v1::ReportingService::StubInterface& stub,
                                               grpc::ClientContext& context);

// How opportunities are cut into chunks: at most `max_opportunities` and about `max_bytes` of
// serialized entities per chunk (the server takes at most 4 MiB per message).
struct ChunkLimits {
  int max_opportunities = 5000;
  size_t max_bytes = 3u << 20;
};

// Sends the header, then the territories and reps, then the opportunities in chunks, then
// finishes the stream. The snapshot id depends only on the content, not on the chunking.
absl::StatusOr<v1::SnapshotInfo> StreamCompany(const DemoCompany& company, SnapshotSink& sink,
                                               const ChunkLimits& limits = {},
                                               const UploadProgress& progress = nullptr);

// StreamCompany over an UploadSnapshot call, `chunk_size` opportunities at a time.
absl::StatusOr<v1::SnapshotInfo> UploadCompany(v1::ReportingService::StubInterface& stub,
                                               grpc::ClientContext& context,
                                               const DemoCompany& company, int chunk_size = 5000,
                                               const UploadProgress& progress = nullptr);

// OK when a read export can be uploaded: it has an as-of date and a currency.
absl::Status CheckUploadable(const CrmImport& import);

// `salesctl import --upload`: ImportCrmExport (every row of every file checked), CheckUploadable,
// then `validated` (to print the summary), and only then `open` a stream and StreamCompany it.
// On any error in the export nothing is opened, let alone sent: the snapshot uploads whole or
// not at all (the server keeps nothing of a stream that does not finish).
struct ImportAndUploadResult {
  CrmImport import;
  v1::SnapshotInfo info;
};
absl::StatusOr<ImportAndUploadResult> ImportAndUpload(
    const std::string& directory, const ImportOptions& options,
    const std::function<std::unique_ptr<SnapshotSink>()>& open, const ChunkLimits& limits = {},
    const std::function<void(const CrmImport&)>& validated = nullptr,
    const UploadProgress& progress = nullptr);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_SNAPSHOT_UPLOAD_H_
