// Strict base64url: round trips, RFC 4648 vectors, and that every byte string has exactly one
// accepted spelling.
#include "crypto/base64url.hpp"

#include <gtest/gtest.h>

#include <string>

#include "crypto/random.hpp"

namespace authd::crypto {
namespace {

const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

TEST(Base64UrlTest, Rfc4648Vectors) {
  // RFC 4648 §10, without padding.
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64url_encode(plain), encoded);
    EXPECT_EQ(base64url_decode(encoded), plain);
  }
}

TEST(Base64UrlTest, UsesUrlSafeAlphabet) {
  // Standard base64 of these bytes is "+/8=".
  EXPECT_EQ(base64url_encode("\xFB\xFF"), "-_8");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xFB\xFF"));
}

TEST(Base64UrlTest, RoundTripsRandomBytesOfEveryLengthUpTo64) {
  for (std::size_t n = 0; n <= 64; ++n) {
    const std::string bytes = random_bytes(n);
    const std::string text = base64url_encode(bytes);
    EXPECT_EQ(text.size(), (n * 4 + 2) / 3) << n;
    EXPECT_EQ(text.find('='), std::string::npos);
    EXPECT_EQ(base64url_decode(text), bytes) << n;
  }
}

TEST(Base64UrlTest, RoundTripsAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
}

TEST(Base64UrlTest, RejectsPadding) {
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zm8="));
  EXPECT_FALSE(base64url_decode("Zg="));
  EXPECT_FALSE(base64url_decode("="));
}

TEST(Base64UrlTest, RejectsStandardAlphabetCharacters) {
  EXPECT_FALSE(base64url_decode("+/8"));
  EXPECT_FALSE(base64url_decode("ab+c"));
  EXPECT_FALSE(base64url_decode("ab/c"));
}

TEST(Base64UrlTest, RejectsWhitespaceAndOtherBytes) {
  for (const std::string bad :
       {"Zm9v ", " Zm9v", "Zm\n9v", "Zm9v\r\n", "Zm\t9v", "Zm.9v", "Zm9v!"}) {
    EXPECT_FALSE(base64url_decode(bad)) << bad;
  }
  EXPECT_FALSE(base64url_decode(std::string("Zm\0v", 4)));
  EXPECT_FALSE(base64url_decode("Zm\xC3\xA9v"));
}

TEST(Base64UrlTest, RejectsLengthOneModFour) {
  EXPECT_FALSE(base64url_decode("A"));
  EXPECT_FALSE(base64url_decode("Zm9vY"));
  EXPECT_FALSE(base64url_decode("Zm9vYmFyZ"));
}

TEST(Base64UrlTest, RejectsNonZeroTrailingBits) {
  // One trailing byte: 2 chars = 12 bits, the low 4 bits of the second char are unused.
  // "AQ" (Q = 010000) is the only spelling of 0x01; "AR" (010001) .. "Af" differ only there.
  EXPECT_EQ(base64url_decode("AQ"), std::string("\x01"));
  EXPECT_FALSE(base64url_decode("AR"));
  EXPECT_FALSE(base64url_decode("AB"));
  EXPECT_FALSE(base64url_decode("Zh"));  // "Zg" is "f"
  // Two trailing bytes: 3 chars = 18 bits, the low 2 bits of the third char are unused.
  EXPECT_EQ(base64url_decode("AAE"), std::string("\x00\x01", 2));
  EXPECT_FALSE(base64url_decode("AAF"));
  EXPECT_FALSE(base64url_decode("Zm9"));  // "Zm8" is "fo"
  // The rule applies after full groups too.
  EXPECT_FALSE(base64url_decode("Zm9vYh"));
  EXPECT_FALSE(base64url_decode("Zm9vYmF"));
}

TEST(Base64UrlTest, EveryAcceptedShortTextIsTheCanonicalEncoding) {
  // Exhaustive over all 2- and 3-character texts: exactly 2^8 and 2^16 of them are accepted,
  // and each re-encodes to itself, so no byte string has two accepted encodings.
  std::size_t accepted2 = 0;
  for (const char a : kAlphabet) {
    for (const char b : kAlphabet) {
      const std::string text{a, b};
      if (const auto bytes = base64url_decode(text)) {
        ++accepted2;
        EXPECT_EQ(base64url_encode(*bytes), text);
      }
    }
  }
  EXPECT_EQ(accepted2, 256u);

  std::size_t accepted3 = 0;
  for (const char a : kAlphabet) {
    for (const char b : kAlphabet) {
      for (const char c : kAlphabet) {
        const std::string text{a, b, c};
        if (const auto bytes = base64url_decode(text)) {
          ++accepted3;
          ASSERT_EQ(base64url_encode(*bytes), text);
        }
      }
    }
  }
  EXPECT_EQ(accepted3, 65536u);
}

}  // namespace
}  // namespace authd::crypto
