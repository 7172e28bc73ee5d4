// GET (and every other method of) /v1/check: the answer a reverse proxy asks for before it
// passes a request to the app behind it. 200 with the holder in headers (X-Auth-* and the
// Remote-* set that header-authentication apps read), 401 with a Bearer challenge, 403 when
// `?role=` names roles the holder has none of. See core/gateway_check.hpp.
//
// /v1/check/{path} answers the same for a proxy that appends the original request's path and
// query to the check's (Envoy's ext_authz HTTP service): that path and query are the app's,
// so they are ignored, and no role can be asked for there.
#pragma once

#include "core/gateway_check.hpp"
#include "http/router.hpp"

namespace authd::api {

// The methods /v1/check answers: the proxies forward the original request's, whatever it is
// (HEAD is answered by the GET route).
inline constexpr std::string_view kCheckMethods[] = {"GET",   "POST",   "PUT",
                                                     "PATCH", "DELETE", "OPTIONS"};

void add_gateway_routes(http::Router& router, core::GatewayCheck& gateway);

}  // namespace authd::api
