#include "cli/config.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cli/secret_file.hpp"

namespace authd::cli {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";
constexpr std::string_view kPostgresPrefixes[] = {"postgresql://", "postgres://"};
constexpr std::size_t kMinSecretBytes = 32;

std::size_t cores() {
  return std::max(1u, std::thread::hardware_concurrency());
}

// "127.0.0.1:8080", "[::1]:8080", "localhost:0"
std::pair<std::string, std::uint16_t> parse_listen(const std::string& listen,
                                                   const std::string& flag = "--listen") {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    throw std::invalid_argument(flag + " must be HOST:PORT, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535) {
    throw std::invalid_argument(flag + " port must be 0-65535, got '" + listen + "'");
  }
  return {host, static_cast<std::uint16_t>(port)};
}

core::RolePolicy parse_role_policy(const std::string& setting) {
  core::RolePolicy policy;
  if (setting == "any") return policy;
  policy.allow_any_existing = false;
  if (setting == "none") return policy;
  std::stringstream list(setting);
  for (std::string role; std::getline(list, role, ',');) {
    if (!role.empty()) policy.self_assignable.push_back(role);
  }
  return policy;
}

void add_seconds_option(CLI::App& app, const std::string& name, std::chrono::seconds& target,
                        const std::string& description, const std::string& env) {
  app.add_option_function<std::int64_t>(
         name, [&target](std::int64_t seconds) { target = std::chrono::seconds(seconds); },
         description + " (default " + std::to_string(target.count()) + ")")
      ->envname(env)
      ->check(CLI::Range(1, 3600));
}

bool is_loopback(const std::string& host) {
  return host.starts_with("127.") || host == "::1";
}

// --dev: a local end-to-end suite registers and fails logins from one address far more than any
// real client; the per-address limits a user did not set are lifted. Per-account limits stay.
void apply_dev_relaxations(const ServeOptions& options, ServeConfig& config) {
  if (!is_loopback(config.server.address)) {
    throw std::invalid_argument(
        "--dev relaxes brute-force limits and serves only on a loopback "
        "address (127.0.0.1, ::1, localhost); got --listen " +
        options.listen);
  }
  if (config.metrics_server && !is_loopback(config.metrics_server->address)) {
    throw std::invalid_argument("--dev serves only on loopback addresses; got --metrics-listen " +
                                options.metrics_listen);
  }
  config.dev = true;
  constexpr std::int64_t kUnlimited = 1'000'000'000;
  const ServeOptions defaults;
  if (options.registrations_per_address == defaults.registrations_per_address) {
    config.auth.registrations_per_address.max_attempts = kUnlimited;
  }
  if (options.login_failures_per_address == defaults.login_failures_per_address) {
    config.auth.logins.per_network.max_failures = kUnlimited;
  }
  if (options.refreshes_per_address == defaults.refreshes_per_address) {
    config.sessions.refreshes_per_network.max_attempts = kUnlimited;
  }
  if (options.max_connections_per_client == defaults.max_connections_per_client) {
    config.server.max_connections_per_client = config.server.max_connections;
  }
}

}  // namespace

void add_store_options(CLI::App& command, ServeOptions& options) {
  command
      .add_option("--database", options.database,
                  "Store: sqlite:PATH (the folder is created and also holds generated secrets) "
                  "or a PostgreSQL URI postgresql://user@host:port/db (shared by many instances)")
      ->envname("AUTHD_DATABASE")
      ->capture_default_str();
  command
      .add_option("--key-encryption-key", options.key_encryption_key,
                  "At least 32 bytes that seal the /v1 signing keys in the store; every instance "
                  "needs the same. Default: generated on first start and kept in the data folder")
      ->envname("AUTHD_KEY_ENCRYPTION_KEY");
}

void add_serve_options(CLI::App& serve, ServeOptions& options) {
  serve.add_option("--listen", options.listen, "Address and port to listen on (port 0 picks one)")
      ->envname("AUTHD_LISTEN")
      ->capture_default_str();
  serve
      .add_option("--metrics-listen", options.metrics_listen,
                  "A second address (HOST:PORT) serving /metrics with every detail, /healthz and "
                  "/readyz, for operators: keep it private. The public /metrics merges the login "
                  "outcomes that would tell which emails have accounts")
      ->envname("AUTHD_METRICS_LISTEN");
  serve
      .add_flag("--dev", options.dev,
                "Local development: per-address limits relaxed (registrations, login failures, "
                "refreshes and connections per client network, unless set), text logs; "
                "refused on an address other than loopback")
      ->envname("AUTHD_DEV");
  add_store_options(serve, options);
  serve
      .add_option("--access-token-ttl", options.access_token_ttl_seconds,
                  "Lifetime of /v1 access tokens, in seconds")
      ->envname("AUTHD_ACCESS_TOKEN_TTL")
      ->check(CLI::Range(60, 86400))
      ->capture_default_str();
  serve
      .add_option("--refresh-grace", options.refresh_grace_seconds,
                  "Seconds after a refresh during which the rotated refresh token still returns "
                  "the same new pair (concurrent refreshes, retries) instead of counting as reuse")
      ->envname("AUTHD_REFRESH_GRACE")
      ->check(CLI::Range(0, 300))
      ->capture_default_str();
  serve
      .add_option("--max-sessions-per-user", options.max_sessions_per_user,
                  "Live /v1 sessions one user may hold; a login beyond it ends the oldest")
      ->envname("AUTHD_MAX_SESSIONS_PER_USER")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}))
      ->capture_default_str();
  serve.add_option("--issuer", options.issuer, "The iss claim of /v1 access tokens")
      ->envname("AUTHD_ISSUER")
      ->capture_default_str();
  serve.add_option("--audience", options.audience, "The aud claim of /v1 access tokens")
      ->envname("AUTHD_AUDIENCE")
      ->capture_default_str();
  serve
      .add_option("--jwt-secret", options.jwt_secret,
                  "HS256 secret for the seed dialects' tokens, at least 32 bytes; also read from "
                  "JWT_SECRET. Default: generated on first start and kept in the data folder")
      ->envname("AUTHD_JWT_SECRET");
  serve
      .add_option("--password-hash", options.password_hash,
                  "Algorithm for new password hashes; stored hashes of either kind verify, and "
                  "are upgraded to this one on the next successful login")
      ->envname("AUTHD_PASSWORD_HASH")
      ->check(CLI::IsMember({"argon2id", "bcrypt"}))
      ->capture_default_str();
  serve.add_option("--bcrypt-cost", options.bcrypt_cost, "bcrypt cost when --password-hash bcrypt")
      ->envname("AUTHD_BCRYPT_COST")
      ->check(CLI::Range(4, 31))
      ->capture_default_str();
  serve.add_option("--io-threads", options.io_threads, "Threads serving sockets (0: one per core)")
      ->envname("AUTHD_IO_THREADS")
      ->capture_default_str();
  serve
      .add_option("--worker-threads", options.worker_threads,
                  "Threads for password hashing and store calls (0: one per core); each "
                  "argon2id hash in flight holds 19 MiB")
      ->envname("AUTHD_WORKER_THREADS")
      ->capture_default_str();
  serve
      .add_option("--worker-queue", options.worker_queue,
                  "Requests that may wait for a worker; beyond that they get 503 at once")
      ->envname("AUTHD_WORKER_QUEUE")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  serve
      .add_option("--self-register-roles", options.self_register_roles,
                  "Roles a seed 003 registration may claim: 'any' existing role (the seed's "
                  "behaviour: anyone can register as admin), 'none', or a list like "
                  "'user,seller,buyer'")
      ->envname("AUTHD_SELF_REGISTER_ROLES")
      ->capture_default_str();
  serve.add_option("--session-ttl-hours", options.session_ttl_hours, "Lifetime of session tokens")
      ->envname("AUTHD_SESSION_TTL_HOURS")
      ->check(CLI::Range(1, 24 * 365))
      ->capture_default_str();
  serve
      .add_option("--db-connections", options.db_connections,
                  "Store connections (0: one per worker thread, which is all that can be used)")
      ->envname("AUTHD_DB_CONNECTIONS")
      ->capture_default_str();
  serve
      .add_option("--max-connections", options.max_connections,
                  "Open connections at most; further ones are closed at once")
      ->envname("AUTHD_MAX_CONNECTIONS")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  serve
      .add_option("--max-connections-per-client", options.max_connections_per_client,
                  "Open connections one client network (an IPv4 address, an IPv6 /64) may hold; "
                  "further ones are closed at once. A --trusted-proxy counts only against "
                  "--max-connections")
      ->envname("AUTHD_MAX_CONNECTIONS_PER_CLIENT")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  serve.add_option("--max-body-bytes", options.limits.max_body_bytes, "Larger bodies get 413")
      ->envname("AUTHD_MAX_BODY_BYTES")
      ->check(CLI::Range(1024, 16 << 20))
      ->capture_default_str();
  serve
      .add_option("--max-header-bytes", options.limits.max_header_bytes,
                  "Larger request heads (request line + headers) get 431")
      ->envname("AUTHD_MAX_HEADER_BYTES")
      ->check(CLI::Range(1024, 1 << 20))
      ->capture_default_str();
  add_seconds_option(serve, "--request-timeout", options.limits.request_timeout,
                     "Seconds a client has to send a whole request once it started; slower "
                     "clients are cut off",
                     "AUTHD_REQUEST_TIMEOUT");
  add_seconds_option(serve, "--idle-timeout", options.limits.idle_timeout,
                     "Seconds a kept-alive connection may wait for its next request",
                     "AUTHD_IDLE_TIMEOUT");
  serve
      .add_option("--max-header-fields", options.limits.max_header_fields,
                  "More request header fields get 431")
      ->envname("AUTHD_MAX_HEADER_FIELDS")
      ->check(CLI::Range(8, 10000))
      ->capture_default_str();
  serve
      .add_option("--max-target-bytes", options.limits.max_target_bytes,
                  "Longer request targets (path and query) get 414")
      ->envname("AUTHD_MAX_TARGET_BYTES")
      ->check(CLI::Range(64, 1 << 16))
      ->capture_default_str();
  serve
      .add_option("--max-requests-per-connection", options.limits.max_requests_per_connection,
                  "Requests served on one connection before it is closed")
      ->envname("AUTHD_MAX_REQUESTS_PER_CONNECTION")
      ->check(CLI::Range(1, 1 << 30))
      ->capture_default_str();
  serve
      .add_option("--min-password-length", options.min_password_length,
                  "Shortest password (in characters) a registration accepts")
      ->envname("AUTHD_MIN_PASSWORD_LENGTH")
      ->check(CLI::Range(1, 128))
      ->capture_default_str();
  serve
      .add_flag(
          "--allow-common-passwords", options.allow_common_passwords,
          "Accept passwords that zxcvbn finds guessable (common passwords, words, the account's "
          "own email); for tests and migrations only")
      ->envname("AUTHD_ALLOW_COMMON_PASSWORDS");
  serve
      .add_option("--trusted-proxy", options.trusted_proxies,
                  "Address or network (10.0.0.0/8) of a proxy whose X-Forwarded-For is believed; "
                  "repeat for several. Without one, the connection's address is the client's")
      ->envname("AUTHD_TRUSTED_PROXIES")
      ->delimiter(',');
  serve
      .add_option("--login-failures-per-account", options.login_failures_per_account,
                  "Failed logins for one account (any letter case of its email) from one client "
                  "network before that network is locked out of it; a count is forgotten after "
                  "15 minutes without a failure, or reset by a successful login")
      ->envname("AUTHD_LOGIN_FAILURES_PER_ACCOUNT")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      .add_option("--login-failures-per-account-all-sources",
                  options.login_failures_per_account_all_sources,
                  "Failed logins for one account from all client networks together before it is "
                  "locked for every network that has not logged in to it successfully in the "
                  "last 30 days")
      ->envname("AUTHD_LOGIN_FAILURES_PER_ACCOUNT_ALL_SOURCES")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      .add_option("--login-failures-per-address", options.login_failures_per_address,
                  "Failed logins from one client address before it is locked")
      ->envname("AUTHD_LOGIN_FAILURES_PER_ADDRESS")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      .add_option("--max-consecutive-login-failures", options.max_consecutive_login_failures,
                  "Consecutive failed logins an account takes (NIST SP 800-63B: at most 100) "
                  "before it refuses every network that has not logged in to it successfully in "
                  "the last 30 days; a successful login resets the count")
      ->envname("AUTHD_MAX_CONSECUTIVE_LOGIN_FAILURES")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  serve
      .add_option("--refreshes-per-session", options.refreshes_per_session,
                  "/v1 refreshes of one session per minute; more get 429")
      ->envname("AUTHD_REFRESHES_PER_SESSION")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      .add_option("--refreshes-per-address", options.refreshes_per_address,
                  "/v1 refreshes from one client network per minute; more get 429")
      ->envname("AUTHD_REFRESHES_PER_ADDRESS")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      .add_option("--registrations-per-address", options.registrations_per_address,
                  "Registration attempts per client address and hour")
      ->envname("AUTHD_REGISTRATIONS_PER_ADDRESS")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      .add_option("--lockout-seconds", options.lockout_seconds,
                  "First lockout; each further failure while counting doubles it")
      ->envname("AUTHD_LOCKOUT_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve
      .add_option("--max-lockout-seconds", options.max_lockout_seconds,
                  "Longest lockout, so an attacker cannot lock a victim out for long")
      ->envname("AUTHD_MAX_LOCKOUT_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve
      .add_option("--log-format", options.log_format,
                  "text (for terminals) or json (one object per line, for collectors); default: "
                  "text when standard output is a terminal, json otherwise")
      ->envname("AUTHD_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}));
  serve.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")
      ->envname("AUTHD_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
}

ServeConfig resolve(const ServeOptions& options, bool serving) {
  ServeConfig config;
  auto [host, port] = parse_listen(options.listen);
  config.server.address = host;
  config.server.port = port;
  if (!options.metrics_listen.empty()) {
    const auto [metrics_host, metrics_port] =
        parse_listen(options.metrics_listen, "--metrics-listen");
    http::ServerConfig metrics;
    metrics.address = metrics_host;
    metrics.port = metrics_port;
    metrics.io_threads = 1;  // a scraper or two
    metrics.max_connections = metrics.max_connections_per_client = 64;
    config.metrics_server = std::move(metrics);
  }
  config.server.limits = options.limits;
  config.server.max_connections = options.max_connections;
  config.server.max_connections_per_client = options.max_connections_per_client;
  config.server.io_threads = options.io_threads ? options.io_threads : cores();
  config.worker_threads = options.worker_threads ? options.worker_threads : cores();
  config.worker_queue = options.worker_queue;

  config.db_connections = options.db_connections ? options.db_connections : config.worker_threads;
  const bool postgres =
      std::any_of(std::begin(kPostgresPrefixes), std::end(kPostgresPrefixes),
                  [&](std::string_view p) { return options.database.starts_with(p); });
  if (postgres) {
    config.store_kind = ServeConfig::StoreKind::postgres;
    config.postgres_uri = options.database;
  } else if (options.database.starts_with(kSqlitePrefix)) {
    const std::filesystem::path db_path(options.database.substr(kSqlitePrefix.size()));
    if (db_path.empty() || !db_path.has_filename()) {
      throw std::invalid_argument("--database sqlite: needs a file path");
    }
    config.sqlite_path = db_path.string();
    config.data_directory = db_path.parent_path().empty() ? "." : db_path.parent_path().string();
  } else {
    throw std::invalid_argument(
        "--database must be sqlite:PATH or postgresql://..., got something else");
  }

  config.password_hashing.algorithm = options.password_hash == "bcrypt"
                                          ? crypto::PasswordAlgorithm::bcrypt
                                          : crypto::PasswordAlgorithm::argon2id;
  config.password_hashing.bcrypt_cost = options.bcrypt_cost;

  // A flag or AUTHD_JWT_SECRET wins (CLI11 applies both); JWT_SECRET is the seeds' own name.
  config.jwt_secret = options.jwt_secret;
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

  config.key_encryption_key = options.key_encryption_key;
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
  if (options.issuer.empty() || options.audience.empty()) {
    throw std::invalid_argument("--issuer and --audience must not be empty");
  }
  config.sessions.issuer = options.issuer;
  config.sessions.audience = options.audience;
  config.sessions.access_token_ttl = std::chrono::seconds(options.access_token_ttl_seconds);
  config.sessions.refresh_grace = std::chrono::seconds(options.refresh_grace_seconds);

  config.server.trusted_proxies = http::TrustedProxies(options.trusted_proxies);
  config.auth.passwords = {.min_characters = options.min_password_length,
                           .forbid_guessable = !options.allow_common_passwords};
  const std::chrono::seconds first_lockout(options.lockout_seconds);
  const std::chrono::seconds max_lockout(
      std::max(options.max_lockout_seconds, options.lockout_seconds));
  config.auth.logins.per_account_network = {.max_failures = options.login_failures_per_account,
                                            .first_lockout = first_lockout,
                                            .max_lockout = max_lockout};
  config.auth.logins.per_account = {.max_failures = options.login_failures_per_account_all_sources,
                                    .first_lockout = first_lockout,
                                    .max_lockout = max_lockout};
  config.auth.logins.per_network = {.max_failures = options.login_failures_per_address,
                                    .first_lockout = first_lockout,
                                    .max_lockout = max_lockout};
  config.auth.logins.consecutive_cap = options.max_consecutive_login_failures;
  config.auth.registrations_per_address.max_attempts = options.registrations_per_address;
  config.sessions.refreshes_per_session.max_attempts = options.refreshes_per_session;
  config.sessions.refreshes_per_network.max_attempts = options.refreshes_per_address;
  if (options.dev) apply_dev_relaxations(options, config);
  config.auth.roles = parse_role_policy(options.self_register_roles);
  config.auth.session_ttl = std::chrono::hours(options.session_ttl_hours);
  config.auth.max_sessions_per_user = options.max_sessions_per_user;
  return config;
}

}  // namespace authd::cli
