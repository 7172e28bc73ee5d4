// Everything `authd serve` can be told, from flags and environment variables (a flag wins), and
// the checks that turn a bad setting into a clear start-up error.
#pragma once

#include <CLI/App.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/auth_service.hpp"
#include "core/session_service.hpp"
#include "crypto/password_hasher.hpp"
#include "http/server.hpp"

namespace authd::cli {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string metrics_listen;  // empty: no private metrics listener
  bool dev = false;
  std::string database = "sqlite:./authd-data/authd.db";
  std::string jwt_secret;          // empty: generated once and kept in the data folder
  std::string key_encryption_key;  // empty: generated once and kept in the data folder
  std::int64_t access_token_ttl_seconds = 900;
  std::int64_t refresh_grace_seconds = 10;
  std::int64_t max_sessions_per_user = 100;
  std::string issuer = "authd";
  std::string audience = "authd";
  std::string password_hash = "argon2id";
  int bcrypt_cost = 10;
  std::size_t io_threads = 0;      // 0: one per core
  std::size_t worker_threads = 0;  // 0: one per core
  std::size_t worker_queue = 64;
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_client = 256;
  std::size_t db_connections = 0;  // 0: one per worker thread
  std::string self_register_roles = "any";
  std::int64_t session_ttl_hours = 24 * 7;
  std::string log_level = "info";
  std::string log_format;  // "text" or "json"; empty: text on a terminal, json otherwise
  http::ServerLimits limits;
  std::size_t min_password_length = 8;
  bool allow_common_passwords = false;
  std::vector<std::string> trusted_proxies;
  std::int64_t login_failures_per_account = 10;
  std::int64_t login_failures_per_account_all_sources = 50;
  std::int64_t login_failures_per_address = 100;
  std::int64_t max_consecutive_login_failures = 100;
  std::int64_t registrations_per_address = 20;
  std::int64_t lockout_seconds = 60;
  std::int64_t max_lockout_seconds = 900;
  std::int64_t refreshes_per_session = 10;
  std::int64_t refreshes_per_address = 600;
};

// Registers the options of `authd serve` on its subcommand.
void add_serve_options(CLI::App& serve, ServeOptions& options);
// Registers only the options that locate the store and its keys (for `authd keys ...`).
void add_store_options(CLI::App& command, ServeOptions& options);

// The validated, resolved configuration the server is built from.
struct ServeConfig {
  http::ServerConfig server;
  std::optional<http::ServerConfig> metrics_server;  // --metrics-listen
  bool dev = false;
  enum class StoreKind { sqlite, postgres } store_kind = StoreKind::sqlite;
  std::string sqlite_path;     // sqlite
  std::string data_directory;  // sqlite: the database's folder, also holds the generated secret
  std::string postgres_uri;    // postgres: a libpq connection URI
  std::size_t db_connections = 1;
  std::string jwt_secret;
  std::string jwt_secret_source;   // for the start-up banner; never the secret itself
  std::string key_encryption_key;  // seals the signing keys in the store; empty: from the file
  std::string key_encryption_key_source;
  core::SessionConfig sessions;
  crypto::PasswordHashConfig password_hashing;
  std::size_t worker_threads = 1;
  std::size_t worker_queue = 64;
  core::AuthConfig auth;
};

// Throws std::invalid_argument with a message meant for the operator. `serving` false is for
// the key commands, which need the store and the key-encryption key but no JWT secret.
ServeConfig resolve(const ServeOptions& options, bool serving = true);

}  // namespace authd::cli
