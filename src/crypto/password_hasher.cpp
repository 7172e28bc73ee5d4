#include "crypto/password_hasher.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "crypto/c_library.hpp"
#include "crypto/digest.hpp"
#include "crypto/imported_hashes.hpp"
#include "crypto/random.hpp"

namespace authd::crypto {
namespace {

constexpr std::size_t kArgon2MaxPasswordBytes = kMaxPasswordBytesAnyAlgorithm;
// Stored strings longer than this are not anything we or Node produce; refusing them early keeps
// libsodium from allocating buffers sized by attacker-influenced input.
constexpr std::size_t kMaxStoredHashBytes = 512;
constexpr int kBcryptMinCost = 4;
constexpr int kBcryptMaxCost = 31;
constexpr int kMaxImportedBcryptCost = 16;
// "$2b$NN$" + 22 salt characters + 31 hash characters.
constexpr std::size_t kBcryptHashBytes = 60;
constexpr std::size_t kBcryptSaltRandomBytes = 16;

constexpr std::string_view kArgon2idPrefix = "$argon2id$";

// libsodium and libxcrypt want a valid pointer even for zero bytes; an empty string_view may not
// have one.
const char* chars_of(std::string_view s) {
  return s.empty() ? "" : s.data();
}

bool has_nul(std::string_view s) {
  return s.find('\0') != std::string_view::npos;
}

// struct crypt_data is ~32 KiB, too big for worker stacks; it also ends up holding a copy of the
// password, so it is wiped before it is freed.
struct CryptDataDeleter {
  void operator()(crypt_data* p) const noexcept {
    OPENSSL_cleanse(p, sizeof *p);
    delete p;
  }
};
using CryptDataPtr = std::unique_ptr<crypt_data, CryptDataDeleter>;

CryptDataPtr make_crypt_data() {
  // Value-initialised (zeroed), as crypt_rn requires before first use.
  return CryptDataPtr{new crypt_data()};
}

// Holds a NUL-terminated copy of a password for C APIs and wipes it on destruction.
class SecretCString {
 public:
  explicit SecretCString(std::string_view s) : value_(s) {}
  SecretCString(const SecretCString&) = delete;
  SecretCString& operator=(const SecretCString&) = delete;
  ~SecretCString() { OPENSSL_cleanse(value_.data(), value_.size()); }
  const char* c_str() const { return value_.c_str(); }

 private:
  std::string value_;
};

std::string bcrypt_hash(std::string_view password, int cost) {
  const std::string rbytes = random_bytes(kBcryptSaltRandomBytes);
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), rbytes.data(),
                       static_cast<int>(rbytes.size()), setting, sizeof setting) == nullptr) {
    throw std::runtime_error("crypt_gensalt_rn failed");
  }
  const SecretCString phrase(password);
  const CryptDataPtr data = make_crypt_data();
  const char* out = crypt_rn(phrase.c_str(), setting, data.get(), sizeof *data);
  if (out == nullptr || !std::string_view(out).starts_with("$2b$")) {
    throw std::runtime_error("crypt_rn failed to hash");
  }
  return std::string(out);
}

bool bcrypt_verify(std::string_view password, std::string_view stored) {
  // New bcrypt hashes refuse longer passwords rather than truncate them silently; a stored one
  // is verified exactly as bcrypt itself (and Node's bcrypt and bcryptjs, which made the
  // imported hashes) does it:
  // only the first 72 bytes count. Refusing longer passwords instead would lock out users
  // whose old app accepted them, and would answer faster than a real verification.
  const SecretCString phrase(password.substr(0, kBcryptMaxPasswordBytes));
  const std::string setting(stored);
  const CryptDataPtr data = make_crypt_data();
  const char* out = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof *data);
  // On failure crypt_rn returns null (or, in some builds, a "*..." string that never equals a
  // stored hash); the full-string comparison rejects either.
  if (out == nullptr) return false;
  return constant_time_equal(out, stored);
}

bool argon2id_verify(std::string_view password, std::string_view stored) {
  if (password.size() > kArgon2MaxPasswordBytes) return false;
  const std::string str(stored);
  return crypto_pwhash_argon2id_str_verify(str.c_str(), chars_of(password), password.size()) == 0;
}

// True if `s` has only characters of bcrypt's base64 alphabet ("./A-Za-z0-9").
bool is_bcrypt_base64(std::string_view s) {
  for (const char c : s) {
    const bool ok = c == '.' || c == '/' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// True if the text after the last two '$' is a 16-byte salt and a 32-byte hash in unpadded
// base64 (22 and 43 characters): the shape libsodium produces. Other implementations may choose
// other lengths, which libsodium accepts but which we still want to replace.
bool has_libsodium_argon2_lengths(std::string_view stored) {
  const std::size_t hash_sep = stored.rfind('$');
  if (hash_sep == std::string_view::npos || hash_sep == 0) return false;
  const std::size_t salt_sep = stored.rfind('$', hash_sep - 1);
  if (salt_sep == std::string_view::npos) return false;
  return hash_sep - salt_sep - 1 == 22 && stored.size() - hash_sep - 1 == 43;
}

// Parses the two-digit cost of "$2x$NN$..." or returns -1.
int bcrypt_cost_of(std::string_view stored) {
  if (stored.size() < 7 || stored[6] != '$') return -1;
  const char hi = stored[4];
  const char lo = stored[5];
  if (hi < '0' || hi > '9' || lo < '0' || lo > '9') return -1;
  return (hi - '0') * 10 + (lo - '0');
}

}  // namespace

bool is_bcrypt_hash(std::string_view stored) {
  return stored.starts_with("$2a$") || stored.starts_with("$2b$") || stored.starts_with("$2y$");
}

PasswordHasher::PasswordHasher(PasswordHashConfig config) : config_(config) {
  detail::ensure_sodium_initialised();
  switch (config_.algorithm) {
    case PasswordAlgorithm::argon2id:
      if (config_.argon2_opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
          config_.argon2_opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
          config_.argon2_memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
          config_.argon2_memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
        throw std::invalid_argument("argon2id parameters out of range");
      }
      break;
    case PasswordAlgorithm::bcrypt:
      if (config_.bcrypt_cost < kBcryptMinCost || config_.bcrypt_cost > kBcryptMaxCost) {
        throw std::invalid_argument("bcrypt cost must be between 4 and 31");
      }
      break;
  }
}

std::size_t PasswordHasher::max_password_bytes() const {
  return config_.algorithm == PasswordAlgorithm::bcrypt ? kBcryptMaxPasswordBytes
                                                        : kArgon2MaxPasswordBytes;
}

std::string PasswordHasher::hash(std::string_view password) const {
  if (password.size() > max_password_bytes()) {
    throw std::invalid_argument("password longer than max_password_bytes()");
  }
  if (has_nul(password)) throw std::invalid_argument("password contains a NUL byte");

  if (config_.algorithm == PasswordAlgorithm::bcrypt) {
    return bcrypt_hash(password, config_.bcrypt_cost);
  }
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_str_alg(out, chars_of(password), password.size(), config_.argon2_opslimit,
                            config_.argon2_memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // Parameters were validated in the constructor, so this is running out of memory.
    throw std::runtime_error("argon2id hashing failed (out of memory?)");
  }
  return std::string(out);
}

std::string algorithm_of_scheme(std::string_view scheme) {
  if (scheme == "2a" || scheme == "2b" || scheme == "2y") return "bcrypt";
  if (scheme.empty()) return "unknown";
  return std::string(scheme);
}

std::string name_of(PasswordAlgorithm algorithm) {
  return algorithm == PasswordAlgorithm::bcrypt ? "bcrypt" : "argon2id";
}

bool is_verifiable_hash(std::string_view stored) {
  if (has_nul(stored) || stored.size() > kMaxStoredHashBytes) return false;
  if (is_bcrypt_hash(stored)) {
    const int cost = bcrypt_cost_of(stored);
    // Cost 16 is 64 times the cost 10 Node apps use: any more would make one login attempt
    // (which needs no right password) a denial of service.
    return stored.size() == kBcryptHashBytes && cost >= kBcryptMinCost &&
           cost <= kMaxImportedBcryptCost && is_bcrypt_base64(stored.substr(7));
  }
  if (stored.starts_with(kArgon2idPrefix)) return argon2_costs_within_bounds(stored);
  return is_imported_hash(stored);
}

bool PasswordHasher::verify(std::string_view password, std::string_view stored_hash) const {
  if (has_nul(password) || has_nul(stored_hash) || stored_hash.size() > kMaxStoredHashBytes) {
    return false;
  }
  // Costs beyond the bounds (an edited row: 2 GiB of memory per login) fail closed.
  if (stored_hash.starts_with(kArgon2idPrefix)) {
    return argon2_costs_within_bounds(stored_hash) && argon2id_verify(password, stored_hash);
  }
  if (is_bcrypt_hash(stored_hash)) return bcrypt_verify(password, stored_hash);
  return verify_imported_hash(password, stored_hash);
}

bool PasswordHasher::needs_rehash(std::string_view stored_hash) const {
  if (has_nul(stored_hash) || stored_hash.size() > kMaxStoredHashBytes) return true;

  if (config_.algorithm == PasswordAlgorithm::bcrypt) {
    return !(stored_hash.starts_with("$2b$") && stored_hash.size() == kBcryptHashBytes &&
             bcrypt_cost_of(stored_hash) == config_.bcrypt_cost &&
             is_bcrypt_base64(stored_hash.substr(7)));
  }

  // libsodium's check compares only m and t; the version, lane count and salt/hash lengths are
  // checked here so a hash from another implementation (p=4, v=16, longer tag) is upgraded too.
  if (!stored_hash.starts_with("$argon2id$v=19$m=") ||
      stored_hash.find(",p=1$") == std::string_view::npos ||
      !has_libsodium_argon2_lengths(stored_hash)) {
    return true;
  }
  const std::string str(stored_hash);
  return crypto_pwhash_argon2id_str_needs_rehash(str.c_str(), config_.argon2_opslimit,
                                                 config_.argon2_memlimit) != 0;
}

}  // namespace authd::crypto
