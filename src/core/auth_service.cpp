#include "core/auth_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "core/email.hpp"
#include "core/security_log.hpp"
#include "crypto/digest.hpp"
#include "crypto/random.hpp"
#include "util/text.hpp"

namespace authd::core {
bool valid_name(const std::optional<std::string>& name) {
  return !name || (name->size() <= kMaxNameBytes && !util::has_control_characters(*name));
}

bool valid_role_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxRoleNameBytes &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-' || c == ':';
         });
}

namespace {

// What a new password must not be built from: the account's own email, its local part, its
// domain (with and without the last label, and each label), its names, and the service's name
// (ASVS 5.0 6.2.11: context-specific words).
std::vector<std::string> password_context(const CanonicalEmail& email,
                                          const std::optional<std::string>& first_name,
                                          const std::optional<std::string>& last_name) {
  const auto at = email.key.rfind('@');
  const std::string domain = email.key.substr(at + 1);
  std::vector<std::string> words{email.key, email.key.substr(0, at), domain, "authd"};
  if (const auto last_dot = domain.rfind('.'); last_dot != std::string::npos) {
    words.push_back(domain.substr(0, last_dot));
    for (std::size_t start = 0; start < last_dot;) {
      const auto dot = domain.find('.', start);
      words.push_back(domain.substr(start, dot - start));
      start = dot + 1;
    }
  }
  for (const auto* name : {&first_name, &last_name}) {
    if (*name && !(*name)->empty()) words.push_back(**name);
  }
  return words;
}

bool valid_roles(const std::vector<std::string>& roles) {
  return roles.size() <= kMaxRequestedRoles &&
         std::all_of(roles.begin(), roles.end(),
                     [](const std::string& role) { return role.size() <= kMaxRoleNameBytes; });
}

}  // namespace

AuthService::AuthService(store::Store& store, crypto::PasswordHasher hasher, const Clock& clock,
                         AuthConfig config, AuthEvents& events)
    : store_(store),
      hasher_(hasher),
      clock_(clock),
      config_(std::move(config)),
      events_(events),
      throttle_(store, clock, config_.throttle_key),
      guard_(throttle_, config_.logins, events),
      dummy_hash_(hasher_.hash(crypto::random_token(16))) {}

AuthError AuthService::store_failure(const boost::system::error_code& ec) {
  const AuthError error = from_store(ec);
  if (error != AuthError::email_taken) events_.store_error();
  return error;
}

Result<void> AuthService::validate_password(const std::string& password,
                                            std::size_t max_bytes) const {
  if (password.empty() || password.size() > max_bytes || password.find('\0') != std::string::npos) {
    return refused_password(AuthError::invalid_password);
  }
  return {};
}

AuthFailure AuthService::refused_password(AuthError reason) const {
  // The answer names the limit that was not met.
  if (reason == AuthError::invalid_password) return {reason, hasher_.max_password_bytes()};
  if (reason == AuthError::password_too_short) return {reason, config_.passwords.min_characters};
  return reason;
}

Result<std::vector<std::string>> AuthService::choose_roles(
    const std::vector<std::string>& requested) {
  std::vector<std::string> permitted;
  for (const std::string& role : requested) {
    const auto& allowed = config_.roles.self_assignable;
    if (is_reserved_role(role)) continue;  // not even from an allow-list
    if (config_.roles.allow_any_existing ||
        std::find(allowed.begin(), allowed.end(), role) != allowed.end()) {
      permitted.push_back(role);
    }
  }
  auto existing = store_.existing_roles(permitted);
  if (!existing) return store_failure(existing.error());
  if (existing->empty()) existing->push_back(config_.roles.default_role);
  return std::move(*existing);
}

std::pair<std::string, store::NewSession> AuthService::new_session(store::SessionFamily family,
                                                                   const ClientInfo& client) const {
  const util::TimePoint now = clock_.now();
  std::string public_id = crypto::random_token(16);
  // A rotating (/v1 refresh) token names its session, so that an old generation of it can be
  // recognised as reuse without the store keeping every generation (SessionService::refresh).
  std::string token = family == store::SessionFamily::rotating
                          ? public_id + "." + crypto::random_token(32)
                          : crypto::random_token(32);
  store::NewSession session{
      .family = family,
      .public_id = std::move(public_id),
      .token_hash = crypto::sha256_hex(token),
      .created_at = now,
      .expires_at = now + config_.session_ttl,
      .user_agent = client.user_agent,
      .client_address = client.address,
  };
  return {std::move(token), std::move(session)};
}

Result<AuthOutcome> AuthService::register_user(const RegistrationRequest& request) {
  // Every attempt counts against the client's network, whatever its outcome.
  if (!request.client.network.empty()) {
    auto admitted =
        throttle_.admit({ThrottleScope::registration_network, {}, request.client.network},
                        config_.registrations_per_address);
    if (!admitted) return store_failure(admitted.error());
    if (admitted->wait.count() > 0) {
      if (admitted->limit_reached_now) events_.lockout("registration");
      log_security_event("registration_throttled", request.client,
                         {{"retry_after", admitted->wait.count()}});
      return AuthFailure{AuthError::throttled, admitted->wait};
    }
  }

  auto outcome = create_user(request, [&] { return choose_roles(request.requested_roles); });
  if (outcome) {
    log_security_event("registration", request.client, {{"user_id", outcome->user.id}});
  }
  return outcome;
}

Result<AuthOutcome> AuthService::create_account(const RegistrationRequest& request) {
  return create_user(request, [&]() -> Result<std::vector<std::string>> {
    if (request.requested_roles.empty()) {
      return std::vector<std::string>{config_.roles.default_role};
    }
    auto existing = store_.existing_roles(request.requested_roles);
    if (!existing) return store_failure(existing.error());
    if (existing->size() !=
        std::set<std::string>(request.requested_roles.begin(), request.requested_roles.end())
            .size()) {
      return AuthError::role_not_found;
    }
    return std::move(*existing);
  });
}

Result<AuthOutcome> AuthService::create_user(
    const RegistrationRequest& request,
    const std::function<Result<std::vector<std::string>>()>& choose) {
  const auto email = canonicalize_email(request.email);
  if (!email) return AuthError::invalid_email;
  if (!valid_name(request.first_name) || !valid_name(request.last_name)) {
    return AuthError::invalid_name;
  }
  if (auto refused =
          check_new_password(request.password, config_.passwords, hasher_.max_password_bytes(),
                             password_context(*email, request.first_name, request.last_name))) {
    return refused_password(*refused);
  }
  if (!valid_roles(request.requested_roles)) return AuthError::invalid_roles;

  // Checked before hashing so a taken email costs no hash; the unique index still decides races.
  auto existing = store_.find_user_by_email(email->key);
  if (!existing) return store_failure(existing.error());
  if (*existing) return AuthError::email_taken;

  auto roles = choose();
  if (!roles) return roles.error();

  store::NewUser user{
      .email = email->display,
      .email_key = email->key,
      .password_hash = hasher_.hash(request.password),
      .first_name = request.first_name,
      .last_name = request.last_name,
      .roles = std::move(*roles),
      .now = clock_.now(),
  };
  AuthOutcome outcome;
  std::optional<store::NewSession> session;
  if (request.open_session) {
    auto [token, grant] = new_session(*request.open_session, request.client);
    outcome.session_token = std::move(token);
    outcome.session_id = grant.public_id;
    session = std::move(grant);
  }
  auto created = store_.create_user(user, session);
  if (!created) return store_failure(created.error());
  outcome.user = std::move(*created);
  return outcome;
}

Result<AuthOutcome> AuthService::login(const LoginRequest& request) {
  // An address outside the grammar cannot name an account: a client error, told as such (the
  // grammar is public, so this says nothing about which accounts exist).
  const auto email = canonicalize_email(request.email);
  if (!email) return AuthError::invalid_email;
  // Not the configured hasher's limit: a stored hash of another algorithm may take more (an
  // argon2id user keeps logging in after a switch to bcrypt); verify() never truncates.
  if (auto valid = validate_password(request.password, crypto::kMaxPasswordBytesAnyAlgorithm);
      !valid) {
    return valid.error();
  }

  auto attempt = guard_.admit(email->key, request.client);
  if (!attempt) return attempt.error();

  auto found = store_.find_user_by_email(email->key);
  if (!found) return store_failure(found.error());
  std::optional<store::UserRecord> user = std::move(*found);
  const auto fail = [&](AuthError reason, std::optional<std::int64_t> user_id) -> AuthFailure {
    // A failure that cannot be counted is not answered as one: every login gets the same 503
    // until the store takes writes again, so the answer never tells a wrong guess from a
    // right one.
    if (auto counted = guard_.failed(*attempt, user.has_value(), request.client); !counted) {
      return counted.error();
    }
    boost::json::object details{{"reason", make_error_code(reason).message()}};
    if (user_id) details["user_id"] = *user_id;
    log_security_event("login_failure", request.client, details);
    events_.login(reason == AuthError::user_not_found ? "unknown_account" : "wrong_password");
    return reason;
  };
  if (!user) {
    // An unknown account costs the same verification as a known one.
    (void)hasher_.verify(request.password, dummy_hash_);
    return fail(AuthError::user_not_found, std::nullopt);
  }
  if (crypto::is_no_password(user->password_hash)) {
    // No password opens this account (a reverted email change leaves none): it costs the same
    // verification too, so the quick refusal does not single it out (ASVS 5.0 V6.3.8).
    (void)hasher_.verify(request.password, dummy_hash_);
    return fail(AuthError::wrong_password, user->id);
  }
  if (!hasher_.verify(request.password, user->password_hash)) {
    return fail(AuthError::wrong_password, user->id);
  }
  if (!user->is_active) {
    // Counted like a wrong password: otherwise the counters (a lockout arriving one attempt
    // later) would tell a guesser that this guess was right.
    if (auto counted = guard_.failed(*attempt, /*account_exists=*/true, request.client); !counted) {
      return counted.error();
    }
    log_security_event("login_refused", request.client,
                       {{"reason", "account disabled"}, {"user_id", user->id}});
    events_.login("disabled");
    return AuthError::account_disabled;
  }

  store::LoginUpdate update{
      .user_id = user->id, .at = clock_.now(), .verified_password_hash = user->password_hash};
  // Not when the new hash could not take the password whole. A bcrypt hash verified by the
  // first 72 bytes of a longer password is upgraded too, to a hash of the whole password: from
  // then on the whole of it counts (NIST SP 800-63B-4 §3.1.1.2: passwords are verified
  // entire, never truncated), and the owner, who just typed it whole, logs in as before.
  if (hasher_.needs_rehash(user->password_hash) &&
      request.password.size() <= hasher_.max_password_bytes()) {
    update.upgraded_password_hash = hasher_.hash(request.password);
  }
  AuthOutcome outcome;
  if (request.open_session) {
    auto [token, grant] = new_session(*request.open_session, request.client);
    outcome.session_token = std::move(token);
    outcome.session_id = grant.public_id;
    // One opaque session at a time ("updates the session token"); rotating ones side by side.
    update.replace_family = grant.family == store::SessionFamily::opaque;
    if (grant.family == store::SessionFamily::rotating) {
      update.max_live_of_family = config_.max_sessions_per_user;
    }
    update.session = std::move(grant);
  }
  auto updated = store_.record_login(update);
  if (!updated && updated.error() == store::StoreError::not_found) {
    // Deactivated (or deleted) while the password was being verified: no session is written.
    return AuthError::account_disabled;
  }
  if (!updated) {
    // Every store failure here is the same 503 a wrong guess gets when its failure cannot be
    // counted: a 500 for the right password alone would tell the attacker they found it.
    if (updated.error() != store::StoreError::not_found) (void)store_failure(updated.error());
    return AuthError::store_unavailable;
  }
  if (update.upgraded_password_hash) {
    spdlog::info("auth: upgraded password hash of user {} to the configured algorithm", user->id);
  }
  guard_.succeeded(*attempt);
  log_security_event("login_success", request.client, {{"user_id", updated->id}});
  events_.login("success");
  outcome.user = std::move(*updated);
  // The column keeps the expiry of the last reset link; it is the live link's only until then.
  if (outcome.user.password_reset_expires && *outcome.user.password_reset_expires <= update.at) {
    outcome.user.password_reset_expires.reset();
  }
  return outcome;
}

Result<store::UserRecord> AuthService::verify_current_password(std::int64_t user_id,
                                                               const std::string& password,
                                                               const ClientInfo& client) {
  auto found = store_.find_user_by_id(user_id);
  if (!found) return store_failure(found.error());
  if (!*found || !(*found)->is_active) return AuthError::invalid_token;
  store::UserRecord user = std::move(**found);
  if (auto valid = validate_password(password, crypto::kMaxPasswordBytesAnyAlgorithm); !valid) {
    return valid.error();
  }
  const auto email = canonicalize_email(user.email);
  // Stored emails passed the grammar when they were stored; one that no longer does (an
  // operator's SQL) is counted under its text as given.
  const std::string account = email ? email->key : user.email;
  auto attempt = guard_.admit(account, client);
  if (!attempt) return attempt.error();
  if (!hasher_.verify(password, user.password_hash)) {
    if (auto counted = guard_.failed(*attempt, /*account_exists=*/true, client); !counted) {
      return counted.error();
    }
    log_security_event("current_password_incorrect", client, {{"user_id", user.id}});
    return AuthError::current_password_incorrect;
  }
  guard_.succeeded(*attempt);
  return user;
}

Result<std::string> AuthService::hash_new_password(const store::UserRecord& user,
                                                   const std::string& password) const {
  const auto email = canonicalize_email(user.email);
  if (!email) return AuthError::invalid_email;
  if (auto refused =
          check_new_password(password, config_.passwords, hasher_.max_password_bytes(),
                             password_context(*email, user.first_name, user.last_name))) {
    return refused_password(*refused);
  }
  return hasher_.hash(password);
}

Result<void> AuthService::unlock(std::string_view email) {
  const auto canonical = canonicalize_email(email);
  if (!canonical) return AuthError::invalid_email;
  if (auto forgotten = throttle_.forget({ThrottleScope::login_account, canonical->key, {}});
      !forgotten) {
    return store_failure(forgotten.error());
  }
  return {};
}

bool AuthService::store_ready() {
  std::lock_guard lock(readiness_mutex_);
  const util::TimePoint now = clock_.now();
  if (readiness_checked_ != util::TimePoint{} && now >= readiness_checked_ &&
      now - readiness_checked_ < std::chrono::seconds(1)) {
    return ready_;
  }
  ready_ = store_.check_writable(now).has_value();
  readiness_checked_ = now;
  return ready_;
}

}  // namespace authd::core
