// Conversion between absl::Status (used everywhere inside) and grpc::Status (only at the edge).
#ifndef SALESOPS_COMMON_GRPC_STATUS_H_
#define SALESOPS_COMMON_GRPC_STATUS_H_

#include <string_view>

#include "absl/strings/string_view.h"
#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace salesops {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// The status of a failed call to another service, with the service named in the message:
// "quota service: NOT_FOUND: plan p-123". UNAVAILABLE and DEADLINE_EXCEEDED keep their codes, so
// callers can tell a downstream outage from a bad request.
absl::Status DownstreamError(absl::string_view service, const grpc::Status& status);

}  // namespace salesops

#endif  // SALESOPS_COMMON_GRPC_STATUS_H_
