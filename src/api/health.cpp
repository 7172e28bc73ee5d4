#include "api/health.hpp"

#include "api/json_response.hpp"

namespace authd::api {

void add_health_routes(http::Router& router, core::AuthService& auth) {
  router.add({.method = "GET", .path = "/healthz", .handler = [&auth](const http::Request&) {
                if (auth.store_reachable()) {
                  return json_response(200, boost::json::object{{"status", "ok"}});
                }
                return unavailable_response(boost::json::object{{"status", "unavailable"}});
              }});
}

}  // namespace authd::api
