// Authenticated encryption of small secrets at rest (the private signing keys in the store):
// XChaCha20-Poly1305 from libsodium, a random 192-bit nonce per message, and associated data
// that binds the ciphertext to its row, so a sealed value copied to another row does not open.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authd::crypto {

// A 32-byte key for seal/unseal, derived from configured key material (the caller checks that
// it has at least 32 bytes). Derivation (BLAKE2b with a fixed context) lets operators pass any
// high-entropy string.
std::string derive_sealing_key(std::string_view key_material);

// base64url(nonce || ciphertext || tag). Throws std::invalid_argument for a key that is not
// 32 bytes (a programmer error).
std::string seal(std::string_view key_32, std::string_view plaintext, std::string_view associated);

// The plaintext, or nothing when the value was not sealed by `key_32` with `associated`.
std::optional<std::string> unseal(std::string_view key_32, std::string_view sealed,
                                  std::string_view associated);

}  // namespace authd::crypto
