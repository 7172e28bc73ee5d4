// Seed 000 dialect: POST /auth/register and POST /auth/login, errors as {"message": ...}, and an
// HS256 JWT {id, username, iat, exp} on login. See seeds/000 and DESIGN.md §6.
#pragma once

#include <chrono>

#include "core/credential_service.hpp"
#include "http/router.hpp"

namespace authd::api {

// Lifetime of the seed 000 login token; the seed document does not state one.
inline constexpr std::chrono::seconds kSeed000TokenTtl{3600};

void add_seed000_routes(http::Router& router, core::CredentialService& credentials);

}  // namespace authd::api
