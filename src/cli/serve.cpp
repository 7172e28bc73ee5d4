#include "cli/serve.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include "api/health.hpp"
#include "api/routes.hpp"
#include "cli/secret_file.hpp"
#include "core/account_service.hpp"
#include "core/derived_keys.hpp"
#include "core/mail_outbox.hpp"
#include "core/mail_sender.hpp"
#include "core/mailed_links.hpp"
#include "core/security_log.hpp"
#include "core/session_service.hpp"
#include "core/signing_keys.hpp"
#include "core/token_issuer.hpp"
#include "core/user_admin.hpp"
#include "crypto/sealing.hpp"
#include "mail/maildir_transport.hpp"
#include "mail/smtp_transport.hpp"
#include "observability/logging.hpp"
#include "observability/metrics.hpp"
#include "observability/password_hash_census.hpp"
#include "observability/request_telemetry.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "util/worker_pool.hpp"

namespace authd::cli {
namespace {

// An address as a URL's host: IPv6 in brackets.
std::string url_host(const std::string& address) {
  return address.find(':') == std::string::npos ? address : "[" + address + "]";
}

void log_banner(const ServeConfig& config) {
  spdlog::info("authd {} starting", AUTHD_VERSION);
  if (config.dev) {
    spdlog::warn("**************************************************************************");
    spdlog::warn("*  DEVELOPMENT MODE (--dev): per-address brute-force limits are lifted.  *");
    spdlog::warn("*  Serving on loopback only. Never run this for real users.              *");
    spdlog::warn("**************************************************************************");
  }
  if (config.store_kind == ServeConfig::StoreKind::postgres) {
    spdlog::info("  store: postgresql ({} connections)", config.db_connections);
  } else {
    spdlog::info("  store: sqlite {} (WAL, synchronous=FULL)", config.sqlite_path);
  }
  spdlog::info("  jwt secret (seed dialects): from {}", config.jwt_secret_source);
  spdlog::info("  key-encryption key (/v1 signing keys): from {}",
               config.key_encryption_key_source);
  spdlog::info("  /v1 tokens: iss={} aud={}, access {} s, refresh grace {} s",
               config.sessions.issuer, config.sessions.audience,
               config.sessions.access_token_ttl.count(), config.sessions.refresh_grace.count());
  spdlog::info("  password hashing: {}",
               config.password_hashing.algorithm == crypto::PasswordAlgorithm::bcrypt
                   ? "bcrypt cost " + std::to_string(config.password_hashing.bcrypt_cost)
                   : std::string("argon2id m=19456 KiB t=2 p=1"));
  spdlog::info("  threads: {} io, {} workers (queue {})", config.server.io_threads,
               config.worker_threads, config.worker_queue);
  if (config.auth.roles.allow_any_existing) {
    spdlog::warn(
        "  --self-register-roles=any: anyone registering through /api/auth/register may claim "
        "any role, including admin (seed 003 behaviour); narrow it for production");
  }
}

}  // namespace

std::unique_ptr<store::Store> open_store(const ServeConfig& config, store::OpenMode mode) {
  if (config.store_kind == ServeConfig::StoreKind::postgres) {
    return std::make_unique<store::postgres::PostgresStore>(config.postgres_uri,
                                                            config.db_connections, mode);
  }
  if (mode != store::OpenMode::create_and_migrate && !std::filesystem::exists(config.sqlite_path)) {
    throw std::runtime_error("no authd database at " + config.sqlite_path +
                             " (check --database; only `authd serve` creates one)");
  }
  return std::make_unique<store::sqlite::SqliteStore>(config.sqlite_path, config.db_connections,
                                                      mode);
}

void load_generated_secrets(ServeConfig& config) {
  if (config.store_kind != ServeConfig::StoreKind::sqlite) return;  // resolve() requires them
  const std::filesystem::path folder(config.data_directory);
  ensure_private_directory(folder);
  const auto load = [&folder](const char* name, std::string& secret, std::string& source) {
    if (!secret.empty()) return;
    const auto file = folder / name;
    SecretFile loaded = load_or_create_secret(file);
    secret = std::move(loaded.secret);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", loaded.mode);
    source = file.string() + (loaded.generated ? " (generated now, mode " : " (mode ") + mode + ")";
  };
  load("jwt-secret", config.jwt_secret, config.jwt_secret_source);
  load("key-encryption-key", config.key_encryption_key, config.key_encryption_key_source);
}

void load_existing_secrets(ServeConfig& config) {
  if (config.store_kind != ServeConfig::StoreKind::sqlite) return;  // resolve() requires them
  if (!config.key_encryption_key.empty()) return;
  const std::filesystem::path folder(config.data_directory);
  check_private_directory(folder);
  const auto file = folder / "key-encryption-key";
  config.key_encryption_key = load_secret(file).secret;
  config.key_encryption_key_source = file.string();
}

// The transport --smtp-url or --mail-dir asks for; none without either.
std::unique_ptr<mail::Transport> open_mail_transport(const ServeConfig& config) {
  const auto& mail = config.mail;
  if (!mail.maildir.empty()) return std::make_unique<mail::MaildirTransport>(mail.maildir);
  if (mail.smtp_url.empty()) return nullptr;
  std::string password;
  if (!mail.smtp_password_file.empty()) {
    password = load_secret(mail.smtp_password_file, SecretOrigin::given).secret;
  }
  return std::make_unique<mail::SmtpTransport>(mail::SmtpSettings{.url = mail.smtp_url,
                                                                  .username = mail.smtp_username,
                                                                  .password = std::move(password),
                                                                  .ca_file = mail.ca_file,
                                                                  .timeout = mail.smtp_timeout});
}

// The right-hand side of each Message-ID: the sender's domain.
std::string message_id_domain(const std::string& from) {
  const auto at = from.rfind('@');
  return at == std::string::npos ? "authd.invalid" : from.substr(at + 1);
}

int serve(const GivenSettings& given) {
  ServeConfig config = resolve(given);
  const bool terminal = ::isatty(STDOUT_FILENO) != 0;
  const std::string format = !config.log_format.empty() ? config.log_format
                             : terminal || config.dev   ? "text"
                                                        : "json";
  observability::configure_logging(
      format == "json" ? observability::LogFormat::json : observability::LogFormat::text,
      spdlog::level::from_str(config.log_level));

  load_generated_secrets(config);
  config.auth.throttle_key = config.sessions.throttle_key =
      core::throttle_key(config.key_encryption_key);
  log_banner(config);

  core::SystemClock clock;
  std::unique_ptr<store::Store> store = open_store(config);
  observability::Metrics metrics;
  core::AuthService auth(*store, crypto::PasswordHasher(config.password_hashing), clock,
                         config.auth, metrics);
  core::TokenIssuer tokens(config.jwt_secret, clock);
  core::KeyRing keys(
      *store, crypto::derive_sealing_key(config.key_encryption_key), clock,
      {.access_token_ttl = config.sessions.access_token_ttl, .leeway = config.sessions.leeway});
  keys.load();
  core::SessionService sessions(*store, keys, clock, config.sessions,
                                core::refresh_rotation_key(config.key_encryption_key), metrics);

  core::CredentialService credentials(auth, tokens, sessions);
  // Mail: the outbox is in the store; this instance's sender drains it (with every other
  // instance's sender) when a transport is configured.
  const std::unique_ptr<mail::Transport> transport = open_mail_transport(config);
  const mail::Templates templates(config.mail.templates_dir);
  core::Throttle mail_throttle(*store, clock, config.auth.throttle_key);
  std::optional<core::MailOutbox> outbox;
  std::optional<core::MailSender> sender;
  if (transport) {
    outbox.emplace(core::mail_sealing_key(config.key_encryption_key),
                   message_id_domain(config.mail_sender.from));
    sender.emplace(*store, *outbox, templates, *transport, mail_throttle, clock, config.mail_sender,
                   [&metrics](std::string_view template_name, store::MailOutcome outcome) {
                     metrics.mail(template_name, outcome == store::MailOutcome::retry
                                                     ? "retried"
                                                     : store::mail_status_name(outcome));
                   });
    spdlog::info("  mail: {} from {}; links to {}", transport->describe(), config.mail_sender.from,
                 config.mail.public_url);
  } else {
    spdlog::info("  mail: none (--smtp-url or --mail-dir): the routes that send mail answer 501");
  }
  core::MailedLinks links(
      *store, auth, mail_throttle, outbox ? &*outbox : nullptr, clock, config.links,
      [&sender] {
        if (sender) sender->wake();
      },
      metrics);
  core::AccountService accounts(*store, auth, clock, &links);
  // The lookups that could tell an account run after the answer has gone: on a thread of their
  // own, a moment later, so that they never share the machine with writing it (a job running
  // alongside shifted the answer's time measurably). Its destructor runs what is queued.
  util::WorkerPool after_answer(1, 1024);
  links.run_in_background([&after_answer](std::function<void()> job) {
    return after_answer.try_submit([job = std::move(job)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      job();
    });
  });
  util::WorkerPool workers(config.worker_threads, config.worker_queue);
  core::AuditTrail audit(*store, clock);
  core::record_security_events_in(&audit);
  struct UninstallTrail {
    ~UninstallTrail() { core::record_security_events_in(nullptr); }
  } uninstall_trail;
  core::UserAdmin admin(*store, auth, audit, clock, &links);
  core::GatewayCheck gateway(*store, sessions, config.jwt_secret, clock);
  std::jthread audit_retention;
  if (config.audit_retention.count() > 0) {
    audit_retention =
        std::jthread([&audit, retention = config.audit_retention](const std::stop_token& stop) {
          audit.purge_until_stopped(stop, retention, std::chrono::minutes(60));
        });
  }
  http::Router router;
  api::add_routes(router, {.auth = auth,
                           .credentials = credentials,
                           .sessions = sessions,
                           .accounts = accounts,
                           .links = links,
                           .keys = keys,
                           .admin = admin,
                           .gateway = gateway,
                           .metrics = metrics,
                           .pages = {.account = config.mail.configured(),
                                     .admin_console = config.admin_console}});

  observability::PasswordHashCensus census(*store, config.password_hashing.algorithm);
  metrics.set_gauges(
      [&workers] { return workers.queue_depth(); },
      [&store, &clock, &census] {
        observability::StoreGauges gauges = census.read();
        if (auto live = store->count_active_sessions(clock.now())) {
          gauges.active_sessions = *live;
        }
        if (auto outbox = store->outbox_stats()) {
          gauges.mail_pending = outbox->pending;
          if (outbox->oldest_pending) {
            gauges.oldest_pending_mail_seconds =
                std::chrono::duration<double>(clock.now() - *outbox->oldest_pending).count();
          }
        }
        return gauges;
      });
  observability::RequestTelemetry telemetry(metrics);
  config.server.observer = &telemetry;
  http::Server server(config.server, router, workers);

  // The private listener: every metric in full, and the probes, on an address of its own.
  http::Router operations;
  api::add_health_routes(operations, auth);
  api::add_metrics_route(operations, metrics, observability::MetricsView::private_listener);
  std::optional<http::Server> metrics_server;
  std::jthread metrics_thread;
  if (config.metrics_server) {
    metrics_server.emplace(*config.metrics_server, operations, workers);
    spdlog::info("metrics listening on http://{}:{}", url_host(config.metrics_server->address),
                 metrics_server->port());
    metrics_thread = std::jthread([&metrics_server] {
      try {
        metrics_server->run();
      } catch (const std::exception& e) {
        // The public listener goes on: losing the operators' scrapes is not an outage.
        spdlog::error("the metrics listener stopped: {}", e.what());
      }
    });
  }
  struct StopMetrics {
    std::optional<http::Server>& server;
    std::jthread& thread;
    ~StopMetrics() {
      if (server) server->stop();
      if (thread.joinable()) thread.join();
    }
  } stop_metrics{metrics_server, metrics_thread};
  // Worker tasks post their results to the server's io_context: join them before the server
  // goes away, on every path out of this scope.
  struct JoinWorkers {
    util::WorkerPool& pool;
    ~JoinWorkers() { pool.shutdown(); }
  } join_workers{workers};
  if (sender) sender->start();
  spdlog::info("authd listening on http://{}:{}", url_host(config.server.address), server.port());
  server.run();
  workers.shutdown();
  spdlog::info("authd stopped");
  return 0;
}

}  // namespace authd::cli
