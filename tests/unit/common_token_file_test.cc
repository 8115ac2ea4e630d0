// TokenFile: the token file read at start and reloaded, keeping the tokens in use when a new
// version is bad.
#include "common/token_file.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("salesops-token-file-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "tokens").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string Line(const std::string& token, const std::string& caller,
                          const std::string& roles) {
    return auth::TokenDigestHex(token) + " " + caller + " " + roles + "\n";
  }
  // Replaces the file the way the kubelet and careful editors do: a new file renamed over it.
  void Write(const std::string& text) {
    const std::string tmp = path_ + ".new";
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, path_);
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(TokenFileTest, ReloadAddsAndRemovesTokens) {
  Write(Line("tok-a", "alice", "read"));
  auto file = TokenFile::Open(path_, std::chrono::milliseconds(0));
  ASSERT_TRUE(file.ok()) << file.status();
  auto before = (*file)->Current();
  ASSERT_NE(before->Find("tok-a"), nullptr);
  EXPECT_EQ(before->Find("tok-a")->name, "alice");
  EXPECT_EQ(before->Find("tok-b"), nullptr);

  Write(Line("tok-b", "bob", "read,edit_plans"));
  ASSERT_TRUE((*file)->Reload().ok());
  auto after = (*file)->Current();
  EXPECT_EQ(after->Find("tok-a"), nullptr);
  ASSERT_NE(after->Find("tok-b"), nullptr);
  EXPECT_TRUE(after->Find("tok-b")->Has(auth::Role::kEditPlans));
  // What a call took before the reload stays as it was.
  EXPECT_NE(before->Find("tok-a"), nullptr);
}

TEST_F(TokenFileTest, UnchangedFileKeepsTheSameTable) {
  Write(Line("tok-a", "alice", "read"));
  auto file = TokenFile::Open(path_, std::chrono::milliseconds(0));
  ASSERT_TRUE(file.ok());
  auto before = (*file)->Current();
  ASSERT_TRUE((*file)->Reload().ok());
  EXPECT_EQ((*file)->Current(), before);
}

TEST_F(TokenFileTest, ABadNewVersionKeepsTheTokensInUseAndSaysWhyWithoutTheContent) {
  Write(Line("tok-a", "alice", "read"));
  auto file = TokenFile::Open(path_, std::chrono::milliseconds(0));
  ASSERT_TRUE(file.ok());

  Write(Line("tok-b", "bob", "read") + "secret-looking-garbage\n");
  absl::Status status = (*file)->Reload();
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("--auth-tokens-file " + path_ + ": "));
  EXPECT_THAT(std::string(status.message()), HasSubstr("line 2"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("secret-looking-garbage")));
  EXPECT_NE((*file)->Current()->Find("tok-a"), nullptr);
  EXPECT_EQ((*file)->Current()->Find("tok-b"), nullptr);

  std::filesystem::remove(path_);
  status = (*file)->Reload();
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("cannot read"));
  EXPECT_NE((*file)->Current()->Find("tok-a"), nullptr);

  // Fixed: the next reload takes it.
  Write(Line("tok-b", "bob", "read"));
  ASSERT_TRUE((*file)->Reload().ok());
  EXPECT_NE((*file)->Current()->Find("tok-b"), nullptr);
}

TEST_F(TokenFileTest, OpenFailsOnAMissingOrBadFile) {
  auto missing = TokenFile::Open(path_, std::chrono::milliseconds(0));
  EXPECT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("--auth-tokens-file " + path_));
  Write("not a token line\n");
  auto bad = TokenFile::Open(path_, std::chrono::milliseconds(0));
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
}

TEST_F(TokenFileTest, TheReloadThreadPicksUpAChange) {
  Write(Line("tok-a", "alice", "read"));
  auto file = TokenFile::Open(path_, std::chrono::milliseconds(20));
  ASSERT_TRUE(file.ok());
  Write(Line("tok-b", "bob", "read"));
  // Not a timing test: waits (up to 10 s) for the thread to have reloaded at all.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*file)->Current()->Find("tok-b") == nullptr && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_NE((*file)->Current()->Find("tok-b"), nullptr);
  EXPECT_EQ((*file)->Current()->Find("tok-a"), nullptr);
  file->reset();  // stops and joins the thread
}

}  // namespace
}  // namespace salesops
