// AuthService over a real SqliteStore in a temp folder, with a manual clock and cheap hashing
// parameters: validation of every input, login outcomes, timestamps, sessions, the role policy
// and the bcrypt-to-argon2id upgrade. Also TokenIssuer's iat/exp and signature.
#include "core/auth_service.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <boost/json/object.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/email.hpp"
#include "core/token_issuer.hpp"
#include "crypto/digest.hpp"
#include "crypto/jws.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/raw_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_doubles.hpp"

namespace authd::core {
namespace {

using namespace std::chrono_literals;
using test::fast_argon2;
using test::fast_bcrypt;
using test::ManualClock;
using test::RawDb;
using test::Row;
using test::TempDir;

std::string describe(const AuthFailure& failure) {
  return make_error_code(failure.code).message();
}

constexpr std::int64_t kT0 = 1742995117241;  // 2025-03-26T13:18:37.241Z
constexpr std::string_view kPassword = "correct horse battery staple";

RegistrationRequest registration(std::string email, std::string_view password = kPassword) {
  RegistrationRequest request;
  request.email = std::move(email);
  request.password = std::string(password);
  return request;
}

LoginRequest login_of(std::string email, std::string_view password = kPassword) {
  LoginRequest request;
  request.email = std::move(email);
  request.password = std::string(password);
  return request;
}

// A password of `bytes` bytes that no dictionary or pattern explains (a repeated letter would
// be refused as guessable before any length rule is reached).
std::string varied_password(std::size_t bytes, char salt = 'k') {
  constexpr std::string_view kAlphabet = "q7Lm#2vZ9xR!4pWd8sKe3$Tn6bYh5Gc";
  std::string password;
  for (std::size_t i = 0; i < bytes; ++i) {
    password.push_back(kAlphabet[(i * 11 + static_cast<std::size_t>(salt)) % kAlphabet.size()]);
  }
  return password;
}

class AuthServiceTest : public ::testing::Test {
 protected:
  AuthService& service() { return *service_; }

  // Replaces the service under test; the store and clock are kept.
  void configure(crypto::PasswordHashConfig hashing, AuthConfig config = {}) {
    hashing_ = hashing;
    service_ = std::make_unique<AuthService>(store_, crypto::PasswordHasher(hashing), clock_,
                                             std::move(config));
  }

  // The longest password the configured hashing takes (the limit the errors name).
  std::size_t max_password_bytes() const {
    return crypto::PasswordHasher(hashing_).max_password_bytes();
  }

  std::string stored_hash(std::int64_t id) {
    return raw_.scalar("SELECT password_hash FROM users WHERE id = " + std::to_string(id));
  }

  TempDir dir_;
  std::string path_ = dir_.file("authd.db");
  store::sqlite::SqliteStore store_{path_, 2};
  RawDb raw_{path_};
  ManualClock clock_{util::from_unix_millis(kT0)};
  crypto::PasswordHashConfig hashing_ = fast_argon2();
  std::unique_ptr<AuthService> service_ =
      std::make_unique<AuthService>(store_, crypto::PasswordHasher(hashing_), clock_, AuthConfig{});
};

TEST_F(AuthServiceTest, RegisterThenLogin) {
  RegistrationRequest request = registration("ada@example.com");
  request.first_name = "Ada";
  request.last_name = "Lovelace";
  auto registered = service().register_user(request);
  ASSERT_TRUE(registered) << describe(registered.error());
  EXPECT_EQ(registered->user.id, 1);
  EXPECT_EQ(registered->user.email, "ada@example.com");
  EXPECT_EQ(registered->user.first_name, std::optional<std::string>("Ada"));
  EXPECT_EQ(registered->user.last_name, std::optional<std::string>("Lovelace"));
  EXPECT_TRUE(registered->user.is_active);
  EXPECT_EQ(registered->user.roles, std::vector<std::string>{"user"});
  EXPECT_EQ(registered->session_token, std::nullopt);
  EXPECT_TRUE(registered->user.password_hash.starts_with("$argon2id$"));
  EXPECT_EQ(registered->user.password_hash.find(kPassword), std::string::npos);

  auto logged_in = service().login(login_of("ada@example.com"));
  ASSERT_TRUE(logged_in) << describe(logged_in.error());
  EXPECT_EQ(logged_in->user.id, 1);
  EXPECT_EQ(logged_in->user.first_name, std::optional<std::string>("Ada"));
  EXPECT_EQ(logged_in->user.roles, std::vector<std::string>{"user"});
  EXPECT_EQ(logged_in->session_token, std::nullopt);
  EXPECT_TRUE(service().store_ready());
}

TEST_F(AuthServiceTest, EmailIsTrimmedAndCaseFolded) {
  auto registered = service().register_user(registration(" Ada@Example.COM "));
  ASSERT_TRUE(registered) << describe(registered.error());
  EXPECT_EQ(registered->user.email, "Ada@Example.COM") << "display form is trimmed, not folded";
  EXPECT_EQ(raw_.scalar("SELECT email_key FROM users"), "ada@example.com");

  auto logged_in = service().login(login_of("ada@example.com"));
  ASSERT_TRUE(logged_in) << describe(logged_in.error());
  EXPECT_EQ(logged_in->user.id, registered->user.id);
  EXPECT_TRUE(service().login(login_of("\tADA@EXAMPLE.com\n")));

  auto again = service().register_user(registration("ADA@example.com"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), AuthError::email_taken);
}

TEST_F(AuthServiceTest, InvalidEmailsAreRejected) {
  const std::string local64(64, 'l');
  const std::string label63(63, 'd');
  const std::vector<std::string> invalid{
      "",
      "   ",
      "ada.example.com",
      "@example.com",
      "ada@",
      "@",
      local64 + "l@example.com",                                       // local part of 65 bytes
      "x@" + label63 + "." + label63 + "." + label63 + "." + label63,  // 255 bytes in all
      "ada@" + label63 + "d.com",                                      // a label of 64 bytes
      "ada lovelace@example.com",                                      // space inside
      "ada@exam\tple.com",                                             // tab inside
      std::string("ada\0@example.com", 16),                            // NUL inside
      "ada\x01@example.com",                                           // control character
      "ada@example.com\x7f",                                           // DEL is not trimmed away
      "ada\r\n@example.com",                                           // header-injection shape
      "a@b@example.com",                                               // two @
      "ada@example.com|from:127.0.0.1",                                // not a domain
      "ada@example.com.",                                              // a trailing dot
      "ada@-example.com",                                              // a label starts with -
      "ada@example-.com",                                              // or ends with one
      "ada@exa_mple.com",                                              // _ in a domain
      "ada@example..com",                                              // an empty label
      "\xC2\xA0"
      "ada@example.com",  // NBSP is not trimmed
      "\xC2\x85"
      "ada@example.com",              // nor NEL
      "ada\xE2\x80\x8B@example.com",  // zero-width space
      "\xEF\xBD\x81"
      "da@example.com",  // full-width a
      "ada@\xE2\x84\xAA"
      "elvin.example",  // the Kelvin sign
      "\xC4\xB1"
      "da@example.com",          // dotless i
      "ad\xC3\xA9@example.com",  // any non-ASCII letter
      "\"ada\"@example.com",     // quoted local parts
      "ada@[192.0.2.1]",         // address literals
  };
  for (const std::string& email : invalid) {
    auto result = service().register_user(registration(email));
    ASSERT_FALSE(result) << "accepted: " << email;
    EXPECT_EQ(result.error(), AuthError::invalid_email) << email;
  }
  EXPECT_EQ(raw_.scalar("SELECT COUNT(*) FROM users"), "0");

  // The limits themselves are allowed, and so is everything HTML's grammar allows.
  EXPECT_TRUE(service().register_user(registration(local64 + "@example.com")));
  const std::string longest =
      "x@" + label63 + "." + label63 + "." + label63 + "." + std::string(60, 'd');
  ASSERT_EQ(longest.size(), kMaxEmailBytes);
  EXPECT_TRUE(service().register_user(registration(longest)));
  for (const char* valid : {"o'brien+tag@example.com", "a.b-c_d!#$%&*/=?^`{|}~@x-1.example",
                            "user@localhost", ".dot.@example.com", "UPPER@EXAMPLE.COM"}) {
    auto registered = service().register_user(registration(valid));
    EXPECT_TRUE(registered) << valid << ": " << describe(registered.error());
  }
}

TEST_F(AuthServiceTest, LookalikeAddressesCannotMakeASecondAccount) {
  ASSERT_TRUE(service().register_user(registration("ada@example.com")));
  for (const char* lookalike :
       {" ada@example.com", "ada@example.com ", "\tADA@Example.com\n", "Ada@Example.Com"}) {
    auto again = service().register_user(registration(lookalike));
    ASSERT_FALSE(again) << lookalike;
    EXPECT_EQ(again.error(), AuthError::email_taken) << lookalike;
  }
  for (const char* lookalike : {"\xEF\xBD\x81"
                                "da@example.com",
                                "ada@example.com.",
                                "\xC2\xA0"
                                "ada@example.com",
                                "ada@\xD0\xB5xample.com" /* Cyrillic e */}) {
    auto again = service().register_user(registration(lookalike));
    ASSERT_FALSE(again) << lookalike;
    EXPECT_EQ(again.error(), AuthError::invalid_email) << lookalike;
  }
  EXPECT_EQ(raw_.scalar("SELECT COUNT(*) FROM users"), "1");
}

TEST_F(AuthServiceTest, InvalidPasswordsAreRejected) {
  const std::vector<std::string> invalid{
      "",
      std::string("pass\0word", 9),
      std::string(max_password_bytes() + 1, 'p'),
  };
  for (const std::string& password : invalid) {
    auto result = service().register_user(registration("ada@example.com", password));
    ASSERT_FALSE(result) << "accepted a password of " << password.size() << " bytes";
    EXPECT_EQ(result.error(), AuthError::invalid_password);
  }
  EXPECT_EQ(raw_.scalar("SELECT COUNT(*) FROM users"), "0");
  const std::string longest = varied_password(max_password_bytes());
  ASSERT_TRUE(service().register_user(registration("ada@example.com", longest)));
  EXPECT_TRUE(service().login(login_of("ada@example.com", longest)));

  for (const std::string& password : invalid) {
    auto result = service().login(login_of("ada@example.com", password));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), AuthError::invalid_password);
  }
}

TEST_F(AuthServiceTest, NewBcryptPasswordsAreLimitedTo72BytesAndVerifiedAsBcryptDoes) {
  configure(fast_bcrypt());
  EXPECT_EQ(max_password_bytes(), 72u);
  const std::string p72 = varied_password(72);
  const std::string p73 = p72 + "q";

  auto too_long = service().register_user(registration("long@example.com", p73));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error(), AuthError::invalid_password);

  auto registered = service().register_user(registration("ada@example.com", p72));
  ASSERT_TRUE(registered) << describe(registered.error());
  EXPECT_TRUE(registered->user.password_hash.starts_with("$2b$04$"));
  EXPECT_TRUE(service().login(login_of("ada@example.com", p72)));

  // A stored bcrypt hash is verified by the first 72 bytes, as bcrypt itself does (so users
  // whose old app took longer passwords log in, and this costs a real verification).
  EXPECT_TRUE(service().login(login_of("ada@example.com", p73)));
  auto other_prefix = service().login(login_of("ada@example.com", varied_password(73, 'z')));
  ASSERT_FALSE(other_prefix);
  EXPECT_EQ(other_prefix.error(), AuthError::wrong_password);
  auto login_huge = service().login(
      login_of("ada@example.com", varied_password(crypto::kMaxPasswordBytesAnyAlgorithm + 1)));
  ASSERT_FALSE(login_huge);
  EXPECT_EQ(login_huge.error(), AuthError::invalid_password);

  // After a switch to argon2id, a login with more than 72 bytes upgrades the hash to one of the
  // whole password (NIST SP 800-63B-4: never truncated): from then on that password logs in,
  // and another with the same first 72 bytes no longer does.
  configure(fast_argon2());
  EXPECT_TRUE(service().login(login_of("ada@example.com", p73)));
  EXPECT_TRUE(stored_hash(registered->user.id).starts_with("$argon2id$"));
  EXPECT_TRUE(service().login(login_of("ada@example.com", p73)));
  auto truncated = service().login(login_of("ada@example.com", p72));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error(), AuthError::wrong_password);
}

TEST_F(AuthServiceTest, SwitchingToBcryptKeepsLongArgon2PasswordsWorking) {
  configure(fast_argon2());
  const std::string long_password = varied_password(100);
  auto registered = service().register_user(registration("long@example.com", long_password));
  ASSERT_TRUE(registered) << describe(registered.error());

  configure(fast_bcrypt());
  EXPECT_TRUE(service().login(login_of("long@example.com", long_password)));
  // Too long to rehash with bcrypt without truncating: the argon2id hash is kept.
  EXPECT_TRUE(stored_hash(registered->user.id).starts_with("$argon2id$"));
}

TEST_F(AuthServiceTest, InvalidNamesAreRejected) {
  const std::string name128(128, 'n');
  const std::vector<std::string> invalid{std::string(129, 'n'), "Ada\nLovelace", "Ada\x7f",
                                         std::string("A\0da", 4), "Tab\there"};
  for (const std::string& name : invalid) {
    RegistrationRequest first = registration("ada@example.com");
    first.first_name = name;
    auto result = service().register_user(first);
    ASSERT_FALSE(result) << name;
    EXPECT_EQ(result.error(), AuthError::invalid_name);

    RegistrationRequest last = registration("ada@example.com");
    last.last_name = name;
    result = service().register_user(last);
    ASSERT_FALSE(result) << name;
    EXPECT_EQ(result.error(), AuthError::invalid_name);
  }
  EXPECT_EQ(raw_.scalar("SELECT COUNT(*) FROM users"), "0");

  RegistrationRequest longest = registration("ada@example.com");
  longest.first_name = name128;
  longest.last_name = "Lovelace-Byron \xC3\xA9";  // UTF-8 is not a control character
  auto ok = service().register_user(longest);
  ASSERT_TRUE(ok) << describe(ok.error());
  EXPECT_EQ(ok->user.first_name, std::optional(name128));
}

TEST_F(AuthServiceTest, UnknownEmailIsUserNotFound) {
  ASSERT_TRUE(service().register_user(registration("ada@example.com")));
  for (const char* email : {"bob@example.com", "ada@example.org"}) {
    auto result = service().login(login_of(email));
    ASSERT_FALSE(result) << email;
    EXPECT_EQ(result.error(), AuthError::user_not_found) << email;
  }
  // An address outside the grammar names no account on any route: a client error.
  for (const char* email : {"not-an-email", "a@b@example.com", "ada@example.com."}) {
    auto result = service().login(login_of(email));
    ASSERT_FALSE(result) << email;
    EXPECT_EQ(result.error(), AuthError::invalid_email) << email;
  }
}

TEST_F(AuthServiceTest, WrongPasswordIsRejected) {
  ASSERT_TRUE(service().register_user(registration("ada@example.com")));
  for (const char* password :
       {"correct horse battery stapler", "Correct horse battery staple", "correct horse battery"}) {
    auto result = service().login(login_of("ada@example.com", password));
    ASSERT_FALSE(result) << password;
    EXPECT_EQ(result.error(), AuthError::wrong_password);
  }
  EXPECT_EQ(raw_.query("SELECT last_login FROM users")[0][0], std::nullopt)
      << "a failed login is not a login";
}

TEST_F(AuthServiceTest, DisabledAccountNeedsTheRightPasswordToSaySo) {
  ASSERT_TRUE(service().register_user(registration("ada@example.com")));
  raw_.query("UPDATE users SET is_active = 0");

  auto right = service().login(login_of("ada@example.com"));
  ASSERT_FALSE(right);
  EXPECT_EQ(right.error(), AuthError::account_disabled);

  auto wrong = service().login(login_of("ada@example.com", "guess"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error(), AuthError::wrong_password) << "must not reveal the account state";
  EXPECT_EQ(raw_.query("SELECT last_login FROM users")[0][0], std::nullopt);
}

TEST_F(AuthServiceTest, TimestampsComeFromTheClock) {
  auto registered = service().register_user(registration("ada@example.com"));
  ASSERT_TRUE(registered);
  EXPECT_EQ(util::to_unix_millis(registered->user.created_at), kT0);
  EXPECT_EQ(util::to_unix_millis(registered->user.updated_at), kT0);
  EXPECT_EQ(registered->user.last_login, std::nullopt);

  clock_.advance(90'061'007ms);
  const std::int64_t t1 = kT0 + 90'061'007;
  auto logged_in = service().login(login_of("ada@example.com"));
  ASSERT_TRUE(logged_in);
  EXPECT_EQ(logged_in->user.last_login, std::optional(util::from_unix_millis(t1)));
  EXPECT_EQ(util::to_unix_millis(logged_in->user.updated_at), t1);
  EXPECT_EQ(util::to_unix_millis(logged_in->user.created_at), kT0);
  EXPECT_EQ(raw_.query("SELECT created_at, updated_at, last_login FROM users")[0],
            (Row{std::to_string(kT0), std::to_string(t1), std::to_string(t1)}));
}

TEST_F(AuthServiceTest, SessionsStoreOnlyTheTokenHashAndLoginReplacesThem) {
  configure(fast_argon2(), AuthConfig{.session_ttl = 2h});
  RegistrationRequest request = registration("ada@example.com");
  request.open_session = store::SessionFamily::opaque;
  request.client = {.user_agent = "test-agent/1", .address = "198.51.100.4"};
  auto registered = service().register_user(request);
  ASSERT_TRUE(registered) << describe(registered.error());
  ASSERT_TRUE(registered->session_token);
  const std::string first = *registered->session_token;
  EXPECT_EQ(first.size(), 43u);

  EXPECT_EQ(raw_.query("SELECT user_id, kind, token_hash, created_at, expires_at, revoked_at, "
                       "user_agent, client_address FROM sessions"),
            (std::vector<Row>{{"1", "opaque", crypto::sha256_hex(first), std::to_string(kT0),
                               std::to_string(kT0 + 7'200'000), std::nullopt, "test-agent/1",
                               "198.51.100.4"}}));
  EXPECT_EQ(raw_.scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = '" + first +
                        "' OR user_agent = '" + first + "'"),
            "0");

  clock_.advance(5000ms);
  LoginRequest again = login_of("ada@example.com");
  again.open_session = store::SessionFamily::opaque;
  auto logged_in = service().login(again);
  ASSERT_TRUE(logged_in) << describe(logged_in.error());
  ASSERT_TRUE(logged_in->session_token);
  const std::string second = *logged_in->session_token;
  EXPECT_NE(second, first);
  EXPECT_EQ(raw_.query("SELECT token_hash, revoked_at FROM sessions ORDER BY id"),
            (std::vector<Row>{{crypto::sha256_hex(first), std::to_string(kT0 + 5000)},
                              {crypto::sha256_hex(second), std::nullopt}}));

  // A login that asks for no session leaves the live one alone.
  auto plain = service().login(login_of("ada@example.com"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->session_token, std::nullopt);
  EXPECT_EQ(raw_.scalar("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL"), "1");
}

// Registers `email` asking for `requested` and returns the roles it got, after checking that a
// login reads the same roles back from the store.
std::vector<std::string> roles_after_registering(AuthService& service, const std::string& email,
                                                 std::vector<std::string> requested) {
  RegistrationRequest request = registration(email);
  request.requested_roles = std::move(requested);
  auto result = service.register_user(request);
  if (!result) {
    ADD_FAILURE() << email << ": " << describe(result.error());
    return {};
  }
  auto found = service.login(login_of(email));
  EXPECT_TRUE(found);
  if (found) {
    EXPECT_EQ(found->user.roles, result->user.roles) << "stored roles differ";
  }
  return result->user.roles;
}

TEST_F(AuthServiceTest, DefaultRolePolicyAllowsAnyExistingRole) {
  using Roles = std::vector<std::string>;
  EXPECT_EQ(roles_after_registering(service(), "a@x.io", {"admin", "seller,buyer"}),
            Roles{"admin"});
  EXPECT_EQ(roles_after_registering(service(), "b@x.io", {}), Roles{"user"});
  EXPECT_EQ(roles_after_registering(service(), "c@x.io", {"ghost", "root"}), Roles{"user"});
  EXPECT_EQ(roles_after_registering(service(), "d@x.io", {"buyer", "admin", "buyer"}),
            (Roles{"buyer", "admin"}));
}

TEST_F(AuthServiceTest, AllowListRolePolicyDropsOtherRoles) {
  AuthConfig config;
  config.roles = {
      .allow_any_existing = false, .self_assignable = {"user", "seller"}, .default_role = "user"};
  configure(fast_argon2(), config);
  using Roles = std::vector<std::string>;
  EXPECT_EQ(roles_after_registering(service(), "a@x.io", {"admin", "seller"}), Roles{"seller"});
  EXPECT_EQ(roles_after_registering(service(), "b@x.io", {"admin"}), Roles{"user"});
  EXPECT_EQ(roles_after_registering(service(), "c@x.io", {"moderator", "admin"}), Roles{"user"});
}

TEST_F(AuthServiceTest, SelfRegistrationNeverGrantsAReservedRole) {
  using Roles = std::vector<std::string>;
  // Whatever --self-register-roles says: any existing role, or an allow-list naming it.
  EXPECT_EQ(roles_after_registering(service(), "a@x.io", {"authd:admin", "seller"}),
            Roles{"seller"});
  EXPECT_EQ(roles_after_registering(service(), "b@x.io", {"authd:admin"}), Roles{"user"});
  AuthConfig config;
  config.roles = {.allow_any_existing = false,
                  .self_assignable = {"authd:admin", "user"},
                  .default_role = "user"};
  configure(fast_argon2(), config);
  EXPECT_EQ(roles_after_registering(service(), "c@x.io", {"authd:admin"}), Roles{"user"});
}

TEST_F(AuthServiceTest, AnOperatorsAccountGetsExactlyTheNamedRoles) {
  const auto create = [this](const std::string& email, std::vector<std::string> roles) {
    return service().create_account(
        {.email = email, .password = varied_password(16), .requested_roles = std::move(roles)});
  };
  auto admin = create("root@x.io", {"authd:admin", "seller"});
  ASSERT_TRUE(admin) << describe(admin.error());
  EXPECT_EQ(admin->user.roles, (std::vector<std::string>{"authd:admin", "seller"}));
  EXPECT_FALSE(admin->session_token);
  EXPECT_EQ(create("plain@x.io", {})->user.roles, std::vector<std::string>{"user"});
  auto ghost = create("ghost@x.io", {"seller", "no-such-role"});
  ASSERT_FALSE(ghost);
  EXPECT_EQ(ghost.error(), AuthError::role_not_found);
  EXPECT_FALSE(*store_.find_user_by_email("ghost@x.io")) << "nothing written";
  EXPECT_EQ(create("root@x.io", {"user"}).error(), AuthError::email_taken);
  auto weak = service().create_account({.email = "weak@x.io", .password = "password"});
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error(), AuthError::password_too_common);
}

TEST_F(AuthServiceTest, ConfiguredDefaultRoleIsUsed) {
  AuthConfig config;
  config.roles = {.allow_any_existing = true, .self_assignable = {}, .default_role = "buyer"};
  configure(fast_argon2(), config);
  EXPECT_EQ(roles_after_registering(service(), "a@x.io", {"nope"}),
            std::vector<std::string>{"buyer"});
}

TEST_F(AuthServiceTest, BcryptHashIsUpgradedOnSuccessfulLoginOnly) {
  configure(fast_bcrypt());
  auto registered = service().register_user(registration("ada@example.com"));
  ASSERT_TRUE(registered) << describe(registered.error());
  const std::int64_t id = registered->user.id;
  const std::string bcrypt_hash = stored_hash(id);
  ASSERT_TRUE(bcrypt_hash.starts_with("$2b$04$")) << bcrypt_hash;

  configure(fast_argon2());
  auto failed = service().login(login_of("ada@example.com", "not the password"));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), AuthError::wrong_password);
  EXPECT_EQ(stored_hash(id), bcrypt_hash) << "a failed login must not touch the hash";

  auto upgraded = service().login(login_of("ada@example.com"));
  ASSERT_TRUE(upgraded) << describe(upgraded.error());
  const std::string argon_hash = stored_hash(id);
  EXPECT_TRUE(argon_hash.starts_with("$argon2id$v=19$m=8192,t=1,p=1$")) << argon_hash;
  EXPECT_EQ(upgraded->user.password_hash, argon_hash);

  // The same password still works, and an up-to-date hash is not rewritten.
  ASSERT_TRUE(service().login(login_of("ada@example.com")));
  EXPECT_EQ(stored_hash(id), argon_hash);
  auto wrong = service().login(login_of("ada@example.com", "not the password"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error(), AuthError::wrong_password);
}

TEST_F(AuthServiceTest, ImportedBcryptHashVerifiesAndIsUpgraded) {
  // bcryptjs 3.0.3: hashSync("correct horse battery staple", 4) with a $2a$ salt, as a Node
  // deployment would have stored it.
  ASSERT_TRUE(service().register_user(registration("ada@example.com", varied_password(20))));
  raw_.query(
      "UPDATE users SET password_hash = "
      "'$2a$04$RYz8gS0ZmGrIMXpgtsiuuuosTSp2A8E9iP6j3ST3zM2P2eR0R/E/q'");
  auto upgraded = service().login(login_of("ada@example.com"));
  ASSERT_TRUE(upgraded) << describe(upgraded.error());
  EXPECT_TRUE(stored_hash(1).starts_with("$argon2id$"));
  EXPECT_TRUE(service().login(login_of("ada@example.com")));
}

TEST_F(AuthServiceTest, ImportedScryptAndPbkdf2HashesVerifyAndAreUpgraded) {
  // Python's hashlib, as in password_hasher_test.cpp: "correct horse battery staple".
  ASSERT_TRUE(service().register_user(registration("ada@example.com", varied_password(20))));
  for (const char* imported :
       {"$scrypt$ln=10,r=8,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ$by9R1W30XoOme15C6qvnZsUn0xVYPqIzWEv5WDr2x7U",
        "$pbkdf2-sha256$i=1000,l=32$TmFDbC1zYWx0LTE2Ynl0ZQ$"
        "Jugq9HLp0kiG8coClbTLuSrtU10JhPkMCuk6sd0sEZ4"}) {
    raw_.query(std::string("UPDATE users SET password_hash = '") + imported + "'");
    auto upgraded = service().login(login_of("ada@example.com", "correct horse battery staple"));
    ASSERT_TRUE(upgraded) << imported << " " << describe(upgraded.error());
    EXPECT_TRUE(stored_hash(1).starts_with("$argon2id$")) << imported;
    EXPECT_TRUE(service().login(login_of("ada@example.com", "correct horse battery staple")));
  }
}

TEST(TokenIssuerTest, IssuesVerifiableTokensWithClockTimes) {
  const ManualClock clock{util::from_unix_millis(kT0)};
  const std::string secret = "unit-test-secret-0123456789";
  const TokenIssuer issuer(secret, clock);
  const std::string token =
      issuer.issue(boost::json::object{{"id", 7}, {"username", "ada@example.com"}}, 3600s);

  const std::int64_t now = kT0 / 1000;  // iat is whole seconds, rounded down
  auto claims = crypto::verify_hs256(token, secret, crypto::VerifyOptions{now, 0});
  ASSERT_TRUE(claims) << claims.error().message();
  EXPECT_EQ(claims->size(), 4u);
  EXPECT_EQ(claims->at("id").as_int64(), 7);
  EXPECT_EQ(claims->at("username").as_string(), "ada@example.com");
  EXPECT_EQ(claims->at("iat").as_int64(), now);
  EXPECT_EQ(claims->at("exp").as_int64(), now + 3600);
  std::vector<std::string> order;
  for (const auto& entry : *claims) order.emplace_back(entry.key());
  EXPECT_EQ(order, (std::vector<std::string>{"id", "username", "iat", "exp"}));

  EXPECT_FALSE(crypto::verify_hs256(token, "another-secret", crypto::VerifyOptions{now, 0}));
  auto expired = crypto::verify_hs256(token, secret, crypto::VerifyOptions{now + 3600, 0});
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error(), crypto::JwsError::expired);
}

TEST(TokenIssuerTest, FollowsTheClockAndOverridesClientTimes) {
  ManualClock clock{util::from_unix_millis(0)};
  const TokenIssuer issuer("s", clock);
  clock.set(util::from_unix_millis(86'400'999));
  // Caller-supplied iat/exp never survive: the issuer owns them.
  const std::string token = issuer.issue(boost::json::object{{"iat", 1}, {"exp", 2}}, 86400s);
  auto claims = crypto::verify_hs256(token, "s", crypto::VerifyOptions{86'400, 0});
  ASSERT_TRUE(claims) << claims.error().message();
  EXPECT_EQ(claims->at("iat").as_int64(), 86'400);
  EXPECT_EQ(claims->at("exp").as_int64(), 2 * 86'400);
}

}  // namespace
}  // namespace authd::core
