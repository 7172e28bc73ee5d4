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

void Router::set_errors_under(std::string prefix, ErrorFormatter errors) {
  prefix_errors_.emplace_back(std::move(prefix), errors);
}

ErrorFormatter Router::errors_for(std::string_view path) const {
  for (const auto& [prefix, errors] : prefix_errors_) {
    if (path.starts_with(prefix)) return errors;
  }
  return plain_error;
}

namespace {

// Matches `path` against a route template; fills `params` for its {name} segments. With
// `rest_of_path`, a {name} last segment takes the rest of the path, slashes included, and may
// be empty ("/v1/check/" is Envoy's check of the app's "/").
bool matches(std::string_view pattern, std::string_view path, bool rest_of_path,
             std::vector<std::pair<std::string, std::string>>& params) {
  params.clear();
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view want = pattern.substr(0, pattern.find('/'));
    const bool rest = rest_of_path && want.size() == pattern.size();
    const std::string_view have = rest ? path : path.substr(0, path.find('/'));
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (have.empty() && !rest) return false;
      params.emplace_back(want.substr(1, want.size() - 2), have);
    } else if (want != have) {
      return false;
    }
    pattern.remove_prefix(want.size());
    path.remove_prefix(have.size());
  }
  return pattern.empty() && path.empty();
}

bool is_template(std::string_view pattern) {
  return pattern.find('{') != std::string_view::npos;
}

}  // namespace

RouteMatch Router::match(std::string_view method, std::string_view target) const {
  // HEAD is GET without the body (RFC 9110 §9.3.2): it runs the GET route; the server drops
  // the body from the answer.
  if (method == "HEAD") method = "GET";
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return {.outcome = RouteMatch::Outcome::bad_target};
  // Matched as received: a percent-encoded "/" (%2F) must not turn into a path separator.
  std::string path(parsed->encoded_path());

  RouteMatch result{.outcome = RouteMatch::Outcome::not_found,
                    .path = path,
                    .query = std::string(parsed->encoded_query())};
  std::vector<std::pair<std::string, std::string>> params;
  // Literal routes first: a path some literal route owns ("/v1/sessions/refresh") is answered
  // by its literal routes alone, 405 included, and never falls through to a template.
  for (const bool templates : {false, true}) {
    for (const Route& route : routes_) {
      if (is_template(route.path) != templates ||
          !matches(route.path, path, route.rest_of_path, params))
        continue;
      if (route.method == method) {
        result.route = &route;
        result.params = params;
        break;
      }
      // Method names are fixed tokens, none a part of another: a substring test suffices.
      if (result.allowed_methods.find(route.method) != std::string::npos) continue;
      if (!result.allowed_methods.empty()) result.allowed_methods += ", ";
      result.allowed_methods += route.method;
      if (route.method == "GET") result.allowed_methods += ", HEAD";
    }
    if (result.route != nullptr || !result.allowed_methods.empty()) break;
  }
  if (result.route != nullptr) {
    result.outcome = RouteMatch::Outcome::found;
  } else if (!result.allowed_methods.empty()) {
    result.outcome = RouteMatch::Outcome::method_not_allowed;
  }
  return result;
}

}  // namespace authd::http
