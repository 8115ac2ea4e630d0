// The plaintext health port's one service: grpc.health.v1.Health/Check, answering SERVING or
// NOT_SERVING for the whole server (service ""), NOT_FOUND for any other name. Watch is not
// offered (UNIMPLEMENTED); Kubernetes' gRPC probes and grpc_health_probe use Check.
//
// The port gets its own small implementation rather than gRPC's default health service, because
// that one is switched on process-wide and needs a server with other services to be polled; this
// way the port serves exactly this and nothing else.
#ifndef SALESOPS_COMMON_HEALTH_PORT_H_
#define SALESOPS_COMMON_HEALTH_PORT_H_

#include <atomic>

#include "health.grpc.pb.h"

namespace salesops {

class HealthPortService final : public grpc::health::v1::Health::CallbackService {
 public:
  void SetServing(bool serving) { serving_ = serving; }

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;

 private:
  std::atomic<bool> serving_{false};
};

}  // namespace salesops

#endif  // SALESOPS_COMMON_HEALTH_PORT_H_
