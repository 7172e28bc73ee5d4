// The /v1 token lifecycle over the sessions the AuthService opens: short-lived EdDSA access
// tokens, rotating refresh tokens with reuse detection, revocation, and session listing.
//
// Refresh rotation. Each session has one live refresh token generation. Refreshing with it
// moves the session to the next generation (a compare-and-set in the store, so two instances
// cannot both rotate) and returns a new pair. The next token is derived, not drawn:
// HMAC(rotation key, presented token). So when two requests race with the same token, or a
// client retries after losing the response, the loser re-derives exactly the winner's pair
// (same refresh token, same access token: Ed25519 is deterministic and the claims are fixed by
// the rotation time) as long as it comes within the grace window. The token it replaced coming
// back later is reuse: the whole session is revoked, which also kills whoever stole a token.
// The store keeps only the live token's hash and the previous one's, not every generation: a
// refresh token starts with its session's id ("<sid>.<secret>"), so an older token is found
// by its session and recognised by deriving forward from it until the live token's hash
// appears (at most kMaxReuseWalk generations back; a made-up token never gets there, so it
// cannot end anyone's session). Refreshes are rate-limited per session and per client network.
//
// Revocation. Access tokens carry the session id (sid). Every authenticated request reads
// that session (one primary-key lookup joined with its user), so logout, logout-all, a reuse
// and a deactivated account take effect at once, on every instance and after restarts. The
// signature check, the costly part, is done once per token (VerifiedTokenCache).
#pragma once

#include <atomic>
#include <boost/system/result.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/auth_error.hpp"
#include "core/auth_events.hpp"
#include "core/client_info.hpp"
#include "core/clock.hpp"
#include "core/signing_keys.hpp"
#include "core/throttle.hpp"
#include "core/user_view.hpp"
#include "core/verified_tokens.hpp"
#include "store/store.hpp"

namespace authd::core {

struct SessionConfig {
  std::string issuer = "authd";
  std::string audience = "authd";
  std::chrono::seconds access_token_ttl{900};
  // How long after a rotation the rotated token still yields the same new pair.
  std::chrono::seconds refresh_grace{10};
  std::chrono::seconds leeway{30};  // clock skew tolerated on exp and nbf
  // Sessions that ended (expired or revoked) this long ago are deleted with their refresh
  // tokens, checked once every `purge_every` rotations.
  std::chrono::hours ended_session_retention{24 * 7};
  std::uint64_t purge_every = 1000;
  // A client refreshes once per access-token lifetime; a few retries fit well within these.
  RatePolicy refreshes_per_session{.max_attempts = 10, .window = std::chrono::seconds(60)};
  RatePolicy refreshes_per_network{.max_attempts = 600, .window = std::chrono::seconds(60)};
  // Keys the MAC of every throttle key (the same as AuthConfig::throttle_key).
  std::string throttle_key{};
};

// How far back an older refresh token is still recognised as one of its session's (and its use
// as reuse): a client refreshing every 15 minutes goes through about 670 a week.
inline constexpr std::int64_t kMaxReuseWalk = 1000;
// Session ids are 16 random bytes in base64url.
inline constexpr std::size_t kSessionIdLength = 22;
// Whether `id` has a session id's form: anything else names no session, and is answered
// without asking the store (nor copied into the audit trail).
bool is_session_id(std::string_view id);

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  std::string session_id;
  std::chrono::seconds expires_in{0};  // of the access token
};

// Who a valid access token speaks for.
struct Principal {
  std::int64_t user_id = 0;
  std::string session_id{};
  UserView user{};    // read with the session, in the same statement: current as of the check
  std::string kid{};  // of the key that signed the token
  // When this answer stops holding by itself: the token's expiry (with the clock leeway) or
  // the session's end, whichever comes first. Before it, only a write to the store can end it.
  util::TimePoint valid_until{};
};

class SessionService {
 public:
  template <class T>
  using Result = boost::system::result<T, AuthFailure>;

  // `rotation_key`: secret bytes shared by every instance (derived from configuration); it keys
  // the derivation of each next refresh token.
  SessionService(store::Store& store, KeyRing& keys, const Clock& clock, SessionConfig config,
                 std::string rotation_key, AuthEvents& events = no_auth_events());

  // The first pair of a session AuthService::login just opened (kind v1).
  TokenPair start(std::int64_t user_id, std::string_view session_id, std::string_view refresh_token,
                  util::TimePoint at);

  Result<TokenPair> refresh(std::string_view refresh_token, const ClientInfo& client);

  // Verifies the access token (signature, iss, aud, times) and that its session is live and its
  // user active. Cheap enough for every request: one signature check and one indexed read.
  Result<Principal> authenticate(std::string_view access_token);

  Result<void> revoke(const Principal& caller, std::string_view session_id,
                      const ClientInfo& client);
  Result<std::int64_t> revoke_all(const Principal& caller, const ClientInfo& client);
  Result<std::vector<store::SessionRecord>> list(const Principal& caller);
  // Whether tokens signed by `kid` still verify, asked of the key set in memory (KeyRing::
  // published_from_memory): never reads the store.
  bool signing_key_published_from_memory(std::string_view kid) {
    return keys_.published_from_memory(kid);
  }

  const SessionConfig& config() const { return config_; }

 private:
  // The claims of a valid access token (signature, typ, iss, aud, times), from the cache of
  // verified tokens when it has them.
  std::optional<VerifiedClaims> verify(std::string_view access_token, std::int64_t now);
  std::string next_refresh_token(std::string_view token) const;
  // A refresh token the store does not know: an older generation of a live session's (reuse:
  // the session is revoked) or nothing at all.
  Result<TokenPair> unknown_refresh_token(std::string_view refresh_token, const ClientInfo& client);
  Result<TokenPair> reuse(const store::SessionRecord& session, std::int64_t generation,
                          const ClientInfo& client);
  void purge_now_and_then(util::TimePoint now);
  TokenPair pair_for(const store::SessionRecord& session, std::string refresh_token,
                     util::TimePoint issued_at);
  AuthError store_failure(const boost::system::error_code& ec) const;
  Result<TokenPair> refresh_throttled(std::chrono::seconds wait, const ClientInfo& client);

  store::Store& store_;
  KeyRing& keys_;
  AuthEvents& events_;
  const Clock& clock_;
  SessionConfig config_;
  std::string rotation_key_;
  Throttle throttle_;
  VerifiedTokenCache verified_;
  std::atomic<std::uint64_t> rotations_{0};
};

}  // namespace authd::core
