// Checks on request headers that Beast 1.81 leaves to the application, as pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace authd::http {

// RFC 9112 §6.3: a request whose Transfer-Encoding does not end in "chunked", or that carries both
// Transfer-Encoding and Content-Length, cannot be framed reliably; it gets 400 and the connection
// is closed. Returns the reason when the framing is unacceptable.
std::optional<std::string_view> framing_problem(std::optional<std::string_view> transfer_encoding,
                                                bool has_content_length);

// True for application/json, with or without parameters (charset=utf-8), any letter case.
bool is_json_media_type(std::string_view content_type);

}  // namespace authd::http
