#include "cli/keys.hpp"

#include <iostream>

#include "cli/serve.hpp"
#include "core/signing_keys.hpp"
#include "crypto/sealing.hpp"
#include "util/time.hpp"

namespace authd::cli {
namespace {

// The key commands work on an existing database and create nothing (a mistyped --database must
// not leave an empty database and fresh secrets behind).
struct KeyTool {
  KeyTool(const GivenSettings& given, store::OpenMode mode)
      : config(resolve(given, /*serving=*/false)) {
    load_existing_secrets(config);
    store = open_store(config, mode);
    ring = std::make_unique<core::KeyRing>(
        *store, crypto::derive_sealing_key(config.key_encryption_key), clock,
        core::KeyRingConfig{.access_token_ttl = config.sessions.access_token_ttl,
                            .leeway = config.sessions.leeway});
    ring->load(/*create_if_empty=*/false);
  }

  ServeConfig config;
  core::SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<core::KeyRing> ring;
};

}  // namespace

int list_keys(const GivenSettings& given) {
  KeyTool tool(given, store::OpenMode::read_only);
  const auto now = tool.clock.now();
  const auto keys = tool.ring->keys();
  const core::KeyRing::Key* active = nullptr;
  for (const auto& key : keys) {
    if (!key.revoked_at && key.activates_at <= now) active = &key;
  }
  std::cout << "kid                created                   signs from                state\n";
  for (const auto& key : keys) {
    const char* state = key.revoked_at                   ? "revoked"
                        : &key == active                 ? "active"
                        : key.activates_at > now         ? "next"
                        : tool.ring->public_key(key.kid) ? "retired (still verifies)"
                                                         : "expired";
    std::cout << key.kid << "  " << util::to_iso8601(key.created_at) << "  "
              << util::to_iso8601(key.activates_at) << "  " << state << "\n";
  }
  return 0;
}

int rotate_keys(const GivenSettings& given, std::chrono::seconds activate_in, bool force) {
  if (activate_in < kSafeActivationDelay && !force) {
    std::cerr << "authd keys rotate: --activate-in " << activate_in.count() << " is shorter than "
              << kSafeActivationDelay.count()
              << " s (JWKS cache max-age 300 s + key reload 30 s): clients could meet tokens "
                 "signed by a key they have not fetched yet. Add --force to do it anyway (for "
                 "example after a key leak).\n";
    return 2;
  }
  KeyTool tool(given, store::OpenMode::existing);
  auto kid = tool.ring->add_key(activate_in);
  if (!kid) {
    std::cerr << "authd keys rotate: cannot store the new key: " << kid.error().message() << "\n";
    return 1;
  }
  std::cout << "added signing key " << *kid << ": published now, signs from "
            << util::to_iso8601(tool.clock.now() + activate_in) << "\n";
  return 0;
}

int revoke_key(const GivenSettings& given, const std::string& kid) {
  KeyTool tool(given, store::OpenMode::existing);
  auto revoked = tool.ring->revoke_key(kid);
  if (!revoked) {
    if (revoked.error() == store::StoreError::not_found) {
      std::cerr << "authd keys revoke: no signing key " << kid
                << " that is not revoked already (see authd keys list)\n";
      return 3;
    }
    std::cerr << "authd keys revoke: cannot revoke " << kid << ": " << revoked.error().message()
              << "\n";
    return 1;
  }
  std::cout << "revoked signing key " << kid
            << ": it leaves the JWKS, and every token it signed is refused now, on every "
               "instance\n";
  if (*revoked) {
    std::cout << "it was signing: " << **revoked
              << " signs from now on (instances switch within 30 s; tokens they sign with the "
                 "revoked key meanwhile are refused, and their clients refresh)\n";
  }
  return 0;
}

}  // namespace authd::cli
