// The one canonicalisation of email addresses, applied on every path that takes an email:
// surrounding whitespace trimmed, ASCII letters case-folded for the uniqueness key. The address
// is otherwise kept as the user typed it, for display.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authd::core {

inline constexpr std::size_t kMaxEmailBytes = 254;      // RFC 5321 path limit
inline constexpr std::size_t kMaxEmailLocalBytes = 64;  // RFC 5321 local-part limit

struct CanonicalEmail {
  std::string display;  // trimmed, as given
  std::string key;      // case-folded: what uniqueness and lookups use
};

// nullopt when the address is not one we accept: no '@', an empty local part or domain, a part
// over its length limit, or any whitespace or control character inside.
std::optional<CanonicalEmail> canonicalize_email(std::string_view raw);

}  // namespace authd::core
