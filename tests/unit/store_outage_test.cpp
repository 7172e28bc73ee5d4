// When the store cannot be reached every dialect answers 503 with Retry-After in its own error
// envelope (never a 500, never a hang), and /readyz reports 503. A store double stands in for
// the outage here; the real outage of a real server is an integration concern.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/health.hpp"
#include "api/seed000.hpp"
#include "api/seed002.hpp"
#include "api/seed003.hpp"
#include "core/auth_service.hpp"
#include "core/credential_service.hpp"
#include "core/token_issuer.hpp"
#include "crypto/sealing.hpp"

namespace authd {
namespace {

using store::StoreError;

class UnreachableStore final : public store::Store {
 public:
  store::Result<store::UserRecord> create_user(const store::NewUser&,
                                               const std::optional<store::NewSession>&) override {
    return StoreError::unavailable;
  }
  store::Result<std::optional<store::UserRecord>> find_user_by_email(std::string_view) override {
    return StoreError::unavailable;
  }
  store::Result<std::optional<store::UserRecord>> find_user_by_id(std::int64_t) override {
    return StoreError::unavailable;
  }
  store::Result<std::vector<std::string>> existing_roles(std::span<const std::string>) override {
    return StoreError::unavailable;
  }
  store::Result<store::UserRecord> record_login(const store::LoginUpdate&) override {
    return StoreError::unavailable;
  }
  store::Result<bool> change_password(const store::PasswordChange&) override {
    return StoreError::unavailable;
  }
  store::Result<bool> issue_action_token(const store::NewActionToken&,
                                         const std::optional<store::OutboxMessage>&) override {
    return StoreError::unavailable;
  }
  store::Result<std::optional<store::ActionTokenRecord>> find_action_token(
      std::string_view, std::string_view, util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<std::optional<std::int64_t>> redeem_action_token(
      const store::TokenRedemption&) override {
    return StoreError::unavailable;
  }
  store::Result<void> queue_mail(const store::OutboxMessage&) override {
    return StoreError::unavailable;
  }
  store::Result<std::vector<store::ClaimedMail>> claim_mail(util::TimePoint, util::TimePoint,
                                                            std::size_t) override {
    return StoreError::unavailable;
  }
  store::Result<void> finish_mail(std::int64_t, std::int64_t, store::MailOutcome, util::TimePoint,
                                  std::string_view, util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<store::OutboxStats> outbox_stats() override { return StoreError::unavailable; }
  store::Result<std::int64_t> purge_mail(util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<bool> set_user_active(std::int64_t, bool, util::TimePoint,
                                      std::string_view) override {
    return StoreError::unavailable;
  }
  store::Result<bool> add_user_role(std::int64_t, std::string_view) override {
    return StoreError::unavailable;
  }
  store::Result<bool> remove_user_role(std::int64_t, std::string_view, std::string_view) override {
    return StoreError::unavailable;
  }
  store::Result<bool> update_user(std::int64_t, const store::UserChanges&,
                                  std::string_view) override {
    return StoreError::unavailable;
  }
  store::Result<bool> delete_user(std::int64_t, std::string_view) override {
    return StoreError::unavailable;
  }
  store::Result<std::vector<store::UserRecord>> list_users(const store::UserQuery&) override {
    return StoreError::unavailable;
  }
  store::Result<std::vector<store::RoleRecord>> list_roles() override {
    return StoreError::unavailable;
  }
  store::Result<bool> create_role(std::string_view) override { return StoreError::unavailable; }
  store::Result<store::RoleDeletion> delete_role(std::string_view, bool) override {
    return StoreError::unavailable;
  }
  store::Result<void> append_audit(const store::AuditRecord&) override {
    return StoreError::unavailable;
  }
  store::Result<std::vector<store::AuditRecord>> list_audit(std::int64_t, std::size_t) override {
    return StoreError::unavailable;
  }
  store::Result<std::int64_t> purge_audit(util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<std::vector<store::ThrottleRecord>> get_throttles(
      std::span<const std::string>) override {
    return StoreError::unavailable;
  }
  store::Result<bool> put_throttle(std::string_view, std::int64_t,
                                   const store::ThrottleRecord&) override {
    return StoreError::unavailable;
  }
  store::Result<void> clear_throttle(std::string_view) override { return StoreError::unavailable; }
  store::Result<std::int64_t> purge_throttles(util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<std::optional<store::OwnedSession>> find_session(std::string_view,
                                                                 std::string_view) override {
    return StoreError::unavailable;
  }
  store::Result<std::optional<store::OwnedSession>> find_opaque_session(std::string_view) override {
    return StoreError::unavailable;
  }
  store::Result<std::vector<store::SessionRecord>> list_live_sessions(std::int64_t,
                                                                      store::SessionFamily,
                                                                      util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<bool> revoke_session(std::int64_t, std::string_view, util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<std::int64_t> revoke_user_sessions(std::int64_t, util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<std::optional<store::RefreshTokenRecord>> find_refresh_token(
      std::string_view) override {
    return StoreError::unavailable;
  }
  store::Result<bool> rotate_refresh_token(std::int64_t, std::int64_t, std::string_view,
                                           util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<std::int64_t> purge_sessions(util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<void> add_signing_key(const store::SigningKeyRecord&) override {
    return StoreError::unavailable;
  }
  store::Result<std::vector<store::SigningKeyRecord>> signing_keys() override {
    return StoreError::unavailable;
  }
  store::Result<store::ImportClashes> find_import_clashes(std::span<const store::ImportedUser>,
                                                          util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<void> import_users(std::span<const store::ImportedUser>, util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<void> reserve_user_ids(std::int64_t) override { return StoreError::unavailable; }
  store::Result<std::vector<std::pair<std::string, std::int64_t>>> count_password_schemes()
      override {
    return StoreError::unavailable;
  }
  store::Result<std::int64_t> count_active_sessions(util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<bool> revoke_signing_key(std::string_view, util::TimePoint) override {
    return StoreError::unavailable;
  }
  store::Result<void> ping() override { return StoreError::unavailable; }
  store::Result<void> check_writable(util::TimePoint) override { return StoreError::unavailable; }
};

class StoreOutage : public ::testing::Test {
 protected:
  StoreOutage() {
    api::add_seed000_routes(router_, credentials_);
    api::add_seed002_routes(router_, credentials_);
    api::add_seed003_routes(router_, credentials_);
    api::add_health_routes(router_, auth_);
  }

  http::Response call(const std::string& method, const std::string& path, const std::string& body) {
    const auto match = router_.match(method, path);
    EXPECT_EQ(match.outcome, http::RouteMatch::Outcome::found) << method << " " << path;
    return match.route->handler(http::Request{.method = method, .path = path, .body = body});
  }

  static std::string retry_after(const http::Response& response) {
    for (const auto& [name, value] : response.headers) {
      if (name == "Retry-After") return value;
    }
    return {};
  }

  UnreachableStore store_;
  core::SystemClock clock_;
  core::AuthService auth_{
      store_, crypto::PasswordHasher({.argon2_opslimit = 1, .argon2_memlimit = 8 << 20}), clock_,
      core::AuthConfig{}};
  core::TokenIssuer tokens_{std::string(32, 'k'), clock_};
  core::KeyRing keys_{store_, crypto::derive_sealing_key(std::string(32, 'k')), clock_, {}};
  core::SessionService sessions_{store_, keys_, clock_, {}, std::string(32, 'r')};
  core::CredentialService credentials_{auth_, tokens_, sessions_};
  observability::Metrics metrics_;
  http::Router router_;
};

const std::string kCredentials =
    R"({"email":"a@example.com","password":"zebra-lamp-orbit","first_name":"A","last_name":"B"})";

TEST_F(StoreOutage, EveryDialectAnswers503WithRetryAfterInItsEnvelope) {
  struct Case {
    const char* method;
    const char* path;
    const char* envelope_key;
  };
  for (const Case& c :
       {Case{"POST", "/auth/register", "message"}, Case{"POST", "/auth/login", "message"},
        Case{"POST", "/auth", "error"}, Case{"PUT", "/auth", "error"},
        Case{"POST", "/api/auth/register", "error"}, Case{"POST", "/api/auth/login", "error"}}) {
    const auto response = call(c.method, c.path, kCredentials);
    EXPECT_EQ(response.status, 503) << c.method << " " << c.path;
    EXPECT_EQ(retry_after(response), "1") << c.path;
    const auto body = boost::json::parse(response.body).as_object();
    EXPECT_TRUE(body.contains(c.envelope_key)) << response.body;
  }
}

TEST_F(StoreOutage, ReadyzIs503AndHealthzStaysAlive) {
  const auto ready = call("GET", "/readyz", "");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(retry_after(ready), "1");
  EXPECT_EQ(boost::json::parse(ready.body), (boost::json::object{{"status", "not ready"}}));
  EXPECT_EQ(call("GET", "/healthz", "").status, 200) << "liveness does not depend on the store";
}

}  // namespace
}  // namespace authd
