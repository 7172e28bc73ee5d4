// What a new password must satisfy (NIST SP 800-63B §5.1.1.2): a minimum length counted in
// characters, a maximum that protects the hasher, no NUL, and not one of the commonly used
// passwords shipped with authd. Passwords are taken byte for byte: never trimmed or truncated.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/auth_error.hpp"

namespace authd::core {

struct PasswordPolicy {
  std::size_t min_characters = 8;
  bool forbid_common = true;
};

// The reason a new password is refused, or nullopt when it is acceptable.
std::optional<AuthError> check_new_password(std::string_view password, const PasswordPolicy& policy,
                                            std::size_t max_bytes);

// True when `password` (compared case-insensitively) is on the shipped list.
bool is_common_password(std::string_view password);

}  // namespace authd::core
