#include "core/token_keyed_cache.hpp"

#include <cstring>

#include "crypto/digest.hpp"

namespace authd::core {

TokenKey token_key(std::string_view token) {
  const std::string digest = crypto::sha256(token);
  TokenKey key{};
  std::memcpy(key.data(), digest.data(), key.size());
  return key;
}

std::size_t TokenKeyHash::operator()(const TokenKey& key) const noexcept {
  // The key is already a cryptographic hash: its bytes are uniform and not chosen by clients.
  // Byte 0 picks the shard; the map hashes the bytes after it.
  std::size_t hash = 0;
  std::memcpy(&hash, key.data() + 1, sizeof hash);
  return hash;
}

}  // namespace authd::core
