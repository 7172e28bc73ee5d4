// Every way an auth operation can fail, as values. Each wire format maps every one of them to
// its own status and words in a table (api/dialect.hpp) that does not compile while a row is
// missing; nothing else reaches the client.
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <ostream>
#include <type_traits>

namespace authd::core {

enum class AuthError {
  invalid_email = 1,      // not an address we accept (the HTML "valid e-mail address" grammar)
  invalid_password,       // empty, contains NUL, or longer than the hasher accepts
  password_too_short,     // registration: shorter than the configured minimum
  password_too_common,    // registration: guessable (zxcvbn) or built from the account's context
  invalid_name,           // first/last name too long or contains control characters
  invalid_roles,          // too many requested roles, or a role name too long
  email_taken,            // another account has the same canonical email
  user_not_found,         // login for an email nobody registered
  wrong_password,         // login with a password that does not match
  account_disabled,       // correct password, but is_active is false
  throttled,              // too many attempts for this account or address: retry later
  invalid_token,          // access token: malformed, badly signed, expired, or its session is over
  invalid_refresh_token,  // unknown, expired or revoked refresh token
  refresh_token_reused,   // a rotated refresh token came back: its session is now revoked
  session_not_found,      // no live session with that id belongs to the caller
  role_not_found,         // an operator named a role that does not exist
  role_taken,             // creating a role that exists
  role_in_use,            // deleting a role someone holds, without force
  role_protected,         // deleting a reserved role, or the one registrations get by default
  not_administrator,      // the admin API, for a caller without the administrators' role now
  last_administrator,     // the change would leave no active administrator
  confirmation_required,  // an administrator demoting, disabling or deleting themself, unforced
  role_required,          // the gateway check: the holder has none of the roles the route asks for
  current_password_incorrect,  // self-service: the password that proves it is the owner is wrong
  action_token_invalid,        // a mailed token: unknown, spent, expired, superseded or void
  mail_not_configured,         // a route that sends mail, on a server with no mail transport
  store_unavailable,           // the store cannot be reached or cannot write; retry later
  internal,                    // anything unexpected; details are logged, never sent
  end_                         // not an error: one past the last, for tables indexed by AuthError
};

inline constexpr std::size_t kAuthErrorCount = static_cast<std::size_t>(AuthError::end_) - 1;

// The position of `error` in a table of kAuthErrorCount rows.
constexpr std::size_t index_of(AuthError error) {
  return static_cast<std::size_t>(error) - 1;
}

// The core's reading of a store failure: a taken email, an outage (retry later), or internal.
AuthError from_store(const boost::system::error_code& ec);

const boost::system::error_category& auth_category() noexcept;

inline boost::system::error_code make_error_code(AuthError e) noexcept {
  return {static_cast<int>(e), auth_category()};
}

inline std::ostream& operator<<(std::ostream& out, AuthError e) {
  return out << make_error_code(e).message();
}

// An AuthError with what its answer needs to say: for `throttled`, how long the client should
// wait (Retry-After); for the password rules, the limit that was not met.
struct AuthFailure {
  AuthFailure() = default;  // boost::system::result requires it; never a real failure
  AuthFailure(AuthError code) : code(code) {}  // NOLINT: implicit by design, errors read as codes
  AuthFailure(AuthError code, std::chrono::seconds retry_after)
      : code(code), retry_after(retry_after) {}
  AuthFailure(AuthError code, std::size_t limit) : code(code), limit(limit) {}

  AuthError code = AuthError::internal;
  std::chrono::seconds retry_after{0};
  // invalid_password: the most bytes; password_too_short: the fewest characters.
  std::size_t limit = 0;

  friend bool operator==(const AuthFailure& failure, AuthError code) {
    return failure.code == code;
  }
  friend std::ostream& operator<<(std::ostream& out, const AuthFailure& failure) {
    return out << failure.code;
  }
};

}  // namespace authd::core

template <>
struct boost::system::is_error_code_enum<authd::core::AuthError> : std::true_type {};
