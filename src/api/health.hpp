// GET /healthz: 200 while the store answers, 503 when it does not.
#pragma once

#include "core/auth_service.hpp"
#include "http/router.hpp"

namespace authd::api {

void add_health_routes(http::Router& router, core::AuthService& auth);

}  // namespace authd::api
