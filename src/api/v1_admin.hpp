// The admin API under /v1/admin/: accounts, their sessions, roles and the audit trail, for the
// callers who hold the administrators' role now (core::UserAdmin::administrator checks it on
// every call). A thin adapter: it parses and shapes; core::UserAdmin decides.
#pragma once

#include "core/session_service.hpp"
#include "core/user_admin.hpp"
#include "http/router.hpp"

namespace authd::api {

void add_v1_admin_routes(http::Router& router, core::SessionService& sessions,
                         core::UserAdmin& admin);

}  // namespace authd::api
