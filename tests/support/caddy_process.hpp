// A real Caddy (Debian's package) on loopback, from a Caddyfile in a temp folder, stopped with
// the test: for the README's Caddy configuration of the gateway check.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "support/probed_process.hpp"

namespace authd::test {

class CaddyProcess {
 public:
  // `site`: one site block, whose address is "http://127.0.0.1:@PORT@" and which holds the line
  // "@PROBE@" (the start-up probe's route); "@DIR@" is replaced with the temp folder. Throws
  // when Caddy cannot start.
  explicit CaddyProcess(std::string site);
  ~CaddyProcess();
  CaddyProcess(const CaddyProcess&) = delete;
  CaddyProcess& operator=(const CaddyProcess&) = delete;

  std::uint16_t port() const { return process_->port(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<ProbedProcess> process_;
};

}  // namespace authd::test
