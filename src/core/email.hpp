// The one grammar and canonicalisation of email addresses, applied on every route that takes an
// email (and by `authd import`). The grammar is the HTML standard's "valid e-mail address", the
// one browsers enforce for <input type=email>:
//   local  = 1*( ALPHA / DIGIT / one of .!#$%&'*+/=?^_`{|}~- )
//   domain = label *( "." label ), label = let-dig [ *61( let-dig / "-" ) let-dig ]
// with RFC 5321's limits (local part 64 bytes, 254 in all). ASCII only: full-width letters, the
// Kelvin sign, a dotless ı, NBSP, zero-width spaces or a trailing dot cannot make an address
// that displays like another one. Surrounding ASCII whitespace is trimmed; letters are
// case-folded for the uniqueness key, so two accounts never differ only in case. The address is
// otherwise kept as the user typed it, for display.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authd::core {

inline constexpr std::size_t kMaxEmailBytes = 254;      // RFC 5321 path limit
inline constexpr std::size_t kMaxEmailLocalBytes = 64;  // RFC 5321 local-part limit
inline constexpr std::size_t kMaxEmailLabelBytes = 63;  // RFC 1034 §3.5

struct CanonicalEmail {
  std::string display;  // trimmed, as given
  std::string key;      // case-folded: what uniqueness and lookups use
};

// nullopt when the trimmed address is outside the grammar.
std::optional<CanonicalEmail> canonicalize_email(std::string_view raw);

}  // namespace authd::core
