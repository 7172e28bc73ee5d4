// What the core knows about the client behind a request: session metadata, the key for
// per-address throttling, and the request id that ties security events to access logs.
#pragma once

#include <string>

namespace authd::core {

struct ClientInfo {
  std::string user_agent{};
  std::string address{};  // the client's address (X-Forwarded-For only from trusted proxies)
  std::string request_id{};
};

}  // namespace authd::core
