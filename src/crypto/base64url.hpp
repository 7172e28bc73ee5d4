// Base64url (RFC 4648 §5) without padding, as used in JWS compact serialization and in opaque
// tokens. Decoding is strict so that every byte string has exactly one accepted encoding: a token
// cannot be re-spelled (padding, whitespace, alternative trailing bits) to slip past a comparison
// or a revocation list keyed on its text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authd::crypto {

// Encodes `bytes` with the URL-safe alphabet and no '=' padding.
std::string base64url_encode(std::string_view bytes);

// Decodes canonical unpadded base64url. Returns nullopt for any character outside
// [A-Za-z0-9_-] (including '=', '+', '/' and whitespace), for a length that is 1 mod 4, and for
// non-zero unused bits in the last character.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace authd::crypto
