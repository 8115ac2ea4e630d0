#include "tests/support/service_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "nlohmann/json.hpp"

namespace salesops::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits for `pid` up to `timeout`; returns the wait status, or -1 on timeout.
int WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return 0;
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::string BinaryPath(const std::string& name) {
  static const char* kDirs[] = {"services/forecasting", "services/quota", "services/reporting",
                                "tools/salesctl"};
  for (const char* dir : kDirs) {
    std::string path = std::string(SALESOPS_BINARY_DIR) + "/" + dir + "/" + name;
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return name;
}

ServiceProcess::ServiceProcess(std::string binary, std::vector<std::string> args)
    : binary_(std::move(binary)), args_(std::move(args)) {
  std::string templ = (std::filesystem::temp_directory_path() / "salesops-svc-XXXXXX").string();
  dir_ = ::mkdtemp(templ.data()) ? templ : "/tmp";
}

ServiceProcess::~ServiceProcess() {
  Kill();
  std::error_code ec;
  if (dir_ != "/tmp") std::filesystem::remove_all(dir_, ec);
}

::testing::AssertionResult ServiceProcess::Start() {
  const std::string ready = dir_ + "/ready.json";
  const std::string log = dir_ + "/stderr.log";
  start_exit_code_ = -1;
  std::filesystem::remove(ready);
  std::vector<std::string> argv = {BinaryPath(binary_), "--listen",
                                   "127.0.0.1:" + std::to_string(listen_port_),
                                   "--metrics-listen", "127.0.0.1:0", "--ready-file", ready,
                                   "--drain-seconds", "5"};
  argv.insert(argv.end(), args_.begin(), args_.end());
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return ::testing::AssertionFailure() << "fork failed";
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDERR_FILENO);
      ::dup2(fd, STDOUT_FILENO);
    }
    // The test process may block signals; the service must start with a clean mask.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    ::execv(cargs[0], cargs.data());
    ::_exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(ready)) {
      auto json = nlohmann::json::parse(ReadFile(ready), nullptr, false);
      if (!json.is_discarded()) {
        port_ = json.value("grpc_port", 0);
        metrics_port_ = json.value("metrics_port", 0);
        health_port_ = json.value("health_port", 0);
        return ::testing::AssertionSuccess();
      }
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      start_exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return ::testing::AssertionFailure() << binary_ << " exited during start-up:\n" << Log();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return ::testing::AssertionFailure() << binary_ << " did not become ready in 20 s:\n" << Log();
}

int ServiceProcess::Stop() {
  if (pid_ <= 0) return 0;
  ::kill(pid_, SIGTERM);
  int status = WaitFor(pid_, std::chrono::seconds(15));
  if (status == -1) {
    Kill();
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

::testing::AssertionResult ServiceProcess::RestartOnSamePort() {
  if (port_ == 0) return ::testing::AssertionFailure() << "RestartOnSamePort() before Start()";
  Kill();
  listen_port_ = port_;
  ::testing::AssertionResult started = Start();
  listen_port_ = 0;
  return started;
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  WaitFor(pid_, std::chrono::seconds(10));
  pid_ = -1;
}

std::shared_ptr<grpc::Channel> ServiceProcess::Channel() const {
  return grpc::CreateChannel(address(), credentials_);
}

std::string ServiceProcess::Health() const {
  auto stub = grpc::health::v1::Health::NewStub(Channel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return "error: " + status.error_message();
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

std::string ServiceProcess::ScrapeMetrics() const {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(metrics_port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string body;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    (void)!::write(fd, request.data(), request.size());
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof(buf))) > 0) body.append(buf, n);
  }
  ::close(fd);
  auto header_end = body.find("\r\n\r\n");
  return header_end == std::string::npos ? body : body.substr(header_end + 4);
}

std::string ServiceProcess::Log() const { return ReadFile(dir_ + "/stderr.log"); }

double MetricValue(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::strtod(line.c_str() + series.size() + 1, nullptr);
  }
  return 0;
}

}  // namespace salesops::testing
