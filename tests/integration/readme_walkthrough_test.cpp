// The README's /v1 walkthrough is a script a newcomer runs by hand; this runs exactly that block
// with `bash -e` against a fresh authd, so every step keeps behaving as printed: each request
// that should succeed uses curl --fail-with-body, each that should fail runs under `fails`.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/authd_process.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

std::string readme_walkthrough() {
  std::ifstream in(AUTHD_SOURCE_DIR "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const auto begin = readme.find("<!-- walkthrough:begin -->\n```sh\n");
  const auto end = readme.find("```\n<!-- walkthrough:end -->");
  if (begin == std::string::npos || end == std::string::npos) return {};
  const auto body = begin + std::string_view("<!-- walkthrough:begin -->\n```sh\n").size();
  return readme.substr(body, end - body);
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

}  // namespace
}  // namespace authd::test
