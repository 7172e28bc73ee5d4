// The only translation unit that includes Beast and Asio (they cost ~12 s and 0.8 GB to compile).
// Structure after Beast's advanced server example, with its 1.81 coroutine pitfalls avoided: a
// fresh parser per request, a timeout on every read and write, and no reuse after an error.
#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "http/request_checks.hpp"
#include "http/request_id.hpp"
#include "http/response_head.hpp"
#include "util/text.hpp"

namespace authd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kAwait = asio::use_awaitable;
// What is kept of a User-Agent (stored with a session, listed by GET /v1/sessions).
constexpr std::size_t kMaxUserAgentBytes = 512;

// What the shutdown sequence needs to know about a live connection. `stream` and `idle` are only
// touched on the connection's own I/O thread.
struct ConnectionState {
  asio::any_io_executor executor;
  beast::tcp_stream* stream = nullptr;
  bool idle = true;
  std::string client_network;  // counted against --max-connections-per-client; empty: exempt
  std::list<std::shared_ptr<ConnectionState>>::iterator registered{};
};

// Runs `fn` on the worker pool and resumes the calling coroutine on its own executor with the
// result; nullopt when the pool refused the work (queue full or shutting down).
template <class Fn>
asio::awaitable<std::optional<Response>> run_on_pool(util::WorkerPool& pool,
                                                     RequestObserver* observer, Fn fn) {
  auto initiate = [&pool, observer, fn = std::move(fn)](auto handler) mutable {
    // The completion handler is move-only; the pool stores copyable tasks.
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    auto executor = asio::get_associated_executor(*shared);
    const auto queued = std::chrono::steady_clock::now();
    const bool accepted =
        pool.try_submit([shared, executor, observer, queued, fn = std::move(fn)]() mutable {
          if (observer) observer->on_worker_wait(std::chrono::steady_clock::now() - queued);
          std::optional<Response> response = fn();
          asio::post(executor, [shared, response = std::move(response)]() mutable {
            (*shared)(std::move(response));
          });
        });
    if (!accepted) {
      asio::post(executor, [shared]() mutable { (*shared)(std::optional<Response>{}); });
    }
  };
  co_return co_await asio::async_initiate<decltype(kAwait), void(std::optional<Response>)>(
      std::move(initiate), kAwait);
}

// What is wrong with a request's header fields that no route should see, or nothing.
std::optional<std::string_view> header_problem(const bhttp::fields& fields, unsigned version) {
  return header_field_problem({.version = version,
                               .hosts = fields.count(bhttp::field::host),
                               .authorizations = fields.count(bhttp::field::authorization),
                               .content_types = fields.count(bhttp::field::content_type)});
}

// Every line of a list-valued field, joined with commas (RFC 9110 §5.3). For X-Forwarded-For:
// a proxy may add a line of its own instead of extending the first, and only the last entries
// are the ones a trusted proxy vouches for.
std::string joined(const bhttp::fields& fields, std::string_view name) {
  std::string out;
  for (auto [it, end] = fields.equal_range(name); it != end; ++it) {
    if (!out.empty()) out += ", ";
    out.append(it->value().data(), it->value().size());
  }
  return out;
}

bool is_quiet_close(const error_code& ec) {
  return ec == beast::error::timeout || ec == asio::error::eof ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message;
}

}  // namespace

struct Server::Impl {
  Impl(ServerConfig cfg, const Router& r, util::WorkerPool& w)
      : config(std::move(cfg)),
        router(r),
        workers(w),
        contexts(make_contexts(config.io_threads)),
        control(asio::make_strand(*contexts.front())),
        acceptor(control),
        signals(control, SIGINT, SIGTERM) {
    const tcp::endpoint endpoint{asio::ip::make_address(config.address), config.port};
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  }

  // One io_context per I/O thread, each run by its thread alone: a connection lives on one
  // context for its whole life, so its handlers never run concurrently and need no strand (and
  // no strand's locking and type-erased executor on every operation). The trade-off: connections
  // are spread round-robin and stay put, so one busy connection delays the others on its
  // thread; every handler on an I/O thread is short (blocking work goes to the worker pool).
  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(std::size_t threads) {
    std::vector<std::unique_ptr<asio::io_context>> made;
    for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
      made.push_back(std::make_unique<asio::io_context>(1));
    }
    return made;
  }

  void run() {
    signals.async_wait([this](const error_code& ec, int signal) {
      if (ec) return;
      spdlog::info("received signal {}, shutting down", signal);
      begin_shutdown();
    });
    asio::co_spawn(control, accept_loop(), asio::detached);
    // The other contexts may have no connection for a while: keep them running until shutdown.
    for (std::size_t i = 1; i < contexts.size(); ++i) {
      keep_running.emplace_back(asio::make_work_guard(*contexts[i]));
    }
    // However run() is left (an exception out of a handler, a thread that cannot start), the
    // other threads must end before they are joined: release and stop their contexts first.
    struct StopOnExit {
      Impl& impl;
      ~StopOnExit() {
        impl.keep_running.clear();
        impl.stop_all_contexts();
      }
    };
    std::vector<std::jthread> threads;  // joined after stop_on_exit has run (declared before it)
    StopOnExit stop_on_exit{*this};
    for (std::size_t i = 1; i < contexts.size(); ++i) {
      threads.emplace_back([context = contexts[i].get()] { context->run(); });
    }
    contexts.front()->run();
  }

  // The context the next accepted connection lives on, in turn.
  asio::io_context& next_context() {
    return *contexts[next_connection_context++ % contexts.size()];
  }

  void stop_all_contexts() {
    for (auto& context : contexts) context->stop();
  }

  void stop() {
    asio::post(control, [this] { begin_shutdown(); });
  }

  // Runs on the control strand.
  void begin_shutdown() {
    if (stopping.exchange(true)) return;
    error_code ignored;
    acceptor.close(ignored);
    signals.cancel(ignored);
    {
      std::lock_guard lock(connections_mutex);
      for (const auto& connection : connections) {
        asio::post(connection->executor, [connection] {
          if (connection->stream && connection->idle) connection->stream->cancel();
        });
      }
    }
    asio::co_spawn(control, drain(), asio::detached);
  }

  // Waits for in-flight requests to finish, then gives up on the rest after the grace period.
  asio::awaitable<void> drain() {
    asio::steady_timer timer(control);
    const auto deadline = std::chrono::steady_clock::now() + config.shutdown_grace;
    while (live_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(kAwait);
    }
    keep_running.clear();  // the other contexts return once their connections are gone
    if (const auto left = live_connections(); left > 0) {
      spdlog::warn("shutdown grace period over, dropping {} connection(s)", left);
      stop_all_contexts();
    }
  }

  std::size_t live_connections() {
    std::lock_guard lock(connections_mutex);
    return connections.size();
  }

  // Registers the connection, unless its client network already holds its share of them.
  bool admit(const std::shared_ptr<ConnectionState>& state) {
    std::lock_guard lock(connections_mutex);
    if (!state->client_network.empty()) {
      std::size_t& held = connections_per_network[state->client_network];
      if (held >= config.max_connections_per_client) {
        if (held == 0) connections_per_network.erase(state->client_network);
        return false;
      }
      ++held;
    }
    state->registered = connections.insert(connections.end(), state);
    return true;
  }

  void release(const std::shared_ptr<ConnectionState>& state) {
    std::lock_guard lock(connections_mutex);
    if (!state->client_network.empty()) {
      const auto it = connections_per_network.find(state->client_network);
      if (it != connections_per_network.end() && --it->second == 0) {
        connections_per_network.erase(it);
      }
    }
    connections.erase(state->registered);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(next_context(), asio::redirect_error(kAwait, ec));
      if (stopping) co_return;
      if (ec) {
        // Out of file descriptors and the like: back off briefly instead of spinning.
        spdlog::warn("accept failed: {}", ec.message());
        asio::steady_timer pause(control, std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::redirect_error(kAwait, ec));
        continue;
      }
      if (live_connections() >= config.max_connections) {
        // Closing at once costs the client a retry; accepting would cost every client memory.
        spdlog::warn("connection limit {} reached, refusing a connection", config.max_connections);
        socket.close(ec);
        continue;
      }
      auto state = std::make_shared<ConnectionState>();
      state->executor = socket.get_executor();
      const auto remote = socket.remote_endpoint(ec);
      const std::string peer = ec ? std::string() : remote.address().to_string();
      // A trusted proxy carries many clients: its connections are limited by the total alone.
      if (!peer.empty() && !config.trusted_proxies.contains(peer)) {
        state->client_network = throttle_network(peer);
      }
      if (!admit(state)) {
        spdlog::warn("connection limit per client ({}) reached, refusing a connection",
                     config.max_connections_per_client);
        socket.close(ec);
        continue;
      }
      auto executor = socket.get_executor();
      asio::co_spawn(executor, serve_connection(std::move(socket), std::move(state)),
                     asio::detached);
    }
  }

  // `state` is registered already (admit), and released here however the connection ends.
  asio::awaitable<void> serve_connection(tcp::socket socket,
                                         std::shared_ptr<ConnectionState> state) {
    error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    const std::string client_address = ec ? std::string() : remote.address().to_string();
    // Released however the coroutine ends (an exception of any type, or destruction at
    // shutdown), so a client's count of connections can never leak.
    struct Release {
      Impl& impl;
      std::shared_ptr<ConnectionState> state;
      ~Release() {
        state->stream = nullptr;
        impl.release(state);
      }
    } release_on_exit{*this, state};
    beast::tcp_stream stream(std::move(socket));
    state->stream = &stream;
    try {
      co_await serve_requests(stream, *state, client_address);
    } catch (const std::exception& e) {
      spdlog::error("connection from {} failed: {}", client_address, e.what());
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // An answer given before a request could be routed (malformed, over a limit); the connection
  // is closed after it.
  asio::awaitable<void> reject(beast::tcp_stream& stream, Response response, unsigned version,
                               error_code& ec, bool head = false) {
    const std::string request_id = next_request_id();
    if (config.observer) {
      config.observer->on_request({.method = "-",
                                   .route = "unmatched",
                                   .status = response.status,
                                   .request_id = request_id});
    }
    response.headers.emplace_back("X-Request-Id", request_id);
    co_await write(stream, std::move(response), version, false, ec, head);
  }

  // Writes the answer in one go: its head (response_head) and its body, none for HEAD.
  asio::awaitable<void> write(beast::tcp_stream& stream, Response response, unsigned version,
                              bool keep_alive, error_code& ec, bool head = false) {
    const std::string fields = response_head(response, version, keep_alive);
    std::array<asio::const_buffer, 2> wire{asio::buffer(fields), asio::const_buffer()};
    if (!head && status_has_body(response.status)) wire[1] = asio::buffer(response.body);
    stream.expires_after(config.limits.write_timeout);
    co_await asio::async_write(stream, wire, asio::redirect_error(kAwait, ec));
  }

  // The connection's life, one request after another: wait for the first byte (idle timeout),
  // read the request under every limit, answer it, and decide whether to keep the connection.
  asio::awaitable<void> serve_requests(beast::tcp_stream& stream, ConnectionState& state,
                                       const std::string& peer_address) {
    const ServerLimits& limits = config.limits;
    // Bounded: Beast 1.81 does not limit chunk-size lines or trailers, so without a cap one
    // client could make the buffer grow with every byte it sends. Overflow is answered 400.
    beast::flat_buffer buffer(limits.max_header_bytes + limits.max_body_bytes +
                              std::size_t{16} * 1024);
    for (std::size_t served = 1;; ++served) {
      state.idle = true;
      if (stopping || !co_await wait_for_request(stream, buffer)) co_return;
      std::optional<Incoming> incoming = co_await read_request(stream, buffer, peer_address);
      if (!incoming) co_return;
      // Only a complete request keeps the connection from being closed by a shutdown.
      state.idle = false;
      const bool keep_alive = co_await answer(stream, *incoming, peer_address, served);
      if (!keep_alive) co_return;
    }
  }

  // Between requests the idle timeout applies; once a byte arrives, the request timeout. False
  // when the client went away or stayed silent.
  asio::awaitable<bool> wait_for_request(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
    if (buffer.size() > 0) co_return true;  // a pipelined request is there already
    error_code ec;
    stream.expires_after(config.limits.idle_timeout);
    const std::size_t n =
        co_await stream.async_read_some(buffer.prepare(4096), asio::redirect_error(kAwait, ec));
    if (ec) co_return false;
    buffer.commit(n);
    co_return true;
  }

  // A request read in full, with its route.
  struct Incoming {
    bhttp::request<bhttp::string_body> message;
    RouteMatch match;
    ErrorFormatter errors;  // the route's (or its path's) error shape
    bool head = false;
  };

  // Reads one request under the limits. nullopt when the connection must close: the request
  // broke a limit or its framing is in doubt (answered here), or the client went away.
  asio::awaitable<std::optional<Incoming>> read_request(beast::tcp_stream& stream,
                                                        beast::flat_buffer& buffer,
                                                        const std::string& peer_address) {
    const ServerLimits& limits = config.limits;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    error_code ec;
    stream.expires_after(limits.request_timeout);
    co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(kAwait, ec));
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        co_await reject(stream, plain_error(431, "Request headers too large"), 11, ec);
      } else if (ec == bhttp::error::body_limit) {
        // A declared Content-Length over the limit is refused before reading the body.
        const auto& header = parser.get();
        co_await reject(stream, errors_for(header)(413, "Request body too large"), header.version(),
                        ec);
      } else if (!is_quiet_close(ec)) {
        co_await reject(stream, plain_error(400, "Malformed HTTP request"), 11, ec);
      }
      co_return std::nullopt;
    }

    const auto& header = parser.get();
    const unsigned version = header.version();
    if (std::optional<Response> refusal = framing_refusal(parser, peer_address)) {
      co_await reject(stream, std::move(*refusal), version, ec);
      co_return std::nullopt;
    }
    RouteMatch match = router.match(header.method_string(), header.target());
    const ErrorFormatter errors = match.route ? match.route->errors : router.errors_for(match.path);
    const bool head = header.method() == bhttp::verb::head;
    if (const auto problem = header_problem(header, version)) {
      // Closed after the answer: the body (if any) was not read.
      co_await reject(stream, errors(400, *problem), version, ec, head);
      co_return std::nullopt;
    }

    if (!parser.is_done()) {
      if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, version};
        co_await bhttp::async_write(stream, go_on, asio::redirect_error(kAwait, ec));
        if (ec) co_return std::nullopt;
      }
      co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(kAwait, ec));
      if (ec == bhttp::error::body_limit) {
        co_await reject(stream, errors(413, "Request body too large"), version, ec);
        co_return std::nullopt;
      }
      if (ec) {
        if (!is_quiet_close(ec)) {
          co_await reject(stream, errors(400, "Malformed HTTP request body"), version, ec);
        }
        co_return std::nullopt;
      }
    }
    co_return Incoming{
        .message = parser.release(), .match = std::move(match), .errors = errors, .head = head};
  }

  ErrorFormatter errors_for(const bhttp::request_header<>& header) const {
    const RouteMatch match = router.match(header.method_string(), header.target());
    return match.route ? match.route->errors : router.errors_for(match.path);
  }

  // Why a request head must be refused before any route sees it (a limit, or framing that cannot
  // be trusted), in plain JSON; the connection is closed after the answer.
  std::optional<Response> framing_refusal(const bhttp::request_parser<bhttp::string_body>& parser,
                                          const std::string& peer_address) const {
    const auto& header = parser.get();
    if (static_cast<std::size_t>(std::distance(header.begin(), header.end())) >
        config.limits.max_header_fields) {
      return plain_error(431, "Too many request headers");
    }
    if (header.target().size() > config.limits.max_target_bytes) {
      return plain_error(414, "Request target too long");
    }
    if (header.count(bhttp::field::transfer_encoding) == 0) return std::nullopt;
    // RFC 9112 §6.3: Transfer-Encoding that Beast does not frame as chunked (it does not end in
    // chunked, or names it twice) cannot be delimited; Beast 1.81 would read such a request as
    // body-less and parse the body as the next request. Asking the parser itself keeps this
    // check and the framing from ever disagreeing. (Beast rejects chunked + Content-Length.)
    if (!parser.chunked()) {
      spdlog::debug("rejecting request from {}: Transfer-Encoding is not chunked", peer_address);
      return plain_error(400, "Unsupported Transfer-Encoding");
    }
    // A coding authd does not apply ("gzip, chunked"): the framing holds, but the body could
    // not be read as what it is (RFC 9112 §6.1: 501).
    if (!is_chunked_only(joined(header, "Transfer-Encoding"))) {
      return plain_error(501, "Transfer coding not implemented");
    }
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message is faulty framing, even with
    // Content-Length: refuse it and close.
    if (header.version() < 11) return plain_error(400, "Transfer-Encoding is not HTTP/1.0");
    return std::nullopt;
  }

  // Answers a complete request (the `served`th on its connection), reports it, and says whether
  // the connection stays open for another.
  asio::awaitable<bool> answer(beast::tcp_stream& stream, Incoming& incoming,
                               const std::string& peer_address, std::size_t served) {
    const auto started = std::chrono::steady_clock::now();
    const std::string request_id = next_request_id();
    const std::string client = config.trusted_proxies.client_address(
        peer_address, joined(incoming.message, "X-Forwarded-For"));
    Response response = co_await route_request(incoming, client, request_id);

    const bool keep_alive = incoming.message.keep_alive() && !stopping &&
                            served < config.limits.max_requests_per_connection;
    response.headers.emplace_back("X-Request-Id", request_id);
    const unsigned status = response.status;
    error_code ec;
    co_await write(stream, std::move(response), incoming.message.version(), keep_alive, ec,
                   incoming.head);
    if (config.observer) {
      // Route templates only: an unmatched path is client data and stays out of labels.
      const RouteMatch& match = incoming.match;
      config.observer->on_request({.method = incoming.message.method_string(),
                                   .route = match.route ? std::string_view(match.route->path)
                                                        : std::string_view("unmatched"),
                                   .status = status,
                                   .latency = std::chrono::steady_clock::now() - started,
                                   .request_id = request_id,
                                   .client_address = client});
    }
    co_return !ec && keep_alive;
  }

  // The answer of the request's route, or of the router when there is none.
  asio::awaitable<Response> route_request(Incoming& incoming, const std::string& client,
                                          const std::string& request_id) {
    RouteMatch& match = incoming.match;
    auto& message = incoming.message;
    switch (match.outcome) {
      case RouteMatch::Outcome::bad_target:
        co_return plain_error(400, "Malformed request target");
      case RouteMatch::Outcome::not_found:
        co_return incoming.errors(404, "Not found");
      case RouteMatch::Outcome::method_not_allowed: {
        Response response = incoming.errors(405, "Method not allowed");
        response.headers.emplace_back("Allow", match.allowed_methods);
        co_return response;
      }
      case RouteMatch::Outcome::found:
        break;
    }
    if (match.route->json_body && !is_json_media_type(message[bhttp::field::content_type])) {
      co_return incoming.errors(415, "Content-Type must be application/json");
    }
    Request request{
        .method = std::string(message.method_string()),
        .path = match.path,
        .query = std::move(match.query),
        .path_params = std::move(match.params),
        .authorization = std::string(message[bhttp::field::authorization]),
        .content_type = std::string(message[bhttp::field::content_type]),
        .user_agent = util::printable_text(message[bhttp::field::user_agent], kMaxUserAgentBytes),
        .client_address = client,
        .client_network = throttle_network(client),
        .request_id = request_id,
        .body = std::move(message.body()),
    };
    co_return co_await dispatch(*match.route, std::move(request));
  }

  asio::awaitable<Response> dispatch(const Route& route, Request request) {
    // A handler's exception is a 500 for this request, never the connection's end.
    const auto guarded = [&route](auto&& handler, const Request& r) -> std::optional<Response> {
      try {
        return handler(r);
      } catch (const std::exception& e) {
        spdlog::error("handler for {} {} failed: {}", route.method, route.path, e.what());
        return route.errors(500, "Internal server error");
      }
    };
    if (route.try_inline) {
      if (std::optional<Response> answer = guarded(route.try_inline, request)) {
        co_return std::move(*answer);
      }
    }
    auto call = [&route, guarded, request = std::move(request)]() -> Response {
      return *guarded(route.handler, request);
    };
    if (!route.blocking) co_return call();
    std::optional<Response> response =
        co_await run_on_pool(workers, config.observer, std::move(call));
    // Every 503 formatter adds Retry-After.
    if (!response) co_return route.errors(503, "Server busy, retry later");
    co_return std::move(*response);
  }

  ServerConfig config;
  const Router& router;
  util::WorkerPool& workers;
  // One per I/O thread. Destroyed front to back (libstdc++), so contexts[0], whose queue may
  // still hold a just-accepted socket of another context, goes before the one owning it.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::size_t next_connection_context = 0;                // only touched by the accept loop
  asio::strand<asio::io_context::executor_type> control;  // acceptor, signals, shutdown
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::atomic<bool> stopping{false};
  std::mutex connections_mutex;
  std::list<std::shared_ptr<ConnectionState>> connections;
  std::unordered_map<std::string, std::size_t> connections_per_network;
};

Server::Server(ServerConfig config, const Router& router, util::WorkerPool& workers)
    : impl_(std::make_unique<Impl>(std::move(config), router, workers)) {}

Server::~Server() = default;

std::uint16_t Server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void Server::run() {
  impl_->run();
}

void Server::stop() {
  impl_->stop();
}

}  // namespace authd::http
