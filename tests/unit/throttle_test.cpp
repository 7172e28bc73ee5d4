// Brute-force protection, with a manual clock instead of sleeping: the lockout rule itself, and
// AuthService refusing locked accounts and addresses before any password work.
#include "core/throttle.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "core/auth_service.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"
#include "support/test_doubles.hpp"

namespace authd::core {
namespace {

using namespace std::chrono_literals;
using test::ManualClock;

const util::TimePoint kT0 = util::from_unix_millis(1742995117241);

ThrottlePolicy policy() {
  return {.max_failures = 3, .window = 15min, .first_lockout = 60s, .max_lockout = 300s};
}

store::ThrottleRecord fail(store::ThrottleRecord record, util::TimePoint now) {
  record = after_failure(record, now, policy());
  ++record.version;  // as the store would
  return record;
}

TEST(ThrottleRule, LocksAtTheThresholdAndDoublesUpToTheCap) {
  store::ThrottleRecord r;
  r = fail(r, kT0);
  r = fail(r, kT0 + 1s);
  EXPECT_FALSE(r.locked_until) << "two failures of three allowed";
  r = fail(r, kT0 + 2s);
  ASSERT_TRUE(r.locked_until);
  EXPECT_EQ(*r.locked_until, kT0 + 2s + 60s);

  // Each failure after a lock ends locks again, twice as long, up to the cap.
  util::TimePoint now = *r.locked_until;
  for (auto expected : {120s, 240s, 300s, 300s}) {
    r = fail(r, now);
    ASSERT_TRUE(r.locked_until);
    EXPECT_EQ(*r.locked_until - now, expected);
    now = *r.locked_until;
  }
}

TEST(ThrottleRule, AQuietWindowForgetsTheKey) {
  store::ThrottleRecord r;
  r = fail(r, kT0);
  r = fail(r, kT0 + 1s);
  r = fail(r, kT0 + 15min + 1s);
  EXPECT_EQ(r.failures, 1) << "the window passed: counting starts again";
  EXPECT_FALSE(r.locked_until);

  // After a lockout, a whole quiet window after it ends forgets it too.
  store::ThrottleRecord locked;
  for (int i = 0; i < 3; ++i) locked = fail(locked, kT0);
  const auto quiet = *locked.locked_until + 15min;
  locked = fail(locked, quiet);
  EXPECT_EQ(locked.failures, 1);
  EXPECT_EQ(locked.lockouts, 0);
}

class ThrottledAuth : public ::testing::Test {
 protected:
  ThrottledAuth() {
    AuthConfig config;
    config.login_per_account = policy();
    config.login_per_account_all_sources = {
        .max_failures = 6, .window = 15min, .first_lockout = 60s, .max_lockout = 300s};
    config.login_per_address = {
        .max_failures = 5, .window = 15min, .first_lockout = 60s, .max_lockout = 300s};
    config.registrations_per_address = {
        .max_failures = 4, .window = 1h, .first_lockout = 15min, .max_lockout = 1h};
    auth_.emplace(store_, crypto::PasswordHasher(test::fast_argon2()), clock_, config);
  }

  Result<AuthOutcome> login(const std::string& email, const std::string& password,
                            const std::string& address = "192.0.2.1") {
    return auth_->login(
        {.email = email, .password = password, .client = {.address = address, .network = address}});
  }
  Result<AuthOutcome> enrol(const std::string& email, const std::string& address = "192.0.2.1") {
    return auth_->register_user({.email = email,
                                 .password = "correct horse",
                                 .client = {.address = address, .network = address}});
  }

  test::TempDir dir_;
  store::sqlite::SqliteStore store_{dir_.file("authd.db"), 1};
  ManualClock clock_{kT0};
  std::optional<AuthService> auth_;
};

TEST_F(ThrottledAuth, ALockedAccountIsRefusedWhateverThePassword) {
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(login("ada@example.com", "wrong password").error(), AuthError::wrong_password);
  }
  // The right password does not get through: the password is not even looked at.
  auto refused = login("ada@example.com", "correct horse");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), AuthError::throttled);
  EXPECT_EQ(refused.error().retry_after, 60s);
  EXPECT_EQ(login("ada@example.com", "wrong password").error(), AuthError::throttled);

  clock_.advance(30s);
  EXPECT_EQ(login("ada@example.com", "correct horse").error().retry_after, 30s);

  clock_.advance(30s);
  EXPECT_TRUE(login("ada@example.com", "correct horse")) << "temporary: the lock ends";
}

TEST_F(ThrottledAuth, OneSourceCannotLockTheVictimOut) {
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  for (int i = 0; i < 3; ++i) (void)login("ada@example.com", "wrong password", "203.0.113.66");
  EXPECT_EQ(login("ada@example.com", "correct horse", "203.0.113.66").error(), AuthError::throttled)
      << "the attacker's network is locked out of the account";
  EXPECT_TRUE(login("ada@example.com", "correct horse", "192.0.2.1"))
      << "the victim, elsewhere, still gets in";
}

TEST_F(ThrottledAuth, ManySourcesTogetherLockTheAccountForEveryone) {
  // The per-account limit across sources still bounds a distributed guesser.
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  for (int i = 0; i < 6; ++i) {
    (void)login("ada@example.com", "wrong password", "203.0.113." + std::to_string(i));
  }
  EXPECT_EQ(login("ada@example.com", "correct horse", "192.0.2.1").error(), AuthError::throttled);
}

TEST_F(ThrottledAuth, CaseVariantsShareOneCounter) {
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  EXPECT_EQ(login("ADA@example.com", "nope nope").error(), AuthError::wrong_password);
  EXPECT_EQ(login(" Ada@Example.COM", "nope nope").error(), AuthError::wrong_password);
  EXPECT_EQ(login("ada@EXAMPLE.com", "nope nope").error(), AuthError::wrong_password);
  EXPECT_EQ(login("ada@example.com", "correct horse").error(), AuthError::throttled);
}

TEST_F(ThrottledAuth, ASuccessResetsTheAccountCounter) {
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  for (int round = 0; round < 3; ++round) {
    // A new address each round, so only the account counter is in play.
    const std::string address = "203.0.113." + std::to_string(round);
    EXPECT_EQ(login("ada@example.com", "nope nope", address).error(), AuthError::wrong_password);
    EXPECT_EQ(login("ada@example.com", "nope nope", address).error(), AuthError::wrong_password);
    EXPECT_TRUE(login("ada@example.com", "correct horse", address)) << "round " << round;
  }
}

TEST_F(ThrottledAuth, UnknownAccountsAreCountedLikeKnownOnes) {
  // Otherwise a lockout (or its absence) would tell which emails exist.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(login("ghost@example.com", "whatever1").error(), AuthError::user_not_found);
  }
  EXPECT_EQ(login("ghost@example.com", "whatever1").error(), AuthError::throttled);
}

TEST_F(ThrottledAuth, OneAddressTryingManyAccountsIsLocked) {
  // Credential stuffing: one failure per account, many accounts, one address.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(login("user" + std::to_string(i) + "@example.com", "guess-123").error(),
              AuthError::user_not_found);
  }
  EXPECT_EQ(login("user9@example.com", "guess-123").error(), AuthError::throttled);
  EXPECT_EQ(login("user9@example.com", "guess-123", "203.0.113.9").error(),
            AuthError::user_not_found)
      << "other addresses are not affected";
}

TEST_F(ThrottledAuth, RegistrationsAreLimitedPerAddress) {
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(enrol("new" + std::to_string(i) + "@example.com")) << i;
  }
  auto refused = enrol("new9@example.com");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), AuthError::throttled);
  EXPECT_GT(refused.error().retry_after, 0s);
  EXPECT_TRUE(enrol("new9@example.com", "203.0.113.9")) << "other addresses are not affected";
}

TEST_F(ThrottledAuth, ThrottleStateLivesInTheStore) {
  // A second service on the same database (another instance) sees the lock at once.
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  for (int i = 0; i < 3; ++i) (void)login("ada@example.com", "wrong password");
  store::sqlite::SqliteStore other_store(dir_.file("authd.db"), 1);
  AuthService other(other_store, crypto::PasswordHasher(test::fast_argon2()), clock_,
                    AuthConfig{.login_per_account = policy()});
  auto refused = other.login({.email = "ada@example.com",
                              .password = "correct horse",
                              .client = {.address = "192.0.2.1", .network = "192.0.2.1"}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), AuthError::throttled);
}

}  // namespace
}  // namespace authd::core
