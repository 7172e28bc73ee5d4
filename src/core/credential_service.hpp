// The one call a wire format makes to sign someone in: it registers or authenticates through
// AuthService and hands out what the dialect asked for, in the same call, so that issuing a
// credential is the core's job and the adapters only parse and shape:
// - SignedToken: an HS256 JWT with the dialect's claims and lifetime (seeds 000 and 003);
// - OpaqueSession: one opaque session token that replaces the user's earlier ones (seed 002);
// - RotatingSession: the /v1 pair, an EdDSA access token and a rotating refresh token.
// What comes back is a UserView: no hash ever reaches an adapter.
#pragma once

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <string>
#include <variant>

#include "core/auth_service.hpp"
#include "core/session_service.hpp"
#include "core/token_issuer.hpp"
#include "core/user_view.hpp"

namespace authd::core {

struct SignedToken {
  std::chrono::seconds lifetime;
  boost::json::object (*claims)(const UserView& user);  // iat and exp are added
};
struct OpaqueSession {};
struct RotatingSession {};
using Grant = std::variant<std::monostate, SignedToken, OpaqueSession, RotatingSession>;

struct Jwt {
  std::string token;
};
struct OpaqueToken {
  std::string token;
};
using Credential = std::variant<std::monostate, Jwt, OpaqueToken, TokenPair>;

struct Authenticated {
  UserView user;
  Credential credential;
};

class CredentialService {
 public:
  CredentialService(AuthService& auth, const TokenIssuer& tokens, SessionService& sessions)
      : auth_(auth), tokens_(tokens), sessions_(sessions) {}

  Result<Authenticated> register_user(RegistrationRequest request, const Grant& grant);
  Result<Authenticated> login(LoginRequest request, const Grant& grant);

 private:
  Result<Authenticated> issue(AuthOutcome outcome, const Grant& grant);

  AuthService& auth_;
  const TokenIssuer& tokens_;
  SessionService& sessions_;
};

}  // namespace authd::core
