#include "core/verified_tokens.hpp"

#include <cstring>

#include "crypto/digest.hpp"

namespace authd::core {

VerifiedTokenCache::VerifiedTokenCache(std::size_t capacity)
    : per_shard_(std::max<std::size_t>(1, capacity / kShards)) {}

std::size_t VerifiedTokenCache::KeyHash::operator()(const Key& key) const noexcept {
  // The key is already a cryptographic hash: its bytes are uniform and not chosen by clients.
  std::size_t hash = 0;
  std::memcpy(&hash, key.data() + 1, sizeof hash);
  return hash;
}

VerifiedTokenCache::Key VerifiedTokenCache::key_of(std::string_view token) {
  const std::string digest = crypto::sha256(token);
  Key key{};
  std::memcpy(key.data(), digest.data(), key.size());
  return key;
}

std::optional<VerifiedClaims> VerifiedTokenCache::find(std::string_view token) {
  const Key key = key_of(token);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  const auto found = shard.entries.find(key);
  if (found == shard.entries.end()) return std::nullopt;
  return found->second;
}

void VerifiedTokenCache::insert(std::string_view token, VerifiedClaims claims) {
  const Key key = key_of(token);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  if (shard.entries.size() >= per_shard_) shard.entries.clear();
  shard.entries.insert_or_assign(key, std::move(claims));
}

}  // namespace authd::core
