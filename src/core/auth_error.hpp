// Every way an auth operation can fail, as values. The dialect adapters map these to their
// documented status codes and messages; nothing else reaches the client.
#pragma once

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace authd::core {

enum class AuthError {
  invalid_email = 1,  // not an address we accept (shape, length, control characters)
  invalid_password,   // empty, contains NUL, or longer than the hasher accepts
  invalid_name,       // first/last name too long or contains control characters
  email_taken,        // another account has the same canonical email
  user_not_found,     // login for an email nobody registered
  wrong_password,     // login with a password that does not match
  account_disabled,   // correct password, but is_active is false
  store_unavailable,  // the store cannot be reached; retry later
  internal,           // anything unexpected; details are logged, never sent
};

const boost::system::error_category& auth_category() noexcept;

inline boost::system::error_code make_error_code(AuthError e) noexcept {
  return {static_cast<int>(e), auth_category()};
}

}  // namespace authd::core

template <>
struct boost::system::is_error_code_enum<authd::core::AuthError> : std::true_type {};
