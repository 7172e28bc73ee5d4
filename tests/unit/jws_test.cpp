// HS256 JWT signing and verification, with hostile tokens for every rule, an interoperability
// known answer computed with Node's crypto module, and the Ed25519 primitives.
#include "crypto/jws.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"
#include "crypto/sealing.hpp"

namespace authd::crypto {
namespace {

constexpr std::string_view kSecret = "test-secret-0123456789";
constexpr std::string_view kHs256HeaderSegment = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
constexpr std::int64_t kNow = 1'700'000'000;

// Builds a token from raw header and payload JSON text, HS256-signed over exactly the segments
// produced, so each test isolates one defect.
std::string forge(std::string_view header_json, std::string_view payload_json,
                  std::string_view secret = kSecret) {
  std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  return input + "." + base64url_encode(hmac_sha256(secret, input));
}

std::string sign_segments(std::string_view header_b64, std::string_view payload_b64) {
  std::string input = std::string(header_b64) + "." + std::string(payload_b64);
  return input + "." + base64url_encode(hmac_sha256(kSecret, input));
}

boost::system::result<boost::json::object> verify(std::string_view token, std::int64_t now = kNow,
                                                  std::int64_t leeway = 0) {
  return verify_hs256(token, kSecret, VerifyOptions{now, leeway});
}

void expect_error(const boost::system::result<boost::json::object>& r, JwsError e) {
  ASSERT_FALSE(r.has_value()) << boost::json::serialize(*r);
  EXPECT_EQ(r.error(), e) << r.error().message();
}
void expect_error(const boost::system::result<VerifiedJws>& r, JwsError e) {
  ASSERT_FALSE(r.has_value()) << boost::json::serialize(r->claims);
  EXPECT_EQ(r.error(), e) << r.error().message();
}

// Sets an unused low bit in the last character of a segment whose length is 2 or 3 mod 4: a
// lenient decoder yields the same bytes, a strict one refuses.
std::string make_non_canonical(std::string segment) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  EXPECT_TRUE(segment.size() % 4 == 2 || segment.size() % 4 == 3);
  char& last = segment.back();
  last = alphabet[alphabet.find(last) | 1];
  return segment;
}

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(JwsTest, RoundTrip) {
  const boost::json::object claims{{"sub", "42"}, {"iat", kNow}, {"exp", kNow + 60}};
  const std::string token = sign_hs256(claims, kSecret);
  EXPECT_TRUE(token.starts_with(std::string(kHs256HeaderSegment) + "."));
  const auto result = verify(token);
  ASSERT_TRUE(result.has_value()) << result.error().message();
  EXPECT_EQ(*result, claims);
}

TEST(JwsTest, MatchesNodeCryptoByteForByte) {
  // Expected token computed independently with Node v20:
  //   h = b64url(JSON.stringify({alg:'HS256',typ:'JWT'}))
  //   p = b64url(JSON.stringify({id:2,username:'alice@example.com',iat:1742995117,exp:1743081517}))
  //   s = crypto.createHmac('sha256','kat-secret-not-for-production').update(h+'.'+p)
  //         .digest('base64url')
  const boost::json::object claims{
      {"id", 2}, {"username", "alice@example.com"}, {"iat", 1742995117}, {"exp", 1743081517}};
  const std::string token = sign_hs256(claims, "kat-secret-not-for-production");
  EXPECT_EQ(token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJpZCI6MiwidXNlcm5hbWUiOiJhbGljZUBleGFtcGxlLmNvbSIsImlhdCI6MTc0Mjk5NTExNywiZXhwIjox"
            "NzQzMDgxNTE3fQ.3voUfReZjzbqgegaUTiMAinWasSoQmYBkaFQQGFKbsw");
  EXPECT_EQ(token.substr(0, token.find('.')), kHs256HeaderSegment);
  const auto result =
      verify_hs256(token, "kat-secret-not-for-production", VerifyOptions{1742995117});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, claims);
}

TEST(JwsTest, SeedTokenParsesButNeedsItsSecret) {
  // From the seed document; its secret is unknown, so only the structure is checked here: a
  // well-formed token whose header is the one we emit gets as far as the signature check.
  const std::string_view seed =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJpZCI6MiwiaWF0IjoxNzQyOTk1MTE3LCJleHAiOjE3NDMwODE1MTd9."
      "H8iDcPAGweFTS_FsywaV0n3XTYR5au4y1os_ig4nGAg";
  EXPECT_EQ(seed.substr(0, seed.find('.')), kHs256HeaderSegment);
  EXPECT_EQ(base64url_decode(seed.substr(kHs256HeaderSegment.size() + 1, 56)),
            R"({"id":2,"iat":1742995117,"exp":1743081517})");
  expect_error(verify_hs256(seed, "not-the-seed-secret", VerifyOptions{1742995117}),
               JwsError::bad_signature);
}

TEST(JwsTest, SignatureCoversHeaderBytesAsReceived) {
  // Same meaning, different spelling of the header: valid because it is signed as sent.
  const auto r = verify(forge(R"({ "typ": "JWT", "alg": "HS256" })", R"({"exp":1700000060})"));
  EXPECT_TRUE(r.has_value());
}

TEST(JwsTest, RejectsAlgNone) {
  const std::string header = base64url_encode(R"({"alg":"none","typ":"JWT"})");
  const std::string payload = base64url_encode(R"({"exp":1700000060})");
  expect_error(verify(header + "." + payload + "."), JwsError::unsupported_algorithm);
  expect_error(verify(forge(R"({"alg":"none","typ":"JWT"})", R"({"exp":1700000060})")),
               JwsError::unsupported_algorithm);
}

TEST(JwsTest, RejectsOtherAlgorithms) {
  for (const std::string_view header :
       {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"hs256"})", R"({"alg":"HS256 "})",
        R"({"alg":"RS256"})", R"({"alg":"EdDSA"})", R"({"typ":"JWT"})", R"({"alg":null})",
        R"({"alg":256})", R"({"alg":["HS256"]})", R"({})"}) {
    expect_error(verify(forge(header, R"({"exp":1700000060})")), JwsError::unsupported_algorithm);
  }
  // An HS512 token really signed with HMAC-SHA512 under our secret (by Node's crypto) is refused
  // just the same.
  expect_error(verify("eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDAwNjB9."
                      "LamLft4O2dctwUpzUUOsMWhaMSpOwYqILpN3asqdnBYh1L_lQGQiUBJh3u8i-x7qfPlWiEQfHs"
                      "jytN2cfVDT0w"),
               JwsError::unsupported_algorithm);
}

TEST(JwsTest, RejectsCriticalHeaderExtensions) {
  expect_error(
      verify(forge(R"({"alg":"HS256","b64":false,"crit":["b64"]})", R"({"exp":1700000060})")),
      JwsError::unsupported_algorithm);
  expect_error(verify(forge(R"({"alg":"HS256","crit":[]})", R"({"exp":1700000060})")),
               JwsError::unsupported_algorithm);
}

TEST(JwsTest, RejectsTamperedPayload) {
  const std::string token = sign_hs256({{"sub", "1"}, {"exp", kNow + 60}}, kSecret);
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.rfind('.');
  const std::string tampered = token.substr(0, dot1 + 1) +
                               base64url_encode(R"({"sub":"2","exp":1700000060})") +
                               token.substr(dot2);
  expect_error(verify(tampered), JwsError::bad_signature);
}

TEST(JwsTest, RejectsTamperedSignature) {
  std::string token = sign_hs256({{"exp", kNow + 60}}, kSecret);
  char& first_sig_char = token[token.rfind('.') + 1];
  first_sig_char = first_sig_char == 'A' ? 'B' : 'A';
  expect_error(verify(token), JwsError::bad_signature);
  // A truncated signature decodes fine but is the wrong length.
  const std::string good = sign_hs256({{"exp", kNow + 60}}, kSecret);
  expect_error(verify(good.substr(0, good.size() - 3)), JwsError::bad_signature);
  expect_error(verify(good.substr(0, good.rfind('.') + 1)), JwsError::bad_signature);
}

TEST(JwsTest, RejectsWrongAndEmptySecret) {
  const std::string token = sign_hs256({{"exp", kNow + 60}}, kSecret);
  expect_error(verify_hs256(token, "another-secret", {kNow}), JwsError::bad_signature);
  expect_error(verify_hs256(token, "", {kNow}), JwsError::bad_signature);
  // Even a token genuinely MACed with an empty key does not verify with an empty secret.
  expect_error(verify_hs256(forge(R"({"alg":"HS256"})", R"({"exp":1700000060})", ""), "", {kNow}),
               JwsError::bad_signature);
}

TEST(JwsTest, SigningWithEmptySecretIsAProgrammerError) {
  EXPECT_THROW(sign_hs256({{"exp", kNow}}, ""), std::invalid_argument);
}

TEST(JwsTest, RequiresNumericExpiry) {
  const std::string_view header = R"({"alg":"HS256","typ":"JWT"})";
  expect_error(verify(forge(header, R"({"sub":"1"})")), JwsError::missing_expiry);
  expect_error(verify(forge(header, R"({"exp":"1700000060"})")), JwsError::missing_expiry);
  expect_error(verify(forge(header, R"({"exp":null})")), JwsError::missing_expiry);
  expect_error(verify(forge(header, R"({"exp":true})")), JwsError::missing_expiry);
  expect_error(verify(forge(header, R"({"exp":[1700000060]})")), JwsError::missing_expiry);
  expect_error(verify(forge(header, R"({"exp":1700000060.5})")), JwsError::invalid_claims);
}

TEST(JwsTest, AcceptsIntegralExpiryInAnyJsonNumberForm) {
  const std::string_view header = R"({"alg":"HS256","typ":"JWT"})";
  EXPECT_TRUE(verify(forge(header, R"({"exp":1700000060.0})")).has_value());
  EXPECT_TRUE(verify(forge(header, R"({"exp":1.70000006e9})")).has_value());
  // Beyond int64: far future, not an overflow into the past.
  EXPECT_TRUE(verify(forge(header, R"({"exp":18446744073709551615})")).has_value());
  EXPECT_TRUE(verify(forge(header, R"({"exp":1e300})")).has_value());
  expect_error(verify(forge(header, R"({"exp":-1e300})")), JwsError::expired);
}

TEST(JwsTest, ExpiryBoundary) {
  const std::string token = sign_hs256({{"exp", kNow}}, kSecret);
  EXPECT_TRUE(verify(token, kNow - 1).has_value());
  expect_error(verify(token, kNow), JwsError::expired);
  expect_error(verify(token, kNow + 1), JwsError::expired);
}

TEST(JwsTest, LeewayExtendsExpiry) {
  const std::string token = sign_hs256({{"exp", kNow}}, kSecret);
  EXPECT_TRUE(verify(token, kNow, 5).has_value());
  EXPECT_TRUE(verify(token, kNow + 4, 5).has_value());
  expect_error(verify(token, kNow + 5, 5), JwsError::expired);
  // A negative leeway does not shorten validity.
  EXPECT_TRUE(verify(token, kNow - 1, -100).has_value());
  // No overflow at the extremes.
  const std::string far = sign_hs256({{"exp", INT64_MAX}}, kSecret);
  EXPECT_TRUE(verify(far, kNow, INT64_MAX).has_value());
}

TEST(JwsTest, NotBefore) {
  const std::string token = sign_hs256({{"exp", kNow + 100}, {"nbf", kNow + 10}}, kSecret);
  expect_error(verify(token, kNow), JwsError::not_yet_valid);
  expect_error(verify(token, kNow, 9), JwsError::not_yet_valid);
  EXPECT_TRUE(verify(token, kNow, 10).has_value());
  EXPECT_TRUE(verify(token, kNow + 10).has_value());
  const std::string_view header = R"({"alg":"HS256"})";
  expect_error(verify(forge(header, R"({"exp":1700000060,"nbf":"soon"})")),
               JwsError::invalid_claims);
  expect_error(verify(forge(header, R"({"exp":1700000060,"nbf":1.5})")), JwsError::invalid_claims);
}

TEST(JwsTest, IssuedAtMustBeNumeric) {
  const std::string_view header = R"({"alg":"HS256"})";
  expect_error(verify(forge(header, R"({"exp":1700000060,"iat":"now"})")),
               JwsError::invalid_claims);
  EXPECT_TRUE(verify(forge(header, R"({"exp":1700000060,"iat":1699999999.25})")).has_value());
}

TEST(JwsTest, RejectsWrongNumberOfSegments) {
  const std::string token = sign_hs256({{"exp", kNow + 60}}, kSecret);
  for (const std::string& bad :
       {token + ".", "." + token, token + ".AAAA", token.substr(0, token.rfind('.')),
        std::string(kHs256HeaderSegment), std::string(""), std::string("."), std::string(".."),
        std::string("...")}) {
    expect_error(verify(bad), JwsError::malformed);
  }
}

TEST(JwsTest, RejectsNonCanonicalBase64InEachSegment) {
  // 28-byte header and 19-byte payload give segments of length 2 mod 4; the 32-byte signature
  // always has length 3 mod 4.
  const std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT" })");
  const std::string payload = base64url_encode(R"({"exp":1700000060 })");
  ASSERT_TRUE(verify(sign_segments(header, payload)).has_value());

  expect_error(verify(sign_segments(make_non_canonical(header), payload)), JwsError::malformed);
  expect_error(verify(sign_segments(header, make_non_canonical(payload))), JwsError::malformed);
  std::string token = sign_segments(header, payload);
  const std::size_t sig_start = token.rfind('.') + 1;
  token = token.substr(0, sig_start) + make_non_canonical(token.substr(sig_start));
  expect_error(verify(token), JwsError::malformed);
}

TEST(JwsTest, RejectsPaddingAndForeignCharactersInSegments) {
  const std::string token = sign_hs256({{"exp", kNow + 60}}, kSecret);
  expect_error(verify(token + "="), JwsError::malformed);
  std::string with_plus = token;
  with_plus[token.rfind('.') + 1] = '+';
  expect_error(verify(with_plus), JwsError::malformed);
  expect_error(verify(" " + token), JwsError::malformed);
  expect_error(verify(token + "\n"), JwsError::malformed);
}

TEST(JwsTest, RejectsHeaderThatIsNotAJsonObject) {
  expect_error(verify(forge("not json", R"({"exp":1700000060})")), JwsError::malformed);
  expect_error(verify(forge(R"(["HS256"])", R"({"exp":1700000060})")), JwsError::malformed);
  expect_error(verify(forge(R"("HS256")", R"({"exp":1700000060})")), JwsError::malformed);
  expect_error(verify(forge(R"({"alg":"HS256",})", R"({"exp":1700000060})")), JwsError::malformed);
  expect_error(verify(forge("", R"({"exp":1700000060})")), JwsError::malformed);
}

TEST(JwsTest, RejectsPayloadThatIsNotAJsonObject) {
  const std::string_view header = R"({"alg":"HS256","typ":"JWT"})";
  expect_error(verify(forge(header, R"([{"exp":1700000060}])")), JwsError::malformed);
  expect_error(verify(forge(header, "1700000060")), JwsError::malformed);
  expect_error(verify(forge(header, "not json")), JwsError::malformed);
  expect_error(verify(forge(header, "")), JwsError::malformed);
}

TEST(JwsTest, ErrorCodesHaveACategoryAndMessages) {
  const boost::system::error_code ec = JwsError::expired;
  EXPECT_EQ(&ec.category(), &jws_error_category());
  EXPECT_STREQ(ec.category().name(), "authd.crypto.jws");
  EXPECT_EQ(ec.message(), "token expired");
  EXPECT_TRUE(ec.failed());
}

TEST(Ed25519Test, Rfc8032TestVector1) {
  const std::string secret =
      unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const std::string public_key =
      unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const std::string expected = unhex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
      "1cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_EQ(ed25519_sign(secret, ""), expected);
  EXPECT_TRUE(ed25519_verify(public_key, "", expected));
  EXPECT_FALSE(ed25519_verify(public_key, "x", expected));
}

TEST(Ed25519Test, GeneratedKeysSignAndVerify) {
  const Ed25519KeyPair pair = ed25519_generate();
  ASSERT_EQ(pair.private_key.size(), 32u);
  ASSERT_EQ(pair.public_key.size(), 32u);
  const std::string signature = ed25519_sign(pair.private_key, "header.payload");
  ASSERT_EQ(signature.size(), 64u);
  EXPECT_TRUE(ed25519_verify(pair.public_key, "header.payload", signature));
  EXPECT_FALSE(ed25519_verify(pair.public_key, "header.payloaD", signature));
  std::string flipped = signature;
  flipped[10] ^= 0x01;
  EXPECT_FALSE(ed25519_verify(pair.public_key, "header.payload", flipped));
  EXPECT_FALSE(ed25519_verify(ed25519_generate().public_key, "header.payload", signature));
  EXPECT_NE(ed25519_generate().private_key, pair.private_key);
}

TEST(Ed25519Test, WrongSizesAreRejected) {
  const Ed25519KeyPair pair = ed25519_generate();
  const std::string signature = ed25519_sign(pair.private_key, "m");
  EXPECT_FALSE(ed25519_verify(pair.public_key.substr(0, 31), "m", signature));
  EXPECT_FALSE(ed25519_verify(pair.public_key + "x", "m", signature));
  EXPECT_FALSE(ed25519_verify(pair.public_key, "m", signature.substr(0, 63)));
  EXPECT_FALSE(ed25519_verify(pair.public_key, "m", signature + "x"));
  EXPECT_FALSE(ed25519_verify("", "m", ""));
  EXPECT_THROW(ed25519_sign(pair.private_key.substr(0, 31), "m"), std::invalid_argument);
  EXPECT_THROW(ed25519_sign(pair.private_key + pair.public_key, "m"), std::invalid_argument);
}

// EdDSA: the verifier looks the kid up in its own set and pins the algorithm.
class EdDsaTest : public ::testing::Test {
 protected:
  boost::system::result<VerifiedJws> verify(std::string_view token) {
    return verify_eddsa(token,
                        [this](std::string_view kid) -> std::optional<std::string> {
                          if (kid == "k1") return pair_.public_key;
                          return std::nullopt;
                        },
                        "at+jwt", {.now = kNow});
  }
  // A token with raw header JSON, Ed25519-signed by `key` over exactly these segments.
  static std::string forge_eddsa(std::string_view header_json, std::string_view payload_json,
                                 std::string_view key) {
    std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
    return input + "." + base64url_encode(ed25519_sign(key, input));
  }

  const Ed25519KeyPair pair_ = ed25519_generate();
  const boost::json::object claims_{{"sub", "1"}, {"exp", kNow + 60}};
};

TEST_F(EdDsaTest, RoundTripIsDeterministic) {
  const std::string token = sign_eddsa(claims_, "k1", pair_.private_key, "at+jwt");
  EXPECT_EQ(token.substr(0, token.find('.')),
            base64url_encode(R"({"alg":"EdDSA","kid":"k1","typ":"at+jwt"})"));
  EXPECT_EQ(token, sign_eddsa(claims_, "k1", pair_.private_key, "at+jwt"));
  EXPECT_EQ(ed25519_public_key(pair_.private_key), std::optional(pair_.public_key));
  auto verified = verify(token);
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(verified->claims, claims_);
  EXPECT_EQ(verified->kid, "k1");
}

TEST_F(EdDsaTest, RefusesOtherAlgorithmsEvenWithTheRightKeyBytes) {
  const std::string payload = boost::json::serialize(claims_);
  // HS256 keyed with the public key: the classic confusion attack.
  expect_error(verify(forge(R"({"alg":"HS256","kid":"k1"})", payload, pair_.public_key)),
               JwsError::unsupported_algorithm);
  expect_error(verify(forge(R"({"alg":"none","kid":"k1"})", payload)),
               JwsError::unsupported_algorithm);
  expect_error(verify(forge_eddsa(R"({"alg":"Ed25519","kid":"k1"})", payload, pair_.private_key)),
               JwsError::unsupported_algorithm);
  expect_error(verify(forge_eddsa(R"({"alg":"EdDSA","kid":"k1","typ":"at+jwt","crit":["exp"]})",
                                  payload, pair_.private_key)),
               JwsError::unsupported_algorithm);
  // Another kind of JWT under the same key (an ID token, say) does not pass as an access token.
  expect_error(
      verify(forge_eddsa(R"({"alg":"EdDSA","kid":"k1","typ":"JWT"})", payload, pair_.private_key)),
      JwsError::unsupported_algorithm);
  expect_error(verify(forge_eddsa(R"({"alg":"EdDSA","kid":"k1"})", payload, pair_.private_key)),
               JwsError::unsupported_algorithm);
}

TEST_F(EdDsaTest, NeverTrustsKeysTheTokenBrings) {
  const auto attacker = ed25519_generate();
  const std::string payload = boost::json::serialize(claims_);
  const std::string jwk =
      R"({"kty":"OKP","crv":"Ed25519","x":")" + base64url_encode(attacker.public_key) + R"("})";
  expect_error(verify(forge_eddsa(R"({"alg":"EdDSA","typ":"at+jwt","jwk":)" + jwk + "}", payload,
                                  attacker.private_key)),
               JwsError::unknown_key);
  expect_error(
      verify(forge_eddsa(R"({"alg":"EdDSA","kid":"k2","typ":"at+jwt","jku":"https://evil.test/k"})",
                         payload, attacker.private_key)),
      JwsError::unknown_key);
  // The known kid's key decides, not the embedded one.
  expect_error(verify(forge_eddsa(R"({"alg":"EdDSA","kid":"k1","typ":"at+jwt","jwk":)" + jwk + "}",
                                  payload, attacker.private_key)),
               JwsError::bad_signature);
  expect_error(
      verify(forge_eddsa(R"({"alg":"EdDSA","kid":1,"typ":"at+jwt"})", payload, pair_.private_key)),
      JwsError::unknown_key);
}

TEST_F(EdDsaTest, RefusesTamperingAndExpiry) {
  std::string token = sign_eddsa(claims_, "k1", pair_.private_key, "at+jwt");
  std::string tampered = token;
  tampered[token.find('.') + 2] ^= 1;
  EXPECT_FALSE(verify(tampered));
  expect_error(verify(sign_eddsa({{"sub", "1"}, {"exp", kNow}}, "k1", pair_.private_key, "at+jwt")),
               JwsError::expired);
  expect_error(verify(sign_eddsa({{"sub", "1"}}, "k1", pair_.private_key, "at+jwt")),
               JwsError::missing_expiry);
}

TEST(SealingTest, RoundTripsAndBindsKeyAndAssociatedData) {
  const std::string key = derive_sealing_key("an operator's key material, 32+ bytes");
  ASSERT_EQ(key.size(), 32u);
  EXPECT_EQ(key, derive_sealing_key("an operator's key material, 32+ bytes"));
  const std::string sealed = seal(key, "secret bytes", "kid-1");
  EXPECT_NE(sealed, seal(key, "secret bytes", "kid-1")) << "a fresh nonce every time";
  EXPECT_EQ(unseal(key, sealed, "kid-1"), std::optional<std::string>("secret bytes"));
  EXPECT_FALSE(unseal(key, sealed, "kid-2"));
  EXPECT_FALSE(
      unseal(derive_sealing_key("another operator's key material, 32+ b"), sealed, "kid-1"));
  std::string flipped = sealed;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(unseal(key, flipped, "kid-1"));
  EXPECT_FALSE(unseal(key, "", "kid-1"));
  EXPECT_FALSE(unseal(key, "!!!", "kid-1"));
}

}  // namespace
}  // namespace authd::crypto
