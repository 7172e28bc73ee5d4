#include "core/auth_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/email.hpp"
#include "core/security_log.hpp"
#include "crypto/digest.hpp"
#include "crypto/random.hpp"

namespace authd::core {
namespace {

constexpr std::size_t kMaxNameBytes = 128;

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

bool valid_name(const std::optional<std::string>& name) {
  return !name || (name->size() <= kMaxNameBytes && !has_control_character(*name));
}

AuthError from_store(const boost::system::error_code& ec) {
  if (ec == store::StoreError::email_taken) return AuthError::email_taken;
  if (ec == store::StoreError::unavailable) return AuthError::store_unavailable;
  return AuthError::internal;
}

bool valid_roles(const std::vector<std::string>& roles) {
  return roles.size() <= kMaxRequestedRoles &&
         std::all_of(roles.begin(), roles.end(),
                     [](const std::string& role) { return role.size() <= kMaxRoleNameBytes; });
}

// Throttle keys. Account keys use the canonical email, so case variants share one counter.
std::string account_key(std::string_view email_key) {
  return std::string("login:account:").append(email_key);
}
std::string account_from_network_key(std::string_view email_key, std::string_view network) {
  return std::string("login:account:").append(email_key).append("|from:").append(network);
}
std::string login_address_key(std::string_view address) {
  return std::string("login:address:").append(address);
}
std::string registration_address_key(std::string_view address) {
  return std::string("register:address:").append(address);
}

}  // namespace

AuthService::AuthService(store::Store& store, crypto::PasswordHasher hasher, const Clock& clock,
                         AuthConfig config, AuthEvents& events)
    : store_(store),
      hasher_(std::move(hasher)),
      clock_(clock),
      config_(std::move(config)),
      events_(events),
      throttle_(store, clock),
      dummy_hash_(hasher_.hash(crypto::random_token(16))) {}

AuthError AuthService::store_failure(const boost::system::error_code& ec) {
  const AuthError error = from_store(ec);
  if (error != AuthError::email_taken) events_.store_error();
  return error;
}

Result<std::vector<ThrottleStatus>> AuthService::check_throttles(
    std::initializer_list<std::string_view> keys, std::string_view event,
    const ClientInfo& client) {
  std::vector<ThrottleStatus> statuses;
  std::chrono::seconds wait{0};
  for (std::string_view key : keys) {
    auto status = throttle_.status(key);
    if (!status) return store_failure(status.error());
    wait = std::max(wait, status->locked_for);
    statuses.push_back(*status);
  }
  if (wait.count() == 0) return statuses;
  log_security_event(event, client, {{"retry_after", wait.count()}});
  return AuthFailure{AuthError::throttled, wait};
}

void AuthService::count_failure(std::string_view key, const ThrottlePolicy& policy,
                                const ClientInfo& client) {
  if (key.empty()) return;
  if (auto counted = throttle_.record_failure(key, policy); !counted) {
    // The attempt already failed; an unreachable store only costs this count.
    spdlog::warn("auth: could not count a failure: {}", counted.error().message());
    return;
  }
  if (auto status = throttle_.status(key); status && status->locked_for.count() > 0) {
    const char* scope = key.find("|from:") != std::string_view::npos ? "account_source"
                        : key.starts_with("login:account:")          ? "account"
                        : key.starts_with("register:")               ? "registration"
                                                                     : "address";
    events_.lockout(scope);
    log_security_event("lockout", client,
                       {{"scope", scope}, {"seconds", status->locked_for.count()}});
  }
}

Result<void> AuthService::validate_password(const std::string& password, std::size_t max_bytes) {
  if (password.empty() || password.size() > max_bytes || password.find('\0') != std::string::npos) {
    return AuthError::invalid_password;
  }
  return {};
}

Result<std::vector<std::string>> AuthService::choose_roles(
    const std::vector<std::string>& requested) {
  std::vector<std::string> permitted;
  for (const std::string& role : requested) {
    const auto& allowed = config_.roles.self_assignable;
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

std::pair<std::string, store::NewSession> AuthService::new_session(store::SessionKind kind,
                                                                   const ClientInfo& client) const {
  std::string token = crypto::random_token(32);
  const util::TimePoint now = clock_.now();
  store::NewSession session{
      .kind = kind,
      .public_id = crypto::random_token(16),
      .token_hash = crypto::sha256_hex(token),
      .rotating = kind == store::SessionKind::v1,
      .created_at = now,
      .expires_at = now + config_.session_ttl,
      .user_agent = client.user_agent,
      .client_address = client.address,
  };
  return {std::move(token), std::move(session)};
}

Result<AuthOutcome> AuthService::register_user(const RegistrationRequest& request) {
  const std::string address_key = request.client.network.empty()
                                      ? std::string()
                                      : registration_address_key(request.client.network);
  if (auto allowed = check_throttles({address_key}, "registration_throttled", request.client);
      !allowed) {
    return allowed.error();
  }
  // Every attempt counts against the address, whatever its outcome.
  count_failure(address_key, config_.registrations_per_address, request.client);

  const auto email = canonicalize_email(request.email);
  if (!email) return AuthError::invalid_email;
  if (auto refused =
          check_new_password(request.password, config_.passwords, hasher_.max_password_bytes())) {
    return *refused;
  }
  if (!valid_name(request.first_name) || !valid_name(request.last_name)) {
    return AuthError::invalid_name;
  }
  if (!valid_roles(request.requested_roles)) return AuthError::invalid_roles;

  // Checked before hashing so a taken email costs no hash; the unique index still decides races.
  auto existing = store_.find_user_by_email(email->key);
  if (!existing) return store_failure(existing.error());
  if (*existing) return AuthError::email_taken;

  auto roles = choose_roles(request.requested_roles);
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
  log_security_event("registration", request.client, {{"user_id", outcome.user.id}});
  return outcome;
}

Result<AuthOutcome> AuthService::login(const LoginRequest& request) {
  const auto email = canonicalize_email(request.email);
  // Not the configured hasher's limit: a stored hash of another algorithm may take more (an
  // argon2id user keeps logging in after a switch to bcrypt); verify() never truncates.
  if (auto valid = validate_password(request.password, crypto::kMaxPasswordBytesAnyAlgorithm);
      !valid) {
    return valid.error();
  }

  // An address that cannot be an account has no account counters; its client's still runs.
  const std::string& network = request.client.network;
  const std::string account = email ? account_key(email->key) : std::string();
  const std::string account_from_network =
      email && !network.empty() ? account_from_network_key(email->key, network) : std::string();
  const std::string address = network.empty() ? std::string() : login_address_key(network);
  auto throttles =
      check_throttles({account_from_network, account, address}, "login_throttled", request.client);
  if (!throttles) {
    if (throttles.error() == AuthError::throttled) events_.login("throttled");
    return throttles.error();
  }
  const bool pair_tracked = (*throttles)[0].tracked;
  const bool account_tracked = (*throttles)[1].tracked;

  std::optional<store::UserRecord> user;
  if (email) {
    auto found = store_.find_user_by_email(email->key);
    if (!found) return store_failure(found.error());
    user = std::move(*found);
  }
  const auto fail = [&](AuthError reason, std::optional<std::int64_t> user_id) -> AuthFailure {
    count_failure(account_from_network, config_.login_per_account, request.client);
    count_failure(account, config_.login_per_account_all_sources, request.client);
    count_failure(address, config_.login_per_address, request.client);
    boost::json::object details{{"reason", make_error_code(reason).message()}};
    if (user_id) details["user_id"] = *user_id;
    log_security_event("login_failure", request.client, std::move(details));
    events_.login(reason == AuthError::user_not_found ? "unknown_account" : "wrong_password");
    return reason;
  };
  if (!user) {
    // An unknown account costs the same verification as a known one.
    (void)hasher_.verify(request.password, dummy_hash_);
    return fail(AuthError::user_not_found, std::nullopt);
  }
  if (!hasher_.verify(request.password, user->password_hash)) {
    return fail(AuthError::wrong_password, user->id);
  }
  if (!user->is_active) {
    log_security_event("login_refused", request.client,
                       {{"reason", "account disabled"}, {"user_id", user->id}});
    events_.login("disabled");
    return AuthError::account_disabled;
  }

  store::LoginUpdate update{.user_id = user->id, .at = clock_.now()};
  if (hasher_.needs_rehash(user->password_hash) &&
      request.password.size() <= hasher_.max_password_bytes()) {
    update.upgraded_password_hash = hasher_.hash(request.password);
  }
  AuthOutcome outcome;
  if (request.open_session) {
    auto [token, grant] = new_session(*request.open_session, request.client);
    outcome.session_token = std::move(token);
    outcome.session_id = grant.public_id;
    update.replace_sessions_of_kind = grant.kind == store::SessionKind::seed002;
    if (grant.kind == store::SessionKind::v1) {
      update.max_live_sessions_of_kind = config_.max_sessions_per_user;
    }
    update.session = std::move(grant);
  }
  auto updated = store_.record_login(update);
  if (!updated) {
    if (updated.error() == store::StoreError::not_found) return AuthError::user_not_found;
    return store_failure(updated.error());
  }
  if (update.upgraded_password_hash) {
    spdlog::info("auth: upgraded password hash of user {} to the configured algorithm", user->id);
  }
  // A success resets the account's counters (not the address's: one good login among many
  // failures from an address does not clear that address).
  if (pair_tracked) (void)throttle_.reset(account_from_network);
  if (account_tracked) (void)throttle_.reset(account);
  log_security_event("login_success", request.client, {{"user_id", updated->id}});
  events_.login("success");
  outcome.user = std::move(*updated);
  return outcome;
}

bool AuthService::store_reachable() {
  return store_.ping().has_value();
}

}  // namespace authd::core
