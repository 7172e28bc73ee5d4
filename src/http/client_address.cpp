#include "http/client_address.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <optional>
#include <stdexcept>

namespace authd::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<ip::address> parse_bare(std::string_view text) {
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  // A zone ("fe80::1%eth0") names an interface of the host that wrote it, not a different
  // client: dropped, so it cannot make a network of its own.
  if (address.is_v6() && address.to_v6().scope_id() != 0) {
    auto v6 = address.to_v6();
    v6.scope_id(0);
    address = v6;
  }
  // IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An address as proxies write it in X-Forwarded-For: bare, or with a port ("192.0.2.1:5678",
// "[2001:db8::1]:443", "[2001:db8::1]"). The port is not part of the client's identity.
std::optional<ip::address> parse(std::string_view text) {
  if (auto bare = parse_bare(text)) return bare;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && all_digits(rest.substr(1)))) return std::nullopt;
    // Only IPv6 goes in brackets ("[::ffff:192.0.2.1]" reads as the IPv4 client it maps).
    if (text.substr(1, close - 1).find(':') == std::string_view::npos) return std::nullopt;
    return parse_bare(text.substr(1, close - 1));
  }
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
  if (!all_digits(text.substr(colon + 1))) return std::nullopt;
  auto address = parse_bare(text.substr(0, colon));
  if (!address || !address->is_v4()) return std::nullopt;
  return address;
}

}  // namespace

TrustedProxies::TrustedProxies(const std::vector<std::string>& entries) {
  for (const std::string& entry : entries) {
    boost::system::error_code ec;
    const bool network = entry.find('/') != std::string::npos;
    if (entry.find(':') != std::string::npos) {
      auto net = network ? ip::make_network_v6(entry, ec)
                         : ip::network_v6(ip::make_address_v6(entry, ec), 128);
      if (!ec) v6_.push_back(net);
    } else {
      auto net = network ? ip::make_network_v4(entry, ec)
                         : ip::network_v4(ip::make_address_v4(entry, ec), 32);
      if (!ec) v4_.push_back(net);
    }
    if (ec) throw std::invalid_argument("not an address or network: '" + entry + "'");
  }
}

bool TrustedProxies::contains(std::string_view text) const {
  const auto address = parse(text);
  if (!address) return false;
  if (address->is_v4()) {
    const ip::network_v4 host(address->to_v4(), 32);
    for (const auto& net : v4_) {
      if (host == net || host.is_subnet_of(net)) return true;
    }
    return false;
  }
  const ip::network_v6 host(address->to_v6(), 128);
  for (const auto& net : v6_) {
    if (host == net || host.is_subnet_of(net)) return true;
  }
  return false;
}

std::string throttle_network(const std::string& address) {
  const auto parsed = parse(address);
  if (!parsed || parsed->is_v4()) return parsed ? parsed->to_string() : address;
  return ip::network_v6(parsed->to_v6(), 64).canonical().to_string();
}

std::string TrustedProxies::client_address(const std::string& peer,
                                           std::string_view forwarded_for) const {
  const auto peer_address = parse(peer);
  std::string normalised = peer_address ? peer_address->to_string() : peer;
  if (forwarded_for.empty() || !contains(normalised)) return normalised;
  std::string client = normalised;
  // Walk right to left: each trusted hop vouches for the address before it.
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const std::string_view entry =
        trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    const auto address = parse(entry);
    if (!address) break;  // garbage: trust nothing further left
    client = address->to_string();
    if (!contains(client)) break;
  }
  return client;
}

}  // namespace authd::http
