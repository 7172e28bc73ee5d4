// Checks on request headers, as pure functions (unit-tested without a server).
#pragma once

#include <string_view>

namespace authd::http {

// True for application/json, with or without parameters (charset=utf-8), any letter case.
bool is_json_media_type(std::string_view content_type);

}  // namespace authd::http
