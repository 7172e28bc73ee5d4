#include "api/json_response.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>

namespace authd::api {

boost::json::value optional_text(const std::optional<std::string>& text) {
  return text ? boost::json::value(*text) : boost::json::value(nullptr);
}

boost::json::value optional_time(const std::optional<util::TimePoint>& time) {
  return time ? boost::json::value(util::to_iso8601(*time)) : boost::json::value(nullptr);
}

http::Response json_response(unsigned status, const boost::json::value& body) {
  return http::Response{.status = status, .body = boost::json::serialize(body)};
}

http::Response unavailable_response(const boost::json::value& body) {
  http::Response response = json_response(503, body);
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

http::Response throttled_response(const boost::json::value& body,
                                  std::chrono::seconds retry_after) {
  http::Response response = json_response(429, body);
  response.headers.emplace_back("Retry-After",
                                std::to_string(std::max<long>(1, retry_after.count())));
  return response;
}

std::optional<std::string> common_message(const core::AuthFailure& failure,
                                          std::size_t max_password_bytes,
                                          std::size_t min_password_characters) {
  using core::AuthError;
  switch (failure.code) {
    case AuthError::invalid_password:
      return "Password must be at most " + std::to_string(max_password_bytes) +
             " bytes and contain no NUL character";
    case AuthError::password_too_short:
      return "Password must be at least " + std::to_string(min_password_characters) +
             " characters long";
    case AuthError::password_too_common:
      return std::string("Password is too common; choose another one");
    case AuthError::invalid_roles:
      return std::string("Too many roles, or a role name too long");
    case AuthError::throttled:
      return std::string("Too many attempts; try again later");
    default:
      return std::nullopt;
  }
}

}  // namespace authd::api
