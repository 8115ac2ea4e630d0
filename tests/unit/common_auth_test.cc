#include "common/auth.h"

#include <filesystem>
#include <set>
#include <string>

#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "salesops/v1/forecasting.pb.h"
#include "salesops/v1/quota.pb.h"
#include "salesops/v1/reporting.pb.h"

namespace salesops::auth {
namespace {

// Every RPC of every service in proto/salesops/v1 has a role in RpcRoles(), and the table names
// nothing else. A new RPC without an entry fails here (and would be denied to every caller).
TEST(RpcRolesTest, CoversEveryRpcOfEveryServiceInTheProtos) {
  // Link the generated files, so their descriptors are in the generated pool.
  (void)v1::ForecastRequest::descriptor();
  (void)v1::CreatePlanRequest::descriptor();
  (void)v1::UploadSnapshotRequest::descriptor();

  std::set<std::string> in_protos;
  const std::filesystem::path dir = std::filesystem::path(SALESOPS_SOURCE_DIR) / "proto/salesops/v1";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".proto") continue;
    ++files;
    const std::string name = "salesops/v1/" + entry.path().filename().string();
    const auto* file = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    ASSERT_NE(file, nullptr) << name << " is not linked into this test: reference one of its "
                             << "messages at the top of this test";
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const std::string method = "/" + service->full_name() + "/" + service->method(m)->name();
        in_protos.insert(method);
        EXPECT_TRUE(RequiredRole(method).has_value())
            << method << " has no role in RpcRoles() (common/auth.cc)";
      }
    }
  }
  EXPECT_GE(files, 3);
  EXPECT_GE(in_protos.size(), 28u);
  for (const auto& [method, role] : RpcRoles()) {
    EXPECT_TRUE(in_protos.count(std::string(method))) << method << " is in RpcRoles() but not in proto/";
  }
}

TEST(RpcRolesTest, WritesNeedTheirOwnRoles) {
  EXPECT_EQ(RequiredRole("/salesops.v1.QuotaService/ApprovePlan"), Role::kApprovePlans);
  EXPECT_EQ(RequiredRole("/salesops.v1.QuotaService/UpdatePlan"), Role::kEditPlans);
  EXPECT_EQ(RequiredRole("/salesops.v1.ForecastService/SubmitBatch"), Role::kRunBatches);
  EXPECT_EQ(RequiredRole("/salesops.v1.ReportingService/UploadSnapshot"), Role::kWriteSnapshots);
  EXPECT_EQ(RequiredRole("/salesops.v1.ReportingService/AttainmentReport"), Role::kRead);
  EXPECT_EQ(RequiredRole("/salesops.v1.QuotaService/NoSuchRpc"), std::nullopt);
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : kAllRoles) EXPECT_EQ(ParseRole(RoleName(role)), role);
  EXPECT_EQ(ParseRole("admin"), std::nullopt);
}

std::string Line(const std::string& token, const std::string& rest) {
  return TokenDigestHex(token) + " " + rest + "\n";
}

TEST(TokenTableTest, ParsesLinesCommentsAndBlankLines) {
  const std::string text = "# tokens\n\n" + Line("tok-admin", "admin read,edit_plans,approve_plans") +
                           "   \n" + Line("tok-viewer", "viewer\tread");
  auto table = TokenTable::Parse(text);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 2u);
  const Caller* admin = table->Find("tok-admin");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->name, "admin");
  EXPECT_TRUE(admin->Has(Role::kApprovePlans));
  EXPECT_FALSE(admin->Has(Role::kRunBatches));
  const Caller* viewer = table->Find("tok-viewer");
  ASSERT_NE(viewer, nullptr);
  EXPECT_EQ(viewer->name, "viewer");
  EXPECT_TRUE(viewer->Has(Role::kRead));
  EXPECT_FALSE(viewer->Has(Role::kEditPlans));
  EXPECT_EQ(table->Find("tok-nobody"), nullptr);
  EXPECT_EQ(table->Find(""), nullptr);
}

TEST(TokenTableTest, UppercaseHexIsAccepted) {
  std::string hex = TokenDigestHex("t");
  for (char& c : hex) c = static_cast<char>(std::toupper(c));
  auto table = TokenTable::Parse(hex + " someone read\n");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_NE(table->Find("t"), nullptr);
}

TEST(TokenTableTest, ErrorsNameTheLineAndNeverItsContent) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::string hash = TokenDigestHex("secret-token-value");
  const Case cases[] = {
      {"", "no tokens"},
      {"# only a comment\n", "no tokens"},
      {"secret-token-value admin read\n", "line 1: the first field must be the SHA-256"},
      {hash + " admin\n", "line 1: expected <sha256-hex> <caller> <role>"},
      {"\n" + hash + " admin read extra\n", "line 2: expected"},
      {hash + " admin read,superuser\n", "line 1: unknown role \"superuser\""},
      {hash + " bad/name read\n", "line 1: the caller name"},
      {hash + " a read\n" + hash + " b read\n", "line 2: the same token is listed twice"},
  };
  for (const Case& c : cases) {
    auto table = TokenTable::Parse(c.text);
    ASSERT_FALSE(table.ok()) << c.text;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(table.status().message().find(c.expected), std::string::npos)
        << table.status().message() << " (expected: " << c.expected << ")";
    EXPECT_EQ(table.status().message().find("secret-token-value"), std::string::npos);
    EXPECT_EQ(table.status().message().find(hash), std::string::npos);
  }
}

class AuthorizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parsed = TokenTable::Parse(Line("tok-viewer", "viewer read") +
                                    Line("tok-planner", "planner read,edit_plans"));
    ASSERT_TRUE(parsed.ok());
    table_ = std::move(*parsed);
  }
  TokenTable table_;
};

TEST_F(AuthorizeTest, MissingOrNonBearerHeaderIsUnauthenticated) {
  for (auto header : {std::optional<absl::string_view>(), std::optional<absl::string_view>(""),
                      std::optional<absl::string_view>("Basic dXNlcjpwdw=="),
                      std::optional<absl::string_view>("Bearer "),
                      std::optional<absl::string_view>("tok-viewer")}) {
    Decision d = Authorize(table_, "/salesops.v1.QuotaService/GetPlan", header);
    EXPECT_EQ(d.status.code(), absl::StatusCode::kUnauthenticated);
    EXPECT_NE(d.status.message().find("missing bearer token"), std::string::npos) << d.status;
    EXPECT_TRUE(d.caller.empty());
  }
}

TEST_F(AuthorizeTest, UnknownTokenIsUnauthenticated) {
  Decision d = Authorize(table_, "/salesops.v1.QuotaService/GetPlan", "Bearer tok-guess");
  EXPECT_EQ(d.status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(d.status.message(), "unknown token");
  EXPECT_EQ(d.status.message().find("tok-guess"), std::string::npos);
}

TEST_F(AuthorizeTest, MissingRoleIsPermissionDeniedNamingCallerRpcAndRole) {
  Decision d = Authorize(table_, "/salesops.v1.QuotaService/ApprovePlan", "Bearer tok-planner");
  EXPECT_EQ(d.status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(d.status.message(),
            "caller \"planner\" may not call salesops.v1.QuotaService/ApprovePlan: it needs the "
            "role approve_plans");
  EXPECT_EQ(d.caller, "planner");
}

TEST_F(AuthorizeTest, AllowedCallsAndSchemeCase) {
  Decision d = Authorize(table_, "/salesops.v1.QuotaService/UpdatePlan", "bearer  tok-planner");
  EXPECT_TRUE(d.status.ok()) << d.status;
  EXPECT_EQ(d.caller, "planner");
  d = Authorize(table_, "/salesops.v1.ReportingService/AttainmentReport", "Bearer tok-viewer");
  EXPECT_TRUE(d.status.ok()) << d.status;
}

TEST_F(AuthorizeTest, MethodOutsideTheTableIsDenied) {
  Decision d = Authorize(table_, "/salesops.v1.QuotaService/Backdoor", "Bearer tok-planner");
  EXPECT_EQ(d.status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(d.status.message().find("no role grants it"), std::string::npos);
}

}  // namespace
}  // namespace salesops::auth
