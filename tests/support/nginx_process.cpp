#include "support/nginx_process.hpp"

#include <fstream>
#include <string>

#include "support/temp_dir.hpp"

namespace authd::test {

NginxProcess::NginxProcess(const std::vector<std::uint16_t>& upstream_ports)
    : dir_(make_temp_dir()) {
  std::string upstreams;
  for (auto upstream : upstream_ports) {
    upstreams += "    server 127.0.0.1:" + std::to_string(upstream) + ";\n";
  }
  http_ = "  upstream authd {\n" + upstreams +
          "    keepalive 16;\n"
          // Shorter than authd's idle timeout: nginx must never reuse a connection authd is
          // closing.
          "    keepalive_timeout 10s;\n  }\n"
          "  server {\n    listen 127.0.0.1:@PORT@;\n"
          // authd's own body limit: larger bodies are refused by nginx, not cut off upstream.
          "    client_max_body_size 64k;\n"
          "    @PROBE@\n"
          "    location / {\n"
          "      proxy_pass http://authd;\n"
          "      proxy_http_version 1.1;\n"
          "      proxy_set_header Connection \"\";\n"
          "      proxy_set_header X-Forwarded-For $remote_addr;\n"
          "    }\n  }\n";
  start();
}

NginxProcess::NginxProcess(Configuration configuration)
    : dir_(make_temp_dir()), http_(std::move(configuration.http)) {
  start();
}

void NginxProcess::start() {
  const std::string d = dir_.string();
  process_ = std::make_unique<ProbedProcess>(
      "/usr/sbin/nginx", dir_ / "stderr.log",
      [this, d](std::uint16_t port, const std::string& nonce) {
        std::string http = replaced(http_, "@PORT@", std::to_string(port));
        http = replaced(http, "@PROBE@",
                        "location = /__authd_test_probe { return 200 \"" + nonce + "\"; }");
        http = replaced(http, "@DIR@", d);
        std::ofstream(dir_ / "nginx.conf") << "daemon off;\nworker_processes 1;\nuser root;\n"
                                           << "pid " << d << "/nginx.pid;\n"
                                           << "error_log " << d << "/error.log warn;\n"
                                           << "events { worker_connections 1024; }\n"
                                           << "http {\n  access_log off;\n"
                                           << "  client_body_temp_path " << d << "/body;\n"
                                           << "  proxy_temp_path " << d << "/proxy;\n"
                                           << "  fastcgi_temp_path " << d << "/fastcgi;\n"
                                           << "  uwsgi_temp_path " << d << "/uwsgi;\n"
                                           << "  scgi_temp_path " << d << "/scgi;\n"
                                           << http << "}\n";
        return std::vector<std::string>{"nginx", "-p", d, "-c", d + "/nginx.conf"};
      });
}

NginxProcess::~NginxProcess() {
  process_.reset();  // SIGTERM: nginx's fast shutdown, before its folder goes
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace authd::test
