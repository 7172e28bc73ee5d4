// What the core records about the client behind a request (session metadata).
#pragma once

#include "core/auth_service.hpp"
#include "http/message.hpp"

namespace authd::api {

inline core::ClientInfo client_of(const http::Request& request) {
  return {.user_agent = request.user_agent,
          .address = request.client_address,
          .network = request.client_network,
          .request_id = request.request_id};
}

}  // namespace authd::api
