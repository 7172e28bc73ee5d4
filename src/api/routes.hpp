// Every route authd serves, assembled in one place: the seed dialects, /v1, the JWKS, the
// operations endpoints, the OpenAPI document and the hosted pages. `authd serve` and the OpenAPI
// test both use it, so the test sees exactly the routes the server has.
#pragma once

#include "api/pages.hpp"
#include "core/account_service.hpp"
#include "core/auth_service.hpp"
#include "core/credential_service.hpp"
#include "core/gateway_check.hpp"
#include "core/mailed_links.hpp"
#include "core/session_service.hpp"
#include "core/signing_keys.hpp"
#include "core/user_admin.hpp"
#include "http/router.hpp"
#include "observability/metrics.hpp"

namespace authd::api {

struct Services {
  core::AuthService& auth;               // readiness
  core::CredentialService& credentials;  // registration and login, in every dialect
  core::SessionService& sessions;        // the /v1 token lifecycle
  core::AccountService& accounts;        // the owner's own account (/v1/me/...)
  core::MailedLinks& links;              // password reset and email verification
  core::KeyRing& keys;
  core::UserAdmin& admin;       // the admin API
  core::GatewayCheck& gateway;  // /v1/check
  const observability::Metrics& metrics;
  PageSets pages{};  // the hosted pages served (api/pages.hpp)
};

void add_routes(http::Router& router, const Services& services);

}  // namespace authd::api
