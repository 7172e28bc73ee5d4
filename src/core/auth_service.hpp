// The auth core: every rule about registering and logging in lives here, once, for all dialects.
// It validates input, hashes and verifies passwords, picks roles, opens sessions and talks to the
// Store. It knows nothing of HTTP or SQL and reports failures as AuthError values. Its methods
// block (password hashing, store I/O): call them from a worker thread, never an I/O thread.
#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/auth_error.hpp"
#include "core/auth_events.hpp"
#include "core/client_info.hpp"
#include "core/clock.hpp"
#include "core/login_guard.hpp"
#include "core/password_policy.hpp"
#include "core/throttle.hpp"
#include "crypto/password_hasher.hpp"
#include "store/store.hpp"

namespace authd::core {

template <class T>
using Result = boost::system::result<T, AuthFailure>;

// Which roles a self-registration may claim. The seed 003 service let a client claim any existing
// role (including "admin"); that stays the default for compatibility, and deployments should
// narrow it with --self-register-roles.
struct RolePolicy {
  bool allow_any_existing = true;
  std::vector<std::string> self_assignable{};  // used when allow_any_existing is false
  std::string default_role = "user";
};

struct AuthConfig {
  std::chrono::seconds session_ttl{std::chrono::hours(24 * 7)};
  // Live /v1 sessions per user; a login beyond it ends the user's oldest session.
  std::int64_t max_sessions_per_user = 100;
  RolePolicy roles{};
  PasswordPolicy passwords{};
  LoginGuardPolicy logins{};  // failed-login counters and the consecutive-failure cap
  // Keys the MAC of every throttle key; every instance needs the same (derived from the
  // key-encryption key).
  std::string throttle_key{};
  // Registrations are counted per client network (every attempt, whatever its outcome).
  RatePolicy registrations_per_address{.max_attempts = 20, .window = std::chrono::hours(1)};
};

// Roles named with this prefix are authd's own, such as the administrators' role: an operator
// (the CLI) grants them; self-registration never does, whatever RolePolicy allows.
inline constexpr std::string_view kReservedRolePrefix = "authd:";
inline constexpr std::string_view kAdministratorRole = "authd:admin";
// In any letter case: "AUTHD:admin" would pass for the real one in a listing, or in an app that
// compares groups case-insensitively.
inline bool is_reserved_role(std::string_view role) {
  if (role.size() < kReservedRolePrefix.size()) return false;
  for (std::size_t i = 0; i < kReservedRolePrefix.size(); ++i) {
    const char c = role[i];
    const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kReservedRolePrefix[i]) return false;
  }
  return true;
}

// Requested roles beyond these limits are a client error, not something to store.
inline constexpr std::size_t kMaxRequestedRoles = 16;
inline constexpr std::size_t kMaxRoleNameBytes = 64;
inline constexpr std::size_t kMaxNameBytes = 128;

// A first or last name: absent, or at most kMaxNameBytes without control characters.
bool valid_name(const std::optional<std::string>& name);
// A role an operator creates: 1 to kMaxRoleNameBytes of ASCII letters, digits and ". _ - :"
// (names that read the same in a URL, a log line and a header such as Remote-Groups).
bool valid_role_name(std::string_view name);

struct RegistrationRequest {
  std::string email{};
  std::string password{};
  std::optional<std::string> first_name{};
  std::optional<std::string> last_name{};
  std::vector<std::string> requested_roles{};
  std::optional<store::SessionFamily> open_session{};  // also start a session of this family
  ClientInfo client{};
};

struct LoginRequest {
  std::string email{};
  std::string password{};
  // Starts a session of this family: an opaque one replaces the user's earlier ones, while
  // rotating ones live side by side (one per device), up to max_sessions_per_user.
  std::optional<store::SessionFamily> open_session{};
  ClientInfo client{};
};

struct AuthOutcome {
  store::UserRecord user{};
  std::optional<std::string> session_token{};  // the opaque token, when a session was opened
  std::string session_id{};                    // that session's public id
};

class AuthService {
 public:
  AuthService(store::Store& store, crypto::PasswordHasher hasher, const Clock& clock,
              AuthConfig config, AuthEvents& events = no_auth_events());

  Result<AuthOutcome> register_user(const RegistrationRequest& request);

  // An operator's creation of an account: the same checks of email, names and password, but the
  // requested roles exactly (reserved ones included; each must exist, or role_not_found; none
  // requested: the default role), no registration limit and no session.
  Result<AuthOutcome> create_account(const RegistrationRequest& request);

  // Spends one password verification whether or not the email exists, so response time does not
  // tell an attacker which emails are registered. Refuses (throttled, with the time to wait)
  // without evaluating the password while the account or the client address is locked, and
  // refuses every attempt (store_unavailable) when a failure could not be counted.
  Result<AuthOutcome> login(const LoginRequest& request);

  // The account of `user_id`, once `password` is proven to be its password: what a change to the
  // account by its owner starts with (ASVS 5.0 6.2.3: changing the password needs the current
  // one; and so does changing the email or closing the account). A wrong password is counted
  // by the brute-force guard as a failed login to the account is, and refused with
  // current_password_incorrect; a locked account is `throttled` before any verification.
  // invalid_token when the account has gone or been deactivated since its token was checked.
  Result<store::UserRecord> verify_current_password(std::int64_t user_id,
                                                    const std::string& password,
                                                    const ClientInfo& client);

  // The hash of `password` as `user`'s next one, after the checks a registration makes (its
  // length, the policy, and the account's own email and names as context).
  Result<std::string> hash_new_password(const store::UserRecord& user,
                                        const std::string& password) const;

  // True when the store answers and takes writes (see Store::check_writable).
  bool store_ready();

  // Forgets the account-wide failed-login counters of `email` (its all-networks count and its
  // consecutive failures): what an operator does for an owner locked out by the cap. The
  // per-network counters stay. invalid_email for an address outside the grammar.
  Result<void> unlock(std::string_view email);

  const Clock& clock() const { return clock_; }
  // The role a registration gets when it names none (deleting it is refused).
  const std::string& default_role() const { return config_.roles.default_role; }

 private:
  Result<void> validate_password(const std::string& password, std::size_t max_bytes) const;
  AuthFailure refused_password(AuthError reason) const;
  Result<std::vector<std::string>> choose_roles(const std::vector<std::string>& requested);
  // Checks and stores a new account with `roles` decided by the caller.
  Result<AuthOutcome> create_user(const RegistrationRequest& request,
                                  const std::function<Result<std::vector<std::string>>()>& roles);
  // The opaque token, and the session record that stores only its hash.
  std::pair<std::string, store::NewSession> new_session(store::SessionFamily family,
                                                        const ClientInfo& client) const;

  store::Store& store_;
  crypto::PasswordHasher hasher_;
  const Clock& clock_;
  AuthConfig config_;
  AuthError store_failure(const boost::system::error_code& ec);

  AuthEvents& events_;
  Throttle throttle_;
  LoginGuard guard_;
  std::string dummy_hash_;  // verified against when the email is unknown
  // /readyz asks at most once a second (each answer is a committed write).
  std::mutex readiness_mutex_;
  util::TimePoint readiness_checked_{};
  bool ready_ = false;
};

}  // namespace authd::core
