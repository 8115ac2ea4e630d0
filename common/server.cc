#include "common/server.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/health_port.h"
#include "common/call_auth.h"
#include "common/listen_address.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/token_file.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/server_interceptor.h"

namespace salesops {
namespace {

// Records every RPC's receipt, status code and latency (health checks and reflection excluded).
class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method()), start_(std::chrono::steady_clock::now()) {
    Metrics::Get().RecordRpcStarted(method_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      Metrics::Get().RecordRpc(method_, status.error_code(), seconds);
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  std::chrono::steady_clock::time_point start_;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    absl::string_view method = info->method();
    if (absl::StartsWith(method, "/grpc.health.") || absl::StartsWith(method, "/grpc.reflection."))
      return nullptr;
    return new MetricsInterceptor(info);
  }
};

// Sets which builder plugins a server gets. grpc::reflection::InitProtoReflectionServerBuilderPlugin
// would register reflection for every server of the process, the health port's too; instead the
// main server adds the plugin itself, and the health port drops it should anyone have registered
// it globally.
class ReflectionOption : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool on) : on_(on) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    std::erase_if(*plugins, [](const auto& p) { return p->name() == "proto_server_reflection"; });
    if (on_) plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
  }

 private:
  const bool on_;
};

// The health port: no reflection, and not gRPC's default health service (switched on for the
// whole process) but our own (common/health_port.h), so the port serves exactly one service.
class HealthPortOption : public ReflectionOption {
 public:
  HealthPortOption() : ReflectionOption(false) {}
  void UpdateArguments(grpc::ChannelArguments* args) override {
    args->SetPointer(grpc::kHealthCheckServiceInterfaceArg, nullptr);
  }
};

absl::Status WriteReadyFile(const std::string& path, int grpc_port, int metrics_port,
                            int health_port) {
  // Write then rename, so a reader never sees a half-written file.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"grpc_port\": " << grpc_port << ", \"metrics_port\": " << metrics_port
        << ", \"health_port\": " << health_port << ", \"pid\": " << ::getpid() << "}\n";
    if (!out) return absl::InternalError("cannot write ready file " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return absl::InternalError("cannot rename ready file to " + path);
  return absl::OkStatus();
}

}  // namespace

void AddServerFlags(CLI::App& app, ServerConfig& c) {
  app.add_option("--listen", c.listen, "gRPC listen address (port 0 picks one)")
      ->envname("SALESOPS_LISTEN")
      ->capture_default_str();
  app.add_option("--metrics-listen", c.metrics_listen, "Prometheus /metrics address; empty: off")
      ->envname("SALESOPS_METRICS_LISTEN")
      ->capture_default_str();
  app.add_option("--ready-file", c.ready_file, "write {grpc_port, metrics_port, pid} here when up")
      ->envname("SALESOPS_READY_FILE");
  app.add_option("--drain-seconds", c.drain_seconds, "grace for in-flight calls on SIGTERM")
      ->envname("SALESOPS_DRAIN_SECONDS")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  app.add_option("--max-connection-age-seconds", c.max_connection_age_seconds,
                 "close client connections after this age so they rebalance")
      ->envname("SALESOPS_MAX_CONNECTION_AGE_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--keepalive-seconds", c.keepalive_time_seconds, "keepalive ping interval")
      ->envname("SALESOPS_KEEPALIVE_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--handler-threads", c.handler_threads, "request handler threads (0: auto)")
      ->envname("SALESOPS_HANDLER_THREADS")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app.add_option("--default-deadline-ms", c.default_deadline_ms,
                 "deadline for downstream calls when the caller set none")
      ->envname("SALESOPS_DEFAULT_DEADLINE_MS")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  app.add_option("--max-receive-message-bytes", c.max_receive_message_bytes,
                 "largest accepted request")
      ->envname("SALESOPS_MAX_RECEIVE_MESSAGE_BYTES")
      ->check(CLI::Range(1024, 1 << 30))
      ->capture_default_str();
  app.add_option("--log-level", c.log_level, "debug, info, warn or error")
      ->envname("SALESOPS_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--tls-cert-file", c.tls.cert_file, "TLS: the server's certificate chain (PEM)")
      ->envname("SALESOPS_TLS_CERT_FILE");
  app.add_option("--tls-key-file", c.tls.key_file, "TLS: the server's private key (PEM)")
      ->envname("SALESOPS_TLS_KEY_FILE");
  app.add_option("--tls-client-ca-file", c.tls.client_ca_file,
                 "mutual TLS: clients must present a certificate signed by this CA (PEM)")
      ->envname("SALESOPS_TLS_CLIENT_CA_FILE");
  app.add_option("--tls-reload-seconds", c.tls.reload_seconds,
                 "TLS: read the certificate, key and client CA files again this often")
      ->envname("SALESOPS_TLS_RELOAD_SECONDS")->check(CLI::Range(1, 86400))->capture_default_str();
  app.add_flag("--allow-insecure-listen", c.allow_insecure_listen,
               "allow plaintext on a non-loopback address (a mesh terminates TLS)")
      ->envname("SALESOPS_ALLOW_INSECURE_LISTEN");
  app.add_option("--auth-tokens-file", c.auth_tokens_file,
                 "bearer tokens: lines <sha256-hex> <caller> <role,...>; empty: no auth")
      ->envname("SALESOPS_AUTH_TOKENS_FILE");
  app.add_option("--auth-tokens-reload-seconds", c.auth_tokens_reload_seconds,
                 "read the token file again this often (0: only at start)")
      ->envname("SALESOPS_AUTH_TOKENS_RELOAD_SECONDS")->check(CLI::Range(0, 86400))
      ->capture_default_str();
  app.add_option("--health-listen", c.health_listen,
                 "plaintext address serving only the health service (probes); empty: none")
      ->envname("SALESOPS_HEALTH_LISTEN");
  app.add_option("--reflection", c.reflection, "server reflection on the gRPC port (true/false)")
      ->envname("SALESOPS_REFLECTION")
      ->capture_default_str();
}

int ServerConfig::ResolvedHandlerThreads() const {
  if (handler_threads > 0) return handler_threads;
  return std::max(8, 4 * static_cast<int>(std::thread::hardware_concurrency()));
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ServerRunner::ServerRunner(ServerConfig config) : config_(std::move(config)) {}

ServerRunner::~ServerRunner() {
  if (server_) Shutdown();
}

void ServerRunner::AddService(grpc::Service* service) { services_.push_back(service); }

absl::Status ServerRunner::Start() {
  // Everything that can be wrong with the configuration is found before anything listens.
  auto credentials = MakeServerCredentials(config_.tls);
  if (!credentials.ok()) return credentials.status();
  if (!config_.tls.enabled() && !config_.allow_insecure_listen &&
      !IsLoopbackListenAddress(config_.listen)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to listen on ", config_.listen, " without TLS: set --tls-cert-file and "
        "--tls-key-file, or --allow-insecure-listen (SALESOPS_ALLOW_INSECURE_LISTEN) when a mesh "
        "terminates TLS"));
  }
  std::shared_ptr<TokenFile> tokens;
  if (!config_.auth_tokens_file.empty()) {
    auto opened = TokenFile::Open(config_.auth_tokens_file,
                                  std::chrono::seconds(config_.auth_tokens_reload_seconds));
    if (!opened.ok()) return opened.status();
    tokens = *opened;
  }
  grpc::EnableDefaultHealthCheckService(true);

  grpc::ServerBuilder builder;
  builder.AddListeningPort(config_.listen, *credentials, &port_);
  for (grpc::Service* s : services_) builder.RegisterService(s);
  builder.SetOption(std::make_unique<ReflectionOption>(config_.reflection));
  builder.SetMaxReceiveMessageSize(config_.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(config_.max_receive_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             config_.max_connection_age_seconds * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             config_.max_connection_age_grace_seconds * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, config_.keepalive_time_seconds * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  // Accept client keepalive pings as often as every 10 s.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>());
  if (tokens) interceptors.push_back(EnableCallAuth([tokens] { return tokens->Current(); }));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    server_.reset();
    return absl::UnavailableError("cannot listen on " + config_.listen);
  }
  if (!config_.health_listen.empty()) {
    // Only the (default) health service: no reflection, no salesops service, no interceptors.
    grpc::ServerBuilder health;
    health.AddListeningPort(config_.health_listen, grpc::InsecureServerCredentials(), &health_port_);
    health.SetOption(std::make_unique<HealthPortOption>());
    health_service_ = std::make_unique<HealthPortService>();
    health.RegisterService(health_service_.get());
    health_server_ = health.BuildAndStart();
    if (!health_server_ || health_port_ == 0) {
      health_server_.reset();
      return absl::UnavailableError("cannot listen on " + config_.health_listen +
                                    " (--health-listen)");
    }
  }
  if (!config_.metrics_listen.empty()) {
    auto metrics_port = Metrics::Get().Serve(config_.metrics_listen);
    if (!metrics_port.ok()) return metrics_port.status();
    metrics_port_ = *metrics_port;
  }
  SetServing(true);
  if (tokens) {
    log::Info("auth_on", {{"tokens", tokens->Current()->size()},
                          {"reload_seconds", config_.auth_tokens_reload_seconds}});
  } else {
    log::Warn("auth_off", {{"why", "no --auth-tokens-file: every caller may call every RPC"}});
  }
  std::string host = config_.listen.substr(0, config_.listen.rfind(':'));
  std::string health_host = config_.health_listen.substr(0, config_.health_listen.rfind(':'));
  log::Info("listening",
            {{"grpc", absl::StrCat(host, ":", port_)},
             {"tls", !config_.tls.enabled()              ? "off"
                     : config_.tls.client_ca_file.empty() ? "on"
                                                          : "mutual"},
             {"health", health_port_ ? absl::StrCat(health_host, ":", health_port_) : ""},
             {"metrics", metrics_port_ ? absl::StrCat(host, ":", metrics_port_) : ""}});
  if (!config_.ready_file.empty())
    return WriteReadyFile(config_.ready_file, port_, metrics_port_, health_port_);
  return absl::OkStatus();
}

void ServerRunner::SetServing(bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(serving);
  if (health_service_) health_service_->SetServing(serving);
}

void ServerRunner::RunUntilSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  log::Info("draining", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"},
                         {"drain_seconds", config_.drain_seconds}});
  Shutdown();
}

void ServerRunner::Shutdown() {
  if (!server_) return;
  SetServing(false);
  // New calls are refused from here on; in-flight ones get drain_seconds to finish, then are
  // cancelled.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(config_.drain_seconds));
  server_->Wait();
  server_.reset();
  // Probes see NOT_SERVING until the very end.
  if (health_server_) {
    health_server_->Shutdown(std::chrono::system_clock::now());
    health_server_.reset();
  }
  log::Info("stopped");
}

int ServeUntilSignal(const ServerConfig& config, const std::vector<grpc::Service*>& services) {
  ServerRunner runner(config);
  for (grpc::Service* service : services) runner.AddService(service);
  if (auto status = runner.Start(); !status.ok()) {
    log::Error("start_failed", {{"error", status.ToString()}});
    return 1;
  }
  runner.RunUntilSignal();
  return 0;
}

}  // namespace salesops
