// GET /openapi.json: the OpenAPI 3.1 document describing every route (data/openapi.json,
// compiled in). Tests keep it true: every route the router knows is documented, and every
// documented response is produced by some integration test.
#pragma once

#include <string_view>

#include "http/router.hpp"

namespace authd::api {

std::string_view openapi_document();

void add_openapi_route(http::Router& router);

}  // namespace authd::api
