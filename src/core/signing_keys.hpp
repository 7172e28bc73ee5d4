// The Ed25519 keys that sign /v1 access tokens, kept in the store so every instance signs and
// verifies with the same set. Private keys are sealed (XChaCha20-Poly1305) under a key from the
// configuration before they reach the store: a copy of the database alone cannot mint tokens.
//
// A key's life: created (published in the JWKS at once) -> active (signs, from activates_at
// until a newer key activates) -> retired (still published and accepted until every token it
// signed has expired: newer key's activation + access-token lifetime + leeway) -> gone.
// `authd keys rotate` adds a key with an activation delay, so that every instance and every
// client caching the JWKS knows the new key before the first token signed with it appears.
// `authd keys revoke` withdraws a compromised key: it leaves the JWKS and never signs again, and
// every token it signed is refused at once on every instance (SessionService reads the key's
// revocation with the token's session, on every request).
#pragma once

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace authd::core {

// The JWS "typ" of /v1 access tokens (RFC 9068), required when verifying.
inline constexpr std::string_view kAccessTokenType = "at+jwt";

struct KeyRingConfig {
  std::chrono::seconds access_token_ttl{900};  // how long a retired key must stay verifiable
  std::chrono::seconds leeway{30};             // clock skew tolerated when verifying
  // How stale this instance's copy of the key set may get. A key added elsewhere is seen within
  // this time (or at once, when a token names it); activation delays must be longer.
  std::chrono::seconds reload_interval{30};
};

class KeyRing {
 public:
  struct Key {
    std::string kid;
    std::string public_key;   // 32 raw bytes
    std::string private_key;  // 32 raw bytes; secret
    util::TimePoint created_at;
    util::TimePoint activates_at;
    std::optional<util::TimePoint> revoked_at{};
  };

  // `sealing_key` is the 32-byte key from crypto::derive_sealing_key.
  KeyRing(store::Store& store, std::string sealing_key, const Clock& clock, KeyRingConfig config);

  // Loads the key set, first adding a key that signs at once when the store has none (and
  // `create_if_empty`). Throws std::runtime_error when the store fails or a key does not unseal
  // (a wrong key-encryption key): a start-up error, not something to serve through. Two
  // instances starting on an empty store may each add a key; both are valid and published.
  void load(bool create_if_empty = true);

  // Adds a new key, published now and signing from now + delay; returns its kid.
  boost::system::result<std::string> add_key(std::chrono::seconds activation_delay);

  // Revokes `kid`. When it is the key that signs now, a new key is added that signs at once
  // (returned), so that signing goes on. StoreError::not_found when there is no such key or it
  // was already revoked.
  boost::system::result<std::optional<std::string>> revoke_key(std::string_view kid);

  // Reloads the key set on the next use (at most once a second): a key revoked elsewhere stops
  // signing here without waiting for the periodic reload.
  void reload_soon();

  // Signs `claims` with the key that was active at `at` (the issue time of the token).
  std::string sign(const boost::json::object& claims, util::TimePoint at);

  // The public key for `kid` if it is published now. An unknown kid reloads the set from the
  // store (at most once a second), in case another instance has just added it.
  std::optional<std::string> public_key(std::string_view kid);

  // Whether `kid` is published now, by the key set in memory, when that set is fresh (loaded
  // within the reload interval); false otherwise, and the caller goes the way that reloads
  // (public_key). Never reads the store: for a caller on an I/O thread.
  bool published_from_memory(std::string_view kid);

  // The published keys as an RFC 7517 JWK Set (kty OKP, crv Ed25519, RFC 8037).
  boost::json::object jwks();

  // Keys in the set right now, revoked ones included, oldest activation first (for
  // `authd keys list` and tests).
  std::vector<Key> keys();

 private:
  struct Snapshot {
    std::vector<Key> keys;  // oldest activation first
    util::TimePoint loaded_at;
  };
  std::shared_ptr<const Snapshot> snapshot(bool force_reload = false);
  std::shared_ptr<const Snapshot> read_store();
  bool published(const Snapshot& set, std::size_t index, util::TimePoint now) const;

  store::Store& store_;
  std::string sealing_key_;
  const Clock& clock_;
  KeyRingConfig config_;
  std::mutex mutex_;  // guards current_ and last_forced_reload_
  std::shared_ptr<const Snapshot> current_;
  util::TimePoint last_forced_reload_{};
  bool reload_requested_ = false;
};

}  // namespace authd::core
