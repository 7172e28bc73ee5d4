#include "support/authd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/pg_test_cluster.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {

AuthdProcess::AuthdProcess() : AuthdProcess(Options{}) {}

AuthdProcess::AuthdProcess(Options options) {
  own_data_dir_ = options.data_dir.empty();
  database_uri_ = options.database;
  data_dir_ = own_data_dir_ ? make_temp_dir() : options.data_dir;
  log_file_ =
      data_dir_ /
      ("authd-" + std::to_string(::getpid()) + "-" +
       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".log");

  std::vector<std::string> args = {AUTHD_BINARY, "serve"};
  args.insert(args.end(), options.args.begin(), options.args.end());
  // Defaults for what the test did not set itself (a repeated option is an error).
  const std::pair<const char*, std::string> defaults[] = {
      {"--listen", "127.0.0.1:0"},
      {"--database", options.database.empty() ? "sqlite:" + database().string() : options.database},
      {"--worker-threads", "2"},
      {"--io-threads", "2"},
      // Every test client is 127.0.0.1: per-address limits would otherwise throttle suites
      // that register many users. Tests of the limits set their own values.
      {"--registrations-per-address", "1000000"},
      {"--login-failures-per-address", "1000000"},
      {"--mail-requests-per-address", "1000000"},
  };
  for (const auto& [flag, value] : defaults) {
    if (!options.relaxed_limits && std::string_view(flag).ends_with("-per-address")) continue;
    if (std::find(options.args.begin(), options.args.end(), flag) == options.args.end()) {
      args.insert(args.end(), {flag, value});
    }
  }

  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // If the test process dies (a crash, an abort under a sanitizer), authd goes with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent was already gone
    const int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    // Never inherit a secret from the developer's shell into a test.
    ::unsetenv("JWT_SECRET");
    ::unsetenv("AUTHD_JWT_SECRET");
    for (const auto& [name, value] : options.env) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (!options.expect_start) return;

  const std::regex listening(R"(authd listening on http://[^:]+:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch match;
    const std::string text = log();
    if (std::regex_search(text, match, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("authd exited during start-up:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("authd did not start within 20 s:\n" + log());
}

AuthdProcess::~AuthdProcess() {
  if (pid_ > 0) stop(SIGKILL);
  if (own_data_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
  }
}

std::vector<Row> AuthdProcess::query(const std::string& sql) const {
  if (database_uri_.starts_with("postgres")) return pg_query(database_uri_, sql);
  return RawDb(database()).query(sql);
}

std::string AuthdProcess::log() const {
  std::ifstream in(log_file_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int AuthdProcess::stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  return wait_exit();
}

int AuthdProcess::wait_exit() {
  if (pid_ <= 0) return -1;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

}  // namespace authd::test
