// A bounded cache of access tokens whose signature has been verified. An Ed25519 verification
// costs about 110 µs here, more than everything else on an authenticated request together; a
// token is immutable, so once verified, its claims only need their times checked again.
//
// The cache skips nothing else: the session and user behind the token are still read from the
// store on every request (revocation holds), and the key that signed it must still be
// published. Keyed and bounded as TokenKeyedCache says.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/token_keyed_cache.hpp"

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
  explicit VerifiedTokenCache(std::size_t capacity = 65536) : cache_(capacity) {}

  std::optional<VerifiedClaims> find(std::string_view token) {
    return cache_.find(token_key(token));
  }
  void insert(std::string_view token, VerifiedClaims claims) {
    cache_.insert(token_key(token), std::move(claims));
  }

 private:
  TokenKeyedCache<VerifiedClaims> cache_;
};

}  // namespace authd::core
