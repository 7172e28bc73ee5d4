// Text that is kept and shown later (a User-Agent listed with a session, a user's names): what
// counts as a control character, and how to make any bytes safe to keep. Control characters
// are C0 and C1 controls, DEL, and the bidirectional overrides and isolates (U+202A-U+202E,
// U+2066-U+2069) that make text display in another order than it is stored.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace authd::util {

// True when `text` is not well-formed UTF-8 or holds a control character.
bool has_control_characters(std::string_view text);

// `value` made safe to keep and show: invalid UTF-8 becomes U+FFFD, control characters are
// dropped, and the result is cut to `max_bytes` on a character boundary. Stores and JSON
// writers then never meet bytes they cannot take.
std::string printable_text(std::string_view value, std::size_t max_bytes);

}  // namespace authd::util
