#include "core/credential_service.hpp"

namespace authd::core {
namespace {

// The family of session a grant opens along with the login or registration, if any.
std::optional<store::SessionFamily> session_for(const Grant& grant) {
  if (std::holds_alternative<OpaqueSession>(grant)) return store::SessionFamily::opaque;
  if (std::holds_alternative<RotatingSession>(grant)) return store::SessionFamily::rotating;
  return std::nullopt;
}

}  // namespace

Result<Authenticated> CredentialService::register_user(RegistrationRequest request,
                                                       const Grant& grant) {
  request.open_session = session_for(grant);
  auto outcome = auth_.register_user(request);
  if (!outcome) return outcome.error();
  return issue(std::move(*outcome), grant);
}

Result<Authenticated> CredentialService::login(LoginRequest request, const Grant& grant) {
  request.open_session = session_for(grant);
  auto outcome = auth_.login(request);
  if (!outcome) return outcome.error();
  return issue(std::move(*outcome), grant);
}

Result<Authenticated> CredentialService::issue(AuthOutcome outcome, const Grant& grant) {
  Authenticated result{.user = view_of(std::move(outcome.user)), .credential = {}};
  if (const auto* signed_token = std::get_if<SignedToken>(&grant)) {
    result.credential =
        Jwt{tokens_.issue(signed_token->claims(result.user), signed_token->lifetime)};
  } else if (std::holds_alternative<OpaqueSession>(grant)) {
    result.credential = OpaqueToken{std::move(*outcome.session_token)};
  } else if (std::holds_alternative<RotatingSession>(grant)) {
    result.credential = sessions_.start(result.user.id, outcome.session_id, *outcome.session_token,
                                        auth_.clock().now());
  }
  return result;
}

}  // namespace authd::core
