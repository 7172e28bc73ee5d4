// `authd keys list|rotate`: the /v1 signing keys, managed offline against the same store the
// servers use. Running servers pick a new key up within their reload interval (30 s).
#pragma once

#include <chrono>

#include "cli/settings.hpp"

namespace authd::cli {

// Prints every key with its state (active, next, retired) and times.
int list_keys(const GivenSettings& given);

// The shortest activation delay that is safe without --force: every client's JWKS cache
// (max-age 300 s) and every server's key reload (30 s) have seen the new key by then.
inline constexpr std::chrono::seconds kSafeActivationDelay{330};

// Adds a key that is published at once and signs from now + `activate_in`.
int rotate_keys(const GivenSettings& given, std::chrono::seconds activate_in, bool force);

// `authd keys revoke KID`: withdraws a key (after a compromise). Exit 3 when there is no such
// key not yet revoked.
int revoke_key(const GivenSettings& given, const std::string& kid);

}  // namespace authd::cli
