#include "crypto/imported_hashes.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"

namespace authd::crypto {
namespace {

// What one verification may cost, in memory and in work (memory times passes): a few times
// OWASP's recommended settings, about a second on a server core at most.
constexpr std::uint64_t kMaxScryptMemoryBytes = std::uint64_t{256} << 20;
constexpr std::uint64_t kMaxScryptWorkBytes = std::uint64_t{1} << 30;  // 128 * N * r * p
constexpr std::uint64_t kMaxPbkdf2Iterations = 2'000'000;
constexpr std::uint64_t kMaxArgon2MemoryKiB = std::uint64_t{256} << 10;
constexpr std::uint64_t kMaxArgon2WorkKiB = std::uint64_t{1} << 20;  // m * t
constexpr std::size_t kMinDerivedBytes = 16, kMaxDerivedBytes = 128;
constexpr std::size_t kMinSaltBytes = 8, kMaxSaltBytes = 128;

// The '$'-separated fields of a stored string after its leading '$' (none without one).
std::vector<std::string_view> fields(std::string_view stored) {
  std::vector<std::string_view> parts;
  if (!stored.starts_with('$')) return parts;
  std::size_t start = 1;
  while (true) {
    const std::size_t end = stored.find('$', start);
    parts.push_back(stored.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// "$scheme$params$salt$hash", split.
struct Phc {
  std::string_view scheme, params, salt, hash;
};

std::optional<Phc> split(std::string_view stored) {
  const auto parts = fields(stored);
  if (parts.size() != 4) return std::nullopt;
  return Phc{parts[0], parts[1], parts[2], parts[3]};
}

// Unpadded base64, standard or passlib's adapted alphabet ("." for "+").
std::optional<std::string> decode(std::string_view text) {
  std::string url(text);
  for (char& c : url) {
    if (c == '+' || c == '.')
      c = '-';
    else if (c == '/')
      c = '_';
    else if (c == '-' || c == '_' || c == '=')
      return std::nullopt;
  }
  return base64url_decode(url);
}

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// "a=1,b=2" as a map; nullopt when malformed or a value is not a number.
std::optional<std::map<std::string, std::uint64_t, std::less<>>> parameters(std::string_view text) {
  std::map<std::string, std::uint64_t, std::less<>> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string_view pair = text.substr(start, end - start);
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    const auto value = number(pair.substr(equals + 1));
    if (!value || !values.emplace(std::string(pair.substr(0, equals)), *value).second) {
      return std::nullopt;
    }
    start = end + 1;
  }
  return values;
}

// A PHC string's salt and hash, decoded and of sensible sizes.
struct SaltAndHash {
  std::string salt, hash;
};

std::optional<SaltAndHash> salt_and_hash(const Phc& phc) {
  auto salt = decode(phc.salt);
  auto hash = decode(phc.hash);
  if (!salt || !hash || salt->size() < kMinSaltBytes || salt->size() > kMaxSaltBytes ||
      hash->size() < kMinDerivedBytes || hash->size() > kMaxDerivedBytes) {
    return std::nullopt;
  }
  return SaltAndHash{std::move(*salt), std::move(*hash)};
}

struct Scrypt {
  std::uint64_t n, r, p;
  SaltAndHash data;
};

std::optional<Scrypt> parse_scrypt(const Phc& phc) {
  const auto params = parameters(phc.params);
  if (!params || params->size() != 3 || !params->contains("ln") || !params->contains("r") ||
      !params->contains("p")) {
    return std::nullopt;
  }
  const std::uint64_t ln = params->at("ln"), r = params->at("r"), p = params->at("p");
  if (ln < 1 || ln > 24 || r < 1 || r > 64 || p < 1 || p > 64) return std::nullopt;
  const std::uint64_t n = std::uint64_t{1} << ln;
  if (128 * r * n + 128 * r * p > kMaxScryptMemoryBytes || 128 * n * r * p > kMaxScryptWorkBytes) {
    return std::nullopt;
  }
  auto data = salt_and_hash(phc);
  if (!data) return std::nullopt;
  return Scrypt{n, r, p, std::move(*data)};
}

struct Pbkdf2 {
  std::uint64_t iterations;
  SaltAndHash data;
};

std::optional<Pbkdf2> parse_pbkdf2(const Phc& phc) {
  std::optional<std::uint64_t> iterations = number(phc.params);  // passlib: the bare count
  std::optional<std::uint64_t> length;
  if (!iterations) {
    const auto params = parameters(phc.params);
    if (!params || !params->contains("i")) return std::nullopt;
    iterations = params->at("i");
    if (params->contains("l")) length = params->at("l");
    if (params->size() != (length ? 2u : 1u)) return std::nullopt;
  }
  if (*iterations < 1 || *iterations > kMaxPbkdf2Iterations) return std::nullopt;
  auto data = salt_and_hash(phc);
  if (!data || (length && *length != data->hash.size())) return std::nullopt;
  return Pbkdf2{*iterations, std::move(*data)};
}

std::optional<std::map<std::string, std::uint64_t, std::less<>>> argon2_costs(
    std::string_view stored) {
  // $argon2i$v=19$m=65536,t=2,p=1$salt$hash (five parts, where split() expects four)
  const auto parts = fields(stored);
  if (parts.size() != 5 || parts[1] != "v=19") return std::nullopt;
  auto costs = parameters(parts[2]);
  if (!costs || costs->size() != 3 || !costs->contains("m") || !costs->contains("t") ||
      !costs->contains("p") || costs->at("m") > kMaxArgon2MemoryKiB || costs->at("t") < 1 ||
      costs->at("t") > kMaxArgon2WorkKiB / std::max<std::uint64_t>(costs->at("m"), 1)) {
    return std::nullopt;
  }
  return costs;
}

}  // namespace

bool argon2_costs_within_bounds(std::string_view stored) {
  return (stored.starts_with("$argon2i$") || stored.starts_with("$argon2id$")) &&
         argon2_costs(stored).has_value();
}

bool is_imported_hash(std::string_view stored) {
  if (stored.starts_with("$argon2i$")) return argon2_costs(stored).has_value();
  const auto phc = split(stored);
  if (!phc) return false;
  if (phc->scheme == "scrypt") return parse_scrypt(*phc).has_value();
  if (phc->scheme == "pbkdf2-sha256") return parse_pbkdf2(*phc).has_value();
  return false;
}

bool verify_imported_hash(std::string_view password, std::string_view stored) {
  if (stored.starts_with("$argon2i$")) {
    if (!argon2_costs(stored)) return false;
    const std::string str(stored);
    return crypto_pwhash_argon2i_str_verify(str.c_str(), password.empty() ? "" : password.data(),
                                            password.size()) == 0;
  }
  const auto phc = split(stored);
  if (!phc) return false;
  std::string derived;
  if (phc->scheme == "scrypt") {
    const auto scrypt = parse_scrypt(*phc);
    if (!scrypt) return false;
    derived.resize(scrypt->data.hash.size());
    if (EVP_PBE_scrypt(password.data(), password.size(),
                       reinterpret_cast<const unsigned char*>(scrypt->data.salt.data()),
                       scrypt->data.salt.size(), scrypt->n, scrypt->r, scrypt->p,
                       kMaxScryptMemoryBytes + (std::uint64_t{1} << 20),
                       reinterpret_cast<unsigned char*>(derived.data()), derived.size()) != 1) {
      return false;
    }
    return constant_time_equal(derived, scrypt->data.hash);
  }
  if (phc->scheme == "pbkdf2-sha256") {
    const auto pbkdf2 = parse_pbkdf2(*phc);
    if (!pbkdf2) return false;
    derived.resize(pbkdf2->data.hash.size());
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(pbkdf2->data.salt.data()),
                          static_cast<int>(pbkdf2->data.salt.size()),
                          static_cast<int>(pbkdf2->iterations), EVP_sha256(),
                          static_cast<int>(derived.size()),
                          reinterpret_cast<unsigned char*>(derived.data())) != 1) {
      return false;
    }
    return constant_time_equal(derived, pbkdf2->data.hash);
  }
  return false;
}

}  // namespace authd::crypto
