// The authd object graph the fuzz targets share, wired as cli/serve.cpp wires it but cheap to run
// thousands of times: a SQLite store in a fresh temp folder, argon2id at its minimum cost
// (opslimit 1, 8 MiB), a clock that starts at seed 003's example instant and moves one minute on
// every reading (so throttling lockouts, which a fixed clock would make permanent, keep expiring
// and the success paths stay reachable), and the real router with every route (api::add_routes:
// the seed dialects, /v1, the JWKS, the operations routes) reading the same Metrics the core
// reports to. One
// per process, created on first use and never destroyed (a server thread may still be using it when
// libFuzzer exits); its folder is removed at exit.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/account_service.hpp"
#include "core/auth_service.hpp"
#include "core/credential_service.hpp"
#include "core/gateway_check.hpp"
#include "core/mail_outbox.hpp"
#include "core/mailed_links.hpp"
#include "core/session_service.hpp"
#include "core/signing_keys.hpp"
#include "core/token_issuer.hpp"
#include "core/user_admin.hpp"
#include "http/router.hpp"
#include "observability/metrics.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace authd::fuzz {

// Thread-safe: the HTTP target's workers read it concurrently.
class SteppingClock final : public core::Clock {
 public:
  explicit SteppingClock(util::TimePoint start) : millis_(util::to_unix_millis(start)) {}
  util::TimePoint now() const override {
    return util::from_unix_millis(millis_.fetch_add(kStepMillis, std::memory_order_relaxed));
  }

 private:
  static constexpr std::int64_t kStepMillis = 60 * 1000;
  mutable std::atomic<std::int64_t> millis_;
};

struct Stack {
  std::string directory;
  store::sqlite::SqliteStore store;
  SteppingClock clock;
  observability::Metrics metrics;
  core::AuthService auth;
  core::TokenIssuer tokens;
  core::KeyRing keys;
  core::SessionService sessions;
  core::CredentialService credentials;
  core::AccountService accounts;
  // Mail is queued (never sent: no sender runs), so the mail routes run their whole path.
  core::Throttle mail_throttle;
  core::MailOutbox outbox;
  core::MailedLinks links;
  core::AuditTrail audit;
  core::UserAdmin admin;
  core::GatewayCheck gateway;
  http::Router router;

  explicit Stack(std::string dir);
};

// The process-wide stack; the first call creates it (store connections: 2, one per worker).
Stack& stack();

}  // namespace authd::fuzz
