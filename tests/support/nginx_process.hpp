// A real nginx (Debian's package) on loopback as the load balancer in front of several authd
// instances, configured in a temp folder and stopped with the test.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace authd::test {

class NginxProcess {
 public:
  // Round-robin over `upstream_ports`; throws when nginx cannot start.
  explicit NginxProcess(const std::vector<std::uint16_t>& upstream_ports);
  ~NginxProcess();
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  bool start(std::uint16_t port, const std::vector<std::uint16_t>& upstream_ports);

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace authd::test
