// Seed 002 dialect: POST /auth registers (first_name, last_name, email, password) and PUT /auth
// logs in; both answer {message, sessionToken} with an opaque session token whose SHA-256 is kept
// in the sessions table. Errors are {"error": ...} with the document's exact strings.
#pragma once

#include "core/credential_service.hpp"
#include "http/router.hpp"

namespace authd::api {

void add_seed002_routes(http::Router& router, core::CredentialService& credentials);

}  // namespace authd::api
