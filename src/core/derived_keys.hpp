// The keys authd derives from the key-encryption key, so that every instance sharing that one
// secret derives the same ones and no further secret has to be distributed. Each derivation has
// its own label: knowing one derived key tells nothing of another, nor of the key-encryption key.
#pragma once

#include <string>
#include <string_view>

namespace authd::core {

// Derives each next refresh token of a /v1 session (SessionService).
std::string refresh_rotation_key(std::string_view key_encryption_key);

// MACs every brute-force counter's key (AuthConfig::throttle_key, SessionConfig::throttle_key).
std::string throttle_key(std::string_view key_encryption_key);

// Seals the payload of each mail in the outbox (MailOutbox): its recipient and its live link.
std::string mail_sealing_key(std::string_view key_encryption_key);

}  // namespace authd::core
