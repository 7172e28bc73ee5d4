#include "api/json_response.hpp"

#include <boost/json/serialize.hpp>

namespace authd::api {

http::Response json_response(unsigned status, const boost::json::value& body) {
  return http::Response{.status = status, .body = boost::json::serialize(body)};
}

http::Response unavailable_response(const boost::json::value& body) {
  http::Response response = json_response(503, body);
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

}  // namespace authd::api
