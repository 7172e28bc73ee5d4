// Hashes, MACs and comparison of secrets. SHA-256 is for fingerprints of high-entropy values
// (session and reset tokens are stored only as their SHA-256), never for passwords: those go
// through PasswordHasher.
#pragma once

#include <string>
#include <string_view>

namespace authd::crypto {

// SHA-256 of `data`, as 32 raw bytes.
std::string sha256(std::string_view data);

// SHA-256 of `data`, as 64 lowercase hex characters.
std::string sha256_hex(std::string_view data);

// HMAC-SHA256 of `data` under `key`, as 32 raw bytes. Any key length is accepted (RFC 2104).
std::string hmac_sha256(std::string_view key, std::string_view data);

// Compares two secrets in time that depends only on their lengths, never on where they differ,
// so a remote caller cannot learn a MAC or token byte by byte. Lengths are not secret here.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace authd::crypto
