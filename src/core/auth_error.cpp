#include "core/auth_error.hpp"

#include <string>

#include "store/store_error.hpp"

namespace authd::core {
namespace {

class AuthCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "authd.auth"; }
  std::string message(int value) const override {
    switch (static_cast<AuthError>(value)) {
      case AuthError::invalid_email:
        return "invalid email address";
      case AuthError::invalid_password:
        return "invalid password";
      case AuthError::password_too_short:
        return "password too short";
      case AuthError::password_too_common:
        return "password too common";
      case AuthError::invalid_name:
        return "invalid name";
      case AuthError::invalid_roles:
        return "invalid roles";
      case AuthError::email_taken:
        return "email already registered";
      case AuthError::user_not_found:
        return "user not found";
      case AuthError::wrong_password:
        return "wrong password";
      case AuthError::account_disabled:
        return "account disabled";
      case AuthError::throttled:
        return "too many attempts";
      case AuthError::invalid_token:
        return "invalid access token";
      case AuthError::invalid_refresh_token:
        return "invalid refresh token";
      case AuthError::refresh_token_reused:
        return "refresh token reused";
      case AuthError::session_not_found:
        return "session not found";
      case AuthError::role_not_found:
        return "role not found";
      case AuthError::role_taken:
        return "role already exists";
      case AuthError::role_in_use:
        return "role in use";
      case AuthError::role_protected:
        return "role cannot be deleted (reserved, or the default role of registrations)";
      case AuthError::not_administrator:
        return "not an administrator";
      case AuthError::last_administrator:
        return "last administrator";
      case AuthError::confirmation_required:
        return "confirmation required";
      case AuthError::role_required:
        return "none of the required roles";
      case AuthError::current_password_incorrect:
        return "current password incorrect";
      case AuthError::action_token_invalid:
        return "action token invalid";
      case AuthError::mail_not_configured:
        return "mail not configured";
      case AuthError::store_unavailable:
        return "store unavailable";
      case AuthError::internal:
        return "internal error";
      case AuthError::end_:
        break;
    }
    return "unknown auth error";
  }
};

}  // namespace

const boost::system::error_category& auth_category() noexcept {
  static const AuthCategory category;
  return category;
}

AuthError from_store(const boost::system::error_code& ec) {
  if (ec == store::StoreError::email_taken) return AuthError::email_taken;
  if (ec == store::StoreError::unavailable) return AuthError::store_unavailable;
  // The only role the core guards is the administrators'.
  if (ec == store::StoreError::last_holder) return AuthError::last_administrator;
  return AuthError::internal;
}

}  // namespace authd::core
