// Compact JWS / JWT (RFC 7515, RFC 7519) for the token formats authd issues. The algorithm is
// pinned by the caller (verify_hs256 accepts HS256 and nothing else), never chosen by the token,
// which closes the "alg: none" and algorithm-confusion attacks: HS256 for the seed dialects,
// EdDSA (Ed25519) for /v1 access tokens.
#pragma once

#include <boost/json/object.hpp>
#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace authd::crypto {

enum class JwsError {
  malformed = 1,          // not three strict-base64url segments, or header/payload not an object
  unsupported_algorithm,  // alg (or EdDSA's typ) is not the pinned one, or header has "crit"
  bad_signature,          // signature does not match (also: empty secret)
  missing_expiry,         // no "exp", or "exp" is not a number
  expired,                // now >= exp + leeway
  not_yet_valid,          // now + leeway < nbf
  invalid_claims,         // "exp"/"nbf" not an integral number, or "iat" not a number
  unknown_key,            // EdDSA: no "kid", or a kid that is not in the verifier's key set
};

const boost::system::error_category& jws_error_category() noexcept;
boost::system::error_code make_error_code(JwsError e) noexcept;

// Signs `claims` as an HS256 JWT. The header is exactly {"alg":"HS256","typ":"JWT"}, the form
// Node's jsonwebtoken emits, so our tokens are indistinguishable from the seeds'. Throws
// std::invalid_argument for an empty secret: signing with no key is a programmer error.
std::string sign_hs256(const boost::json::object& claims, std::string_view secret);

struct VerifyOptions {
  std::int64_t now;  // UNIX seconds, injected by the caller's clock so tests never sleep
  std::int64_t leeway_seconds = 0;  // tolerated clock skew; negative values count as 0
};

// Verifies an HS256 JWT and returns its claims. The signature is checked before any claim is
// read; "exp" is required. An empty secret never verifies.
boost::system::result<boost::json::object> verify_hs256(std::string_view token,
                                                        std::string_view secret,
                                                        const VerifyOptions& options);

// Signs `claims` as an EdDSA (Ed25519) JWS with header {"alg":"EdDSA","kid":kid,"typ":typ}
// ("at+jwt" for access tokens, RFC 9068). Deterministic: equal claims, kid, typ and key give
// byte-identical tokens.
std::string sign_eddsa(const boost::json::object& claims, std::string_view kid,
                       std::string_view private_key_32, std::string_view typ);

// The verifier's own key set: the 32-byte public key for `kid`, or nothing.
using PublicKeyLookup = std::function<std::optional<std::string>(std::string_view kid)>;

// Verifies an EdDSA JWS: alg must be exactly "EdDSA" and typ exactly `typ` (so that no other
// kind of JWT we might sign passes as this one), the key is looked up by "kid" in the caller's
// key set (headers that carry or point at keys, such as jwk, jku and x5u, are ignored), and the
// signature is checked before any claim is read; "exp" is required.
struct VerifiedJws {
  boost::json::object claims;
  std::string kid;  // the key that signed it
};
boost::system::result<VerifiedJws> verify_eddsa(std::string_view token,
                                                const PublicKeyLookup& public_key_for,
                                                std::string_view typ, const VerifyOptions& options);

// Ed25519 (RFC 8032) signatures. Keys are raw: a 32-byte private seed and a 32-byte public key.
struct Ed25519KeyPair {
  std::string private_key;  // 32-byte seed; secret
  std::string public_key;   // 32 bytes
};

// Generates a fresh key pair from the system CSPRNG.
Ed25519KeyPair ed25519_generate();

// The 32-byte public key of a 32-byte private key; nothing for a key of the wrong size.
std::optional<std::string> ed25519_public_key(std::string_view private_key_32);

// Returns the 64-byte signature of `message`. Throws std::invalid_argument if the key is not 32
// bytes: keys come from our own configuration, so a wrong size is a programmer error.
std::string ed25519_sign(std::string_view private_key_32, std::string_view message);

// True only for a valid signature by `public_key_32`. Wrong key or signature sizes give false.
bool ed25519_verify(std::string_view public_key_32, std::string_view message,
                    std::string_view signature_64);

}  // namespace authd::crypto

template <>
struct boost::system::is_error_code_enum<authd::crypto::JwsError> : std::true_type {};
