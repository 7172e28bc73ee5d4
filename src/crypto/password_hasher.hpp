// Password hashing for new passwords (argon2id by default, bcrypt on request) and verification of
// every stored format authd may meet: its own argon2id strings, bcrypt hashes imported from
// Node deployments ($2a$, $2b$, $2y$), and argon2i, scrypt and PBKDF2-SHA256 from JSON Lines
// imports (crypto/imported_hashes.hpp). needs_rehash lets the core upgrade a hash on the next
// successful login. All methods are const and share no mutable state: safe from many threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace authd::crypto {

// The largest password any supported algorithm verifies (argon2id's bound); logins accept up to
// this whatever the configured algorithm, so switching algorithms never locks anyone out.
inline constexpr std::size_t kMaxPasswordBytesAnyAlgorithm = 1024;

// bcrypt reads at most this many bytes of a password.
inline constexpr std::size_t kBcryptMaxPasswordBytes = 72;

// True for the bcrypt formats ($2a$, $2b$, $2y$).
bool is_bcrypt_hash(std::string_view stored_hash);

// What an account left without a password keeps in place of a hash: '!' and why ("!reverted").
// No hash format starts with '!', so verify() matches no password against it.
inline constexpr char kNoPasswordMark = '!';
inline bool is_no_password(std::string_view stored_hash) {
  return stored_hash.starts_with(kNoPasswordMark);
}

// True for a stored hash in a format verify() understands, of a well-formed shape and costs
// within bounds (what `authd import` accepts): bcrypt, argon2id, and the schemes of
// crypto/imported_hashes.hpp.
bool is_verifiable_hash(std::string_view stored_hash);

enum class PasswordAlgorithm { argon2id, bcrypt };

// The algorithm a stored hash's scheme (the name between its first two '$') stands for:
// "bcrypt" for 2a, 2b and 2y, the scheme itself otherwise ("argon2id", "scrypt", ...),
// "unknown" for none. name_of(algorithm) names the configured one the same way.
std::string algorithm_of_scheme(std::string_view scheme);
std::string name_of(PasswordAlgorithm algorithm);

struct PasswordHashConfig {
  PasswordAlgorithm algorithm = PasswordAlgorithm::argon2id;
  // OWASP's argon2id baseline: m=19456 KiB, t=2, p=1 (p is always 1 with libsodium).
  unsigned long long argon2_opslimit = 2;
  std::size_t argon2_memlimit = std::size_t{19456} * 1024;  // bytes
  int bcrypt_cost = 10;                                     // log2 rounds, 4..31
};

class PasswordHasher {
 public:
  // Throws std::invalid_argument for parameters outside what the algorithm accepts (a start-up
  // configuration error), std::runtime_error if libsodium cannot initialise.
  explicit PasswordHasher(PasswordHashConfig config = {});

  // Returns a PHC/MCF string: "$argon2id$v=19$m=...,t=...,p=1$..." or "$2b$<cost>$...".
  // Precondition (validated by the caller): password.size() <= max_password_bytes() and no NUL
  // byte; violating it throws std::invalid_argument.
  std::string hash(std::string_view password) const;

  // True if `password` matches `stored_hash` in any supported format, whatever algorithm is
  // configured. False for unknown or damaged hashes and a password containing NUL. Against a
  // bcrypt hash only the password's first 72 bytes count, as in every bcrypt implementation
  // (so a verification costs the same whatever the password's length).
  bool verify(std::string_view password, std::string_view stored_hash) const;

  // True if `stored_hash` is not the configured algorithm with the configured parameters.
  bool needs_rehash(std::string_view stored_hash) const;

  // Largest password hash() accepts: 72 for bcrypt (its input limit), 1024 for argon2id (bounds
  // the work an attacker can make us do per attempt).
  std::size_t max_password_bytes() const;

  PasswordAlgorithm algorithm() const { return config_.algorithm; }

 private:
  PasswordHashConfig config_;
};

}  // namespace authd::crypto
