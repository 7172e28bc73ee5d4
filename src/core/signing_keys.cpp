#include "core/signing_keys.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <stdexcept>

#include "crypto/base64url.hpp"
#include "crypto/jws.hpp"
#include "crypto/random.hpp"
#include "crypto/sealing.hpp"

namespace authd::core {
namespace {

// An unknown kid forces a reload at most this often, so that tokens naming made-up kids cannot
// turn into a stream of store reads.
constexpr std::chrono::seconds kForcedReloadSpacing{1};

// A kid is typed on command lines (`authd keys revoke KID`), where a leading '-' reads as an
// option; base64url draws one in 64 kids that way, so such a draw is simply drawn again.
std::string new_kid() {
  std::string kid = crypto::random_token(12);
  while (kid.front() == '-') kid = crypto::random_token(12);
  return kid;
}

}  // namespace

KeyRing::KeyRing(store::Store& store, std::string sealing_key, const Clock& clock,
                 KeyRingConfig config)
    : store_(store), sealing_key_(std::move(sealing_key)), clock_(clock), config_(config) {}

std::shared_ptr<const KeyRing::Snapshot> KeyRing::read_store() {
  auto records = store_.signing_keys();
  if (!records) return nullptr;
  auto set = std::make_shared<Snapshot>();
  set->loaded_at = clock_.now();
  for (const store::SigningKeyRecord& record : *records) {
    auto private_key = crypto::unseal(sealing_key_, record.sealed_private_key, record.kid);
    if (!private_key) {
      throw std::runtime_error("signing key " + record.kid +
                               " does not unseal: is this the key-encryption key it was "
                               "sealed with?");
    }
    // The public key is derived from the sealed private key, never taken from the row: someone
    // who can write to the database, but has no key-encryption key, must not be able to swap in
    // a public key of their own and mint tokens for it.
    auto public_key = crypto::ed25519_public_key(*private_key);
    if (!public_key || crypto::base64url_encode(*public_key) != record.public_key) {
      throw std::runtime_error("signing key " + record.kid +
                               ": the stored public key does not match the sealed private key");
    }
    set->keys.push_back({.kid = record.kid,
                         .public_key = std::move(*public_key),
                         .private_key = std::move(*private_key),
                         .created_at = record.created_at,
                         .activates_at = record.activates_at,
                         .revoked_at = record.revoked_at});
  }
  return set;
}

void KeyRing::load(bool create_if_empty) {
  auto set = read_store();
  if (!set) throw std::runtime_error("cannot read the signing keys from the store");
  if (set->keys.empty() && create_if_empty) {
    auto added = add_key(std::chrono::seconds(0));
    if (!added) throw std::runtime_error("cannot store a new signing key");
    spdlog::info("keys: created signing key {}", *added);
    set = read_store();
    if (!set || set->keys.empty()) throw std::runtime_error("cannot read the new signing key");
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(set);
}

boost::system::result<std::string> KeyRing::add_key(std::chrono::seconds activation_delay) {
  const crypto::Ed25519KeyPair pair = crypto::ed25519_generate();
  const util::TimePoint now = clock_.now();
  store::SigningKeyRecord record{.kid = new_kid(),
                                 .public_key = crypto::base64url_encode(pair.public_key),
                                 .sealed_private_key = {},
                                 .created_at = now,
                                 .activates_at = now + activation_delay};
  record.sealed_private_key = crypto::seal(sealing_key_, pair.private_key, record.kid);
  if (auto stored = store_.add_signing_key(record); !stored) return stored.error();
  return record.kid;
}

std::shared_ptr<const KeyRing::Snapshot> KeyRing::snapshot(bool force_reload) {
  const util::TimePoint now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    if (!current_) throw std::logic_error("KeyRing used before load()");
    const bool stale = now - current_->loaded_at >= config_.reload_interval;
    const bool forced =
        (force_reload || reload_requested_) && now - last_forced_reload_ >= kForcedReloadSpacing;
    if (forced) reload_requested_ = false;
    if (!stale && !forced) return current_;
    if (forced) last_forced_reload_ = now;
  }
  // Read outside the lock; if the store is unreachable, keep serving from the copy we have.
  std::shared_ptr<const Snapshot> fresh;
  try {
    fresh = read_store();
  } catch (const std::exception& e) {
    spdlog::error("keys: reload failed: {}", e.what());
  }
  std::lock_guard lock(mutex_);
  if (fresh && !fresh->keys.empty()) {  // keys are never deleted: an empty read is not news
    current_ = std::move(fresh);
  } else {
    // Try again after another interval rather than on every request.
    auto retry = std::make_shared<Snapshot>(*current_);
    retry->loaded_at = now;
    current_ = std::move(retry);
  }
  return current_;
}

bool KeyRing::published(const Snapshot& set, std::size_t index, util::TimePoint now) const {
  const Key& key = set.keys[index];
  if (key.revoked_at || key.created_at > now + config_.leeway) return false;
  // Retired once a newer key has activated; its tokens live at most access_token_ttl after that.
  // A successor revoked after it activated still retired this key: revoking it must not bring
  // back the key before it (whose private half may have leaked with the same database).
  for (std::size_t later = index + 1; later < set.keys.size(); ++later) {
    const Key& successor = set.keys[later];
    const bool ever_signed =
        !successor.revoked_at || *successor.revoked_at > successor.activates_at;
    if (ever_signed && successor.activates_at <= now && successor.activates_at > key.activates_at) {
      // An instance may sign with this key until it reloads after the successor's activation.
      return now < successor.activates_at + config_.reload_interval + config_.access_token_ttl +
                       config_.leeway;
    }
  }
  return true;
}

std::string KeyRing::sign(const boost::json::object& claims, util::TimePoint at) {
  const auto set = snapshot();
  if (set->keys.empty()) throw std::runtime_error("no signing key: the key ring is empty");
  // The newest activation not after `at` among the keys not revoked; with none (a clock behind
  // the first key's activation, only ever by moments) the first such key, which is published
  // from its creation.
  const Key* signer = nullptr;
  for (const Key& key : set->keys) {
    if (key.revoked_at) continue;
    if (signer == nullptr || key.activates_at <= at) signer = &key;
  }
  if (signer == nullptr) throw std::runtime_error("no signing key: every key is revoked");
  return crypto::sign_eddsa(claims, signer->kid, signer->private_key, kAccessTokenType);
}

std::optional<std::string> KeyRing::public_key(std::string_view kid) {
  for (bool reloaded : {false, true}) {
    const auto set = snapshot(reloaded);
    const util::TimePoint now = clock_.now();
    for (std::size_t i = 0; i < set->keys.size(); ++i) {
      if (set->keys[i].kid == kid) {
        if (!published(*set, i, now)) return std::nullopt;
        return set->keys[i].public_key;
      }
    }
  }
  return std::nullopt;
}

bool KeyRing::published_from_memory(std::string_view kid) {
  std::shared_ptr<const Snapshot> set;
  {
    std::lock_guard lock(mutex_);
    set = current_;
  }
  const util::TimePoint now = clock_.now();
  if (!set || now - set->loaded_at >= config_.reload_interval) return false;
  for (std::size_t i = 0; i < set->keys.size(); ++i) {
    if (set->keys[i].kid == kid) return published(*set, i, now);
  }
  return false;
}

boost::json::object KeyRing::jwks() {
  const auto set = snapshot();
  const util::TimePoint now = clock_.now();
  boost::json::array keys;
  // Newest first: clients that take the first key find the one most likely to be in use.
  for (std::size_t i = set->keys.size(); i-- > 0;) {
    if (!published(*set, i, now)) continue;
    const Key& key = set->keys[i];
    keys.push_back(boost::json::object{{"kty", "OKP"},
                                       {"crv", "Ed25519"},
                                       {"x", crypto::base64url_encode(key.public_key)},
                                       {"kid", key.kid},
                                       {"alg", "EdDSA"},
                                       {"use", "sig"}});
  }
  return {{"keys", std::move(keys)}};
}

std::vector<KeyRing::Key> KeyRing::keys() {
  return snapshot()->keys;
}

void KeyRing::reload_soon() {
  std::lock_guard lock(mutex_);
  reload_requested_ = true;
}

boost::system::result<std::optional<std::string>> KeyRing::revoke_key(std::string_view kid) {
  const auto set = snapshot(true);
  const util::TimePoint now = clock_.now();
  const Key* signer = nullptr;
  for (const Key& key : set->keys) {
    if (!key.revoked_at && key.activates_at <= now) signer = &key;
  }
  const bool signs_now = signer != nullptr && signer->kid == kid;
  std::optional<std::string> replacement;
  if (signs_now) {
    // The successor first: there is never a moment without a key that may sign.
    auto added = add_key(std::chrono::seconds(0));
    if (!added) return added.error();
    replacement = std::move(*added);
  }
  auto revoked = store_.revoke_signing_key(kid, now);
  if (!revoked) return revoked.error();
  if (!*revoked) return make_error_code(store::StoreError::not_found);
  reload_soon();
  return replacement;
}

}  // namespace authd::core
