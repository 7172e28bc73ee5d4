// A bounded cache of access tokens whose signature has been verified. An Ed25519 verification
// costs about 110 µs here, more than everything else on an authenticated request together; a
// token is immutable, so once verified, its claims only need their times checked again.
//
// Entries are added only after a successful verification and found by the SHA-256 of the whole
// token, so a forged token can never match one. The cache skips nothing else: the session and
// user behind the token are still read from the store on every request (revocation holds), and
// the key that signed it must still be published. Sharded, each shard cleared when full: no
// eviction bookkeeping on the hot path, and memory stays bounded whatever clients send.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace authd::core {

struct VerifiedClaims {
  std::int64_t user_id = 0;
  std::string session_id{};
  std::string kid{};
  std::int64_t not_before = 0;  // nbf, UNIX seconds
  std::int64_t expires = 0;     // exp, UNIX seconds
};

class VerifiedTokenCache {
 public:
  explicit VerifiedTokenCache(std::size_t capacity = 65536);

  std::optional<VerifiedClaims> find(std::string_view token);
  void insert(std::string_view token, VerifiedClaims claims);

 private:
  using Key = std::array<unsigned char, 16>;
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  static constexpr std::size_t kShards = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Key, VerifiedClaims, KeyHash> entries;
  };
  static Key key_of(std::string_view token);
  Shard& shard_of(const Key& key) { return shards_[key[0] % kShards]; }

  std::size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace authd::core
