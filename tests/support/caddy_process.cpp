#include "support/caddy_process.hpp"

#include <fstream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace authd::test {

CaddyProcess::CaddyProcess(std::string site) : dir_(make_temp_dir()) {
  const std::string d = dir_.string();
  process_ = std::make_unique<ProbedProcess>(
      "/usr/bin/env", dir_ / "caddy.log",
      [this, d, site = std::move(site)](std::uint16_t port, const std::string& nonce) {
        std::string block = replaced(site, "@PORT@", std::to_string(port));
        block =
            replaced(block, "@PROBE@",
                     "handle /__authd_test_probe {\n        respond \"" + nonce + "\" 200\n    }");
        block = replaced(block, "@DIR@", d);
        // No admin endpoint: a fixed port every test would share. (What Caddy saves goes to
        // the test's folder, through HOME and the XDG variables below.)
        std::ofstream(dir_ / "Caddyfile") << "{\n    admin off\n}\n" << block;
        return std::vector<std::string>{"env",
                                        "HOME=" + d,
                                        "XDG_CONFIG_HOME=" + d + "/config",
                                        "XDG_DATA_HOME=" + d + "/data",
                                        "/usr/bin/caddy",
                                        "run",
                                        "--adapter",
                                        "caddyfile",
                                        "--config",
                                        d + "/Caddyfile"};
      });
}

CaddyProcess::~CaddyProcess() {
  process_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace authd::test
