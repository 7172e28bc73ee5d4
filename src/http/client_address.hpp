// Which address a request comes from. X-Forwarded-For can be written by anyone, so it is
// believed only when the connection comes from a configured trusted proxy; then the client is
// the rightmost listed address that is not itself a trusted proxy (what each proxy appended).
// Entries may carry a port ("192.0.2.1:5678", "[2001:db8::1]:443"), which is dropped; an entry
// that is not an address stops the walk (nothing left of it is believed).
#pragma once

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace authd::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Entries are addresses or networks: "10.0.0.7", "10.0.0.0/8", "::1", "fd00::/8".
  // Throws std::invalid_argument naming a bad entry.
  explicit TrustedProxies(const std::vector<std::string>& entries);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  bool contains(std::string_view address) const;

  // The client's address for a connection from `peer` carrying `forwarded_for` (may be empty).
  std::string client_address(const std::string& peer, std::string_view forwarded_for) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

// The unit per-client throttling counts: an IPv4 address itself, an IPv6 address's /64 (a
// subscriber usually holds a whole /64). Anything unparsable is returned unchanged.
std::string throttle_network(const std::string& address);

}  // namespace authd::http
