// Brute-force protection, with a manual clock instead of sleeping: keys that cannot be forged,
// the failure and rate rules themselves, and AuthService refusing locked accounts and networks
// before any password work, capping consecutive failures, sparing networks the owner uses, and
// failing closed when failures cannot be counted.
#include "core/throttle.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "core/auth_service.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/forwarding_store.hpp"
#include "support/raw_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_doubles.hpp"

namespace authd::core {
namespace {

using namespace std::chrono_literals;
using test::ManualClock;

const util::TimePoint kT0 = util::from_unix_millis(1742995117241);
const std::string kSecret(32, 't');
const std::string kPassword = "correct horse battery";

FailurePolicy policy() {
  return {.max_failures = 3, .quiet = 15min, .first_lockout = 60s, .max_lockout = 300s};
}

store::ThrottleRecord fail(store::ThrottleRecord record, util::TimePoint now,
                           const FailurePolicy& rule = policy()) {
  record = after_failure(record, now, rule);
  ++record.version;  // as the store would
  return record;
}

TEST(ThrottleKey, PartsCannotBeCraftedToNameAnotherKey) {
  // The reported injection: an account named "<victim>|from:<network>" had the same key as the
  // victim's per-network counter, so the attacker's own successes reset it.
  const ThrottleKey injected{ThrottleScope::login_account, "victim@example.com|from:127.0.0.1", {}};
  const ThrottleKey victim{ThrottleScope::login_account_network, "victim@example.com", "127.0.0.1"};
  EXPECT_NE(injected.encode(kSecret), victim.encode(kSecret));

  // Moving bytes between the parts, or the scope, always makes another key.
  const std::vector<ThrottleKey> keys = {
      {ThrottleScope::login_account_network, "a@b.c", "1.2.3.4"},
      {ThrottleScope::login_account_network, "a@b.c1", ".2.3.4"},
      {ThrottleScope::login_account_network, "a@b.c1.2.3.4", ""},
      {ThrottleScope::login_account_network, "", "a@b.c1.2.3.4"},
      {ThrottleScope::login_account, "a@b.c", "1.2.3.4"},
      {ThrottleScope::login_account, "a@b.c", ""},
      {ThrottleScope::login_network, "", "1.2.3.4"},
      {ThrottleScope::registration_network, "", "1.2.3.4"},
      {ThrottleScope::refresh_network, "", "1.2.3.4"},
      {ThrottleScope::refresh_session, "1.2.3.4", ""},
  };
  std::set<std::string> encoded;
  for (const auto& key : keys) encoded.insert(key.encode(kSecret));
  EXPECT_EQ(encoded.size(), keys.size());
}

TEST(ThrottleKey, NoEmailReachesTheStore) {
  const ThrottleKey ada{ThrottleScope::login_account, "ada@example.com", {}};
  const std::string key = ada.encode(kSecret);
  EXPECT_EQ(key.find("ada"), std::string::npos) << key;
  EXPECT_TRUE(key.starts_with("login-account:")) << key;
  EXPECT_NE(key, ada.encode("another server secret"))
      << "a MAC under the server's secret, not a hash a dictionary could reverse";
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

TEST(ThrottleRule, SteadyGuessingIsCountedHoweverSlow) {
  // The reported gap: counters used to reset 15 minutes after the first failure, so 30 guesses
  // at one per two minutes were never throttled. Only 15 minutes *without* a failure forget.
  const FailurePolicy ten{.max_failures = 10, .quiet = 15min};
  store::ThrottleRecord r;
  int guesses = 0;
  for (util::TimePoint now = kT0; guesses < 30 && !r.locked_until; now += 2min) {
    r = fail(r, now, ten);
    ++guesses;
  }
  EXPECT_EQ(guesses, 10) << "locked by the tenth guess";
  EXPECT_EQ(r.failures, 10);
}

TEST(ThrottleRule, OnlyAQuietWindowForgetsTheKey) {
  store::ThrottleRecord r;
  r = fail(r, kT0);
  r = fail(r, kT0 + 14min);
  r = fail(r, kT0 + 28min);
  EXPECT_TRUE(r.locked_until) << "never quiet for 15 minutes: three failures";
  store::ThrottleRecord quiet;
  quiet = fail(quiet, kT0);
  quiet = fail(quiet, kT0 + 1s);
  quiet = fail(quiet, kT0 + 1s + 15min);
  EXPECT_EQ(quiet.failures, 1) << "15 quiet minutes passed: counting starts again";
  EXPECT_FALSE(quiet.locked_until);

  // After a lockout, a whole quiet window after it ends forgets it too.
  store::ThrottleRecord locked;
  for (int i = 0; i < 3; ++i) locked = fail(locked, kT0);
  locked = fail(locked, *locked.locked_until + 15min);
  EXPECT_EQ(locked.failures, 1);
  EXPECT_EQ(locked.lockouts, 0);
  EXPECT_EQ(locked.consecutive, 4) << "consecutive failures are not forgotten by quiet";
}

TEST(ThrottleRule, ARecordIsForgottenOnlyAfterItsLockAndAQuietWindow) {
  store::ThrottleRecord r;
  for (int i = 0; i < 3; ++i) r = fail(r, kT0);
  EXPECT_EQ(r.forget_at, *r.locked_until + 15min);
}

TEST(RateRule, AFixedWindowFromTheFirstAttempt) {
  const RatePolicy two{.max_attempts = 2, .window = 1h};
  store::ThrottleRecord r;
  const auto attempt = [&](util::TimePoint now) {
    r = after_attempt(r, now, two);
    ++r.version;
    return locked_for(r, now);
  };
  EXPECT_EQ(attempt(kT0), 0s);
  EXPECT_EQ(attempt(kT0 + 10min), 0s);
  EXPECT_EQ(attempt(kT0 + 20min), 40min) << "the third waits for the window to end";
  EXPECT_EQ(attempt(kT0 + 59min), 1min);
  EXPECT_EQ(attempt(kT0 + 60min), 0s) << "a new window";
  EXPECT_EQ(r.forget_at, kT0 + 120min);
}

class ThrottledAuth : public ::testing::Test {
 protected:
  ThrottledAuth() { configure(); }

  void configure(std::int64_t consecutive_cap = 100) {
    AuthConfig config;
    config.logins.per_account_network = policy();
    config.logins.per_account = {
        .max_failures = 6, .quiet = 15min, .first_lockout = 60s, .max_lockout = 300s};
    config.logins.per_network = {
        .max_failures = 5, .quiet = 15min, .first_lockout = 60s, .max_lockout = 300s};
    config.logins.consecutive_cap = consecutive_cap;
    config.registrations_per_address = {.max_attempts = 4, .window = 1h};
    auth_.emplace(store_, crypto::PasswordHasher(test::fast_argon2()), clock_, config);
  }

  Result<AuthOutcome> login(const std::string& email, const std::string& password,
                            const std::string& address = "192.0.2.1") {
    return auth_->login(
        {.email = email, .password = password, .client = {.address = address, .network = address}});
  }
  Result<AuthOutcome> enrol(const std::string& email, const std::string& address = "192.0.2.1") {
    return auth_->register_user({.email = email,
                                 .password = kPassword,
                                 .client = {.address = address, .network = address}});
  }

  void raw_query(const std::string& sql) { test::RawDb(dir_.file("authd.db")).query(sql); }

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
  auto refused = login("ada@example.com", kPassword);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), AuthError::throttled);
  EXPECT_EQ(refused.error().retry_after, 60s);
  EXPECT_EQ(login("ada@example.com", "wrong password").error(), AuthError::throttled);

  clock_.advance(30s);
  EXPECT_EQ(login("ada@example.com", kPassword).error().retry_after, 30s);

  clock_.advance(30s);
  EXPECT_TRUE(login("ada@example.com", kPassword)) << "temporary: the lock ends";
}

TEST_F(ThrottledAuth, OneNetworkCannotLockTheVictimOut) {
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  for (int i = 0; i < 3; ++i) (void)login("ada@example.com", "wrong password", "203.0.113.66");
  EXPECT_EQ(login("ada@example.com", kPassword, "203.0.113.66").error(), AuthError::throttled)
      << "the attacker's network is locked out of the account";
  EXPECT_TRUE(login("ada@example.com", kPassword, "192.0.2.1"))
      << "the victim, elsewhere, still gets in";
}

TEST_F(ThrottledAuth, SuccessesOnTheAttackersOwnAccountResetNothingOfTheVictims) {
  // The shape of the reported attack: failures on the victim alternate with successful logins
  // to the attacker's own account, from one network. (The crafted email that made the two
  // share a key is refused by the grammar now; ThrottleKey's tests show the keys could not
  // collide anyway.)
  EXPECT_EQ(enrol("victim@example.com|from:192.0.2.66", "198.51.100.1").error(),
            AuthError::invalid_email);
  ASSERT_TRUE(enrol("victim@example.com", "198.51.100.1"));
  ASSERT_TRUE(enrol("attacker@example.com", "198.51.100.2"));
  int refused_at = 0;
  for (int guess = 1; guess <= 9 && refused_at == 0; ++guess) {
    if (login("victim@example.com", "guess " + std::to_string(guess), "192.0.2.66").error() ==
        AuthError::throttled) {
      refused_at = guess;
    }
    if (guess % 2 == 0) {
      ASSERT_TRUE(login("attacker@example.com", kPassword, "192.0.2.66"));
    }
  }
  EXPECT_EQ(refused_at, 4) << "three failures lock that network out of the victim's account";
  EXPECT_TRUE(login("victim@example.com", kPassword, "192.0.2.1"));
}

TEST_F(ThrottledAuth, ManyNetworksTogetherLockTheAccountForNetworksItNeverUsed) {
  // The per-account limit across networks still bounds a distributed guesser ...
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  ASSERT_TRUE(login("ada@example.com", kPassword, "192.0.2.1")) << "the owner's usual network";
  for (int i = 0; i < 6; ++i) {
    (void)login("ada@example.com", "wrong password", "203.0.113." + std::to_string(i));
  }
  EXPECT_EQ(login("ada@example.com", kPassword, "198.51.100.99").error(), AuthError::throttled)
      << "a network the account never logged in from";
  // ... but not from where the owner has logged in before.
  EXPECT_TRUE(login("ada@example.com", kPassword, "192.0.2.1"));
}

TEST_F(ThrottledAuth, ConsecutiveFailuresAreCappedWhateverTheirPace) {
  // NIST SP 800-63B §5.2.2: at most 100 consecutive failures (5 here). Failures from ever new
  // networks, each after the others went quiet, stay under every windowed limit.
  configure(/*consecutive_cap=*/5);
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  ASSERT_TRUE(login("ada@example.com", kPassword, "192.0.2.1"));  // the office
  ASSERT_TRUE(login("ada@example.com", kPassword, "192.0.2.2"));  // home
  for (int i = 0; i < 5; ++i) {
    clock_.advance(16min);
    EXPECT_EQ(login("ada@example.com", "wrong password", "203.0.113." + std::to_string(i)).error(),
              AuthError::wrong_password)
        << i;
  }
  clock_.advance(16min);
  auto refused = login("ada@example.com", kPassword, "203.0.113.77");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), AuthError::throttled) << "the right password, a sixth network";
  EXPECT_GT(refused.error().retry_after, 24h) << "until a success or a month of quiet";

  // The owner's network still works, and a success there resets the count.
  EXPECT_TRUE(login("ada@example.com", kPassword, "192.0.2.1"));
  EXPECT_TRUE(login("ada@example.com", kPassword, "203.0.113.77"));
}

TEST_F(ThrottledAuth, ANetworkTheOwnerUsesHasACapOfItsOwn) {
  // Sharing the owner's network (an office NAT) must not mean unlimited guesses: that network
  // is spared the account-wide limits, not the cap.
  configure(/*consecutive_cap=*/5);
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  ASSERT_TRUE(login("ada@example.com", kPassword, "192.0.2.1"));  // the office
  ASSERT_TRUE(login("ada@example.com", kPassword, "192.0.2.2"));  // home
  for (int i = 0; i < 5; ++i) {
    clock_.advance(16min);  // under the per-network threshold each time
    EXPECT_EQ(login("ada@example.com", "wrong password", "192.0.2.1").error(),
              AuthError::wrong_password)
        << i;
  }
  clock_.advance(16min);
  EXPECT_EQ(login("ada@example.com", kPassword, "192.0.2.1").error(), AuthError::throttled)
      << "the office is capped";
  EXPECT_EQ(login("ada@example.com", kPassword, "203.0.113.5").error(), AuthError::throttled)
      << "and so is every network the owner never used: the account took 5 in a row";
  EXPECT_TRUE(login("ada@example.com", kPassword, "192.0.2.2")) << "home has its own count";
}

TEST_F(ThrottledAuth, TheCapEndsOnceItsFailuresAreOldEnoughToForget) {
  configure(/*consecutive_cap=*/3);
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  for (int i = 0; i < 3; ++i) {
    clock_.advance(16min);
    (void)login("ada@example.com", "wrong password", "203.0.113." + std::to_string(i));
  }
  clock_.advance(16min);
  auto refused = login("ada@example.com", kPassword, "203.0.113.50");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), AuthError::throttled);
  clock_.advance(refused.error().retry_after);
  EXPECT_TRUE(login("ada@example.com", kPassword, "203.0.113.50"))
      << "30 days after the last failure the cap is gone, purged or not";
}

TEST_F(ThrottledAuth, AnUnknownEmailsFailuresAreNotRememberedForTheCap) {
  // A spray of made-up addresses must not leave records behind for a month; the cap protects
  // accounts that exist.
  configure(/*consecutive_cap=*/3);
  for (int i = 0; i < 5; ++i) {
    clock_.advance(16min);
    EXPECT_EQ(
        login("ghost@example.com", "wrong password", "203.0.113." + std::to_string(i)).error(),
        AuthError::user_not_found)
        << i;
  }
}

TEST_F(ThrottledAuth, AnOperatorCanUnlockAnAccountTheCapLocked) {
  configure(/*consecutive_cap=*/3);
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  for (int i = 0; i < 3; ++i) {
    clock_.advance(16min);
    (void)login("ada@example.com", "wrong password", "203.0.113." + std::to_string(i));
  }
  EXPECT_EQ(login("ada@example.com", kPassword, "198.51.100.9").error(), AuthError::throttled);
  EXPECT_TRUE(auth_->unlock(" ADA@example.com "));
  EXPECT_TRUE(login("ada@example.com", kPassword, "198.51.100.9"));
  EXPECT_EQ(auth_->unlock("not an email").error(), AuthError::invalid_email);
}

TEST_F(ThrottledAuth, TheDefaultCapIsNists100) {
  EXPECT_EQ(LoginGuardPolicy{}.consecutive_cap, 100);
  EXPECT_EQ(AuthConfig{}.logins.consecutive_cap, 100);
}

TEST_F(ThrottledAuth, TheRightPasswordOfADisabledAccountCountsLikeAWrongOne) {
  // Otherwise the lockout arriving one attempt later would tell the guesser which was right.
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  raw_query("UPDATE users SET is_active = 0");
  EXPECT_EQ(login("ada@example.com", "wrong password").error(), AuthError::wrong_password);
  EXPECT_EQ(login("ada@example.com", kPassword).error(), AuthError::account_disabled);
  EXPECT_EQ(login("ada@example.com", "wrong password").error(), AuthError::wrong_password);
  EXPECT_EQ(login("ada@example.com", "wrong password").error(), AuthError::throttled)
      << "three counted failures: the disabled account's right password was one of them";
}

TEST_F(ThrottledAuth, CaseVariantsShareOneCounter) {
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  EXPECT_EQ(login("ADA@example.com", "nope nope").error(), AuthError::wrong_password);
  EXPECT_EQ(login(" Ada@Example.COM", "nope nope").error(), AuthError::wrong_password);
  EXPECT_EQ(login("ada@EXAMPLE.com", "nope nope").error(), AuthError::wrong_password);
  EXPECT_EQ(login("ada@example.com", kPassword).error(), AuthError::throttled);
}

TEST_F(ThrottledAuth, ASuccessResetsTheAccountCounter) {
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  for (int round = 0; round < 3; ++round) {
    // A new address each round, so only the account counter is in play.
    const std::string address = "203.0.113." + std::to_string(round);
    EXPECT_EQ(login("ada@example.com", "nope nope", address).error(), AuthError::wrong_password);
    EXPECT_EQ(login("ada@example.com", "nope nope", address).error(), AuthError::wrong_password);
    EXPECT_TRUE(login("ada@example.com", kPassword, address)) << "round " << round;
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
  EXPECT_EQ(refused.error().retry_after, 1h);
  EXPECT_TRUE(enrol("new9@example.com", "203.0.113.9")) << "other addresses are not affected";
  clock_.advance(1h);
  EXPECT_TRUE(enrol("new10@example.com")) << "a new hour";
}

TEST_F(ThrottledAuth, ThrottleStateLivesInTheStore) {
  // A second service on the same database (another instance) sees the lock at once.
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  for (int i = 0; i < 3; ++i) (void)login("ada@example.com", "wrong password");
  store::sqlite::SqliteStore other_store(dir_.file("authd.db"), 1);
  AuthService other(other_store, crypto::PasswordHasher(test::fast_argon2()), clock_,
                    AuthConfig{.logins = {.per_account_network = policy()}});
  auto refused = other.login({.email = "ada@example.com",
                              .password = kPassword,
                              .client = {.address = "192.0.2.1", .network = "192.0.2.1"}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), AuthError::throttled);
}

TEST_F(ThrottledAuth, AStoreThatTakesNoWritesRefusesEveryLoginAlike) {
  // Fail closed: a wrong guess that cannot be counted must not be answered as a wrong guess
  // (unlimited guessing), and must not differ from the right password's answer.
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  test::ReadOnlyStore read_only(store_);
  AuthService frozen(read_only, crypto::PasswordHasher(test::fast_argon2()), clock_,
                     AuthConfig{.logins = {.per_account_network = policy()}});
  const auto attempt = [&](const std::string& email, const std::string& password) {
    return frozen.login({.email = email,
                         .password = password,
                         .client = {.address = "192.0.2.1", .network = "192.0.2.1"}});
  };
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(attempt("ada@example.com", "wrong password").error(), AuthError::store_unavailable);
  }
  EXPECT_EQ(attempt("nobody@example.com", "wrong password").error(), AuthError::store_unavailable);
  EXPECT_EQ(attempt("ada@example.com", kPassword).error(), AuthError::store_unavailable);
  EXPECT_FALSE(frozen.store_ready()) << "and /readyz says so";
  EXPECT_TRUE(auth_->store_ready());
}

// Reads as the real store does; every write fails as a bug or a corrupt file would (internal,
// not unavailable).
class BrokenWritesStore final : public test::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  store::Result<store::UserRecord> record_login(const store::LoginUpdate&) override {
    return store::StoreError::internal;
  }
  store::Result<bool> put_throttle(std::string_view, std::int64_t,
                                   const store::ThrottleRecord&) override {
    return store::StoreError::internal;
  }
};

TEST_F(ThrottledAuth, EveryKindOfWriteFailureGetsTheSameAnswer) {
  // A right password must not be told apart (a 500) from a wrong one (a 503) by how the store
  // failed.
  ASSERT_TRUE(enrol("ada@example.com", "198.51.100.1"));
  BrokenWritesStore broken(store_);
  AuthService frozen(broken, crypto::PasswordHasher(test::fast_argon2()), clock_, AuthConfig{});
  const auto attempt = [&](const std::string& password) {
    return frozen.login({.email = "ada@example.com",
                         .password = password,
                         .client = {.address = "192.0.2.1", .network = "192.0.2.1"}});
  };
  EXPECT_EQ(attempt("wrong password").error(), AuthError::store_unavailable);
  EXPECT_EQ(attempt(kPassword).error(), AuthError::store_unavailable);
}

}  // namespace
}  // namespace authd::core
