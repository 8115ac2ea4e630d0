#include "tools/salesctl/snapshot_upload.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace salesops::salesctl {
namespace {

class GrpcSnapshotSink : public SnapshotSink {
 public:
  GrpcSnapshotSink(v1::ReportingService::StubInterface& stub, grpc::ClientContext& context)
      : writer_(stub.UploadSnapshot(&context, &info_)) {}

  bool Write(const v1::UploadSnapshotRequest& message) override { return writer_->Write(message); }

  absl::StatusOr<v1::SnapshotInfo> Finish() override {
    writer_->WritesDone();
    grpc::Status status = writer_->Finish();
    if (!status.ok()) return FromGrpcStatus(status);
    return info_;
  }

 private:
  v1::SnapshotInfo info_;
  std::unique_ptr<grpc::ClientWriterInterface<v1::UploadSnapshotRequest>> writer_;
};

}  // namespace

std::unique_ptr<SnapshotSink> OpenUploadStream(v1::ReportingService::StubInterface& stub,
                                               grpc::ClientContext& context) {
  return std::make_unique<GrpcSnapshotSink>(stub, context);
}

absl::StatusOr<v1::SnapshotInfo> StreamCompany(const DemoCompany& company, SnapshotSink& sink,
                                               const ChunkLimits& limits,
                                               const UploadProgress& progress) {
  const size_t max_opportunities = static_cast<size_t>(std::max(1, limits.max_opportunities));
  const size_t max_bytes = std::max<size_t>(limits.max_bytes, 1);
  v1::UploadSnapshotRequest message;
  *message.mutable_header() = company.header;
  bool ok = sink.Write(message);

  // Territories and reps, then opportunities, each chunk cut by count and size.
  message.Clear();
  v1::SnapshotChunk* chunk = message.mutable_chunk();
  size_t bytes = 0;
  const int64_t total = static_cast<int64_t>(company.opportunities.size());
  int64_t sent = 0;  // opportunities written
  auto flush = [&]() {
    const int opportunities = chunk->opportunities_size();
    if (ok && (chunk->territories_size() > 0 || chunk->reps_size() > 0 || opportunities > 0)) {
      ok = sink.Write(message);
    }
    message.Clear();
    chunk = message.mutable_chunk();
    bytes = 0;
    if (ok && opportunities > 0) {
      sent += opportunities;
      if (progress) progress(sent, total);
    }
  };
  auto room_for = [&](size_t size) {
    if (bytes > 0 && bytes + size + 8 > max_bytes) flush();
    bytes += size + 8;  // with the field's tag and length
  };
  for (const auto& t : company.territories) {
    room_for(t.ByteSizeLong());
    *chunk->add_territories() = t;
  }
  for (const auto& r : company.reps) {
    room_for(r.ByteSizeLong());
    *chunk->add_reps() = r;
  }
  flush();
  for (const v1::Opportunity& o : company.opportunities) {
    if (!ok) break;
    room_for(o.ByteSizeLong());
    *chunk->add_opportunities() = o;
    if (static_cast<size_t>(chunk->opportunities_size()) >= max_opportunities) flush();
  }
  flush();
  // A failed Write means the server ended the call: Finish tells why.
  absl::StatusOr<v1::SnapshotInfo> info = sink.Finish();
  if (!info.ok()) return info.status();
  if (!ok) return absl::UnavailableError("upload stream closed early");
  return info;
}

absl::StatusOr<v1::SnapshotInfo> UploadCompany(v1::ReportingService::StubInterface& stub,
                                               grpc::ClientContext& context,
                                               const DemoCompany& company, int chunk_size,
                                               const UploadProgress& progress) {
  ChunkLimits limits;
  limits.max_opportunities = chunk_size;
  std::unique_ptr<SnapshotSink> sink = OpenUploadStream(stub, context);
  return StreamCompany(company, *sink, limits, progress);
}

absl::Status CheckUploadable(const CrmImport& import) {
  const v1::SnapshotHeader& header = import.company.header;
  if (!IsSet(header.as_of())) {
    return absl::InvalidArgumentError(absl::StrCat(
        import.directory, ": no as-of date: pass --as-of YYYY-MM-DD (the date of the export) or put "
        "\"as_of\" in ", kSnapshotFile));
  }
  if (header.currency_code().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(import.directory, ": no currency: pass --currency"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ImportAndUploadResult> ImportAndUpload(
    const std::string& directory, const ImportOptions& options,
    const std::function<std::unique_ptr<SnapshotSink>()>& open, const ChunkLimits& limits,
    const std::function<void(const CrmImport&)>& validated, const UploadProgress& progress) {
  ImportAndUploadResult result;
  {
    absl::StatusOr<CrmImport> imported = ImportCrmExport(directory, options);
    if (!imported.ok()) return imported.status();
    result.import = std::move(*imported);
  }
  if (absl::Status s = CheckUploadable(result.import); !s.ok()) return s;
  if (validated) validated(result.import);
  std::unique_ptr<SnapshotSink> sink = open();
  absl::StatusOr<v1::SnapshotInfo> info = StreamCompany(result.import.company, *sink, limits, progress);
  if (!info.ok()) return info.status();
  result.info = std::move(*info);
  return result;
}

}  // namespace salesops::salesctl
