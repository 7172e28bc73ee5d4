// Maps (method, path) to a handler. Each route also says whether it takes a JSON body, and how
// the errors the HTTP layer itself produces for it (413, 415, 503, 500) are worded, so that a
// client of one dialect always meets that dialect's error envelope. A formatter adds
// Retry-After to its 503s.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace authd::http {

using Handler = std::function<Response(const Request&)>;
using ErrorFormatter = Response (*)(unsigned status, std::string_view message);

// `{"error": message}`: the wording for paths no dialect owns (with Retry-After on 503).
Response plain_error(unsigned status, std::string_view message);

struct Route {
  std::string method{};
  // Literal segments and "{name}" segments that match any one non-empty segment, such as
  // "/v1/sessions/{id}". A literal route wins over a template for the same path.
  std::string path{};
  // The last "{name}" segment takes the rest of the path, slashes included, even none
  // ("/v1/check/{path}" matches "/v1/check/app/page" and "/v1/check/"): for a proxy that
  // appends the original path to the route's.
  bool rest_of_path = false;
  Handler handler{};
  // A blocking handler (hashing, store) runs on the worker pool; a non-blocking one (static or
  // in-memory answers) runs on the I/O thread, saving the hand-off.
  bool blocking = true;
  // For a blocking route: tried first, on the I/O thread, for an answer from memory (nothing
  // that blocks); nullopt sends the request on to `handler` on the worker pool as usual.
  std::function<std::optional<Response>(const Request&)> try_inline{};
  bool json_body = false;  // requests must carry Content-Type: application/json
  ErrorFormatter errors = plain_error;
};

struct RouteMatch {
  enum class Outcome { found, bad_target, not_found, method_not_allowed } outcome;
  const Route* route = nullptr;
  std::string path{};
  std::string query{};  // the request-target's query, still percent-encoded, without the '?'
  std::vector<std::pair<std::string, std::string>> params{};  // the route's {name} segments
  std::string allowed_methods{};                              // for 405's Allow header
};

class Router {
 public:
  void add(Route route);
  // `target` is the request-target as received (origin-form, may carry a query). HEAD matches
  // the GET route of the path.
  RouteMatch match(std::string_view method, std::string_view target) const;
  const std::vector<Route>& routes() const { return routes_; }

  // How errors for unmatched paths under `prefix` (404, 405) are worded, e.g. problem+json
  // under "/v1/"; elsewhere plain_error.
  void set_errors_under(std::string prefix, ErrorFormatter errors);
  ErrorFormatter errors_for(std::string_view path) const;

 private:
  std::vector<Route> routes_;
  std::vector<std::pair<std::string, ErrorFormatter>> prefix_errors_;
};

}  // namespace authd::http
