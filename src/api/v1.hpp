// The /v1 API: registration, sessions with rotating refresh tokens, revocation, the caller's
// profile and their own account's changes, with RFC 9457 problem responses; plus the JWKS that
// verifies its access tokens. A thin adapter: it parses and shapes; core::CredentialService,
// core::SessionService, core::AccountService and core::MailedLinks decide.
#pragma once

#include "core/account_service.hpp"
#include "core/credential_service.hpp"
#include "core/mailed_links.hpp"
#include "core/session_service.hpp"
#include "core/signing_keys.hpp"
#include "http/router.hpp"

namespace authd::api {

void add_v1_routes(http::Router& router, core::CredentialService& credentials,
                   core::SessionService& sessions, core::AccountService& accounts,
                   core::MailedLinks& links, core::KeyRing& keys);

}  // namespace authd::api
