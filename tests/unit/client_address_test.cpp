// X-Forwarded-For is believed only from trusted proxies.
#include "http/client_address.hpp"

#include <gtest/gtest.h>

namespace authd::http {
namespace {

TEST(ClientAddress, WithoutTrustedProxiesTheHeaderIsIgnored) {
  const TrustedProxies none;
  EXPECT_EQ(none.client_address("198.51.100.7", "10.9.9.9"), "198.51.100.7");
}

TEST(ClientAddress, AnUntrustedPeerCannotSpoofItsAddress) {
  const TrustedProxies proxies({"10.0.0.0/8"});
  EXPECT_EQ(proxies.client_address("198.51.100.7", "1.2.3.4"), "198.51.100.7");
}

TEST(ClientAddress, TheRightmostUntrustedHopIsTheClient) {
  const TrustedProxies proxies({"10.0.0.0/8", "192.0.2.10"});
  EXPECT_EQ(proxies.client_address("10.0.0.5", "203.0.113.9"), "203.0.113.9");
  // The client forged "6.6.6.6"; the trusted hops only vouch for what they appended.
  EXPECT_EQ(proxies.client_address("10.0.0.5", "6.6.6.6, 203.0.113.9, 192.0.2.10"), "203.0.113.9");
  EXPECT_EQ(proxies.client_address("10.0.0.5", "10.1.1.1, 10.2.2.2"), "10.1.1.1")
      << "all hops trusted: the leftmost";
  EXPECT_EQ(proxies.client_address("10.0.0.5", "garbage, 203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(proxies.client_address("10.0.0.5", "203.0.113.9, garbage"), "10.0.0.5")
      << "an unreadable hop: nothing left of it is believed";
}

TEST(ClientAddress, EntriesWithAPortAreReadWithoutIt) {
  // Proxies that append "ip:port" used to put every client in the proxy's own bucket.
  const TrustedProxies proxies({"10.0.0.0/8"});
  EXPECT_EQ(proxies.client_address("10.0.0.5", "203.0.113.9:51234"), "203.0.113.9");
  EXPECT_EQ(proxies.client_address("10.0.0.5", "[2001:db8::7]:443"), "2001:db8::7");
  EXPECT_EQ(proxies.client_address("10.0.0.5", "[2001:db8::7]"), "2001:db8::7");
  EXPECT_EQ(proxies.client_address("10.0.0.5", "198.51.100.1:1, 10.1.1.1:80"), "198.51.100.1");
  for (const char* bad : {"203.0.113.9:", "203.0.113.9:http", "203.0.113.9:123456", "[203.0.113.9]",
                          "[2001:db8::7]x", "[2001:db8::7", "2001:db8::7]:443"}) {
    EXPECT_EQ(proxies.client_address("10.0.0.5", bad), "10.0.0.5") << bad;
  }
  EXPECT_EQ(throttle_network("203.0.113.9:51234"), "203.0.113.9");
  EXPECT_EQ(proxies.client_address("10.0.0.5", "[::ffff:203.0.113.50]:80"), "203.0.113.50")
      << "an IPv4-mapped address in brackets is its IPv4 client";
}

TEST(ClientAddress, AZoneIdMakesNoNetworkOfItsOwn) {
  EXPECT_EQ(throttle_network("2001:db8:1:2::99%1"), throttle_network("2001:db8:1:2::5"));
  const TrustedProxies proxies({"10.0.0.0/8"});
  EXPECT_EQ(proxies.client_address("10.0.0.5", "fe80::1%2"), "fe80::1");
}

TEST(ClientAddress, Ipv6AndMappedIpv4) {
  const TrustedProxies proxies({"::1", "fd00::/8", "127.0.0.1"});
  EXPECT_EQ(proxies.client_address("::1", "2001:db8::7"), "2001:db8::7");
  EXPECT_EQ(proxies.client_address("fd12::1", "2001:db8::8"), "2001:db8::8");
  EXPECT_EQ(proxies.client_address("::ffff:127.0.0.1", "192.0.2.44"), "192.0.2.44");
  EXPECT_TRUE(proxies.contains("fd00::abcd"));
  EXPECT_FALSE(proxies.contains("fe80::1"));
}

TEST(ClientAddress, ThrottlingCountsIpv6ByItsSlash64) {
  EXPECT_EQ(throttle_network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(throttle_network("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
  EXPECT_NE(throttle_network("2001:db8:1:3::1"), throttle_network("2001:db8:1:2::1"));
  EXPECT_EQ(throttle_network("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(throttle_network("::ffff:192.0.2.7"), "192.0.2.7");
}

TEST(ClientAddress, BadEntriesAreRefusedAtStartUp) {
  EXPECT_THROW(TrustedProxies({"10.0.0.0/33"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies({"proxy.internal"}), std::invalid_argument);
}

}  // namespace
}  // namespace authd::http
