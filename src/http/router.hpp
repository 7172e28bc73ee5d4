// Maps (method, path) to a handler. Each route also says whether its handler blocks (then the
// server runs it on the worker pool), whether it takes a JSON body, and how the errors the HTTP
// layer itself produces for it (413, 415, 503, 500) are worded, so that a client of one dialect
// always meets that dialect's error envelope.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace authd::http {

using Handler = std::function<Response(const Request&)>;
using ErrorFormatter = Response (*)(unsigned status, std::string_view message);

// `{"error": message}`: the wording for paths no dialect owns.
Response plain_error(unsigned status, std::string_view message);

enum class Work {
  inline_io,  // cheap and non-blocking: runs on the I/O thread
  blocking,   // hashes or touches the store: runs on the worker pool
};

struct Route {
  std::string method{};
  std::string path{};
  Handler handler{};
  Work work = Work::blocking;
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
