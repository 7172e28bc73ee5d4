#include "api/health.hpp"

#include "api/json_response.hpp"

namespace authd::api {

void add_health_routes(http::Router& router, core::AuthService& auth) {
  // Liveness: the process answers. Served on the I/O thread, so it also answers while the
  // workers are busy; whether the store answers is /readyz's question.
  router.add({.method = "GET",
              .path = "/healthz",
              .handler =
                  [](const http::Request&) {
                    return json_response(200, boost::json::object{{"status", "ok"}});
                  },
              .blocking = false});
  // Migrations run before authd listens, so a reachable store is a migrated one; ready also
  // means it takes writes (a login that cannot record a failure is refused).
  router.add({.method = "GET", .path = "/readyz", .handler = [&auth](const http::Request&) {
                if (auth.store_ready()) {
                  return json_response(200, boost::json::object{{"status", "ready"}});
                }
                return unavailable_response(boost::json::object{{"status", "not ready"}});
              }});
}

void add_metrics_route(http::Router& router, const observability::Metrics& metrics,
                       observability::MetricsView view) {
  router.add(
      {.method = "GET", .path = "/metrics", .handler = [&metrics, view](const http::Request&) {
         return http::Response{.status = 200,
                               .body = metrics.render(view),
                               .content_type = "text/plain; version=0.0.4; charset=utf-8"};
       }});
}

}  // namespace authd::api
