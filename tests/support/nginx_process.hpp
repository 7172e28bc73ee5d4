// A real nginx (Debian's package) on loopback as the load balancer in front of several authd
// instances, configured in a temp folder and stopped with the test.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/probed_process.hpp"

namespace authd::test {

class NginxProcess {
 public:
  // Round-robin over `upstream_ports`; throws when nginx cannot start.
  explicit NginxProcess(const std::vector<std::uint16_t>& upstream_ports);
  // The `http { }` block's own configuration, in which "@PORT@" is replaced with the port
  // chosen for the server clients connect to, "@PROBE@" with a location that server must
  // include (the start-up probe), and "@DIR@" with the process's temp folder.
  struct Configuration {
    std::string http;
  };
  explicit NginxProcess(Configuration configuration);
  const std::filesystem::path& dir() const { return dir_; }
  ~NginxProcess();
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  std::uint16_t port() const { return process_->port(); }

 private:
  void start();

  std::filesystem::path dir_;
  std::string http_;  // with the placeholders
  std::unique_ptr<ProbedProcess> process_;
};

}  // namespace authd::test
