#include "support/nginx_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

// True when the server on `port` is this nginx: it answers the probe with our nonce. A bare
// connect could reach another test's server that happens to hold the port.
bool answers_probe(std::uint16_t port, const std::string& nonce) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET /__authd_test_probe HTTP/1.0\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char chunk[1024];
      timeval timeout{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      for (ssize_t n; (n = ::recv(fd, chunk, sizeof chunk, 0)) > 0;) reply.append(chunk, n);
    }
  }
  ::close(fd);
  return reply.find(nonce) != std::string::npos;
}

// Every occurrence of `from` in `text` replaced with `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

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
  start_on_some_port();
}

NginxProcess::NginxProcess(Configuration configuration)
    : dir_(make_temp_dir()), http_(std::move(configuration.http)) {
  start_on_some_port();
}

void NginxProcess::start_on_some_port() {
  std::mt19937 random(std::random_device{}());
  for (int attempt = 0; attempt < 20; ++attempt) {
    // Below Linux's ephemeral range (32768+), where outgoing connections take their ports.
    if (start(static_cast<std::uint16_t>(20000 + random() % 12000))) return;
  }
  throw std::runtime_error("nginx did not start; see " + (dir_ / "error.log").string());
}

bool NginxProcess::start(std::uint16_t port) {
  const std::string d = dir_.string();
  const std::string nonce = "probe-" + std::to_string(::getpid()) + "-" + std::to_string(port);
  std::string http = replaced(http_, "@PORT@", std::to_string(port));
  http =
      replaced(http, "@PROBE@", "location = /__authd_test_probe { return 200 \"" + nonce + "\"; }");
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
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int fd = ::open((dir_ / "stderr.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDERR_FILENO);
    ::execl("/usr/sbin/nginx", "nginx", "-p", d.c_str(), "-c", (d + "/nginx.conf").c_str(),
            nullptr);
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: most likely the port was taken
      pid_ = -1;
      return false;
    }
    if (answers_probe(port, nonce)) {
      port_ = port;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return false;
}

NginxProcess::~NginxProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);  // nginx's fast shutdown
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace authd::test
