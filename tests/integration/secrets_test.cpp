// The secrets of an embedded installation are checked the way ssh checks its keys: a secret file
// or data folder that someone else could read or replace is refused with a message that says
// what to do, and the log says whether a secret was generated or read.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/authd_process.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

void write_secret(const std::filesystem::path& file, mode_t mode) {
  std::ofstream(file) << std::string(48, 's') << "\n";
  ASSERT_EQ(::chmod(file.c_str(), mode), 0);
}

TEST(Secrets, AGeneratedSecretIsLoggedAsGeneratedAndThenAsRead) {
  TempDir data;
  {
    AuthdProcess first({.data_dir = data.path()});
    EXPECT_NE(first.log().find("jwt-secret (generated now, mode 0600)"), std::string::npos)
        << first.log();
  }
  struct stat info {};
  ASSERT_EQ(::stat((data.path() / "jwt-secret").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  AuthdProcess second({.data_dir = data.path()});
  EXPECT_EQ(second.log().find("generated"), std::string::npos) << second.log();
  EXPECT_NE(second.log().find("jwt-secret (mode 0600)"), std::string::npos) << second.log();
}

TEST(Secrets, ASecretOthersCanReadOrWriteIsRefused) {
  for (const mode_t mode : {0666, 0644, 0640, 0602}) {
    TempDir data;
    ASSERT_NO_FATAL_FAILURE(write_secret(data.path() / "jwt-secret", mode));
    AuthdProcess server({.data_dir = data.path(), .expect_start = false});
    EXPECT_EQ(server.wait_exit(), 1) << std::oct << mode;
    EXPECT_NE(server.log().find("can be read or written by others"), std::string::npos)
        << server.log();
    EXPECT_NE(server.log().find("chmod 600"), std::string::npos) << server.log();
  }
}

TEST(Secrets, ALinkInPlaceOfASecretIsRefused) {
  TempDir data;
  ASSERT_NO_FATAL_FAILURE(write_secret(data.path() / "elsewhere", 0600));
  std::filesystem::create_symlink(data.path() / "elsewhere", data.path() / "key-encryption-key");
  AuthdProcess server({.data_dir = data.path(), .expect_start = false});
  EXPECT_EQ(server.wait_exit(), 1);
  EXPECT_NE(server.log().find("symbolic link"), std::string::npos) << server.log();
}

TEST(Secrets, ADataFolderOthersCanWriteIsRefused) {
  TempDir data;
  ASSERT_EQ(::chmod(data.path().c_str(), 0777), 0);
  AuthdProcess server({.data_dir = data.path(), .expect_start = false});
  EXPECT_EQ(server.wait_exit(), 1);
  EXPECT_NE(server.log().find("chmod 700"), std::string::npos) << server.log();
  EXPECT_FALSE(std::filesystem::exists(data.path() / "jwt-secret")) << "nothing written there";
}

}  // namespace
}  // namespace authd::test
