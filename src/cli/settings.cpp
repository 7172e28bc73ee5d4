#include "cli/settings.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "mail/message.hpp"

namespace authd::cli {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";
constexpr std::string_view kPostgresPrefixes[] = {"postgresql://", "postgres://"};
constexpr std::size_t kMinSecretBytes = 32;

using Form = Setting::Form;

std::size_t cores() {
  return std::max(1u, std::thread::hardware_concurrency());
}

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// "127.0.0.1:8080", "[::1]:8080", "localhost:0"
void parse_listen(std::string_view flag, std::string_view listen, http::ServerConfig& server) {
  const auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == listen.size()) {
    throw std::invalid_argument(std::string(flag) + " must be HOST:PORT, got " + quoted(listen));
  }
  std::string host(listen.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  const std::string_view digits = listen.substr(colon + 1);
  unsigned port = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (error != std::errc{} || end != digits.data() + digits.size() || port > 65535) {
    throw std::invalid_argument(std::string(flag) + " port must be 0-65535, got " + quoted(listen));
  }
  server.address = host;
  server.port = static_cast<std::uint16_t>(port);
}

std::string show_listen(const http::ServerConfig& server) {
  const bool v6 = server.address.find(':') != std::string::npos;
  return (v6 ? "[" + server.address + "]" : server.address) + ":" + std::to_string(server.port);
}

std::vector<std::string> split_list(std::string_view list) {
  std::vector<std::string> items;
  std::stringstream stream{std::string(list)};
  for (std::string item; std::getline(stream, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

core::RolePolicy parse_role_policy(std::string_view setting) {
  core::RolePolicy policy;
  if (setting == "any") return policy;
  policy.allow_any_existing = false;
  if (setting != "none") policy.self_assignable = split_list(setting);
  return policy;
}

std::string show_role_policy(const core::RolePolicy& policy) {
  if (policy.allow_any_existing) return "any";
  if (policy.self_assignable.empty()) return "none";
  std::string list;
  for (const auto& role : policy.self_assignable) list += (list.empty() ? "" : ",") + role;
  return list;
}

bool parse_switch(std::string_view flag, std::string_view text) {
  if (text == "true" || text == "1" || text == "on" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "off" || text == "no") return false;
  throw std::invalid_argument(std::string(flag) + " is on or off, got " + quoted(text));
}

std::int64_t parse_integer(std::string_view flag, std::string_view text, std::int64_t min,
                           std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    throw std::invalid_argument(std::string(flag) + " must be an integer from " +
                                std::to_string(min) + " to " + std::to_string(max) + ", got " +
                                quoted(text));
  }
  return value;
}

// Integers land in integer fields, or in seconds.
template <class Target>
void assign(Target& target, std::int64_t value) {
  if constexpr (std::is_arithmetic_v<Target>) {
    target = static_cast<Target>(value);
  } else {
    target = Target(value);
  }
}

template <class Target>
std::int64_t count_of(const Target& target) {
  if constexpr (std::is_arithmetic_v<Target>) {
    return static_cast<std::int64_t>(target);
  } else {
    return static_cast<std::int64_t>(target.count());
  }
}

// `field` is a generic lambda returning a reference to the setting's field in a ServeConfig,
// so that the same accessor both writes a given value and reads the default. (`path` is a member
// path, which cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define AUTHD_FIELD(path)     \
  [](auto& config) -> auto& { \
    return config.path;       \
  }
// NOLINTEND(bugprone-macro-parentheses)

template <class Field>
Setting integer(const std::string& flag, const std::string& env, std::int64_t min, std::int64_t max,
                const std::string& help, Field field, SettingScope scope = SettingScope::serve) {
  return {
      .flag = flag,
      .env = env,
      .values = std::to_string(min) + "-" + std::to_string(max),
      .help = help,
      .scope = scope,
      .apply =
          [=](ServeConfig& config, std::string_view text) {
            assign(field(config), parse_integer(flag, text, min, max));
          },
      .show = [=](const ServeConfig& config) { return std::to_string(count_of(field(config))); }};
}

template <class Field>
Setting text(const std::string& flag, const std::string& env, const std::string& values,
             const std::string& help, Field field) {
  return {.flag = flag,
          .env = env,
          .values = values,
          .help = help,
          .apply =
              [=](ServeConfig& config, std::string_view value) {
                if (value.empty()) throw std::invalid_argument(flag + " must not be empty");
                field(config) = std::string(value);
              },
          .show = [=](const ServeConfig& config) { return std::string(field(config)); }};
}

// One of a few words; `field` holds the word itself.
template <class Field>
Setting choice(const std::string& flag, const std::string& env,
               const std::vector<std::string>& words, const std::string& help, Field field) {
  std::string values;
  for (const auto& word : words) values += (values.empty() ? "" : " | ") + word;
  return {.flag = flag,
          .env = env,
          .values = values,
          .help = help,
          .apply =
              [=](ServeConfig& config, std::string_view value) {
                if (std::find(words.begin(), words.end(), value) == words.end()) {
                  throw std::invalid_argument(flag + " must be one of " + values + ", got " +
                                              quoted(value));
                }
                field(config) = std::string(value);
              },
          .show = [=](const ServeConfig& config) { return std::string(field(config)); }};
}

template <class Field>
Setting flag(const std::string& flag, const std::string& env, const std::string& help,
             Field field) {
  return {
      .flag = flag,
      .env = env,
      .values = "on | off",
      .help = help,
      .form = Form::flag,
      .apply = [=](ServeConfig& config,
                   std::string_view value) { field(config) = parse_switch(flag, value); },
      .show = [=](const ServeConfig& config) { return std::string(field(config) ? "on" : "off"); }};
}

// An on/off setting whose default is on, given with its value: "--admin-console off".
template <class Field>
Setting toggle(const std::string& flag_name, const std::string& env, const std::string& help,
               Field field) {
  Setting setting = flag(flag_name, env, help, std::move(field));
  setting.form = Form::value;
  return setting;
}

// The three failed-login limits, which share their lockout lengths.
std::array<core::FailurePolicy*, 3> login_limits(ServeConfig& config) {
  return {&config.auth.logins.per_account_network, &config.auth.logins.per_account,
          &config.auth.logins.per_network};
}

// A lockout length of every login limit: `length` is first_lockout or max_lockout.
Setting lockout(const std::string& flag, const std::string& env, const std::string& help,
                std::chrono::seconds core::FailurePolicy::*length) {
  return {.flag = flag,
          .env = env,
          .values = "1-86400",
          .help = help,
          .apply =
              [=](ServeConfig& config, std::string_view text) {
                const std::chrono::seconds seconds(parse_integer(flag, text, 1, 86400));
                for (core::FailurePolicy* limit : login_limits(config)) limit->*length = seconds;
              },
          .show =
              [=](const ServeConfig& config) {
                return std::to_string((config.auth.logins.per_account_network.*length).count());
              }};
}

std::vector<Setting> make_settings() {
  using S = SettingScope;
  std::vector<Setting> table;
  table.push_back({
      .flag = "--listen",
      .env = "AUTHD_LISTEN",
      .values = "HOST:PORT",
      .help = "Address and port to listen on (port 0 picks a free one)",
      .apply = [](ServeConfig& c, std::string_view v) { parse_listen("--listen", v, c.server); },
      .show = [](const ServeConfig& c) { return show_listen(c.server); },
  });
  table.push_back({
      .flag = "--metrics-listen",
      .env = "AUTHD_METRICS_LISTEN",
      .values = "HOST:PORT",
      .help = "A second address serving /metrics with every detail, /healthz and /readyz, for "
              "operators: keep it private. The public /metrics merges the login outcomes that "
              "would tell which emails have accounts",
      .apply =
          [](ServeConfig& c, std::string_view v) {
            if (v.empty()) {  // explicitly none
              c.metrics_server.reset();
              return;
            }
            http::ServerConfig metrics;
            metrics.io_threads = 1;  // a scraper or two
            metrics.max_connections = metrics.max_connections_per_client = 64;
            parse_listen("--metrics-listen", v, metrics);
            c.metrics_server = std::move(metrics);
          },
      .show =
          [](const ServeConfig& c) {
            return c.metrics_server ? show_listen(*c.metrics_server) : "none";
          },
  });
  table.push_back(
      flag("--dev", "AUTHD_DEV",
           "Local development: per-address limits relaxed (registrations, login "
           "failures, refreshes, mail requests and connections per client network, unless "
           "set), "
           "text logs; refused on an address other than loopback",
           AUTHD_FIELD(dev)));
  table.push_back({
      .flag = "--database",
      .env = "AUTHD_DATABASE",
      .values = "sqlite:PATH | postgresql://...",
      .help = "The store: sqlite:PATH (its folder is created and also holds the generated "
              "secrets) or a PostgreSQL URI postgresql://user@host:port/db (shared by many "
              "instances)",
      .scope = S::store,
      .apply =
          [](ServeConfig& c, std::string_view v) {
            const bool postgres =
                std::any_of(std::begin(kPostgresPrefixes), std::end(kPostgresPrefixes),
                            [&](std::string_view p) { return v.starts_with(p); });
            if (postgres) {
              c.store_kind = ServeConfig::StoreKind::postgres;
              c.postgres_uri = std::string(v);
              return;
            }
            if (!v.starts_with(kSqlitePrefix)) {
              throw std::invalid_argument(
                  "--database must be sqlite:PATH or postgresql://..., got something else");
            }
            const std::filesystem::path path(v.substr(kSqlitePrefix.size()));
            if (path.empty() || !path.has_filename()) {
              throw std::invalid_argument("--database sqlite: needs a file path");
            }
            c.store_kind = ServeConfig::StoreKind::sqlite;
            c.sqlite_path = path.string();
            c.data_directory = path.parent_path().empty() ? "." : path.parent_path().string();
          },
      // A URI may hold a password: only the default (SQLite) is ever shown.
      .show = [](const ServeConfig& c) { return std::string(kSqlitePrefix) + c.sqlite_path; },
  });
  table.push_back(integer("--db-connections", "AUTHD_DB_CONNECTIONS", 0, 4096,
                          "Store connections (0: one per worker thread; every store call runs "
                          "on a worker, so more cannot be used)",
                          AUTHD_FIELD(db_connections)));
  table.push_back({
      .flag = "--jwt-secret",
      .env = "AUTHD_JWT_SECRET",
      .values = ">= 32 bytes",
      .help = "HS256 secret of the seed dialects' tokens; also read from JWT_SECRET. Without one, "
              "256 random bits are generated once into <data folder>/jwt-secret (mode 0600) so "
              "tokens survive restarts; required with PostgreSQL",
      .apply = [](ServeConfig& c, std::string_view v) { c.jwt_secret = std::string(v); },
      .show = [](const ServeConfig&) { return std::string("generated"); },
  });
  table.push_back({
      .flag = "--key-encryption-key",
      .env = "AUTHD_KEY_ENCRYPTION_KEY",
      .values = ">= 32 bytes",
      .help = "Seals the /v1 signing keys in the store; every instance needs the same. Without "
              "one, generated into <data folder>/key-encryption-key (mode 0600) with SQLite; "
              "required with PostgreSQL",
      .scope = S::store,
      .apply = [](ServeConfig& c, std::string_view v) { c.key_encryption_key = std::string(v); },
      .show = [](const ServeConfig&) { return std::string("generated"); },
  });
  table.push_back({
      .flag = "--password-hash",
      .env = "AUTHD_PASSWORD_HASH",
      .values = "argon2id | bcrypt",
      .help = "Algorithm for new password hashes (argon2id: libsodium, m=19456 KiB t=2 p=1); "
              "stored hashes of either kind verify, and are upgraded to this one on the next "
              "successful login",
      .scope = S::accounts,
      .apply =
          [](ServeConfig& c, std::string_view v) {
            if (v != "argon2id" && v != "bcrypt") {
              throw std::invalid_argument("--password-hash must be argon2id or bcrypt, got " +
                                          quoted(v));
            }
            c.password_hashing.algorithm = v == "bcrypt" ? crypto::PasswordAlgorithm::bcrypt
                                                         : crypto::PasswordAlgorithm::argon2id;
          },
      .show =
          [](const ServeConfig& c) {
            return std::string(c.password_hashing.algorithm == crypto::PasswordAlgorithm::bcrypt
                                   ? "bcrypt"
                                   : "argon2id");
          },
  });
  table.push_back(integer("--bcrypt-cost", "AUTHD_BCRYPT_COST", 4, 31,
                          "bcrypt cost with --password-hash bcrypt; --bcrypt-cost 8 reproduces "
                          "seed 003",
                          AUTHD_FIELD(password_hashing.bcrypt_cost), S::accounts));
  table.push_back({
      .flag = "--self-register-roles",
      .env = "AUTHD_SELF_REGISTER_ROLES",
      .values = "any | none | ROLE,ROLE...",
      .help = "Roles a seed 003 registration may claim: any existing role (the seed's "
              "behaviour: anyone can register as admin), none, or a list like user,seller,buyer",
      .apply = [](ServeConfig& c, std::string_view v) { c.auth.roles = parse_role_policy(v); },
      .show = [](const ServeConfig& c) { return show_role_policy(c.auth.roles); },
  });
  table.push_back({
      .flag = "--session-ttl-hours",
      .env = "AUTHD_SESSION_TTL_HOURS",
      .values = "1-8760",
      .help = "Lifetime of seed 002 sessions and of /v1 sessions (their refresh tokens), in "
              "hours (also of the live sessions `authd import` carries over)",
      .scope = S::accounts,
      .apply =
          [](ServeConfig& c, std::string_view v) {
            c.auth.session_ttl = std::chrono::hours(
                parse_integer("--session-ttl-hours", v, 1, std::int64_t{24} * 365));
          },
      .show =
          [](const ServeConfig& c) {
            return std::to_string(
                std::chrono::duration_cast<std::chrono::hours>(c.auth.session_ttl).count());
          },
  });
  table.push_back(integer("--access-token-ttl", "AUTHD_ACCESS_TOKEN_TTL", 60, 86400,
                          "Lifetime of /v1 access tokens, in seconds",
                          AUTHD_FIELD(sessions.access_token_ttl)));
  table.push_back(integer("--refresh-grace", "AUTHD_REFRESH_GRACE", 0, 300,
                          "Seconds after a refresh during which the rotated refresh token still "
                          "returns the same new pair (concurrent refreshes, retries) instead of "
                          "counting as reuse",
                          AUTHD_FIELD(sessions.refresh_grace)));
  table.push_back(integer("--max-sessions-per-user", "AUTHD_MAX_SESSIONS_PER_USER", 1, 100000,
                          "Live /v1 sessions one user may hold; a login beyond it ends the "
                          "user's oldest",
                          AUTHD_FIELD(auth.max_sessions_per_user)));
  table.push_back(toggle("--admin-console", "AUTHD_ADMIN_CONSOLE",
                         "The admin console at /admin/ (a client of the admin API; an "
                         "administrator signs in to use it)",
                         AUTHD_FIELD(admin_console)));
  table.push_back(integer("--audit-retention-days", "AUTHD_AUDIT_RETENTION_DAYS", 0, 36500,
                          "Days the audit trail keeps a row; older rows are purged hourly in the "
                          "background (0: kept for ever)",
                          AUTHD_FIELD(audit_retention)));
  table.push_back(text("--issuer", "AUTHD_ISSUER", "text", "The iss claim of /v1 access tokens",
                       AUTHD_FIELD(sessions.issuer)));
  table.push_back(text("--audience", "AUTHD_AUDIENCE", "text", "The aud claim of /v1 access tokens",
                       AUTHD_FIELD(sessions.audience)));
  table.push_back(integer("--io-threads", "AUTHD_IO_THREADS", 0, 1024,
                          "Threads serving sockets (0: one per core)",
                          AUTHD_FIELD(server.io_threads)));
  table.push_back(integer("--worker-threads", "AUTHD_WORKER_THREADS", 0, 1024,
                          "Threads for password hashing and store calls (0: one per core); each "
                          "argon2id hash in flight holds 19 MiB",
                          AUTHD_FIELD(worker_threads)));
  table.push_back(integer("--worker-queue", "AUTHD_WORKER_QUEUE", 1, 1 << 20,
                          "Requests that may wait for a worker; beyond that they get 503 at once",
                          AUTHD_FIELD(worker_queue)));
  table.push_back(integer("--max-connections", "AUTHD_MAX_CONNECTIONS", 1, 1 << 20,
                          "Open connections at most; further ones are closed at once",
                          AUTHD_FIELD(server.max_connections)));
  table.push_back(integer("--max-connections-per-client", "AUTHD_MAX_CONNECTIONS_PER_CLIENT", 1,
                          1 << 20,
                          "Open connections one client network (an IPv4 address, an IPv6 /64) "
                          "may hold; further ones are closed at once. A --trusted-proxy counts "
                          "only against --max-connections",
                          AUTHD_FIELD(server.max_connections_per_client)));
  table.push_back(integer("--max-body-bytes", "AUTHD_MAX_BODY_BYTES", 1024, 16 << 20,
                          "Larger bodies get 413", AUTHD_FIELD(server.limits.max_body_bytes)));
  table.push_back(integer("--max-header-bytes", "AUTHD_MAX_HEADER_BYTES", 1024, 1 << 20,
                          "Larger request heads (request line + headers) get 431",
                          AUTHD_FIELD(server.limits.max_header_bytes)));
  table.push_back(integer("--max-header-fields", "AUTHD_MAX_HEADER_FIELDS", 8, 10000,
                          "More request header fields get 431",
                          AUTHD_FIELD(server.limits.max_header_fields)));
  table.push_back(integer("--max-target-bytes", "AUTHD_MAX_TARGET_BYTES", 64, 1 << 16,
                          "Longer request targets (path and query) get 414",
                          AUTHD_FIELD(server.limits.max_target_bytes)));
  table.push_back(integer("--max-requests-per-connection", "AUTHD_MAX_REQUESTS_PER_CONNECTION", 1,
                          1 << 30, "Requests served on one connection before it is closed",
                          AUTHD_FIELD(server.limits.max_requests_per_connection)));
  table.push_back(integer("--request-timeout", "AUTHD_REQUEST_TIMEOUT", 1, 3600,
                          "Seconds a client has to send a whole request once it started; slower "
                          "clients are cut off",
                          AUTHD_FIELD(server.limits.request_timeout)));
  table.push_back(integer("--idle-timeout", "AUTHD_IDLE_TIMEOUT", 1, 3600,
                          "Seconds a kept-alive connection may wait for its next request",
                          AUTHD_FIELD(server.limits.idle_timeout)));
  table.push_back(integer("--min-password-length", "AUTHD_MIN_PASSWORD_LENGTH", 1, 128,
                          "Shortest password (in characters) a registration accepts",
                          AUTHD_FIELD(auth.passwords.min_characters), S::accounts));
  table.push_back({
      .flag = "--allow-common-passwords",
      .env = "AUTHD_ALLOW_COMMON_PASSWORDS",
      .values = "on | off",
      .help = "Accept passwords that zxcvbn finds guessable (common passwords, words, the "
              "account's own email); for tests and migrations only",
      .scope = S::accounts,
      .form = Form::flag,
      .apply =
          [](ServeConfig& c, std::string_view v) {
            c.auth.passwords.forbid_guessable = !parse_switch("--allow-common-passwords", v);
          },
      .show =
          [](const ServeConfig& c) {
            return std::string(c.auth.passwords.forbid_guessable ? "off" : "on");
          },
  });
  table.push_back({
      .flag = "--trusted-proxy",
      .env = "AUTHD_TRUSTED_PROXIES",
      .values = "ADDRESS[/BITS],...",
      .help = "Address or network (10.0.0.0/8) of a proxy whose X-Forwarded-For is believed; "
              "repeat, or separate with commas, for several. Without one, the connection's "
              "address is the client's",
      .form = Form::list,
      .apply =
          [](ServeConfig& c, std::string_view v) {
            c.server.trusted_proxies = http::TrustedProxies(split_list(v));
          },
      .show = [](const ServeConfig&) { return std::string("none"); },
  });
  table.push_back(integer("--login-failures-per-account", "AUTHD_LOGIN_FAILURES_PER_ACCOUNT", 1,
                          1000000,
                          "Failed logins for one account (any letter case of its email) from "
                          "one client network before that network is locked out of it; a count "
                          "is forgotten after 15 minutes without a failure, or reset by a "
                          "successful login",
                          AUTHD_FIELD(auth.logins.per_account_network.max_failures)));
  table.push_back(integer("--login-failures-per-account-all-sources",
                          "AUTHD_LOGIN_FAILURES_PER_ACCOUNT_ALL_SOURCES", 1, 1000000,
                          "Failed logins for one account from all client networks together "
                          "before it is locked for every network that has not logged in to it "
                          "successfully in the last 30 days",
                          AUTHD_FIELD(auth.logins.per_account.max_failures)));
  table.push_back(integer("--login-failures-per-address", "AUTHD_LOGIN_FAILURES_PER_ADDRESS", 1,
                          1000000, "Failed logins from one client network before it is locked",
                          AUTHD_FIELD(auth.logins.per_network.max_failures)));
  table.push_back(integer("--max-consecutive-login-failures",
                          "AUTHD_MAX_CONSECUTIVE_LOGIN_FAILURES", 1, 100,
                          "Consecutive failed logins an account takes (NIST SP 800-63B: at most "
                          "100) before it refuses every network that has not logged in to it "
                          "successfully in the last 30 days; a successful login resets the count",
                          AUTHD_FIELD(auth.logins.consecutive_cap)));
  table.push_back(lockout("--lockout-seconds", "AUTHD_LOCKOUT_SECONDS",
                          "First lockout of the login limits; each further failure while "
                          "counting doubles it",
                          &core::FailurePolicy::first_lockout));
  table.push_back(lockout("--max-lockout-seconds", "AUTHD_MAX_LOCKOUT_SECONDS",
                          "Longest lockout, so an attacker cannot lock a victim out for long",
                          &core::FailurePolicy::max_lockout));
  table.push_back(integer("--registrations-per-address", "AUTHD_REGISTRATIONS_PER_ADDRESS", 1,
                          1000000, "Registration attempts per client network and hour",
                          AUTHD_FIELD(auth.registrations_per_address.max_attempts)));
  table.push_back(integer("--refreshes-per-session", "AUTHD_REFRESHES_PER_SESSION", 1, 1000000,
                          "/v1 refreshes of one session per minute; more get 429",
                          AUTHD_FIELD(sessions.refreshes_per_session.max_attempts)));
  table.push_back(integer("--refreshes-per-address", "AUTHD_REFRESHES_PER_ADDRESS", 1, 1000000,
                          "/v1 refreshes from one client network per minute; more get 429",
                          AUTHD_FIELD(sessions.refreshes_per_network.max_attempts)));
  const auto optional_text = [](const std::string& flag, const std::string& env,
                                const std::string& values, const std::string& help,
                                const std::string& unset, auto field) {
    Setting setting = text(flag, env, values, help, field);
    setting.show = [=](const ServeConfig& config) {
      return field(config).empty() ? unset : std::string(field(config));
    };
    return setting;
  };
  table.push_back(optional_text(
      "--smtp-url", "AUTHD_SMTP_URL", "URL",
      "The SMTP server mail goes through: smtp://HOST[:PORT] (STARTTLS, required), "
      "smtps://HOST[:PORT] (TLS), or smtp+insecure://HOST[:PORT] (cleartext, loopback only, "
      "for development)",
      "none", AUTHD_FIELD(mail.smtp_url)));
  table.push_back(optional_text("--smtp-username", "AUTHD_SMTP_USERNAME", "text",
                                "The SMTP login, sent only over TLS", "none",
                                AUTHD_FIELD(mail.smtp_username)));
  table.push_back(optional_text(
      "--smtp-password-file", "AUTHD_SMTP_PASSWORD_FILE", "path",
      "File holding the SMTP password (its first line; mode 0600, owned by authd's user)", "none",
      AUTHD_FIELD(mail.smtp_password_file)));
  table.push_back(integer("--smtp-timeout", "AUTHD_SMTP_TIMEOUT", 1, 600,
                          "Seconds one message may take, connection included; then it is retried. "
                          "A sender holds a mail for twice this long, after which another "
                          "instance (or this one, restarted) takes it",
                          AUTHD_FIELD(mail.smtp_timeout)));
  table.push_back(optional_text("--mail-ca-file", "AUTHD_MAIL_CA_FILE", "path",
                                "PEM file of the CAs the SMTP server's certificate is checked "
                                "against",
                                "the system's CAs", AUTHD_FIELD(mail.ca_file)));
  table.push_back(optional_text("--mail-from", "AUTHD_MAIL_FROM", "address",
                                "The sender of every mail; required with --smtp-url or --mail-dir",
                                "none", AUTHD_FIELD(mail_sender.from)));
  table.push_back(optional_text("--mail-dir", "AUTHD_MAIL_DIR", "path",
                                "Write mail into this Maildir folder instead of sending it (for "
                                "development); not with --smtp-url",
                                "none", AUTHD_FIELD(mail.maildir)));
  table.push_back(optional_text("--mail-templates-dir", "AUTHD_MAIL_TEMPLATES_DIR", "path",
                                "Folder of mail templates that replace the built-in ones "
                                "(NAME.subject, NAME.txt, NAME.html; see the README)",
                                "built-in only", AUTHD_FIELD(mail.templates_dir)));
  table.push_back(optional_text("--public-url", "AUTHD_PUBLIC_URL", "URL",
                                "Where users reach authd: the {public_url} of the mailed links",
                                "http://LISTEN", AUTHD_FIELD(mail.public_url)));
  table.push_back(text("--reset-password-link", "AUTHD_RESET_PASSWORD_LINK", "URL template",
                       "The link a password reset mail carries; {token} is required, after "
                       "'#' (a fragment reaches no server log)",
                       AUTHD_FIELD(links.reset_password_link)));
  table.push_back(text("--verify-email-link", "AUTHD_VERIFY_EMAIL_LINK", "URL template",
                       "The link an email verification mail carries; {token} is required, after "
                       "'#'",
                       AUTHD_FIELD(links.verify_email_link)));
  table.push_back(text("--email-change-link", "AUTHD_EMAIL_CHANGE_LINK", "URL template",
                       "The link that confirms a new email address, mailed to it; {token} is "
                       "required, after '#'",
                       AUTHD_FIELD(links.email_change_link)));
  table.push_back(text("--email-revert-link", "AUTHD_EMAIL_REVERT_LINK", "URL template",
                       "The link that undoes an email change, mailed to the old address; "
                       "{token} is required, after '#'",
                       AUTHD_FIELD(links.email_revert_link)));
  table.push_back(integer("--reset-token-ttl", "AUTHD_RESET_TOKEN_TTL", 300, 86400,
                          "Seconds a password reset link works", AUTHD_FIELD(links.reset_ttl)));
  table.push_back(integer("--verification-token-ttl", "AUTHD_VERIFICATION_TOKEN_TTL", 300,
                          2'592'000, "Seconds an email verification link works",
                          AUTHD_FIELD(links.verify_ttl)));
  table.push_back(integer("--email-change-token-ttl", "AUTHD_EMAIL_CHANGE_TOKEN_TTL", 300, 86400,
                          "Seconds the link confirming a new email address works",
                          AUTHD_FIELD(links.email_change_ttl)));
  table.push_back(integer("--email-revert-token-ttl", "AUTHD_EMAIL_REVERT_TOKEN_TTL", 86400,
                          2'592'000,
                          "Seconds the link undoing an email change (mailed to the old address) "
                          "works",
                          AUTHD_FIELD(links.email_revert_ttl)));
  table.push_back(integer("--recovery-token-ttl", "AUTHD_RECOVERY_TOKEN_TTL", 3600, 604'800,
                          "Seconds a password reset link an administrator issues works (POST "
                          "/v1/admin/users/{id}/recovery)",
                          AUTHD_FIELD(links.recovery_ttl)));
  table.push_back(integer("--mail-requests-per-address", "AUTHD_MAIL_REQUESTS_PER_ADDRESS", 1,
                          1000000,
                          "Requests to the routes that mail links (and redeem them) per client "
                          "network and 5 minutes; more get 429",
                          AUTHD_FIELD(links.per_network.max_attempts)));
  table.push_back(integer("--mail-retry-seconds", "AUTHD_MAIL_RETRY_SECONDS", 1, 3600,
                          "Wait before retrying a mail the SMTP server deferred (4xx) or could not "
                          "take; doubles with each further attempt, up to 10 minutes, until the "
                          "mail's link expires",
                          AUTHD_FIELD(mail_sender.first_retry)));
  table.push_back(integer("--mail-per-second", "AUTHD_MAIL_PER_SECOND", 1, 100000,
                          "Mails all instances together send per second at most; more wait",
                          AUTHD_FIELD(mail_sender.pace.max_attempts)));
  table.push_back(choice("--log-level", "AUTHD_LOG_LEVEL",
                         {"trace", "debug", "info", "warn", "error", "off"},
                         "How much the log says", AUTHD_FIELD(log_level)));
  table.push_back({
      .flag = "--log-format",
      .env = "AUTHD_LOG_FORMAT",
      .values = "text | json",
      .help = "text (for terminals) or json (one object per line, for collectors)",
      .apply =
          [](ServeConfig& c, std::string_view v) {
            if (v != "text" && v != "json") {
              throw std::invalid_argument("--log-format must be text or json, got " + quoted(v));
            }
            c.log_format = std::string(v);
          },
      .show =
          [](const ServeConfig& c) {
            return c.log_format.empty() ? "text on a terminal or with --dev, else json"
                                        : c.log_format;
          },
  });
  return table;
}

// Mail settings that only make sense together, and the links built from --public-url.
void check_mail(ServeConfig& config) {
  auto& mail = config.mail;
  if (!mail.smtp_url.empty() && !mail.maildir.empty()) {
    throw std::invalid_argument("--smtp-url and --mail-dir are two ways to send mail: pick one");
  }
  if (mail.configured() && !mail::valid_address(config.mail_sender.from)) {
    throw std::invalid_argument(
        "--mail-from must be a plain address (authd@example.com) when mail is configured, got " +
        quoted(std::string_view(config.mail_sender.from)));
  }
  if (!mail.smtp_password_file.empty() && mail.smtp_username.empty()) {
    throw std::invalid_argument("--smtp-password-file needs --smtp-username");
  }
  config.mail_sender.lease = 2 * mail.smtp_timeout;
  if (mail.public_url.empty()) mail.public_url = "http://" + show_listen(config.server);
  if (!mail.public_url.starts_with("http://") && !mail.public_url.starts_with("https://")) {
    throw std::invalid_argument("--public-url must start with http:// or https://, got " +
                                quoted(std::string_view(mail.public_url)));
  }
  while (mail.public_url.ends_with('/')) mail.public_url.pop_back();
  for (auto [flag, link] : {std::pair{"--reset-password-link", &config.links.reset_password_link},
                            std::pair{"--verify-email-link", &config.links.verify_email_link},
                            std::pair{"--email-change-link", &config.links.email_change_link},
                            std::pair{"--email-revert-link", &config.links.email_revert_link}}) {
    // In the fragment: a browser never sends it to a server, so the live token stays out of
    // access logs and Referer headers (ASVS 5.0 14.2.1: no sensitive data in URL queries).
    const auto token = link->find("{token}");
    const auto fragment = link->find('#');
    if (token == std::string::npos || fragment == std::string::npos || fragment > token) {
      throw std::invalid_argument(std::string(flag) + " must contain {token} after '#', got " +
                                  quoted(std::string_view(*link)));
    }
    if (const auto at = link->find("{public_url}"); at != std::string::npos) {
      link->replace(at, std::string_view("{public_url}").size(), mail.public_url);
    }
  }
}

bool is_loopback(const std::string& host) {
  return host.starts_with("127.") || host == "::1";
}

// --dev: a local end-to-end suite registers and fails logins from one address far more than any
// real client; the per-address limits a user did not set are lifted. Per-account limits stay.
void apply_dev_relaxations(const GivenSettings& given, ServeConfig& config) {
  if (!is_loopback(config.server.address)) {
    throw std::invalid_argument(
        "--dev relaxes brute-force limits and serves only on a loopback address (127.0.0.1, "
        "::1, localhost); got --listen " +
        show_listen(config.server));
  }
  if (config.metrics_server && !is_loopback(config.metrics_server->address)) {
    throw std::invalid_argument("--dev serves only on loopback addresses; got --metrics-listen " +
                                show_listen(*config.metrics_server));
  }
  constexpr std::int64_t kUnlimited = 1'000'000'000;
  const auto unset = [&given](std::string_view flag) { return !given.contains(flag); };
  if (unset("--registrations-per-address")) {
    config.auth.registrations_per_address.max_attempts = kUnlimited;
  }
  if (unset("--login-failures-per-address")) {
    config.auth.logins.per_network.max_failures = kUnlimited;
  }
  if (unset("--mail-requests-per-address")) config.links.per_network.max_attempts = kUnlimited;
  if (unset("--refreshes-per-address")) {
    config.sessions.refreshes_per_network.max_attempts = kUnlimited;
  }
  if (unset("--max-connections-per-client")) {
    config.server.max_connections_per_client = config.server.max_connections;
  }
}

void check_secrets(ServeConfig& config, bool serving) {
  const bool postgres = config.store_kind == ServeConfig::StoreKind::postgres;
  // A flag or AUTHD_JWT_SECRET wins; JWT_SECRET is the seeds' own name.
  config.jwt_secret_source = "--jwt-secret or AUTHD_JWT_SECRET";
  if (config.jwt_secret.empty()) {
    if (const char* seed_secret = std::getenv("JWT_SECRET"); seed_secret && *seed_secret) {
      config.jwt_secret = seed_secret;
      config.jwt_secret_source = "JWT_SECRET";
    }
  }
  if (!config.jwt_secret.empty() && config.jwt_secret.size() < kMinSecretBytes) {
    throw std::invalid_argument("the JWT secret from " + config.jwt_secret_source + " is " +
                                std::to_string(config.jwt_secret.size()) +
                                " bytes; at least 32 are required (try: openssl rand -base64 48)");
  }
  if (serving && postgres && config.jwt_secret.empty()) {
    // A generated secret would differ per instance, and tokens from one would fail on another.
    throw std::invalid_argument(
        "with a PostgreSQL store every instance must share one JWT secret: set --jwt-secret, "
        "AUTHD_JWT_SECRET or JWT_SECRET (at least 32 bytes, e.g. openssl rand -base64 48)");
  }
  config.key_encryption_key_source = "--key-encryption-key or AUTHD_KEY_ENCRYPTION_KEY";
  if (!config.key_encryption_key.empty() && config.key_encryption_key.size() < kMinSecretBytes) {
    throw std::invalid_argument("the key-encryption key is " +
                                std::to_string(config.key_encryption_key.size()) +
                                " bytes; at least 32 are required (try: openssl rand -base64 48)");
  }
  if (postgres && config.key_encryption_key.empty()) {
    throw std::invalid_argument(
        "with a PostgreSQL store every instance must share one key-encryption key: set "
        "--key-encryption-key or AUTHD_KEY_ENCRYPTION_KEY (at least 32 bytes)");
  }
}

// Markdown table cells cannot hold a bare '|'.
std::string cell(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '|') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

}  // namespace

std::span<const Setting> all_settings() {
  static const std::vector<Setting> table = make_settings();
  return table;
}

void add_settings(CLI::App& command, SettingScope scope, GivenSettings& given) {
  const ServeConfig defaults;
  for (const Setting& setting : all_settings()) {
    if (setting.scope > scope) continue;
    const std::string help = setting.help + " (default: " + setting.show(defaults) + ")";
    const std::string& name = setting.flag;
    CLI::Option* option = nullptr;
    switch (setting.form) {
      case Form::flag:
        option = command.add_flag_function(
            name, [&given, name](std::int64_t count) { given[name] = count > 0 ? "on" : "off"; },
            help);
        break;
      case Form::list:
        option = command
                     .add_option_function<std::vector<std::string>>(
                         name,
                         [&given, name](const std::vector<std::string>& items) {
                           std::string list;
                           for (const auto& item : items) list += (list.empty() ? "" : ",") + item;
                           given[name] = list;
                         },
                         help)
                     ->delimiter(',');
        break;
      case Form::value:
        option = command.add_option_function<std::string>(
            name, [&given, name](const std::string& value) { given[name] = value; }, help);
        break;
    }
    option->envname(setting.env)->type_name(setting.form == Form::flag ? "" : setting.values);
  }
}

ServeConfig resolve(const GivenSettings& given, bool serving) {
  ServeConfig config;
  for (const Setting& setting : all_settings()) {
    if (const auto value = given.find(setting.flag); value != given.end()) {
      setting.apply(config, value->second);
    }
  }
  for (core::FailurePolicy* limit : login_limits(config)) {
    limit->max_lockout = std::max(limit->max_lockout, limit->first_lockout);
  }
  if (config.server.io_threads == 0) config.server.io_threads = cores();
  if (config.worker_threads == 0) config.worker_threads = cores();
  if (config.db_connections == 0) config.db_connections = config.worker_threads;
  check_secrets(config, serving);
  check_mail(config);
  if (config.dev) apply_dev_relaxations(given, config);
  return config;
}

std::string settings_markdown() {
  const ServeConfig defaults;
  std::string table =
      "| flag | environment | values | default | meaning |\n"
      "|---|---|---|---|---|\n";
  for (const Setting& setting : all_settings()) {
    table += "| `" + setting.flag + "` | `" + setting.env + "` | " + cell(setting.values) + " | " +
             cell(setting.show(defaults)) + " | " + cell(setting.help) + " |\n";
  }
  return table;
}

}  // namespace authd::cli
