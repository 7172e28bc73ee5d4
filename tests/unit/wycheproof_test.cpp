// Project Wycheproof vectors (tests/data/wycheproof, Apache-2.0) for HMAC-SHA256 and Ed25519:
// every "valid" vector must verify and every "invalid" one must be rejected.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "crypto/digest.hpp"
#include "crypto/jws.hpp"

#ifndef AUTHD_TEST_DATA_DIR
#error "AUTHD_TEST_DATA_DIR must name the tests/data directory"
#endif

namespace authd::crypto {
namespace {

boost::json::value load(const std::string& name) {
  const std::string path = std::string(AUTHD_TEST_DATA_DIR) + "/wycheproof/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());
}

std::string unhex(boost::json::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error("bad hex in test vector");
  };
  if (hex.size() % 2 != 0) throw std::runtime_error("odd hex length in test vector");
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

struct Tally {
  std::size_t valid = 0;
  std::size_t invalid = 0;
  std::size_t acceptable = 0;
  std::size_t total() const { return valid + invalid + acceptable; }
};

// "acceptable" marks inputs on which correct implementations may legitimately differ (e.g. legacy
// encodings). Neither file has any today; should an update add some, either outcome passes and
// the count is printed, so that a future change of policy is a visible decision.
void check(const boost::json::object& test, bool accepted, Tally& tally) {
  const auto& result = test.at("result").as_string();
  const auto id = test.at("tcId").to_number<std::int64_t>();
  const auto& comment = test.at("comment").as_string();
  if (result == "valid") {
    ++tally.valid;
    EXPECT_TRUE(accepted) << "tcId " << id << ": " << comment;
  } else if (result == "invalid") {
    ++tally.invalid;
    EXPECT_FALSE(accepted) << "tcId " << id << ": " << comment;
  } else {
    ASSERT_EQ(result, "acceptable") << "tcId " << id;
    ++tally.acceptable;
  }
}

TEST(WycheproofTest, HmacSha256) {
  const boost::json::value doc = load("hmac_sha256_test.json");
  ASSERT_EQ(doc.at("algorithm").as_string(), "HMACSHA256");
  Tally tally;
  for (const auto& group : doc.at("testGroups").as_array()) {
    // tagSize is in bits; vectors with a shorter tag test truncated HMAC (RFC 2104 §5).
    const auto tag_bytes = group.at("tagSize").to_number<std::size_t>() / 8;
    for (const auto& test_value : group.at("tests").as_array()) {
      const auto& test = test_value.as_object();
      const std::string mac =
          hmac_sha256(unhex(test.at("key").as_string()), unhex(test.at("msg").as_string()));
      ASSERT_LE(tag_bytes, mac.size());
      check(test, constant_time_equal(mac.substr(0, tag_bytes), unhex(test.at("tag").as_string())),
            tally);
    }
  }
  EXPECT_GT(tally.total(), 0u);
  EXPECT_GT(tally.valid, 0u);
  EXPECT_GT(tally.invalid, 0u);
  EXPECT_EQ(tally.total(), doc.at("numberOfTests").to_number<std::size_t>());
  std::cout << "HMAC-SHA256: " << tally.valid << " valid, " << tally.invalid << " invalid, "
            << tally.acceptable << " acceptable\n";
}

TEST(WycheproofTest, Ed25519Verify) {
  const boost::json::value doc = load("ed25519_test.json");
  ASSERT_EQ(doc.at("algorithm").as_string(), "EDDSA");
  Tally tally;
  for (const auto& group : doc.at("testGroups").as_array()) {
    const std::string public_key = unhex(group.at("publicKey").at("pk").as_string());
    for (const auto& test_value : group.at("tests").as_array()) {
      const auto& test = test_value.as_object();
      check(test,
            ed25519_verify(public_key, unhex(test.at("msg").as_string()),
                           unhex(test.at("sig").as_string())),
            tally);
    }
  }
  EXPECT_GT(tally.total(), 0u);
  EXPECT_GT(tally.valid, 0u);
  EXPECT_GT(tally.invalid, 0u);
  EXPECT_EQ(tally.total(), doc.at("numberOfTests").to_number<std::size_t>());
  std::cout << "Ed25519: " << tally.valid << " valid, " << tally.invalid << " invalid, "
            << tally.acceptable << " acceptable\n";
}

}  // namespace
}  // namespace authd::crypto
