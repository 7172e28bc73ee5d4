// The request and response as the rest of authd sees them: plain structs, no Beast. The HTTP
// server fills a Request from the wire and serialises a Response, so the dialect adapters and
// their tests compile without the heavy networking headers.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authd::http {

struct Request {
  std::string method{};  // "POST", "PUT", ...
  std::string path{};    // path as received, without the query
  std::string query{};   // the query as received (percent-encoded), without the '?'
  // Values of the route's {name} segments, as received (still percent-encoded).
  std::vector<std::pair<std::string, std::string>> path_params{};
  std::string authorization{};  // the Authorization header; a credential, never logged
  std::string content_type{};
  std::string user_agent{};
  std::string client_address{};  // X-Forwarded-For is honoured only from trusted proxies
  std::string client_network{};  // what per-client throttling counts (IPv6: the /64)
  std::string request_id{};      // echoed as X-Request-Id; ties security events to requests
  std::string body{};
};

inline std::string_view path_param(const Request& request, std::string_view name) {
  for (const auto& [key, value] : request.path_params) {
    if (key == name) return value;
  }
  return {};
}

struct Response {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers{};
};

}  // namespace authd::http
