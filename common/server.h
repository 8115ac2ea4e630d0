// Runs a gRPC server the way every salesops service needs it: callback services, the standard
// health service and reflection, keepalive and max-connection-age arguments (so clients rebalance
// onto new pods), Prometheus metrics on their own port, and a graceful drain on SIGTERM/SIGINT
// (health NOT_SERVING, then Shutdown with a deadline so in-flight calls finish).
//
// Security (README, "Security"): TLS or mutual TLS from PEM files; bearer tokens checked on every
// call (common/call_auth.h); no plaintext listening beyond loopback unless allowed; and an optional
// plaintext health port that serves grpc.health.v1.Health and nothing else, for probes.
#ifndef SALESOPS_COMMON_SERVER_H_
#define SALESOPS_COMMON_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/tls.h"
#include "grpcpp/server.h"
#include "grpcpp/impl/codegen/service_type.h"

namespace CLI {
class App;
}

namespace salesops {

class HealthPortService;

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

  // TLS for the gRPC port (mutual TLS with client_ca_file).
  ServerTlsConfig tls;
  // Without TLS a server listens only on loopback unless this is set (a mesh terminates TLS).
  bool allow_insecure_listen = false;
  // Bearer tokens (common/auth.h); empty: every caller is let in (a warning at start).
  std::string auth_tokens_file;
  // How often the token file is read again (common/token_file.h); 0: only at start.
  int auth_tokens_reload_seconds = 10;
  // A plaintext port with only the health service, for probes; empty: none.
  std::string health_listen;
  // Server reflection on the gRPC port.
  bool reflection = true;

  // handler_threads, or its default when 0.
  int ResolvedHandlerThreads() const;
};

// Adds the flags above, each with an environment fallback (SALESOPS_LISTEN, SALESOPS_METRICS_LISTEN,
// SALESOPS_READY_FILE, SALESOPS_DRAIN_SECONDS, ..., SALESOPS_TLS_CERT_FILE, SALESOPS_TLS_KEY_FILE,
// SALESOPS_TLS_CLIENT_CA_FILE, SALESOPS_ALLOW_INSECURE_LISTEN, SALESOPS_AUTH_TOKENS_FILE,
// SALESOPS_HEALTH_LISTEN, SALESOPS_REFLECTION).
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

  // Reads the TLS and token files, builds and starts the server (and the health port), serves
  // metrics, writes the ready file. Fails, naming the flag, on a missing or bad file and on a
  // plaintext non-loopback listen address without --allow-insecure-listen.
  absl::Status Start();

  // Waits for SIGTERM or SIGINT, then drains and shuts down.
  void RunUntilSignal();

  // Drain: health NOT_SERVING, then Shutdown with drain_seconds for in-flight calls.
  void Shutdown();

  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  int health_port() const { return health_port_; }

 private:
  // Sets the health of both ports.
  void SetServing(bool serving);

  ServerConfig config_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HealthPortService> health_service_;
  std::unique_ptr<grpc::Server> health_server_;
  int port_ = 0;
  int metrics_port_ = 0;
  int health_port_ = 0;
};

// A service binary's last step: starts a server for `services`, serves until SIGTERM or SIGINT,
// drains, and returns the process exit code (1 when the server could not start).
int ServeUntilSignal(const ServerConfig& config, const std::vector<grpc::Service*>& services);

}  // namespace salesops

#endif  // SALESOPS_COMMON_SERVER_H_
