// Operations endpoints: GET /healthz (liveness: 200 while the process answers),
// GET /readyz (the store answers and its migrations are applied: ready for traffic) and
// GET /metrics (Prometheus text format).
#pragma once

#include "core/auth_service.hpp"
#include "http/router.hpp"
#include "observability/metrics.hpp"

namespace authd::api {

void add_health_routes(http::Router& router, core::AuthService& auth,
                       const observability::Metrics& metrics);

}  // namespace authd::api
