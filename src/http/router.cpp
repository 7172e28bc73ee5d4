#include "http/router.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

namespace authd::http {

Response plain_error(unsigned status, std::string_view message) {
  Response response{.status = status,
                    .body = boost::json::serialize(boost::json::object{{"error", message}})};
  if (status == 503) response.headers.emplace_back("Retry-After", "1");
  return response;
}

void Router::add(Route route) {
  routes_.push_back(std::move(route));
}

RouteMatch Router::match(std::string_view method, std::string_view target) const {
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return {.outcome = RouteMatch::Outcome::bad_target};
  // Matched as received: a percent-encoded "/" (%2F) must not turn into a path separator.
  std::string path(parsed->encoded_path());

  RouteMatch result{.outcome = RouteMatch::Outcome::not_found, .path = path};
  for (const Route& route : routes_) {
    if (route.path != path) continue;
    if (route.method == method) {
      result.outcome = RouteMatch::Outcome::found;
      result.route = &route;
      return result;
    }
    result.outcome = RouteMatch::Outcome::method_not_allowed;
    if (!result.allowed_methods.empty()) result.allowed_methods += ", ";
    result.allowed_methods += route.method;
  }
  return result;
}

}  // namespace authd::http
