// The gateway check over a real SqliteStore with a manual clock: every credential kind authd
// issues names its holder, every kind of bad or revoked credential is refused, and the role
// alternatives are honoured. The credentials come from the same services the routes use, and
// every check goes the way the route sends it (served(): the remembered answer when there is
// one, else the full check), so each revocation below is also one that a remembered answer
// must not outlive.
#include "core/gateway_check.hpp"

#include <gtest/gtest.h>

#include "core/audit_trail.hpp"
#include "core/auth_service.hpp"
#include "core/credential_service.hpp"
#include "core/signing_keys.hpp"
#include "core/token_issuer.hpp"
#include "core/user_admin.hpp"
#include "crypto/digest.hpp"
#include "crypto/jws.hpp"
#include "crypto/sealing.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/forwarding_store.hpp"
#include "support/raw_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_doubles.hpp"

namespace authd::core {
namespace {

using namespace std::chrono_literals;
using boost::json::object;

constexpr std::int64_t kT0 = 1742995117241;  // 2025-03-26T13:18:37.241Z
constexpr std::string_view kPassword = "correct horse battery staple";
const std::string kSeedSecret(32, 's');

// The grants of the seed dialects, as their adapters declare them.
const SignedToken kSeed000{86400s, [](const UserView& user) {
                             return object{{"id", user.id}, {"username", user.email}};
                           }};
const SignedToken kSeed003{86400s, [](const UserView& user) { return object{{"id", user.id}}; }};

class GatewayCheckTest : public ::testing::Test {
 protected:
  GatewayCheckTest() {
    keys_.load();
    auto registered = credentials_.register_user({.email = "ada@example.com",
                                                  .password = std::string(kPassword),
                                                  .first_name = "Ada",
                                                  .last_name = "Lovelace"},
                                                 {});
    EXPECT_TRUE(registered);
    user_id_ = registered->user.id;
  }

  Authenticated login(const Grant& grant) {
    auto done =
        credentials_.login({.email = "ada@example.com", .password = std::string(kPassword)}, grant);
    EXPECT_TRUE(done) << done.error();
    return *done;
  }
  std::string v1_token() {
    return std::get<TokenPair>(login(RotatingSession{}).credential).access_token;
  }
  std::string seed_jwt(const SignedToken& grant = kSeed000) {
    return std::get<Jwt>(login(grant).credential).token;
  }
  std::string seed002_token() {
    return std::get<OpaqueToken>(login(OpaqueSession{}).credential).token;
  }

  // What the route does: the answer remembered on the I/O thread, else the full check.
  GatewayCheck::Result<CheckedIdentity> served(std::string_view credential,
                                               std::span<const std::string> roles = {}) {
    if (auto remembered = gateway_.remembered(credential, roles)) return std::move(*remembered);
    return gateway_.check(credential, roles);
  }

  AuthError refusal(std::string_view credential, std::span<const std::string> roles = {}) {
    auto checked = served(credential, roles);
    EXPECT_FALSE(checked) << "accepted: " << credential;
    return checked ? AuthError::internal : checked.error().code;
  }

  test::TempDir dir_;
  store::sqlite::SqliteStore store_{dir_.file("authd.db"), 2};
  test::ManualClock clock_{util::from_unix_millis(kT0)};
  AuthService auth_{store_, crypto::PasswordHasher(test::fast_argon2()), clock_,
                    AuthConfig{.passwords = {.min_characters = 8, .forbid_guessable = false}}};
  TokenIssuer tokens_{kSeedSecret, clock_};
  KeyRing keys_{store_,
                crypto::derive_sealing_key(std::string(32, 'k')),
                clock_,
                {.access_token_ttl = 900s, .leeway = 0s, .reload_interval = 30s}};
  SessionService sessions_{
      store_, keys_, clock_, {.access_token_ttl = 900s, .leeway = 0s}, std::string(32, 'r')};
  CredentialService credentials_{auth_, tokens_, sessions_};
  AuditTrail audit_{store_, clock_};
  UserAdmin admin_{store_, auth_, audit_, clock_};
  GatewayCheck gateway_{store_, sessions_, kSeedSecret, clock_};
  std::int64_t user_id_ = 0;
};

TEST_F(GatewayCheckTest, EveryKindOfCredentialNamesItsHolder) {
  const TokenPair pair = std::get<TokenPair>(login(RotatingSession{}).credential);
  const std::string seed002 = seed002_token();
  struct Case {
    std::string name, credential;
    bool has_session;
  };
  for (const Case& c : {Case{"v1 access token", pair.access_token, true},
                        Case{"seed 000 JWT", seed_jwt(kSeed000), false},
                        Case{"seed 003 JWT", seed_jwt(kSeed003), false},
                        Case{"seed 002 session token", seed002, true}}) {
    auto checked = served(c.credential);
    ASSERT_TRUE(checked) << c.name << ": " << checked.error();
    EXPECT_EQ(checked->user.id, user_id_) << c.name;
    EXPECT_EQ(checked->user.email, "ada@example.com") << c.name;
    EXPECT_EQ(checked->user.first_name, "Ada") << c.name;
    EXPECT_EQ(checked->user.roles, std::vector<std::string>{"user"}) << c.name;
    EXPECT_EQ(!checked->session_id.empty(), c.has_session) << c.name;
  }
  EXPECT_EQ(served(pair.access_token)->session_id, pair.session_id);
}

TEST_F(GatewayCheckTest, AnOpaqueTokenInTheSeedAppsOwnShapeIsFoundByItsHash) {
  // The seed 002 app made 64 hex digits; an imported session keeps its token's hash.
  const std::string legacy(64, 'c');
  ASSERT_TRUE(store_.record_login({.user_id = user_id_,
                                   .at = clock_.now(),
                                   .session = store::NewSession{
                                       .public_id = "legacy-session-0001",
                                       .token_hash = crypto::sha256_hex(legacy),
                                       .created_at = clock_.now(),
                                       .expires_at = clock_.now() + 1h,
                                   }}));
  const auto checked = served(legacy);
  ASSERT_TRUE(checked) << checked.error();
  EXPECT_EQ(checked->user.id, user_id_);
  EXPECT_EQ(checked->session_id, "legacy-session-0001");
}

TEST_F(GatewayCheckTest, BadCredentialsOfEveryShapeAreRefused) {
  const std::string v1 = v1_token();
  const std::string jwt = seed_jwt();
  const std::string seed002 = seed002_token();
  const auto refresh = std::get<TokenPair>(login(RotatingSession{}).credential).refresh_token;
  const std::int64_t now = kT0 / 1000;
  std::vector<std::string> bad = {
      "",
      "x",
      "a.b.c",
      v1.substr(0, v1.size() - 2) + (v1.ends_with("AA") ? "BB" : "AA"),  // signature altered
      jwt.substr(0, jwt.size() - 2) + (jwt.ends_with("AA") ? "BB" : "AA"),
      refresh,                      // a refresh token is no bearer credential
      std::string(43, 'A'),         // the shape of a seed 002 token, but no session's
      seed002.substr(0, 42) + "!",  // not base64url
      seed002 + "A",                // a token of no session's
      std::string(64, 'f'),         // the seed 002 app's shape (hex), no session's
      std::string(129, 'A'),        // too long to be a token
      crypto::sign_hs256(object{{"id", user_id_}, {"iat", now}, {"exp", now + 60}},
                         std::string(32, 'x')),                                 // another secret
      crypto::sign_hs256(object{{"id", user_id_}, {"iat", now}}, kSeedSecret),  // no exp
      crypto::sign_hs256(object{{"id", user_id_}, {"exp", now + 60}}, kSeedSecret),  // no iat
      crypto::sign_hs256(object{{"id", "1"}, {"iat", now}, {"exp", now + 60}}, kSeedSecret),
      crypto::sign_hs256(object{{"id", 0}, {"iat", now}, {"exp", now + 60}}, kSeedSecret),
      crypto::sign_hs256(object{{"id", 999}, {"iat", now}, {"exp", now + 60}}, kSeedSecret),
      crypto::sign_hs256(object{{"sub", std::to_string(user_id_)}, {"iat", now}, {"exp", now + 60}},
                         kSeedSecret),
  };
  // alg "none" with the claims of a valid token.
  bad.push_back("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." +
                jwt.substr(jwt.find('.') + 1, jwt.rfind('.') - jwt.find('.')));
  for (const auto& credential : bad) EXPECT_EQ(refusal(credential), AuthError::invalid_token);
}

TEST_F(GatewayCheckTest, ExpiredCredentialsAreRefused) {
  const std::string v1 = v1_token();
  const std::string jwt = seed_jwt();
  for (const auto& credential : {v1, jwt}) ASSERT_TRUE(served(credential));
  clock_.advance(900s);
  EXPECT_EQ(refusal(v1), AuthError::invalid_token);
  EXPECT_TRUE(served(jwt)) << "a seed JWT lives 24 hours";
  clock_.advance(86400s - 900s);
  EXPECT_EQ(refusal(jwt), AuthError::invalid_token) << "no leeway, as jsonwebtoken's default";
  const std::string seed002 = seed002_token();
  ASSERT_TRUE(served(seed002));
  clock_.advance(std::chrono::hours(24 * 7));
  EXPECT_EQ(refusal(seed002), AuthError::invalid_token) << "its session expired";
}

TEST_F(GatewayCheckTest, LogoutAndAReplacedSeedSessionHoldAtOnce) {
  const TokenPair pair = std::get<TokenPair>(login(RotatingSession{}).credential);
  ASSERT_TRUE(served(pair.access_token));  // remembered from here
  ASSERT_TRUE(
      sessions_.revoke({.user_id = user_id_, .session_id = pair.session_id}, pair.session_id, {}));
  EXPECT_EQ(refusal(pair.access_token), AuthError::invalid_token);

  const std::string first = seed002_token();
  ASSERT_TRUE(served(first));
  const std::string second = seed002_token();  // "updates the session token"
  EXPECT_EQ(refusal(first), AuthError::invalid_token);
  EXPECT_TRUE(served(second));
}

TEST_F(GatewayCheckTest, DeactivationRefusesEveryCredentialAndReactivationRevivesNone) {
  const std::string v1 = v1_token();
  const std::string jwt = seed_jwt();
  const std::string seed002 = seed002_token();
  for (const auto& credential : {v1, jwt, seed002}) ASSERT_TRUE(served(credential));
  ASSERT_TRUE(admin_.set_active(Actor::cli(), "ada@example.com", false));
  for (const auto& credential : {v1, jwt, seed002}) {
    EXPECT_EQ(refusal(credential), AuthError::invalid_token);
  }
  clock_.advance(1s);
  ASSERT_TRUE(admin_.set_active(Actor::cli(), "ada@example.com", true));
  for (const auto& credential : {v1, jwt, seed002}) {
    EXPECT_EQ(refusal(credential), AuthError::invalid_token) << "revived: " << credential;
  }
  EXPECT_TRUE(served(seed_jwt())) << "a JWT issued after the reactivation works";
  EXPECT_TRUE(served(v1_token()));
}

TEST_F(GatewayCheckTest, EndingEverySessionAlsoVoidsSeedJwts) {
  const std::string jwt = seed_jwt(kSeed003);
  const std::string seed002 = seed002_token();
  for (const auto& credential : {jwt, seed002}) ASSERT_TRUE(served(credential));
  clock_.advance(10s);
  ASSERT_TRUE(admin_.revoke_sessions(Actor::cli(), "ada@example.com"));
  EXPECT_EQ(refusal(jwt), AuthError::invalid_token);
  EXPECT_EQ(refusal(seed002), AuthError::invalid_token);
  clock_.advance(1s);
  EXPECT_TRUE(served(seed_jwt(kSeed003)));
}

TEST_F(GatewayCheckTest, DeletionRefusesEveryCredential) {
  const std::string v1 = v1_token();
  const std::string jwt = seed_jwt();
  const std::string seed002 = seed002_token();
  for (const auto& credential : {v1, jwt, seed002}) ASSERT_TRUE(served(credential));
  ASSERT_TRUE(admin_.remove(Actor::cli(), "ada@example.com"));
  for (const auto& credential : {v1, jwt, seed002}) {
    EXPECT_EQ(refusal(credential), AuthError::invalid_token);
  }
}

TEST_F(GatewayCheckTest, AnyOneOfTheRolesSufficesAndChangesHoldAtOnce) {
  const std::string jwt = seed_jwt();
  const std::vector<std::string> sellers{"seller"};
  const std::vector<std::string> either{"admin", "user"};
  EXPECT_TRUE(served(jwt, either));
  EXPECT_EQ(refusal(jwt, sellers), AuthError::role_required);
  ASSERT_TRUE(store_.create_role("seller"));
  ASSERT_TRUE(admin_.add_role(Actor::cli(), "ada@example.com", "seller"));
  auto checked = served(jwt, sellers);
  ASSERT_TRUE(checked) << "the role counts from the next check, with the same token";
  EXPECT_EQ(checked->user.roles, (std::vector<std::string>{"user", "seller"}));
  ASSERT_TRUE(admin_.remove_role(Actor::cli(), "ada@example.com", "seller"));
  EXPECT_EQ(refusal(jwt, sellers), AuthError::role_required);
  EXPECT_EQ(refusal("not-a-token", sellers), AuthError::invalid_token)
      << "a bad credential is 401 whatever the roles";
}

// The remembered answers themselves: given only for a credential checked before, only while
// nothing was committed to the store (by any connection) and only until the credential ends.
TEST_F(GatewayCheckTest, AnAnswerIsRememberedUntilAnythingIsCommitted) {
  const std::string v1 = v1_token();
  const std::string jwt = seed_jwt(kSeed003);
  const std::string seed002 = seed002_token();
  for (const auto& credential : {v1, jwt, seed002}) {
    EXPECT_FALSE(gateway_.remembered(credential, {})) << "never checked: " << credential;
    ASSERT_TRUE(gateway_.check(credential));
  }
  ASSERT_TRUE(store_.find_user_by_id(user_id_));  // reads change nothing
  for (const auto& credential : {v1, jwt, seed002}) {
    const auto remembered = gateway_.remembered(credential, {});
    ASSERT_TRUE(remembered && *remembered) << credential;
    EXPECT_EQ((*remembered)->user.id, user_id_);
    EXPECT_EQ((*remembered)->user.first_name, "Ada");
    const std::vector<std::string> sellers{"seller"};
    const auto refused = gateway_.remembered(credential, sellers);
    ASSERT_TRUE(refused && !*refused) << "the roles asked for are checked against it too";
    EXPECT_EQ(refused->error().code, AuthError::role_required);
  }
  EXPECT_FALSE(gateway_.remembered(v1 + "x", {})) << "only the exact credential";

  // A write through another connection, as another process or instance would make it.
  test::RawDb other(dir_.file("authd.db"));
  other.execute("UPDATE users SET first_name = 'Augusta' WHERE id = " + std::to_string(user_id_));
  for (const auto& credential : {v1, jwt, seed002}) {
    EXPECT_FALSE(gateway_.remembered(credential, {})) << "the store changed: " << credential;
    const auto checked = served(credential);
    ASSERT_TRUE(checked);
    EXPECT_EQ(checked->user.first_name, "Augusta") << "read again";
  }
  // A write to anything at all (here an audit row) ends every remembered answer.
  ASSERT_TRUE(gateway_.remembered(v1, {}));
  other.execute("INSERT INTO roles (name) VALUES ('unrelated')");
  EXPECT_FALSE(gateway_.remembered(v1, {}));
}

TEST_F(GatewayCheckTest, ARememberedAnswerEndsWithItsCredential) {
  const std::string v1 = v1_token();   // 900 s, no leeway here
  const std::string jwt = seed_jwt();  // 24 h
  for (const auto& credential : {v1, jwt}) ASSERT_TRUE(gateway_.check(credential));
  clock_.advance(30s);
  EXPECT_FALSE(gateway_.remembered(v1, {}))
      << "the key set in memory is older than its reload interval: the full check reloads it";
  EXPECT_TRUE(gateway_.remembered(jwt, {})) << "a seed JWT has no signing key to ask about";
  ASSERT_TRUE(gateway_.check(v1));
  EXPECT_TRUE(gateway_.remembered(v1, {}));
  clock_.advance(869s);
  keys_.jwks();  // what any request using the key set does every reload interval
  EXPECT_TRUE(gateway_.remembered(v1, {}));
  clock_.advance(1s);
  EXPECT_FALSE(gateway_.remembered(v1, {})) << "the access token expired";
  EXPECT_TRUE(gateway_.remembered(jwt, {}));
  clock_.advance(86400s - 900s);
  EXPECT_FALSE(gateway_.remembered(jwt, {})) << "the seed JWT expired";
}

TEST(GatewayCheckWithoutStamp, AStoreThatCannotTellWhatChangedIsReadOnEveryCheck) {
  // A store with no change stamp, as PostgreSQL: the SQLite store behind a forwarding one.
  test::TempDir dir;
  store::sqlite::SqliteStore sqlite{dir.file("authd.db"), 1};
  test::ForwardingStore store{sqlite};
  ASSERT_FALSE(store.change_stamp());
  test::ManualClock clock{util::from_unix_millis(kT0)};
  KeyRing keys{store,
               crypto::derive_sealing_key(std::string(32, 'k')),
               clock,
               {.access_token_ttl = 900s, .leeway = 0s, .reload_interval = 30s}};
  keys.load();
  SessionService sessions{
      store, keys, clock, {.access_token_ttl = 900s, .leeway = 0s}, std::string(32, 'r')};
  GatewayCheck gateway{store, sessions, kSeedSecret, clock};
  auto user = store.create_user({.email = "ada@example.com",
                                 .email_key = "ada@example.com",
                                 .password_hash = "$argon2id$v=19$m=8192,t=1,p=1$c2FsdA$aGFzaA",
                                 .first_name = std::nullopt,
                                 .last_name = std::nullopt,
                                 .roles = {"user"},
                                 .now = clock.now()},
                                std::nullopt);
  ASSERT_TRUE(user);
  const std::string jwt = TokenIssuer{kSeedSecret, clock}.issue(object{{"id", user->id}}, 3600s);
  ASSERT_TRUE(gateway.check(jwt));
  EXPECT_FALSE(gateway.remembered(jwt, {}));
}

}  // namespace
}  // namespace authd::core
