// Building JSON responses, shared by every dialect.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "http/message.hpp"
#include "util/time.hpp"

namespace authd::api {

http::Response json_response(unsigned status, const boost::json::value& body);

// Optional fields as JSON: the value (times in ISO 8601 with milliseconds), or null.
boost::json::value optional_text(const std::optional<std::string>& text);
boost::json::value optional_time(const std::optional<util::TimePoint>& time);

// 503 with Retry-After: the store is unreachable right now and the client should try again.
http::Response unavailable_response(const boost::json::value& body);

}  // namespace authd::api
