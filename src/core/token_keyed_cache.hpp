// A bounded cache of what was learned from a bearer token, found by the token's SHA-256 (its
// first 128 bits): the token itself is never kept, and no other token can be made to match
// one. Entries are added only after the token passed a full check, so a forged token never
// finds one. Sharded, each shard cleared when full: no eviction bookkeeping on the hot path,
// and memory stays bounded whatever clients send.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace authd::core {

using TokenKey = std::array<unsigned char, 16>;

TokenKey token_key(std::string_view token);

struct TokenKeyHash {
  std::size_t operator()(const TokenKey& key) const noexcept;
};

template <class Value>
class TokenKeyedCache {
 public:
  explicit TokenKeyedCache(std::size_t capacity)
      : per_shard_(std::max<std::size_t>(1, capacity / kShards)) {}

  std::optional<Value> find(const TokenKey& key) {
    Shard& shard = shard_of(key);
    std::lock_guard lock(shard.mutex);
    const auto found = shard.entries.find(key);
    if (found == shard.entries.end()) return std::nullopt;
    return found->second;
  }

  void insert(const TokenKey& key, Value value) {
    Shard& shard = shard_of(key);
    std::lock_guard lock(shard.mutex);
    if (shard.entries.size() >= per_shard_) shard.entries.clear();
    shard.entries.insert_or_assign(key, std::move(value));
  }

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<TokenKey, Value, TokenKeyHash> entries;
  };
  Shard& shard_of(const TokenKey& key) { return shards_[key[0] % kShards]; }

  std::size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace authd::core
