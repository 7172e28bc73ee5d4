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

}  // namespace authd::api
