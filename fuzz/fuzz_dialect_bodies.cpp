// Feeds the input as the JSON body of each of the nine POST/PUT routes (seed 000 register and
// login, seed 002 register and login, seed 003 register and login, /v1 users, sessions and
// refresh), calling the handlers the
// real router holds directly, as the server's worker would, over a real AuthService on a temp
// SQLite store (fuzz_stack.hpp). "No crash" means no sanitizer report and no exception out of a
// handler, and also: every response is JSON (application/json, or application/problem+json
// for /v1), its body parses, and its
// status is a 2xx or 4xx. A 500 (or an exception, which the server turns into one) reachable
// from a body is a bug, so it aborts with the route and the response.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "fuzz_stack.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace {

struct Endpoint {
  const char* method;
  const char* path;
  const char* error_type;  // the media type of its errors
};

constexpr const char* kJson = "application/json";
constexpr Endpoint kBodyRoutes[] = {
    {"POST", "/auth/register", kJson},
    {"POST", "/auth/login", kJson},
    {"POST", "/auth", kJson},
    {"PUT", "/auth", kJson},
    {"POST", "/api/auth/register", kJson},
    {"POST", "/api/auth/login", kJson},
    {"POST", "/v1/users", "application/problem+json"},
    {"POST", "/v1/sessions", "application/problem+json"},
    {"POST", "/v1/sessions/refresh", "application/problem+json"},
};

[[noreturn]] void fail(const Endpoint& endpoint, const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_dialect_bodies: %s %s: %s: %.*s\n", endpoint.method, endpoint.path,
               what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void call(const authd::http::Router& router, const Endpoint& endpoint, std::string_view body) {
  const authd::http::RouteMatch match = router.match(endpoint.method, endpoint.path);
  if (match.outcome != authd::http::RouteMatch::Outcome::found) {
    fail(endpoint, "no route", "");
  }
  authd::http::Request request{
      .method = endpoint.method,
      .path = match.path,
      .content_type = "application/json",
      .user_agent = "fuzz_dialect_bodies/1",
      .client_address = "127.0.0.1",
      .body = std::string(body),
  };
  authd::http::Response response;
  try {
    response = match.route->handler(request);
  } catch (const std::exception& e) {
    fail(endpoint, "handler threw (the server answers 500)", e.what());
  }
  if (response.status == 500) fail(endpoint, "500 reachable from a body", response.body);
  if (response.status < 200 || response.status >= 500) {
    fail(endpoint, "status outside 2xx-4xx", std::to_string(response.status));
  }
  const bool error = response.status >= 400;
  if (response.content_type != (error ? endpoint.error_type : kJson)) {
    fail(endpoint, "unexpected content type", response.content_type);
  }
  boost::system::error_code ec;
  (void)boost::json::parse(response.body, ec);
  if (ec) fail(endpoint, "response body is not JSON", response.body);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)authd::fuzz::stack();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const authd::http::Router& router = authd::fuzz::stack().router;
  for (const Endpoint& endpoint : kBodyRoutes) call(router, endpoint, body);
  return 0;
}
