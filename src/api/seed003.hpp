// Seed 003 dialect: POST /api/auth/register and POST /api/auth/login with the
// {success, token, data: {user}} envelope, roles, isActive, lastLogin and the password-reset
// fields; a 24-hour HS256 JWT {id, iat, exp}. Errors are {success: false, error: {message}},
// except the document's 404 {"message": "User Not found."}.
#pragma once

#include <chrono>

#include "core/credential_service.hpp"
#include "http/router.hpp"

namespace authd::api {

inline constexpr std::chrono::seconds kSeed003TokenTtl{86400};  // "expires in 24 hours"

void add_seed003_routes(http::Router& router, core::CredentialService& credentials);

}  // namespace authd::api
