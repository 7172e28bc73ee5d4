// The HTTP/1.1 edge: accepts connections, reads requests under size and time limits, routes them
// and writes responses, with keep-alive and pipelining. Blocking handlers run on the worker pool;
// a full pool answers 503 with Retry-After at once. SIGINT/SIGTERM stop it gracefully: no new
// connections, in-flight requests finish, idle connections close.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http/client_address.hpp"
#include "http/request_observer.hpp"
#include "http/router.hpp"
#include "util/worker_pool.hpp"

namespace authd::http {

struct ServerLimits {
  std::size_t max_header_bytes = std::size_t{8} * 1024;  // request line + headers; more gets 431
  std::size_t max_header_fields = 100;                   // more gets 431
  std::size_t max_target_bytes = 2048;  // the request-target (path + query); more gets 414
  std::size_t max_body_bytes = std::size_t{64} * 1024;  // more gets 413
  std::size_t max_requests_per_connection = 1000;       // then the connection is closed
  std::chrono::seconds request_timeout{10};  // to receive a request once its first byte came
  std::chrono::seconds idle_timeout{30};     // keep-alive wait for the next request
  std::chrono::seconds write_timeout{10};
};

struct ServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  std::size_t io_threads = 1;
  std::size_t max_connections = 10000;  // further connections are closed at once
  // Connections one client network (an IPv4 address, an IPv6 /64) may hold, so that one client
  // cannot take every slot; a trusted proxy's connections count only against the total.
  std::size_t max_connections_per_client = 256;
  TrustedProxies trusted_proxies;       // whose X-Forwarded-For is believed
  RequestObserver* observer = nullptr;  // metrics and access log; must outlive the server
  ServerLimits limits;
  std::chrono::seconds shutdown_grace{10};  // in-flight requests get this long to finish
};

class Server {
 public:
  // Binds the listening socket (throws std::system_error when it cannot).
  Server(ServerConfig config, const Router& router, util::WorkerPool& workers);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;

  // Serves until SIGINT/SIGTERM or stop(), then shuts down gracefully and returns.
  void run();
  // Thread-safe; begins the graceful shutdown.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace authd::http
