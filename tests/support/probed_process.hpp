// A test server program (nginx, Caddy) started on a free loopback port and known to be ready
// when it answers GET /__authd_test_probe with a nonce only it was given: a bare connect could
// reach another test's server that happens to hold the port. Stopped (SIGTERM) with the test.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace authd::test {

class ProbedProcess {
 public:
  // Called once per port tried: writes the program's configuration for `port` (answering the
  // probe with `nonce`) and returns the command line to run. `stderr_log` takes its stderr.
  using Prepare =
      std::function<std::vector<std::string>(std::uint16_t port, const std::string& nonce)>;
  ProbedProcess(std::string program, std::filesystem::path stderr_log, Prepare prepare);
  ~ProbedProcess();
  ProbedProcess(const ProbedProcess&) = delete;
  ProbedProcess& operator=(const ProbedProcess&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  bool start(std::uint16_t port);

  std::string program_;
  std::filesystem::path stderr_log_;
  Prepare prepare_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// Every occurrence of `from` in `text` replaced with `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to);

}  // namespace authd::test
