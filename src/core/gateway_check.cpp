#include "core/gateway_check.hpp"

#include <algorithm>

#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"
#include "crypto/jws.hpp"

namespace authd::core {
namespace {

constexpr std::size_t kMinOpaqueTokenLength = 32;
constexpr std::size_t kMaxOpaqueTokenLength = 128;

bool holds_any(const UserView& user, std::span<const std::string> roles) {
  return std::any_of(roles.begin(), roles.end(), [&](const std::string& role) {
    return std::find(user.roles.begin(), user.roles.end(), role) != user.roles.end();
  });
}

// Remembered answers at most: a few MiB, far more credentials than one app's users hold at once.
constexpr std::size_t kRememberedCredentials = 16384;
// A seed JWT's exp may be anything up to the far future; a remembered answer is kept a day at
// most (and milliseconds since 1970 never overflow).
constexpr std::int64_t kLongestRememberedSeconds = 86400;

}  // namespace

bool looks_like_opaque_token(std::string_view text) {
  return text.size() >= kMinOpaqueTokenLength && text.size() <= kMaxOpaqueTokenLength &&
         crypto::base64url_decode(text).has_value();
}

GatewayCheck::GatewayCheck(store::Store& store, SessionService& sessions,
                           std::string seed_jwt_secret, const Clock& clock)
    : store_(store),
      sessions_(sessions),
      seed_jwt_secret_(std::move(seed_jwt_secret)),
      clock_(clock),
      remembered_(kRememberedCredentials) {}

AuthError GatewayCheck::store_failure(const boost::system::error_code& ec) const {
  return ec == store::StoreError::unavailable ? AuthError::store_unavailable : AuthError::internal;
}

GatewayCheck::Result<CheckedIdentity> GatewayCheck::check(
    std::string_view credential, std::span<const std::string> any_of_roles) {
  // Taken before the store is read: a write committed during the read changes it, so an answer
  // remembered under it can only be given too rarely, never after a change.
  const std::optional<store::ChangeStamp> stamp = store_.change_stamp();
  Result<Identified> identified = identify(credential);
  if (!identified) return identified.error();
  if (stamp) {
    remembered_.insert(token_key(credential),
                       std::make_shared<const Remembered>(Remembered{*identified, *stamp}));
  }
  if (!any_of_roles.empty() && !holds_any(identified->identity.user, any_of_roles)) {
    return AuthError::role_required;
  }
  return std::move(identified->identity);
}

std::optional<GatewayCheck::Result<CheckedIdentity>> GatewayCheck::remembered(
    std::string_view credential, std::span<const std::string> any_of_roles) {
  const std::optional<store::ChangeStamp> stamp = store_.change_stamp();
  if (!stamp) return std::nullopt;
  const auto found = remembered_.find(token_key(credential));
  if (!found || (*found)->stamp != *stamp) return std::nullopt;
  const Identified& identified = (*found)->identified;
  if (clock_.now() >= identified.identity.valid_until ||
      (!identified.kid.empty() && !sessions_.signing_key_published_from_memory(identified.kid))) {
    return std::nullopt;
  }
  if (!any_of_roles.empty() && !holds_any(identified.identity.user, any_of_roles)) {
    return Result<CheckedIdentity>{AuthError::role_required};
  }
  return Result<CheckedIdentity>{identified.identity};
}

GatewayCheck::Result<GatewayCheck::Identified> GatewayCheck::identify(std::string_view credential) {
  const auto dots = std::count(credential.begin(), credential.end(), '.');
  if (dots == 2) {
    // A JWT: a /v1 access token, else a seed dialect's. Each verifier pins its own algorithm
    // and key, so a token can pass as only one of them.
    auto principal = sessions_.authenticate(credential);
    if (principal) {
      return Identified{.identity = {.user = std::move(principal->user),
                                     .session_id = std::move(principal->session_id),
                                     .valid_until = principal->valid_until},
                        .kid = std::move(principal->kid)};
    }
    if (principal.error() != AuthError::invalid_token) return principal.error();
    auto seed = seed_jwt(credential);
    if (!seed) return seed.error();
    return Identified{.identity = std::move(*seed)};
  }
  if (dots == 0 && looks_like_opaque_token(credential)) {
    auto seed = seed_session(credential);
    if (!seed) return seed.error();
    return Identified{.identity = std::move(*seed)};
  }
  return AuthError::invalid_token;
}

GatewayCheck::Result<CheckedIdentity> GatewayCheck::seed_jwt(std::string_view token) {
  const std::int64_t now = util::to_unix_seconds(clock_.now());
  auto claims = crypto::verify_hs256(token, seed_jwt_secret_, {.now = now});
  if (!claims) return AuthError::invalid_token;
  // Seeds 000 and 003 both name the user by an integer "id"; "exp" was checked above.
  const boost::json::value* id = claims->if_contains("id");
  const boost::json::value* iat = claims->if_contains("iat");
  const boost::json::value* exp = claims->if_contains("exp");
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
  // verify_hs256 checked exp (no leeway: the old apps had none); an exp that is not an integer
  // leaves nothing to remember.
  const std::int64_t until = exp != nullptr && exp->is_int64()
                                 ? std::min(exp->get_int64(), now + kLongestRememberedSeconds)
                                 : now;
  return CheckedIdentity{.user = view_of(std::move(**user)),
                         .valid_until = util::from_unix_millis(until * 1000)};
}

GatewayCheck::Result<CheckedIdentity> GatewayCheck::seed_session(std::string_view token) {
  auto session = store_.find_opaque_session(crypto::sha256_hex(token));
  if (!session) return store_failure(session.error());
  if (!*session || (*session)->revoked_at || (*session)->expires_at <= clock_.now() ||
      !(*session)->user_active) {
    return AuthError::invalid_token;
  }
  return CheckedIdentity{.user = view_of(std::move((*session)->owner)),
                         .session_id = std::move((*session)->public_id),
                         .valid_until = (*session)->expires_at};
}

}  // namespace authd::core
