#include "core/gateway_check.hpp"

#include <algorithm>

#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"
#include "crypto/jws.hpp"

namespace authd::core {
namespace {

// An opaque session token: authd's are 32 random bytes in unpadded base64url (43 characters);
// the seed 002 app's own, once imported, are 64 hex digits (also valid base64url). Anything of
// another shape is refused before the store is asked; the lookup by hash decides the rest.
constexpr std::size_t kMinOpaqueTokenLength = 32;
constexpr std::size_t kMaxOpaqueTokenLength = 128;

bool looks_like_opaque_token(std::string_view text) {
  return text.size() >= kMinOpaqueTokenLength && text.size() <= kMaxOpaqueTokenLength &&
         crypto::base64url_decode(text).has_value();
}

bool holds_any(const UserView& user, std::span<const std::string> roles) {
  return std::any_of(roles.begin(), roles.end(), [&](const std::string& role) {
    return std::find(user.roles.begin(), user.roles.end(), role) != user.roles.end();
  });
}

}  // namespace

GatewayCheck::GatewayCheck(store::Store& store, SessionService& sessions,
                           std::string seed_jwt_secret, const Clock& clock)
    : store_(store),
      sessions_(sessions),
      seed_jwt_secret_(std::move(seed_jwt_secret)),
      clock_(clock) {}

AuthError GatewayCheck::store_failure(const boost::system::error_code& ec) const {
  return ec == store::StoreError::unavailable ? AuthError::store_unavailable : AuthError::internal;
}

GatewayCheck::Result<CheckedIdentity> GatewayCheck::check(
    std::string_view credential, std::span<const std::string> any_of_roles) {
  Result<CheckedIdentity> identity = AuthError::invalid_token;
  const auto dots = std::count(credential.begin(), credential.end(), '.');
  if (dots == 2) {
    // A JWT: a /v1 access token, else a seed dialect's. Each verifier pins its own algorithm
    // and key, so a token can pass as only one of them.
    auto principal = sessions_.authenticate(credential);
    if (principal) {
      identity = CheckedIdentity{.user = std::move(principal->user),
                                 .session_id = std::move(principal->session_id)};
    } else if (principal.error() != AuthError::invalid_token) {
      return principal.error();
    } else {
      identity = seed_jwt(credential);
    }
  } else if (dots == 0 && looks_like_opaque_token(credential)) {
    identity = seed_session(credential);
  }
  if (identity && !any_of_roles.empty() && !holds_any(identity->user, any_of_roles)) {
    return AuthError::role_required;
  }
  return identity;
}

GatewayCheck::Result<CheckedIdentity> GatewayCheck::seed_jwt(std::string_view token) {
  const std::int64_t now = util::to_unix_seconds(clock_.now());
  auto claims = crypto::verify_hs256(token, seed_jwt_secret_, {.now = now});
  if (!claims) return AuthError::invalid_token;
  // Seeds 000 and 003 both name the user by an integer "id"; "exp" was checked above.
  const boost::json::value* id = claims->if_contains("id");
  const boost::json::value* iat = claims->if_contains("iat");
  if (id == nullptr || !id->is_int64() || id->get_int64() <= 0 || iat == nullptr ||
      !iat->is_int64()) {
    return AuthError::invalid_token;
  }
  auto user = store_.find_user_by_id(id->get_int64());
  if (!user) return store_failure(user.error());
  // Deleted or deactivated since the token was issued.
  if (!*user || !(*user)->is_active) return AuthError::invalid_token;
  // A seed JWT has no session: it is void when the user's credentials were revoked after it was
  // issued. iat has whole seconds: a token from the second of the revocation is refused too.
  const auto& revoked = (*user)->credentials_revoked_at;
  if (revoked && iat->get_int64() <= util::to_unix_seconds(*revoked)) {
    return AuthError::invalid_token;
  }
  return CheckedIdentity{.user = view_of(std::move(**user))};
}

GatewayCheck::Result<CheckedIdentity> GatewayCheck::seed_session(std::string_view token) {
  auto session = store_.find_opaque_session(crypto::sha256_hex(token));
  if (!session) return store_failure(session.error());
  if (!*session || (*session)->revoked_at || (*session)->expires_at <= clock_.now() ||
      !(*session)->user_active) {
    return AuthError::invalid_token;
  }
  return CheckedIdentity{.user = view_of(std::move((*session)->owner)),
                         .session_id = std::move((*session)->public_id)};
}

}  // namespace authd::core
