// Runs a gRPC server the way every salesops service needs it: callback services, the standard
// health service and reflection, keepalive and max-connection-age arguments (so clients rebalance
// onto new pods), Prometheus metrics on their own port, and a graceful drain on SIGTERM/SIGINT
// (health NOT_SERVING, then Shutdown with a deadline so in-flight calls finish).
#ifndef SALESOPS_COMMON_SERVER_H_
#define SALESOPS_COMMON_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "grpcpp/server.h"
#include "grpcpp/impl/codegen/service_type.h"

namespace CLI {
class App;
}

namespace salesops {

struct ServerConfig {
  // gRPC listen address. Port 0 picks a free port (see ready_file).
  std::string listen = "127.0.0.1:0";
  // Prometheus /metrics listen address; empty disables it.
  std::string metrics_listen = "127.0.0.1:0";
  // When set, a JSON file {"grpc_port": N, "metrics_port": M, "pid": P} is written here once the
  // server accepts calls, so scripts and tests can find ports chosen by the kernel.
  std::string ready_file;
  // Grace period for in-flight calls on shutdown.
  int drain_seconds = 20;
  // Connections are closed (gracefully) after this age, so clients re-resolve and spread load.
  int max_connection_age_seconds = 300;
  int max_connection_age_grace_seconds = 30;
  int keepalive_time_seconds = 60;
  // Threads for request handlers (0: 4 per core, at least 8).
  int handler_threads = 0;
  // Deadline applied to calls to other services when the caller set none.
  int default_deadline_ms = 30000;
  // Largest accepted request message.
  int max_receive_message_bytes = 64 << 20;
  std::string log_level = "info";

  // handler_threads, or its default when 0.
  int ResolvedHandlerThreads() const;
};

// Adds the flags above, each with an environment fallback (SALESOPS_LISTEN, SALESOPS_METRICS_LISTEN,
// SALESOPS_READY_FILE, SALESOPS_DRAIN_SECONDS, ...).
void AddServerFlags(CLI::App& app, ServerConfig& config);

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts later. Call first
// thing in main(), before any thread exists, so WaitForTerminationSignal can receive them.
void BlockTerminationSignals();

class ServerRunner {
 public:
  explicit ServerRunner(ServerConfig config);
  ~ServerRunner();

  // Services must outlive the runner.
  void AddService(grpc::Service* service);

  // Builds and starts the server, serves metrics, writes the ready file.
  absl::Status Start();

  // Waits for SIGTERM or SIGINT, then drains and shuts down.
  void RunUntilSignal();

  // Drain: health NOT_SERVING, then Shutdown with drain_seconds for in-flight calls.
  void Shutdown();

  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }

 private:
  ServerConfig config_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  int metrics_port_ = 0;
};

// A service binary's last step: starts a server for `services`, serves until SIGTERM or SIGINT,
// drains, and returns the process exit code (1 when the server could not start).
int ServeUntilSignal(const ServerConfig& config, const std::vector<grpc::Service*>& services);

}  // namespace salesops

#endif  // SALESOPS_COMMON_SERVER_H_
