// Cryptographically secure randomness for salts, session tokens, reset tokens and keys. Backed by
// OpenSSL's DRBG, which is thread-safe and reseeds itself from the operating system.
#pragma once

#include <cstddef>
#include <string>

namespace authd::crypto {

// Returns `n` random bytes. Throws std::runtime_error only if the system CSPRNG fails: there is
// no safe way to continue without randomness, so this is not an expected, recoverable failure.
std::string random_bytes(std::size_t n);

// Returns a base64url (unpadded) encoding of `n_bytes` random bytes, safe to put in URLs, cookies
// and headers. The default of 32 bytes gives 256 bits of entropy.
std::string random_token(std::size_t n_bytes = 32);

}  // namespace authd::crypto
