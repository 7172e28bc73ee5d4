// Checks on request headers, as pure functions (unit-tested without a server).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace authd::http {

// True for application/json in any letter case, with no parameters or with charset=utf-8 (the
// only encoding JSON is exchanged in, RFC 8259 §8.1). Any other charset, or a parameter that
// does not parse, is false: a body in another encoding must not be read as UTF-8 (415).
bool is_json_media_type(std::string_view content_type);

// A header value made safe to keep and show (the User-Agent recorded with a session): invalid
// UTF-8 becomes U+FFFD, control characters are dropped, and the result is cut to `max_bytes`
// on a character boundary. Stores and JSON writers then never meet bytes they cannot take.
std::string printable_text(std::string_view value, std::size_t max_bytes);

}  // namespace authd::http
