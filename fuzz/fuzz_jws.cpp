// Feeds the input, as is, to the token parsers: crypto::verify_hs256 (under a fixed secret, at a
// fixed instant and at the extremes of the clock and leeway), base64url_decode, and
// ed25519_verify with the input split into a 32-byte key, a 64-byte signature and a message,
// and crypto::verify_eddsa over a one-key set.
// "No crash" means no sanitizer report and no exception, and also: verify_hs256 accepts a token
// only if it has exactly three segments and the third is base64url(HMAC-SHA256(secret, "h.p"));
// a successful base64url_decode re-encodes to exactly its input (one spelling per byte string);
// base64url_encode always decodes back.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"
#include "crypto/jws.hpp"

namespace {

using namespace authd::crypto;

// Seed tokens in fuzz/corpus/fuzz_jws/ are signed with this secret at this instant.
constexpr std::string_view kSecret = "fuzz-jws-secret-0123456789abcdef";
constexpr std::int64_t kNow = 1'700'000'000;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_jws: %s (input %zu bytes)\n", what, input.size());
  std::abort();
}

void check_verify(std::string_view token, VerifyOptions options) {
  const auto result = verify_hs256(token, kSecret, options);
  if (!result) return;
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.rfind('.');
  if (dot1 == std::string_view::npos || dot1 == dot2 || token.find('.', dot1 + 1) != dot2) {
    fail("verify_hs256 accepted a token without exactly three segments", token);
  }
  const std::string expected = base64url_encode(hmac_sha256(kSecret, token.substr(0, dot2)));
  if (token.substr(dot2 + 1) != expected) {
    fail("verify_hs256 accepted a signature that is not HMAC(secret, header.payload)", token);
  }
}

void check_base64url(std::string_view input) {
  if (const auto decoded = base64url_decode(input)) {
    if (base64url_encode(*decoded) != input)
      fail("base64url_decode accepted a non-canonical text", input);
  }
  const std::string encoded = base64url_encode(input);
  const auto back = base64url_decode(encoded);
  if (!back || *back != input) fail("base64url_encode output does not decode back", input);
}

// verify_eddsa over a fixed key set {"k1": a fixed key}: an accepted token names k1 in its
// header and carries a valid Ed25519 signature by that key over "h.p". The key is fixed so that
// the corpus can hold tokens it accepts (fuzz/corpus/fuzz_jws/seed-eddsa-valid).
constexpr std::string_view kEdDsaPrivateKey = "fuzz-jws-ed25519-private-key-32b";
static_assert(kEdDsaPrivateKey.size() == 32);

void check_verify_eddsa(std::string_view token) {
  static const std::string public_key = *ed25519_public_key(kEdDsaPrivateKey);
  const auto lookup = [](std::string_view kid) -> std::optional<std::string> {
    if (kid == "k1") return public_key;
    return std::nullopt;
  };
  const auto result = verify_eddsa(token, lookup, "at+jwt", VerifyOptions{kNow, 60});
  if (!result) return;
  const std::size_t dot2 = token.rfind('.');
  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature || !ed25519_verify(public_key, token.substr(0, dot2), *signature)) {
    fail("verify_eddsa accepted a token without a valid signature by the named key", token);
  }
  if (result->kid != "k1") {
    fail("verify_eddsa accepted a token that does not name the key", token);
  }
}

void check_ed25519(std::string_view input) {
  const std::string_view key = input.substr(0, std::min<std::size_t>(32, input.size()));
  input.remove_prefix(key.size());
  const std::string_view signature = input.substr(0, std::min<std::size_t>(64, input.size()));
  input.remove_prefix(signature.size());
  (void)ed25519_verify(key, input, signature);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  check_verify(input, VerifyOptions{kNow, 0});
  check_verify(input, VerifyOptions{kNow, 60});
  check_verify(input, VerifyOptions{kMax, kMax});
  check_verify(input, VerifyOptions{kMin, kMin});
  check_verify_eddsa(input);
  check_base64url(input);
  check_ed25519(input);
  return 0;
}
