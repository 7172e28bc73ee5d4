// Building JSON responses, shared by every dialect.
#pragma once

#include <boost/json/value.hpp>

#include "http/message.hpp"

namespace authd::api {

http::Response json_response(unsigned status, const boost::json::value& body);

// 503 with Retry-After: the store is unreachable right now and the client should try again.
http::Response unavailable_response(const boost::json::value& body);

}  // namespace authd::api
