// What a new password must satisfy (NIST SP 800-63B §5.1.1.2, ASVS 5.0 6.2): a minimum length
// counted in characters, a maximum that protects the hasher, no NUL, and not guessable: zxcvbn
// (zxcvbn-c, with its frequency dictionaries of common passwords, words, names, keyboard
// patterns, dates and sequences) must expect at least 2^22 (about 4 million) guesses. That
// refuses every password of its dictionaries with simple variations (capitals, digits, l33t,
// years), all of the 3,000 most common passwords that meet the length minimum (ASVS 6.2.4;
// tests/data/top-3000-passwords.txt), and anything built from the account's own context (its
// email, the email's local part, its names, the service name: ASVS 6.2.11). Passwords are
// taken byte for byte: never trimmed or truncated.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/auth_error.hpp"

namespace authd::core {

struct PasswordPolicy {
  std::size_t min_characters = 8;
  bool forbid_guessable = true;
};

// Fewer estimated guesses than 2^kMinGuessBits is refused.
inline constexpr double kMinGuessBits = 22;

// The reason a new password is refused, or nullopt when it is acceptable. `context` holds words
// the password must not be built from.
std::optional<AuthError> check_new_password(std::string_view password, const PasswordPolicy& policy,
                                            std::size_t max_bytes,
                                            std::span<const std::string> context = {});

// zxcvbn's estimate of the guesses needed, in bits (log2), with `context` as extra dictionary
// words. Precondition: no NUL in `password`.
double guess_bits(std::string_view password, std::span<const std::string> context = {});

}  // namespace authd::core
