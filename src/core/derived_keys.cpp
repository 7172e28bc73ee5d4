#include "core/derived_keys.hpp"

#include "crypto/digest.hpp"

namespace authd::core {

std::string refresh_rotation_key(std::string_view key_encryption_key) {
  return crypto::hmac_sha256(key_encryption_key, "authd refresh-token rotation v1");
}

std::string throttle_key(std::string_view key_encryption_key) {
  return crypto::hmac_sha256(key_encryption_key, "authd throttle keys v1");
}

std::string mail_sealing_key(std::string_view key_encryption_key) {
  return crypto::hmac_sha256(key_encryption_key, "authd mail outbox v1");
}

}  // namespace authd::core
