// Feeds the input, as raw bytes, to a real authd HTTP server: http::Server on 127.0.0.1 (port 0)
// with the real router (every dialect and /healthz) over a real AuthService and SQLite store
// (fuzz_stack.hpp), started once in a background thread with 1-second timeouts and loopback as a
// trusted proxy (so X-Forwarded-For is parsed). Each input is
// sent on a fresh loopback connection, the client half-closes (shutdown(SHUT_WR)) and reads
// until the server closes. "No crash" means no sanitizer report in any server thread, no
// exception escaping the server, and the server still serving: a refused connection aborts, and
// when the server leaves an input's connection open and silent for 2 s, a GET /healthz on a new
// connection must be answered within 5 s or the run aborts (a hang, blamed on this input). The
// responses themselves are not checked: any response, or none, is fine.
// AUTHD_FUZZ_PRINT_RESPONSES=1 prints them (to check what the seeds exercise).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <thread>

#include "fuzz_stack.hpp"
#include "http/server.hpp"
#include "observability/request_telemetry.hpp"
#include "util/worker_pool.hpp"

namespace {

constexpr int kReadPollMillis = 2000;   // silence after which the client stops waiting
constexpr int kProbePollMillis = 5000;  // how long the liveness probe waits for /healthz
constexpr int kConnectAttempts = 50;

std::uint16_t g_port = 0;
bool g_print_responses = false;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_http_request: %s\n", what);
  std::abort();
}

[[noreturn]] void fail_errno(const char* what) {
  std::fprintf(stderr, "fuzz_http_request: %s: %s\n", what, std::strerror(errno));
  std::abort();
}

void start_server() {
  authd::fuzz::Stack& stack = authd::fuzz::stack();
  // Leaked on purpose: the server thread runs until the process exits.
  auto* workers = new authd::util::WorkerPool(2, 64);
  // As cli/serve.cpp wires them: gauges for /metrics, and the telemetry observer.
  stack.metrics.set_gauges([workers] { return workers->queue_depth(); },
                           [&stack] {
                             authd::observability::StoreGauges gauges;
                             if (auto live = stack.store.count_active_sessions(stack.clock.now())) {
                               gauges.active_sessions = *live;
                             }
                             return gauges;
                           });
  auto* telemetry = new authd::observability::RequestTelemetry(stack.metrics);
  authd::http::ServerConfig config;
  config.address = "127.0.0.1";
  config.port = 0;
  config.io_threads = 1;
  config.observer = telemetry;
  // Loopback is a trusted proxy, so X-Forwarded-For from the input is parsed and picks the
  // client address (and with it the per-address throttles).
  config.trusted_proxies = authd::http::TrustedProxies({"127.0.0.0/8", "::1"});
  config.limits.request_timeout = std::chrono::seconds(1);
  config.limits.idle_timeout = std::chrono::seconds(1);
  config.limits.write_timeout = std::chrono::seconds(1);
  auto* server = new authd::http::Server(config, stack.router, *workers);
  g_port = server->port();
  std::thread([server] {
    try {
      server->run();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuzz_http_request: server threw: %s\n", e.what());
      std::abort();
    }
    std::fprintf(stderr, "fuzz_http_request: server stopped\n");
    std::abort();
  }).detach();
}

int connect_to_server() {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(g_port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int attempt = 0; attempt < kConnectAttempts; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail_errno("socket");
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      return fd;
    }
    const int error = errno;
    ::close(fd);
    errno = error;
    // Out of ephemeral ports or interrupted: retry. A refusal means the server is gone.
    if (error != EADDRNOTAVAIL && error != EINTR && error != EAGAIN) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  fail_errno("cannot connect to the server");
}

void send_all(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the server closed early (431, 413, 400): fine
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Reads until the server closes (true) or stays silent for `poll_millis` (false). The first bytes
// go to `head` when given.
bool read_until_closed(int fd, int poll_millis, bool print, std::string* head = nullptr) {
  char buffer[16 * 1024];
  for (;;) {
    pollfd waiting{.fd = fd, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&waiting, 1, poll_millis);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) fail_errno("poll");
    if (ready == 0) return false;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;  // closed (or reset, when the server closed with unread bytes)
    if (print) std::fwrite(buffer, 1, static_cast<std::size_t>(n), stderr);
    if (head && head->size() < 64) head->append(buffer, static_cast<std::size_t>(n));
  }
}

void close_with_reset(int fd) {
  // A reset instead of the usual close: a TIME_WAIT per input would exhaust the ephemeral ports.
  const linger reset{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd);
}

// Aborts unless the server answers GET /healthz on a new connection.
void check_server_answers() {
  static constexpr char kProbe[] =
      "GET /healthz HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n";
  const int fd = connect_to_server();
  send_all(fd, reinterpret_cast<const std::uint8_t*>(kProbe), sizeof kProbe - 1);
  std::string head;
  const bool closed = read_until_closed(fd, kProbePollMillis, false, &head);
  close_with_reset(fd);
  if (!closed || !head.starts_with("HTTP/1.1 ")) {
    fail("the server stopped answering (GET /healthz) after this input");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* print = std::getenv("AUTHD_FUZZ_PRINT_RESPONSES");
  g_print_responses = print != nullptr && std::strcmp(print, "1") == 0;
  start_server();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = connect_to_server();
  send_all(fd, data, size);
  ::shutdown(fd, SHUT_WR);
  const bool closed = read_until_closed(fd, kReadPollMillis, g_print_responses);
  close_with_reset(fd);
  if (!closed) check_server_answers();
  return 0;
}
