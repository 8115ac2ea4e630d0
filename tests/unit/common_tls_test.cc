// TLS files are checked at start: a good set loads; a missing file, a key that does not match its
// certificate, a certificate file without a certificate and half a configuration are errors that
// name the flag and the file and never show a file's content.
#include "common/tls.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/secret_file.h"
#include "gtest/gtest.h"

namespace salesops {
namespace {

class TlsFilesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(std::filesystem::temp_directory_path() /
                           ("salesops-tls-test-" + std::to_string(::getpid())));
    const std::string command = std::string(SALESOPS_SOURCE_DIR) + "/scripts/make-certs " + *dir_ +
                                " >/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string File(const std::string& name) { return *dir_ + "/" + name; }
  static std::string Content(const std::string& name) {
    std::ifstream in(File(name));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static void ExpectSafe(const absl::Status& status) {
    for (const char* name : {"server.key", "client.key", "ca.key"}) {
      const std::string key = Content(name);
      // Not the PEM, nor any line of it.
      EXPECT_EQ(status.message().find("PRIVATE KEY"), std::string::npos) << status;
      EXPECT_EQ(status.message().find(key.substr(key.find('\n') + 1, 40)), std::string::npos);
    }
  }
  static std::string* dir_;
};
std::string* TlsFilesTest::dir_ = nullptr;

TEST_F(TlsFilesTest, ServerCredentialsLoad) {
  EXPECT_TRUE(MakeServerCredentials({}).ok());  // insecure
  EXPECT_TRUE(MakeServerCredentials({File("server.crt"), File("server.key"), ""}).ok());
  EXPECT_TRUE(
      MakeServerCredentials({File("server.crt"), File("server.key"), File("ca.crt")}).ok());
}

TEST_F(TlsFilesTest, ChannelCredentialsLoad) {
  EXPECT_TRUE(MakeChannelCredentials({}).ok());
  EXPECT_TRUE(MakeChannelCredentials({File("ca.crt"), "", ""}).ok());
  EXPECT_TRUE(MakeChannelCredentials({File("ca.crt"), File("client.crt"), File("client.key")}).ok());
}

TEST_F(TlsFilesTest, MissingFileNamesFlagAndPath) {
  auto creds = MakeServerCredentials({File("nope.crt"), File("server.key"), ""});
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().message(),
            "--tls-cert-file " + File("nope.crt") + ": cannot read (No such file or directory)");
  auto client = MakeChannelCredentials({File("nope-ca.crt"), "", ""},
                                       {"--service-tls-ca-file", "--service-tls-cert-file",
                                        "--service-tls-key-file"});
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("--service-tls-ca-file " + File("nope-ca.crt")),
            std::string::npos);
}

TEST_F(TlsFilesTest, KeyOfAnotherCertificateIsRejected) {
  auto creds = MakeServerCredentials({File("server.crt"), File("client.key"), ""});
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().message(), "--tls-key-file " + File("client.key") +
                                          ": does not match the certificate of --tls-cert-file");
  ExpectSafe(creds.status());
}

TEST_F(TlsFilesTest, KeyInPlaceOfCertificateIsRejectedWithoutShowingIt) {
  auto creds = MakeServerCredentials({File("server.key"), File("server.key"), ""});
  ASSERT_FALSE(creds.ok());
  EXPECT_NE(creds.status().message().find("no PEM certificate"), std::string::npos);
  ExpectSafe(creds.status());
  auto ca = MakeServerCredentials({File("server.crt"), File("server.key"), File("ca.key")});
  ASSERT_FALSE(ca.ok());
  EXPECT_NE(ca.status().message().find("--tls-client-ca-file"), std::string::npos);
  ExpectSafe(ca.status());
}

TEST_F(TlsFilesTest, HalfAConfigurationIsAnError) {
  EXPECT_FALSE(MakeServerCredentials({File("server.crt"), "", ""}).ok());
  EXPECT_FALSE(MakeServerCredentials({"", "", File("ca.crt")}).ok());
  auto client = MakeChannelCredentials({File("ca.crt"), File("client.crt"), ""});
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("needs both --tls-cert-file and --tls-key-file"),
            std::string::npos);
}

TEST_F(TlsFilesTest, OneLineSecrets) {
  const std::string path = File("token");
  std::ofstream(path) << "  s3cret-token \n";
  auto token = ReadOneLineSecret("--service-token-file", path);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "s3cret-token");
  std::ofstream(path) << "a\nb\n";
  EXPECT_FALSE(ReadOneLineSecret("--service-token-file", path).ok());
  std::ofstream(path) << "\n";
  auto empty = ReadOneLineSecret("--service-token-file", path);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "--service-token-file " + path + ": the file is empty");
}

}  // namespace
}  // namespace salesops
