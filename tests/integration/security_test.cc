// Security end to end, with the real binaries and real certificates from scripts/make-certs: TLS
// and mutual TLS, bearer tokens and roles on every RPC, service-to-service calls over mutual TLS
// with a service token, the plaintext health port, the refusal to listen in plaintext beyond
// loopback, and Redis AUTH. Every server listens on 127.0.0.1 only (the one exception starts on
// 0.0.0.0:0 with --allow-insecure-listen and is stopped at once).
#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/auth.h"
#include "common/calendar.h"
#include "common/tls.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "health.grpc.pb.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "salesops/v1/reporting.grpc.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"
#include "tools/salesctl/demo_data.h"
#include "tools/salesctl/plan_request.h"
#include "tools/salesctl/snapshot_upload.h"

namespace salesops {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RedisServer;
using testing::RedisServerOptions;
using testing::ServiceProcess;

constexpr char kRedisPassword[] = "redis-pw-Zq81x";

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Runs a command; its exit code and combined output.
std::pair<int, std::string> RunCommand(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  std::string out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

// One call of any method, by name, with an empty request message: the status it ends with. Works
// for unary and streaming methods alike (a stream of one message).
grpc::Status CallByName(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                        const std::string& token) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  auto context = Context(token);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  void* tag;
  bool ok;
  auto call = stub.PrepareCall(context.get(), method, &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  if (ok) {
    grpc::Slice empty(std::string{});
    grpc::ByteBuffer request(&empty, 1);
    call->Write(request, reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    if (ok) {
      call->WritesDone(reinterpret_cast<void*>(3));
      cq.Next(&tag, &ok);
    }
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(4)) {
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

std::string HealthCheck(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  auto context = Context();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(context.get(), request, &response);
  if (!status.ok()) return "error: " + status.error_message();
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

// A small demo company (1,000 opportunities over three fiscal years) as of 2026-11-28.
salesctl::DemoCompany SmallCompany() {
  salesctl::DemoOptions options;
  options.as_of = *ParseDate("2026-11-28");
  options.scale = 0.2;
  return *salesctl::GenerateDemoCompany(options);
}

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(std::filesystem::temp_directory_path() /
                           ("salesops-security-" + std::to_string(::getpid())));
    const std::string make = std::string(SALESOPS_SOURCE_DIR) + "/scripts/make-certs ";
    ASSERT_EQ(RunCommand(make + *dir_ + "/certs").first, 0);
    ASSERT_EQ(RunCommand(make + *dir_ + "/other-ca").first, 0);  // a CA the servers do not trust

    // Tokens: an admin, a read-only caller, the services' own token, and for each role a caller
    // with every role but that one.
    std::string tokens = "# salesops security test\n";
    auto add = [&](const std::string& token, const std::string& caller, const std::string& roles) {
      tokens += auth::TokenDigestHex(token) + " " + caller + " " + roles + "\n";
    };
    add("tok-admin", "admin", "read,edit_plans,approve_plans,run_batches,write_snapshots");
    add("tok-viewer", "viewer", "read");
    add("tok-service", "salesops-services", "read");
    for (auth::Role missing : auth::kAllRoles) {
      std::string roles;
      for (auth::Role role : auth::kAllRoles) {
        if (role != missing) roles += std::string(roles.empty() ? "" : ",") + std::string(auth::RoleName(role));
      }
      add("tok-all-but-" + std::string(auth::RoleName(missing)),
          "all-but-" + std::string(auth::RoleName(missing)), roles);
    }
    Write(File("tokens"), tokens);
    Write(File("service.token"), "tok-service\n");
    Write(File("redis.password"), std::string(kRedisPassword) + "\n");

    RedisServerOptions redis_options;
    redis_options.password = kRedisPassword;
    redis_ = new RedisServer(redis_options);
    ASSERT_TRUE(redis_->Start());

    forecast_ = Server("salesops-forecast", {});
    ASSERT_TRUE(forecast_->Start());
    quota_ = Server("salesops-quota", WithServiceCaller({"--forecast-addr", forecast_->address()}));
    ASSERT_TRUE(quota_->Start());
    reporting_ = Server("salesops-reporting",
                        WithServiceCaller({"--forecast-addr", forecast_->address(), "--quota-addr",
                                           quota_->address()}));
    ASSERT_TRUE(reporting_->Start());
  }

  static void TearDownTestSuite() {
    delete reporting_;
    delete quota_;
    delete forecast_;
    delete redis_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static std::string File(const std::string& name) { return *dir_ + "/" + name; }

  // A server with mutual TLS, tokens, a health port and the Redis password from a file.
  static std::vector<std::string> SecureArgs() {
    return {"--tls-cert-file", File("certs/server.crt"), "--tls-key-file", File("certs/server.key"),
            "--tls-client-ca-file", File("certs/ca.crt"), "--auth-tokens-file", File("tokens"),
            "--health-listen", "127.0.0.1:0", "--store-redis", redis_->address(),
            "--store-redis-password-file", File("redis.password"), "--cache-redis",
            redis_->address(), "--cache-redis-password-file", File("redis.password")};
  }
  static std::vector<std::string> WithServiceCaller(std::vector<std::string> args) {
    for (const std::string& a :
         {std::string("--service-tls-ca-file"), File("certs/ca.crt"),
          std::string("--service-tls-cert-file"), File("certs/server.crt"),
          std::string("--service-tls-key-file"), File("certs/server.key"),
          std::string("--service-token-file"), File("service.token")}) {
      args.push_back(a);
    }
    return args;
  }
  static ServiceProcess* Server(const std::string& binary, std::vector<std::string> extra) {
    std::vector<std::string> args = SecureArgs();
    args.insert(args.end(), extra.begin(), extra.end());
    auto* server = new ServiceProcess(binary, args);
    server->SetChannelCredentials(*MakeChannelCredentials(ClientTls()));
    return server;
  }
  static ClientTlsConfig ClientTls() {
    return {File("certs/ca.crt"), File("certs/client.crt"), File("certs/client.key")};
  }
  static std::shared_ptr<grpc::Channel> TlsChannel(const ServiceProcess& server,
                                                   const ClientTlsConfig& tls = ClientTls()) {
    auto credentials = MakeChannelCredentials(tls);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    return grpc::CreateChannel(server.address(), *credentials);
  }
  static std::shared_ptr<grpc::Channel> HealthPortChannel(const ServiceProcess& server) {
    return grpc::CreateChannel("127.0.0.1:" + std::to_string(server.health_port()),
                               grpc::InsecureChannelCredentials());
  }
  static ServiceProcess* Of(const std::string& method) {
    if (method.find("ForecastService") != std::string::npos) return forecast_;
    if (method.find("QuotaService") != std::string::npos) return quota_;
    return reporting_;
  }

  static std::string* dir_;
  static RedisServer* redis_;
  static ServiceProcess* forecast_;
  static ServiceProcess* quota_;
  static ServiceProcess* reporting_;
};
std::string* SecurityTest::dir_ = nullptr;
RedisServer* SecurityTest::redis_ = nullptr;
ServiceProcess* SecurityTest::forecast_ = nullptr;
ServiceProcess* SecurityTest::quota_ = nullptr;
ServiceProcess* SecurityTest::reporting_ = nullptr;

TEST_F(SecurityTest, CallOverMutualTlsWithTokenWorks) {
  auto stub = v1::QuotaService::NewStub(TlsChannel(*quota_));
  v1::ListPlansResponse response;
  grpc::Status status = stub->ListPlans(Context("tok-viewer").get(), {}, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(quota_->Log(), HasSubstr(R"("caller":"viewer")"));
}

TEST_F(SecurityTest, PlaintextClientCannotTalkToTlsServer) {
  auto stub = v1::QuotaService::NewStub(
      grpc::CreateChannel(quota_->address(), grpc::InsecureChannelCredentials()));
  v1::ListPlansResponse response;
  EXPECT_EQ(stub->ListPlans(Context("tok-viewer").get(), {}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecurityTest, MutualTlsRequiresATrustedClientCertificate) {
  v1::ListPlansResponse response;
  // No client certificate.
  auto no_cert = v1::QuotaService::NewStub(TlsChannel(*quota_, {File("certs/ca.crt"), "", ""}));
  EXPECT_EQ(no_cert->ListPlans(Context("tok-viewer").get(), {}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // A client certificate from a CA the server does not trust.
  auto foreign = v1::QuotaService::NewStub(TlsChannel(
      *quota_, {File("certs/ca.crt"), File("other-ca/client.crt"), File("other-ca/client.key")}));
  EXPECT_EQ(foreign->ListPlans(Context("tok-viewer").get(), {}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // A server certificate from another CA is not trusted by the client either.
  auto wrong_ca = v1::QuotaService::NewStub(TlsChannel(
      *quota_, {File("other-ca/ca.crt"), File("certs/client.crt"), File("certs/client.key")}));
  EXPECT_EQ(wrong_ca->ListPlans(Context("tok-viewer").get(), {}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecurityTest, MissingOrUnknownTokenIsUnauthenticated) {
  auto stub = v1::QuotaService::NewStub(TlsChannel(*quota_));
  v1::ListPlansResponse response;
  grpc::Status status = stub->ListPlans(Context().get(), {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("missing bearer token"));
  status = stub->ListPlans(Context("tok-guessed").get(), {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "unknown token");
  EXPECT_THAT(quota_->Log(), Not(HasSubstr("tok-guessed")));
}

TEST_F(SecurityTest, ReadOnlyCallerCannotApproveAPlan) {
  auto stub = v1::QuotaService::NewStub(TlsChannel(*quota_));
  v1::ChangePlanStatusRequest request;
  request.set_plan_id("p-anything");
  v1::Plan plan;
  grpc::Status status = stub->ApprovePlan(Context("tok-viewer").get(), request, &plan);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(),
            "caller \"viewer\" may not call salesops.v1.QuotaService/ApprovePlan: it needs the "
            "role approve_plans");
  const std::string log = quota_->Log();
  EXPECT_THAT(log, HasSubstr(R"("event":"call_denied")"));
  EXPECT_THAT(log, Not(HasSubstr("tok-viewer")));
}

// Every RPC of every service is checked in the server, streaming ones included: without a token it
// is UNAUTHENTICATED, and a caller with every role but the one it needs is refused, by name.
TEST_F(SecurityTest, EveryRpcChecksTheRoleItNeeds) {
  for (const auto& [method_view, role] : auth::RpcRoles()) {
    const std::string method(method_view);
    auto channel = TlsChannel(*Of(method));
    grpc::Status status = CallByName(channel, method, "");
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << method << ": " << status.error_message();
    const std::string caller = "all-but-" + std::string(auth::RoleName(role));
    status = CallByName(channel, method, "tok-" + caller);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << method << ": " << status.error_message();
    EXPECT_THAT(status.error_message(),
                HasSubstr("caller \"" + caller + "\" may not call " + method.substr(1) +
                          ": it needs the role " + std::string(auth::RoleName(role))));
  }
}

// QuotaService calls ForecastService (CreatePlan with the forecast share), and ReportingService
// calls QuotaService (the plan) and ForecastService (the landing) — all over mutual TLS with the
// services' token, which the downstream servers log as the caller.
TEST_F(SecurityTest, ServiceToServiceCallsUseMutualTlsAndTheServiceToken) {
  auto company = std::make_unique<salesctl::DemoCompany>(SmallCompany());
  auto reporting = v1::ReportingService::NewStub(TlsChannel(*reporting_));
  auto uploaded = salesctl::UploadCompany(*reporting, *Context("tok-admin"), *company, 1000);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status();

  auto request = salesctl::PlanRequestFromExport(*company, "FY2027 plan", 2027, 6'000'000'000,
                                                 v1::ALLOCATION_METHOD_FORECAST_SHARE);
  auto quota = v1::QuotaService::NewStub(TlsChannel(*quota_));
  v1::Plan plan;
  grpc::Status status = quota->CreatePlan(Context("tok-admin").get(), request, &plan);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::AttainmentReportRequest report_request;
  report_request.set_snapshot_id(uploaded->snapshot_id());
  report_request.set_plan_id(plan.plan_id());
  v1::AttainmentReportResponse report;
  status = reporting->AttainmentReport(Context("tok-viewer").get(), report_request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_GT(report.rows_size(), 0);

  const std::string forecast_log = forecast_->Log();
  EXPECT_THAT(forecast_log, HasSubstr(R"("caller":"salesops-services")"));
  EXPECT_THAT(forecast_log, HasSubstr("ForecastService/ForecastLanding"));
  EXPECT_THAT(quota_->Log(), HasSubstr(R"("caller":"salesops-services")"));
}

TEST_F(SecurityTest, WithoutTheServiceTokenDownstreamCallsAreRefused) {
  std::vector<std::string> args = SecureArgs();
  auto tls_only = WithServiceCaller({"--forecast-addr", forecast_->address()});
  tls_only.resize(tls_only.size() - 2);  // drop --service-token-file
  args.insert(args.end(), tls_only.begin(), tls_only.end());
  ServiceProcess no_token("salesops-quota", args);
  no_token.SetChannelCredentials(*MakeChannelCredentials(ClientTls()));
  ASSERT_TRUE(no_token.Start());
  auto stub = v1::QuotaService::NewStub(TlsChannel(no_token));
  v1::Plan plan;
  auto request = salesctl::PlanRequestFromExport(SmallCompany(), "FY2027 plan", 2027, 6'000'000'000,
                                                 v1::ALLOCATION_METHOD_FORECAST_SHARE);
  grpc::Status status = stub->CreatePlan(Context("tok-admin").get(), request, &plan);
  EXPECT_NE(status.error_code(), grpc::StatusCode::OK);
  EXPECT_THAT(status.error_message(), HasSubstr("missing bearer token"));
}

TEST_F(SecurityTest, HealthPortServesOnlyHealth) {
  ASSERT_GT(forecast_->health_port(), 0);
  auto channel = HealthPortChannel(*forecast_);
  EXPECT_EQ(HealthCheck(channel), "SERVING");
  // No salesops service and no reflection on it, even with a valid token.
  EXPECT_EQ(CallByName(channel, "/salesops.v1.ForecastService/Forecast", "tok-admin").error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(CallByName(channel, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "")
                .error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(CallByName(channel, "/grpc.health.v1.Health/Watch", "").error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  // The main port keeps the health service, open to callers without a token (TLS still applies).
  EXPECT_EQ(HealthCheck(TlsChannel(*forecast_)), "SERVING");
}

// On SIGTERM the health port says NOT_SERVING while in-flight calls drain.
TEST_F(SecurityTest, HealthPortFollowsTheDrain) {
  std::vector<std::string> args = SecureArgs();
  ServiceProcess reporting("salesops-reporting", args);
  reporting.SetChannelCredentials(*MakeChannelCredentials(ClientTls()));
  ASSERT_TRUE(reporting.Start());
  auto health = HealthPortChannel(reporting);
  ASSERT_EQ(HealthCheck(health), "SERVING");
  // An upload left open is a call in flight: the drain waits for it (--drain-seconds 5).
  auto stub = v1::ReportingService::NewStub(TlsChannel(reporting));
  auto context = Context("tok-admin");
  v1::SnapshotInfo info;
  auto upload = stub->UploadSnapshot(context.get(), &info);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(reporting.pid(), SIGTERM);
  std::string seen;
  for (int i = 0; i < 40 && seen != "NOT_SERVING"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen = HealthCheck(health);
  }
  EXPECT_EQ(seen, "NOT_SERVING");
  context->TryCancel();
  EXPECT_EQ(reporting.Stop(), 0);
}

TEST_F(SecurityTest, PlaintextBeyondLoopbackIsRefusedUnlessAllowed) {
  const std::string binary = testing::BinaryPath("salesops-forecast");
  auto [code, out] = RunCommand(binary + " --listen 0.0.0.0:0 --metrics-listen ''");
  EXPECT_NE(code, 0);
  EXPECT_THAT(out, HasSubstr("refusing to listen on 0.0.0.0:0 without TLS"));
  EXPECT_THAT(out, HasSubstr("--allow-insecure-listen"));
  std::tie(code, out) = RunCommand(binary + " --listen '[::]:0' --metrics-listen ''");
  EXPECT_NE(code, 0);
  EXPECT_THAT(out, HasSubstr("refusing to listen on [::]:0"));

  // Allowed explicitly (a mesh terminates TLS): it starts. Port 0, stopped at once.
  std::string ready = File("insecure.ready");
  std::filesystem::remove(ready);
  std::tie(code, out) = RunCommand("SALESOPS_ALLOW_INSECURE_LISTEN=true timeout --preserve-status -s TERM 3 " + binary +
                            " --listen 0.0.0.0:0 --metrics-listen '' --ready-file " + ready);
  EXPECT_TRUE(std::filesystem::exists(ready)) << out;
  EXPECT_EQ(code, 0) << out;  // drained and stopped on SIGTERM
}

TEST_F(SecurityTest, BadFilesStopTheServerAtStartNamingTheFile) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::string key_content = Read(File("certs/server.key"));
  const Case cases[] = {
      {{"--tls-cert-file", File("certs/missing.crt"), "--tls-key-file", File("certs/server.key")},
       "--tls-cert-file " + File("certs/missing.crt") + ": cannot read"},
      {{"--tls-cert-file", File("certs/server.crt"), "--tls-key-file", File("certs/client.key")},
       "--tls-key-file " + File("certs/client.key") + ": does not match the certificate"},
      {{"--tls-cert-file", File("certs/server.key"), "--tls-key-file", File("certs/server.key")},
       "--tls-cert-file " + File("certs/server.key") + ": no PEM certificate"},
      {{"--auth-tokens-file", File("no-tokens")}, "--auth-tokens-file " + File("no-tokens")},
      {{"--auth-tokens-file", File("certs/server.key")}, "token file line 1: "},
  };
  for (const Case& c : cases) {
    ServiceProcess server("salesops-forecast", c.args);
    EXPECT_FALSE(server.Start());
    EXPECT_NE(server.start_exit_code(), 0);
    const std::string log = server.Log();
    EXPECT_THAT(log, HasSubstr(c.expected));
    EXPECT_THAT(log, Not(HasSubstr("PRIVATE KEY")));
    EXPECT_THAT(log, Not(HasSubstr(key_content.substr(key_content.find('\n') + 1, 30))));
  }
  // The services' client side too.
  ServiceProcess quota("salesops-quota",
                       {"--store-redis", redis_->address(), "--store-redis-password-file",
                        File("redis.password"), "--service-tls-ca-file", File("certs/nope.crt")});
  EXPECT_FALSE(quota.Start());
  EXPECT_THAT(quota.Log(), HasSubstr("--service-tls-ca-file " + File("certs/nope.crt")));
}

// A directory laid out as the kubelet mounts a Secret: tls.crt and tls.key are links into "..data",
// a link to the version in use. `versions` (name, certificate, key), the first in use; Switch moves
// "..data" to another version in one atomic rename, as the kubelet does.
class MountedCertificate {
 public:
  MountedCertificate(const std::filesystem::path& dir,
                     const std::vector<std::array<std::string, 3>>& versions)
      : dir_(dir) {
    namespace fs = std::filesystem;
    for (const auto& [name, cert, key] : versions) {
      fs::create_directories(dir / name);
      fs::copy_file(cert, dir / name / "tls.crt");
      fs::copy_file(key, dir / name / "tls.key");
    }
    fs::create_directory_symlink(versions.front()[0], dir / "..data");
    fs::create_symlink("..data/tls.crt", dir / "tls.crt");
    fs::create_symlink("..data/tls.key", dir / "tls.key");
  }
  void Switch(const std::string& version) {
    std::filesystem::create_directory_symlink(version, dir_ / "..data_tmp");
    std::filesystem::rename(dir_ / "..data_tmp", dir_ / "..data");
  }
  std::string cert() const { return (dir_ / "tls.crt").string(); }
  std::string key() const { return (dir_ / "tls.key").string(); }

 private:
  const std::filesystem::path dir_;
};

// Calls `ok` every 200 ms until it is true or 20 s have passed (the reload happens within a
// second or two; not a timing test).
bool Eventually(const std::function<bool()>& ok) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!ok()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

// A token added to or removed from the token file takes effect without a restart; a broken new
// version keeps the tokens in use and is logged without its content.
TEST_F(SecurityTest, TokenFileChangesTakeEffectWithoutARestart) {
  const std::string path = File("reloaded-tokens");
  auto replace = [&](const std::string& text) {  // as the kubelet does: a new file renamed over it
    Write(path + ".new", text);
    std::filesystem::rename(path + ".new", path);
  };
  replace(auth::TokenDigestHex("tok-old") + " old-app read\n");
  std::vector<std::string> args = {"--tls-cert-file", File("certs/server.crt"), "--tls-key-file",
                                   File("certs/server.key"), "--auth-tokens-file", path,
                                   "--auth-tokens-reload-seconds", "1"};
  ServiceProcess forecast("salesops-forecast", args);
  forecast.SetChannelCredentials(*MakeChannelCredentials(ClientTls()));
  ASSERT_TRUE(forecast.Start());
  auto channel = TlsChannel(forecast);
  // GetBatch needs the role read; past the token check it fails on its own (no store here).
  const std::string method = "/salesops.v1.ForecastService/GetBatch";
  auto code = [&](const std::string& token) { return CallByName(channel, method, token).error_code(); };
  constexpr auto kAccepted = grpc::StatusCode::FAILED_PRECONDITION;
  EXPECT_EQ(code("tok-old"), kAccepted);
  EXPECT_EQ(code("tok-new"), grpc::StatusCode::UNAUTHENTICATED);

  replace(auth::TokenDigestHex("tok-new") + " new-app read\n");
  EXPECT_TRUE(Eventually([&] { return code("tok-new") == kAccepted; }));
  EXPECT_EQ(code("tok-old"), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(forecast.Log(), HasSubstr("auth_tokens_reloaded"));

  replace(auth::TokenDigestHex("tok-newer") + " newer-app read\nleaked-looking-line\n");
  EXPECT_TRUE(Eventually([&] {
    return forecast.Log().find("auth_tokens_reload_failed") != std::string::npos;
  }));
  const std::string log = forecast.Log();
  EXPECT_THAT(log, HasSubstr("token file line 2"));
  EXPECT_THAT(log, Not(HasSubstr("leaked-looking-line")));
  EXPECT_EQ(code("tok-new"), kAccepted);  // kept
  EXPECT_EQ(code("tok-newer"), grpc::StatusCode::UNAUTHENTICATED);
}

// A renewed server certificate is used for new connections without a restart: the files are
// switched the way the kubelet updates a mounted Secret (one symlink to a new directory).
TEST_F(SecurityTest, RenewedServerCertificateIsUsedWithoutARestart) {
  // The new certificate is from another CA: easy to tell which one a connection got.
  MountedCertificate mounted(File("rotating-tls"),
                             {{"v1", File("certs/server.crt"), File("certs/server.key")},
                              {"v2", File("other-ca/server.crt"), File("other-ca/server.key")}});

  ServiceProcess forecast("salesops-forecast",
                          {"--tls-cert-file", mounted.cert(), "--tls-key-file", mounted.key(),
                           "--tls-reload-seconds", "1"});
  forecast.SetChannelCredentials(*MakeChannelCredentials({File("certs/ca.crt"), "", ""}));
  ASSERT_TRUE(forecast.Start());
  // A new channel each time: a new connection, a new handshake.
  auto health_trusting = [&](const std::string& ca) {
    return HealthCheck(TlsChannel(forecast, {ca, "", ""}));
  };
  EXPECT_EQ(health_trusting(File("certs/ca.crt")), "SERVING");
  EXPECT_THAT(health_trusting(File("other-ca/ca.crt")), HasSubstr("error"));

  mounted.Switch("v2");
  EXPECT_TRUE(Eventually([&] { return health_trusting(File("other-ca/ca.crt")) == "SERVING"; }));
  EXPECT_THAT(health_trusting(File("certs/ca.crt")), HasSubstr("error"));
}

// The same for the certificate a service presents when it calls another one: quota's calls to a
// forecast that accepts only clients of the other CA fail until quota's client certificate is
// renewed, and work once it is, without restarting quota.
TEST_F(SecurityTest, RenewedServiceClientCertificateIsUsedWithoutARestart) {
  ServiceProcess forecast("salesops-forecast",
                          {"--tls-cert-file", File("certs/server.crt"), "--tls-key-file",
                           File("certs/server.key"), "--tls-client-ca-file", File("other-ca/ca.crt")});
  forecast.SetChannelCredentials(*MakeChannelCredentials(
      {File("certs/ca.crt"), File("other-ca/client.crt"), File("other-ca/client.key")}));
  ASSERT_TRUE(forecast.Start());
  MountedCertificate mounted(File("rotating-client-tls"),
                             {{"v1", File("certs/client.crt"), File("certs/client.key")},
                              {"v2", File("other-ca/client.crt"), File("other-ca/client.key")}});
  ServiceProcess quota("salesops-quota",
                       {"--store-redis", redis_->address(), "--store-redis-password-file",
                        File("redis.password"), "--forecast-addr", forecast.address(),
                        "--service-tls-ca-file", File("certs/ca.crt"), "--service-tls-cert-file",
                        mounted.cert(), "--service-tls-key-file", mounted.key(),
                        "--service-tls-reload-seconds", "1"});
  ASSERT_TRUE(quota.Start());
  auto stub = v1::QuotaService::NewStub(quota.Channel());
  auto company = std::make_unique<salesctl::DemoCompany>(SmallCompany());
  auto request = salesctl::PlanRequestFromExport(*company, "renewal plan", 2027, 6'000'000'000,
                                                 v1::ALLOCATION_METHOD_FORECAST_SHARE);
  auto create = [&] {
    v1::Plan plan;
    return stub->CreatePlan(Context().get(), request, &plan);
  };
  grpc::Status refused = create();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_THAT(refused.error_message(), HasSubstr("forecast"));

  mounted.Switch("v2");
  grpc::Status last;
  EXPECT_TRUE(Eventually([&] { return (last = create()).ok(); })) << last.error_message();
}

TEST_F(SecurityTest, RedisPasswordIsRequiredAndNeverShown) {
  // Wrong password in a file, wrong password in the URL, no password: each a clear start error.
  Write(File("wrong.password"), "not-the-password-7781\n");
  const std::vector<std::vector<std::string>> configs = {
      {"--store-redis", redis_->address(), "--store-redis-password-file", File("wrong.password")},
      {"--store-redis", "redis://:not-the-password-7781@" + redis_->address()},
      {"--store-redis", redis_->address()},
      {"--store-redis", redis_->url(), "--cache-redis", redis_->address()},
  };
  for (const auto& args : configs) {
    ServiceProcess reporting("salesops-reporting", args);  // it uses both roles
    EXPECT_FALSE(reporting.Start());
    EXPECT_NE(reporting.start_exit_code(), 0);
    const std::string log = reporting.Log();
    EXPECT_THAT(log, HasSubstr("Redis rejected the credentials"));
    EXPECT_THAT(log, Not(HasSubstr("not-the-password-7781")));
    EXPECT_THAT(log, Not(HasSubstr(kRedisPassword)));
  }
  // The right one, in the URL: starts, and the password appears nowhere in its log.
  ServiceProcess quota("salesops-quota", {"--store-redis", redis_->url()});
  ASSERT_TRUE(quota.Start());
  auto stub = v1::QuotaService::NewStub(quota.Channel());
  v1::ListPlansResponse response;
  grpc::Status status = stub->ListPlans(Context().get(), {}, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(quota.Log(), HasSubstr(R"("event":"auth_off")"));
  EXPECT_THAT(quota.Log(), Not(HasSubstr(kRedisPassword)));
  EXPECT_THAT(forecast_->Log() + quota_->Log() + reporting_->Log(), Not(HasSubstr(kRedisPassword)));
}

}  // namespace
}  // namespace salesops
