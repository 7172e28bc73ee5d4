// The gateway check: who a bearer credential speaks for, for a reverse proxy that asks authd
// before it lets a request through to the app behind it (nginx auth_request, Traefik
// forwardAuth, Caddy forward_auth, Envoy ext_authz). It accepts every credential authd hands
// out, each verified by its own pinned algorithm and key:
// - a /v1 access token (EdDSA, through SessionService::authenticate: its session must be live);
// - a seed 000 or seed 003 JWT (HS256 with the seed dialects' secret, an integer "id" claim and
//   "exp" and "iat" required, no clock leeway, as the old apps' jsonwebtoken checked them; one
//   issued before the user's credentials were last revoked, by a deactivation or an end of all
//   their sessions, is refused);
// - a seed 002 session token (opaque, found by its hash: its session must be live).
// The session and its user (active flag, email, roles) are read from the store in one
// statement, so a logout, a replaced seed 002 session, a deactivation, a deletion or a role
// change holds at once, on every instance. A check is hit on every request of the app behind
// the proxy, so a valid credential's answer is remembered, but only as proof allows: with the
// store's change stamp taken before the read, and given again only while the stamp is the same
// (no write committed since, by any process: SQLite's WAL index says so without a read) and the
// credential has not expired. Any write, of anything, makes the next check read again. A store
// that has no stamp (PostgreSQL) is read on every check.
#pragma once

#include <boost/system/result.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/auth_error.hpp"
#include "core/clock.hpp"
#include "core/session_service.hpp"
#include "core/token_keyed_cache.hpp"
#include "core/user_view.hpp"
#include "store/store.hpp"

namespace authd::core {

// An opaque session token: authd's are 32 random bytes in unpadded base64url (43 characters);
// the seed 002 app's own, once imported, are 64 hex digits (also valid base64url). Anything of
// another shape is refused before the store is asked; the lookup by hash decides the rest.
bool looks_like_opaque_token(std::string_view text);

// The holder of a valid credential, as the check reports them.
struct CheckedIdentity {
  UserView user;
  std::string session_id{};  // empty for a seed JWT, which belongs to no session
  // When the credential stops holding by itself (its expiry, its session's end).
  util::TimePoint valid_until{};
};

class GatewayCheck {
 public:
  template <class T>
  using Result = boost::system::result<T, AuthFailure>;

  // `seed_jwt_secret`: the HS256 secret the seed dialects sign with (--jwt-secret).
  GatewayCheck(store::Store& store, SessionService& sessions, std::string seed_jwt_secret,
               const Clock& clock);

  // invalid_token for a credential that is malformed, forged, expired or revoked, or whose
  // holder is deactivated or gone; role_required when `any_of_roles` is not empty and the holder
  // has none of them; store_unavailable or internal when the store cannot answer.
  Result<CheckedIdentity> check(std::string_view credential,
                                std::span<const std::string> any_of_roles = {});

  // The answer check() would give, from memory, when a check of this credential succeeded
  // before and nothing was committed to the store since; nothing when check() must run. Never
  // reads the store: cheap enough for an I/O thread.
  std::optional<Result<CheckedIdentity>> remembered(std::string_view credential,
                                                    std::span<const std::string> any_of_roles);

 private:
  // A valid credential's holder, and for a /v1 access token the key that signed it, which must
  // still be published when the answer is given again (a key retires with time, not with a
  // write); empty for the seed credentials.
  struct Identified {
    CheckedIdentity identity;
    std::string kid{};
  };
  struct Remembered {
    Identified identified;
    store::ChangeStamp stamp;  // taken before the identity was read
  };

  Result<Identified> identify(std::string_view credential);
  Result<CheckedIdentity> seed_jwt(std::string_view token);
  Result<CheckedIdentity> seed_session(std::string_view token);
  AuthError store_failure(const boost::system::error_code& ec) const;

  store::Store& store_;
  SessionService& sessions_;
  std::string seed_jwt_secret_;
  const Clock& clock_;
  TokenKeyedCache<std::shared_ptr<const Remembered>> remembered_;
};

}  // namespace authd::core
