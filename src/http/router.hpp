// Maps (method, path) to a handler. Each route also says whether it takes a JSON body, and how
// the errors the HTTP layer itself produces for it (413, 415, 503, 500) are worded, so that a
// client of one dialect always meets that dialect's error envelope. A formatter adds
// Retry-After to its 503s.
#pragma once

#include <functional>
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
  std::string path{};
  Handler handler{};       // may block (hashing, store): the server runs it on the worker pool
  bool json_body = false;  // requests must carry Content-Type: application/json
  ErrorFormatter errors = plain_error;
};

struct RouteMatch {
  enum class Outcome { found, bad_target, not_found, method_not_allowed } outcome;
  const Route* route = nullptr;
  std::string path{};
  std::string allowed_methods{};  // for 405's Allow header
};

class Router {
 public:
  void add(Route route);
  // `target` is the request-target as received (origin-form, may carry a query).
  RouteMatch match(std::string_view method, std::string_view target) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace authd::http
