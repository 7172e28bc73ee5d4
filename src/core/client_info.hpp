// What the core knows about the client behind a request: session metadata, the key for
// per-address throttling, and the request id that ties security events to access logs.
#pragma once

#include <string>

namespace authd::core {

struct ClientInfo {
  std::string user_agent{};
  std::string address{};  // the client's address (X-Forwarded-For only from trusted proxies)
  // What throttling counts per client: the address, or for IPv6 its /64 (one subscriber
  // usually holds a whole /64, so per-address counters would be free to multiply).
  std::string network{};
  std::string request_id{};
};

}  // namespace authd::core
