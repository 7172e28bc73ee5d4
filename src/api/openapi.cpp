#include "api/openapi.hpp"

namespace authd::api {

extern const std::string_view kOpenApiDocument;  // generated from data/openapi.json

std::string_view openapi_document() {
  return kOpenApiDocument;
}

void add_openapi_route(http::Router& router) {
  router.add({.method = "GET",
              .path = "/openapi.json",
              .handler =
                  [](const http::Request&) {
                    http::Response response{.status = 200, .body = std::string(kOpenApiDocument)};
                    response.headers.emplace_back("Cache-Control", "public, max-age=3600");
                    return response;
                  },
              .blocking = false});
}

}  // namespace authd::api
