// The resolved configuration `authd serve` (and the offline commands) are built from. Its default
// values are the defaults: each comes from the struct of the layer that uses it (http, core,
// crypto) or is set here, and cli/settings.cpp reads them from a default-constructed ServeConfig
// for --help and the README, so no default is written twice.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "core/auth_service.hpp"
#include "core/mail_sender.hpp"
#include "core/mailed_links.hpp"
#include "core/session_service.hpp"
#include "crypto/password_hasher.hpp"
#include "http/server.hpp"

namespace authd::cli {

struct ServeConfig {
  ServeConfig() { server.io_threads = 0; }  // 0 until resolved: one per core

  http::ServerConfig server;
  std::optional<http::ServerConfig> metrics_server;  // --metrics-listen
  bool dev = false;
  enum class StoreKind { sqlite, postgres } store_kind = StoreKind::sqlite;
  std::string sqlite_path = "./authd-data/authd.db";  // sqlite
  std::string data_directory = "./authd-data";  // sqlite: the database's folder, also holds secrets
  std::string postgres_uri;                     // postgres: a libpq connection URI
  std::size_t db_connections = 0;               // 0 until resolved: one per worker thread
  std::string jwt_secret;                       // empty: generated into the data folder
  std::string jwt_secret_source;                // for the start-up banner; never the secret itself
  std::string key_encryption_key;  // seals the signing keys in the store; empty: from the file
  std::string key_encryption_key_source;
  core::SessionConfig sessions;
  crypto::PasswordHashConfig password_hashing;
  std::size_t worker_threads = 0;  // 0 until resolved: one per core
  std::size_t worker_queue = 64;
  core::AuthConfig auth;
  // Mail: an SMTP server or a Maildir folder (at most one; with neither, no mail is sent and
  // the routes that send it answer 501).
  struct Mail {
    std::string smtp_url{};
    std::string smtp_username{};
    std::string smtp_password_file{};
    std::string ca_file{};
    std::string maildir{};
    std::string templates_dir{};
    std::string public_url{};               // empty until resolved: http://<--listen>
    std::chrono::seconds smtp_timeout{30};  // one message, connection included
    bool configured() const { return !smtp_url.empty() || !maildir.empty(); }
  } mail;
  core::MailSenderConfig mail_sender;
  core::LinkConfig links{.reset_password_link = "{public_url}/account/reset-password#token={token}",
                         .verify_email_link = "{public_url}/account/verify-email#token={token}",
                         .email_change_link = "{public_url}/account/confirm-email#token={token}",
                         .email_revert_link = "{public_url}/account/revert-email#token={token}"};
  std::chrono::days audit_retention{365};  // 0: the audit trail is kept for ever
  bool admin_console = true;               // /admin/ (the account pages follow mail)
  std::string log_level = "info";
  std::string log_format;  // "text" or "json"; empty: text on a terminal or with --dev, else json
};

}  // namespace authd::cli
