#include "api/routes.hpp"

#include "api/gateway.hpp"
#include "api/health.hpp"
#include "api/openapi.hpp"
#include "api/seed000.hpp"
#include "api/seed002.hpp"
#include "api/seed003.hpp"
#include "api/v1.hpp"
#include "api/v1_admin.hpp"

namespace authd::api {

void add_routes(http::Router& router, const Services& services) {
  add_seed000_routes(router, services.credentials);
  add_seed002_routes(router, services.credentials);
  add_seed003_routes(router, services.credentials);
  add_v1_routes(router, services.credentials, services.sessions, services.accounts, services.links,
                services.keys);
  add_v1_admin_routes(router, services.sessions, services.admin);
  add_gateway_routes(router, services.gateway);
  add_health_routes(router, services.auth);
  add_metrics_route(router, services.metrics, observability::MetricsView::public_listener);
  add_openapi_route(router);
  add_pages(router, services.pages);
}

}  // namespace authd::api
