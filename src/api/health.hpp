// Operations endpoints: GET /healthz (liveness: 200 while the process answers),
// GET /readyz (the store answers, takes writes and its migrations are applied: ready for
// traffic) and GET /metrics (Prometheus text format). The public listener serves /metrics with
// the account-telling login outcomes merged; --metrics-listen serves the full detail.
#pragma once

#include "core/auth_service.hpp"
#include "http/router.hpp"
#include "observability/metrics.hpp"

namespace authd::api {

void add_health_routes(http::Router& router, core::AuthService& auth);
void add_metrics_route(http::Router& router, const observability::Metrics& metrics,
                       observability::MetricsView view);

}  // namespace authd::api
