// The README's /v1 walkthrough is a script a newcomer runs by hand; this runs exactly that block
// with `bash -e` against a fresh authd, so every step keeps behaving as printed: each request
// that should succeed uses curl --fail-with-body, each that should fail runs under `fails`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/authd_process.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

// The README's block between <!-- NAME:begin --> and <!-- NAME:end -->.
std::string readme_block(const std::string& name) {
  std::ifstream in(AUTHD_SOURCE_DIR "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string opening = "<!-- " + name + ":begin -->\n```sh\n";
  const auto begin = readme.find(opening);
  const auto end = readme.find("```\n<!-- " + name + ":end -->");
  if (begin == std::string::npos || end == std::string::npos) return {};
  return readme.substr(begin + opening.size(), end - begin - opening.size());
}

// Replaces the line `line` of `script`; false when it has none.
bool replace_line(std::string& script, const std::string& line, const std::string& by) {
  const auto at = script.find(line + "\n");
  if (at == std::string::npos) return false;
  script.replace(at, line.size(), by);
  return true;
}

std::string readme_walkthrough() {
  return readme_block("walkthrough");
}

TEST(ReadmeWalkthrough, RunsAsPrinted) {
  std::string script = readme_walkthrough();
  ASSERT_FALSE(script.empty()) << "README.md has no walkthrough block";
  AuthdProcess server;
  const std::string base = "B=http://127.0.0.1:8080\n";
  const auto at = script.find(base);
  ASSERT_NE(at, std::string::npos) << "the walkthrough sets B=http://127.0.0.1:8080";
  script.replace(at, base.size(), "B=http://127.0.0.1:" + std::to_string(server.port()) + "\n");

  TempDir dir;
  std::ofstream(dir.file("walkthrough.sh")) << script;
  const auto [status, output] =
      run_command("cd " + dir.path().string() + " && bash -e -o pipefail walkthrough.sh");
  ASSERT_EQ(status, 0) << "a step did not behave as printed:\n" << output;
  // The steps meant to fail, failing for the reason shown.
  EXPECT_NE(output.find("urn:authd:problem:refresh-token-reused"), std::string::npos) << output;
  EXPECT_NE(output.find("\"type\":\"urn:authd:problem:invalid-token\""), std::string::npos)
      << output;
  EXPECT_NE(output.find("\"user_agent\":\"phone\",\"current\":true"), std::string::npos) << output;
}

// The administration walkthrough: the CLI (the binary under test, on the server's database)
// and the admin API, as an operator runs them.
TEST(ReadmeAdministration, RunsAsPrinted) {
  std::string script = readme_block("administration");
  ASSERT_FALSE(script.empty()) << "README.md has no administration block";
  AuthdProcess server;
  ASSERT_TRUE(replace_line(script, "B=http://127.0.0.1:8080",
                           "B=http://127.0.0.1:" + std::to_string(server.port())));
  ASSERT_TRUE(replace_line(script, "DB=sqlite:./authd-data/authd.db",
                           "DB=sqlite:" + server.database().string()));
  ASSERT_TRUE(replace_line(
      script, "export PATH=\"$PWD/build/server:$PATH\"   # the authd that scripts/serve.sh built",
      "export PATH=\"" + std::filesystem::path(AUTHD_BINARY).parent_path().string() + ":$PATH\""));

  TempDir dir;
  std::ofstream(dir.file("administration.sh")) << script;
  const auto [status, output] =
      run_command("cd " + dir.path().string() + " && bash -e -o pipefail administration.sh");
  ASSERT_EQ(status, 0) << "a step did not behave as printed:\n" << output;
  // What each step shows, as the README prints it.
  for (const char* shown :
       {"2   bob@example.com  yes     user", "\"next_cursor\":null",
        "[\"user\",\"seller\"]\n[\"user\",\"seller\"]", "{\"id\":2,\"is_active\":false}",
        "urn:authd:problem:invalid-token", "urn:authd:problem:last-administrator",
        "user:1  account_disabled  1", "cli     role_granted      2",
        "[\"user:1\",\"account_disabled\",\"refused\"]\n"
        "[\"user:1\",\"account_disabled\",\"success\"]"}) {
    EXPECT_NE(output.find(shown), std::string::npos) << shown << "\n" << output;
  }
}

}  // namespace
}  // namespace authd::test
