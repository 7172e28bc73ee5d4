#include "crypto/jws.hpp"

#include <openssl/evp.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>

#include "crypto/base64url.hpp"
#include "crypto/c_library.hpp"
#include "crypto/digest.hpp"

namespace authd::crypto {
namespace {

class JwsErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "authd.crypto.jws"; }

  std::string message(int ev) const override {
    switch (static_cast<JwsError>(ev)) {
      case JwsError::malformed:
        return "malformed token";
      case JwsError::unsupported_algorithm:
        return "unsupported token algorithm, type or header";
      case JwsError::bad_signature:
        return "bad token signature";
      case JwsError::missing_expiry:
        return "token has no expiry";
      case JwsError::expired:
        return "token expired";
      case JwsError::not_yet_valid:
        return "token not yet valid";
      case JwsError::invalid_claims:
        return "token claims have invalid types";
      case JwsError::unknown_key:
        return "token names no key we know";
    }
    return "unknown token error";
  }
};

// The only header we emit. Fixed text rather than a serialized object so the bytes cannot drift
// with member order or serializer changes.
constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

// exp + leeway and now + leeway must not wrap around: a huge exp must stay "far future".
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  if (b > 0 && a > kMax - b) return kMax;
  if (b < 0 && a < kMin - b) return kMin;
  return a + b;
}

enum class NumericDate { absent, not_a_number, not_integral, ok };

// Reads an integral NumericDate. Boost.JSON yields int64, uint64 (above INT64_MAX) or double
// (for "1e9", "1.0"). Integral values beyond int64 saturate: they are only ever "far future" or
// "far past", which compares the same way.
NumericDate read_date(const boost::json::object& claims, std::string_view name, std::int64_t& out) {
  const boost::json::value* v = claims.if_contains(name);
  if (v == nullptr) return NumericDate::absent;
  if (const auto* i = v->if_int64()) {
    out = *i;
    return NumericDate::ok;
  }
  if (const auto* u = v->if_uint64()) {
    out = *u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
              ? std::numeric_limits<std::int64_t>::max()
              : static_cast<std::int64_t>(*u);
    return NumericDate::ok;
  }
  if (const auto* d = v->if_double()) {
    if (!std::isfinite(*d) || std::trunc(*d) != *d) return NumericDate::not_integral;
    constexpr double kTwoTo63 = 9223372036854775808.0;
    if (*d >= kTwoTo63) {
      out = std::numeric_limits<std::int64_t>::max();
    } else if (*d < -kTwoTo63) {
      out = std::numeric_limits<std::int64_t>::min();
    } else {
      out = static_cast<std::int64_t>(*d);
    }
    return NumericDate::ok;
  }
  return NumericDate::not_a_number;
}

std::optional<boost::json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  // Default options: strict RFC 8259 (no comments, no trailing commas, valid UTF-8). Duplicate
  // members keep the last one, which RFC 7515 §4 allows.
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

constexpr std::size_t kEd25519KeyBytes = 32;
constexpr std::size_t kEd25519SignatureBytes = 64;

using detail::bytes_of;

}  // namespace

const boost::system::error_category& jws_error_category() noexcept {
  static const JwsErrorCategory category;
  return category;
}

boost::system::error_code make_error_code(JwsError e) noexcept {
  return {static_cast<int>(e), jws_error_category()};
}

std::string sign_hs256(const boost::json::object& claims, std::string_view secret) {
  if (secret.empty()) throw std::invalid_argument("sign_hs256: empty secret");
  std::string token = base64url_encode(kHs256Header);
  token.push_back('.');
  token += base64url_encode(boost::json::serialize(claims));
  const std::string signature = hmac_sha256(secret, token);
  token.push_back('.');
  token += base64url_encode(signature);
  return token;
}

namespace {

// A compact JWS cut into its three segments, decoded. Strict: exactly two dots, strict base64url,
// a header that is a JSON object.
struct Compact {
  std::string_view signing_input;
  boost::json::object header;
  std::string payload;
  std::string signature;
};

boost::system::result<Compact> split(std::string_view token) {
  const std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return JwsError::malformed;
  const std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return JwsError::malformed;
  if (token.find('.', dot2 + 1) != std::string_view::npos) return JwsError::malformed;

  auto header_text = base64url_decode(token.substr(0, dot1));
  auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature) return JwsError::malformed;
  auto header = parse_object(*header_text);
  if (!header) return JwsError::malformed;
  return Compact{.signing_input = token.substr(0, dot2),
                 .header = std::move(*header),
                 .payload = std::move(*payload_text),
                 .signature = std::move(*signature)};
}

// The header is read before the signature is checked, but only to refuse anything other than
// the pinned algorithm; nothing in it selects an algorithm.
bool header_pins(const boost::json::object& header, std::string_view algorithm) {
  const boost::json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != algorithm) return false;
  // "crit" names extensions the verifier must understand (e.g. b64:false); we understand none.
  return !header.contains("crit");
}

// Reads the authentic payload and applies the time rules shared by every algorithm.
boost::system::result<boost::json::object> check_claims(std::string_view payload,
                                                        const VerifyOptions& options) {
  auto claims = parse_object(payload);
  if (!claims) return JwsError::malformed;

  std::int64_t exp = 0;
  switch (read_date(*claims, "exp", exp)) {
    case NumericDate::absent:
    case NumericDate::not_a_number:
      return JwsError::missing_expiry;
    case NumericDate::not_integral:
      return JwsError::invalid_claims;
    case NumericDate::ok:
      break;
  }
  std::int64_t nbf = 0;
  const NumericDate nbf_state = read_date(*claims, "nbf", nbf);
  if (nbf_state == NumericDate::not_a_number || nbf_state == NumericDate::not_integral) {
    return JwsError::invalid_claims;
  }
  // iat is informational (we never reject on it), so any JSON number is fine.
  if (const boost::json::value* iat = claims->if_contains("iat");
      iat != nullptr && !iat->is_number()) {
    return JwsError::invalid_claims;
  }

  const std::int64_t leeway = options.leeway_seconds > 0 ? options.leeway_seconds : 0;
  if (options.now >= saturating_add(exp, leeway)) return JwsError::expired;
  if (nbf_state == NumericDate::ok && saturating_add(options.now, leeway) < nbf) {
    return JwsError::not_yet_valid;
  }
  return std::move(*claims);
}

}  // namespace

boost::system::result<boost::json::object> verify_hs256(std::string_view token,
                                                        std::string_view secret,
                                                        const VerifyOptions& options) {
  auto jws = split(token);
  if (!jws) return jws.error();
  if (!header_pins(jws->header, "HS256")) return JwsError::unsupported_algorithm;
  if (secret.empty()) return JwsError::bad_signature;
  if (!constant_time_equal(hmac_sha256(secret, jws->signing_input), jws->signature)) {
    return JwsError::bad_signature;
  }
  // From here on the payload is authentic.
  return check_claims(jws->payload, options);
}

std::string sign_eddsa(const boost::json::object& claims, std::string_view kid,
                       std::string_view private_key, std::string_view typ) {
  // Member order fixed (alg, kid, typ) so that equal claims under one key give equal tokens:
  // Ed25519 is deterministic, and refresh replays within the grace window rely on it.
  boost::json::object header{{"alg", "EdDSA"}, {"kid", kid}, {"typ", typ}};
  std::string token = base64url_encode(boost::json::serialize(header));
  token.push_back('.');
  token += base64url_encode(boost::json::serialize(claims));
  const std::string signature = ed25519_sign(private_key, token);
  token.push_back('.');
  token += base64url_encode(signature);
  return token;
}

boost::system::result<VerifiedJws> verify_eddsa(std::string_view token,
                                                const PublicKeyLookup& public_key_for,
                                                std::string_view typ,
                                                const VerifyOptions& options) {
  auto jws = split(token);
  if (!jws) return jws.error();
  if (!header_pins(jws->header, "EdDSA")) return JwsError::unsupported_algorithm;
  const boost::json::value* token_typ = jws->header.if_contains("typ");
  if (token_typ == nullptr || !token_typ->is_string() || token_typ->get_string() != typ) {
    return JwsError::unsupported_algorithm;
  }
  // The key comes from our own key set, by kid. "jwk", "jku" and "x5u" would let the token name
  // its own key; they are never read.
  const boost::json::value* kid = jws->header.if_contains("kid");
  if (kid == nullptr || !kid->is_string()) return JwsError::unknown_key;
  const std::optional<std::string> public_key = public_key_for(kid->get_string());
  if (!public_key) return JwsError::unknown_key;
  if (!ed25519_verify(*public_key, jws->signing_input, jws->signature)) {
    return JwsError::bad_signature;
  }
  auto claims = check_claims(jws->payload, options);
  if (!claims) return claims.error();
  return VerifiedJws{.claims = std::move(*claims), .kid = std::string(kid->get_string())};
}

Ed25519KeyPair ed25519_generate() {
  PkeyPtr key{EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")};
  if (!key) throw std::runtime_error("Ed25519 key generation failed");
  Ed25519KeyPair pair{std::string(kEd25519KeyBytes, '\0'), std::string(kEd25519KeyBytes, '\0')};
  std::size_t priv_len = pair.private_key.size();
  std::size_t pub_len = pair.public_key.size();
  if (EVP_PKEY_get_raw_private_key(
          key.get(), reinterpret_cast<unsigned char*>(pair.private_key.data()), &priv_len) != 1 ||
      EVP_PKEY_get_raw_public_key(
          key.get(), reinterpret_cast<unsigned char*>(pair.public_key.data()), &pub_len) != 1 ||
      priv_len != kEd25519KeyBytes || pub_len != kEd25519KeyBytes) {
    throw std::runtime_error("Ed25519 key export failed");
  }
  return pair;
}

std::optional<std::string> ed25519_public_key(std::string_view private_key_32) {
  if (private_key_32.size() != kEd25519KeyBytes) return std::nullopt;
  PkeyPtr key{EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes_of(private_key_32),
                                           private_key_32.size())};
  std::string public_key(kEd25519KeyBytes, '\0');
  std::size_t length = public_key.size();
  if (!key ||
      EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(public_key.data()),
                                  &length) != 1 ||
      length != kEd25519KeyBytes) {
    return std::nullopt;
  }
  return public_key;
}

std::string ed25519_sign(std::string_view private_key_32, std::string_view message) {
  if (private_key_32.size() != kEd25519KeyBytes) {
    throw std::invalid_argument("ed25519_sign: private key must be 32 bytes");
  }
  PkeyPtr key{EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes_of(private_key_32),
                                           private_key_32.size())};
  MdCtxPtr ctx{EVP_MD_CTX_new()};
  if (!key || !ctx) throw std::runtime_error("Ed25519 signing setup failed");
  std::string signature(kEd25519SignatureBytes, '\0');
  std::size_t sig_len = signature.size();
  // Ed25519 hashes internally (PureEdDSA), so no digest is given.
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &sig_len,
                     bytes_of(message), message.size()) != 1 ||
      sig_len != kEd25519SignatureBytes) {
    throw std::runtime_error("Ed25519 signing failed");
  }
  return signature;
}

bool ed25519_verify(std::string_view public_key_32, std::string_view message,
                    std::string_view signature_64) {
  if (public_key_32.size() != kEd25519KeyBytes || signature_64.size() != kEd25519SignatureBytes) {
    return false;
  }
  PkeyPtr key{EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(public_key_32),
                                          public_key_32.size())};
  MdCtxPtr ctx{EVP_MD_CTX_new()};
  if (!key || !ctx) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), bytes_of(signature_64), signature_64.size(), bytes_of(message),
                          message.size()) == 1;
}

}  // namespace authd::crypto
