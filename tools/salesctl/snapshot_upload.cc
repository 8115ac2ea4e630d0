#include "tools/salesctl/snapshot_upload.h"

#include <algorithm>

#include "common/grpc_status.h"

namespace salesops::salesctl {

absl::StatusOr<v1::SnapshotInfo> UploadCompany(v1::ReportingService::StubInterface& stub,
                                               grpc::ClientContext& context,
                                               const DemoCompany& company, int chunk_size,
                                               const UploadProgress& progress) {
  v1::SnapshotInfo info;
  auto writer = stub.UploadSnapshot(&context, &info);
  v1::UploadSnapshotRequest message;
  *message.mutable_header() = company.header;
  bool ok = writer->Write(message);
  message.Clear();
  auto* structure = message.mutable_chunk();
  for (const auto& t : company.territories) *structure->add_territories() = t;
  for (const auto& r : company.reps) *structure->add_reps() = r;
  ok = ok && writer->Write(message);
  const int64_t total = static_cast<int64_t>(company.opportunities.size());
  for (int64_t from = 0; ok && from < total; from += chunk_size) {
    message.Clear();
    auto* chunk = message.mutable_chunk();
    int64_t to = std::min<int64_t>(total, from + chunk_size);
    for (int64_t i = from; i < to; ++i) *chunk->add_opportunities() = company.opportunities[i];
    ok = writer->Write(message);
    if (ok && progress) progress(to, total);
  }
  // A failed Write means the server ended the call: Finish tells why.
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  if (!ok) return absl::UnavailableError("upload stream closed early");
  return info;
}

}  // namespace salesops::salesctl
