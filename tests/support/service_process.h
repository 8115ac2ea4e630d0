// Starts a real salesops service binary for integration tests: listening on 127.0.0.1 port 0,
// with a ready file to learn the ports the kernel chose, its log captured to a file.
//
//   ServiceProcess forecast("salesops-forecast", {"--cache-redis", redis.address()});
//   ASSERT_TRUE(forecast.Start());
//   auto stub = v1::ForecastService::NewStub(forecast.Channel());
#ifndef SALESOPS_TESTS_SUPPORT_SERVICE_PROCESS_H_
#define SALESOPS_TESTS_SUPPORT_SERVICE_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace salesops::testing {

// Path of a binary built by this build tree, e.g. BinaryPath("salesops-forecast").
std::string BinaryPath(const std::string& name);

class ServiceProcess {
 public:
  // `binary`: salesops-forecast, salesops-quota or salesops-reporting. `args` are added after
  // --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 --ready-file <tmp>.
  ServiceProcess(std::string binary, std::vector<std::string> args);
  ~ServiceProcess();  // SIGKILL if still running; removes its temp dir
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Starts the binary and waits (up to 20 s) for its ready file.
  ::testing::AssertionResult Start();
  // The exit code when the process exited during Start() (e.g. a configuration error), else -1.
  int start_exit_code() const { return start_exit_code_; }
  // Credentials of Channel() and Health() (default: plaintext), e.g. TLS for a TLS server.
  void SetChannelCredentials(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    credentials_ = std::move(credentials);
  }
  // SIGTERM and wait for a clean exit; returns the exit status (-1 if it had to be killed).
  int Stop();
  // SIGKILL and wait.
  void Kill();
  // Kills the process if running, then starts it again listening on the same gRPC port, so
  // clients holding its address (other services' channels) find it again.
  ::testing::AssertionResult RestartOnSamePort();

  bool running() const { return pid_ > 0; }
  // The process id while running, else -1 (benchmarks read its /proc entries).
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  // The plaintext health port (--health-listen), 0 when there is none.
  int health_port() const { return health_port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::shared_ptr<grpc::Channel> Channel() const;
  // The standard health check of the whole server: "SERVING", "NOT_SERVING", or the error.
  std::string Health() const;
  // GET /metrics from the process.
  std::string ScrapeMetrics() const;
  // The process's stderr so far.
  std::string Log() const;

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  int listen_port_ = 0;  // the port Start() asks for: 0 (any) unless restarting on the same one
  int health_port_ = 0;
  int start_exit_code_ = -1;
  std::shared_ptr<grpc::ChannelCredentials> credentials_ = grpc::InsecureChannelCredentials();
};

// The value of a Prometheus counter line, e.g.
// MetricValue(text, "salesops_cache_requests_total{cache=\"forecast\",result=\"hit\"}"); 0 if absent.
double MetricValue(const std::string& metrics_text, const std::string& series);

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_SUPPORT_SERVICE_PROCESS_H_
