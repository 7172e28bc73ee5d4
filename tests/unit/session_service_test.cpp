// The /v1 token lifecycle over a real SqliteStore with a manual clock: refresh rotation, reuse
// detection, the grace window, revocation on every path, access-token checks, and the key
// ring's activation and retirement times. No sleeping: the clock moves by hand.
#include "core/session_service.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <latch>
#include <thread>

#include "core/auth_service.hpp"
#include "core/signing_keys.hpp"
#include "crypto/base64url.hpp"
#include "crypto/jws.hpp"
#include "crypto/sealing.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/raw_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_doubles.hpp"

namespace authd::core {
namespace {

using namespace std::chrono_literals;
using test::fast_argon2;
using test::ManualClock;

constexpr std::int64_t kT0 = 1742995117241;  // 2025-03-26T13:18:37.241Z
constexpr std::string_view kPassword = "correct horse battery staple";

// The payload of a compact JWS, unverified (for looking at claims the service set).
boost::json::object claims_of(std::string_view token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  auto payload = crypto::base64url_decode(token.substr(first + 1, second - first - 1));
  return boost::json::parse(*payload).as_object();
}

std::string kid_of(std::string_view token) {
  auto header = crypto::base64url_decode(token.substr(0, token.find('.')));
  return std::string(boost::json::parse(*header).at("kid").as_string());
}

class SessionServiceTest : public ::testing::Test {
 protected:
  SessionServiceTest() {
    keys_.load();
    auto registered =
        auth_.register_user({.email = "ada@example.com", .password = std::string(kPassword)});
    EXPECT_TRUE(registered);
    user_id_ = registered->user.id;
  }

  // Logs in through the core, as POST /v1/sessions does.
  TokenPair login(std::string user_agent = "test-agent") {
    auto outcome = auth_.login({.email = "ada@example.com",
                                .password = std::string(kPassword),
                                .open_session = store::SessionFamily::rotating,
                                .client = {.user_agent = std::move(user_agent)}});
    EXPECT_TRUE(outcome) << outcome.error();
    return sessions_.start(outcome->user.id, outcome->session_id, *outcome->session_token,
                           clock_.now());
  }

  bool authenticates(const std::string& access_token) {
    return sessions_.authenticate(access_token).has_value();
  }

  AuthError refresh_error(const std::string& refresh_token) {
    auto result = sessions_.refresh(refresh_token, {});
    EXPECT_FALSE(result) << "refresh unexpectedly succeeded";
    return result ? AuthError::internal : result.error().code;
  }

  test::TempDir dir_;
  store::sqlite::SqliteStore store_{dir_.file("authd.db"), 2};
  ManualClock clock_{util::from_unix_millis(kT0)};
  AuthService auth_{store_, crypto::PasswordHasher(fast_argon2()), clock_,
                    AuthConfig{.passwords = {.min_characters = 8, .forbid_guessable = false}}};
  SessionConfig config_{.issuer = "https://auth.test",
                        .audience = "api.test",
                        .access_token_ttl = 900s,
                        .refresh_grace = 5s,
                        .leeway = 0s};
  KeyRing keys_{store_,
                crypto::derive_sealing_key(std::string(32, 'k')),
                clock_,
                {.access_token_ttl = 900s, .leeway = 0s, .reload_interval = 30s}};
  SessionService sessions_{store_, keys_, clock_, config_, std::string(32, 'r')};
  std::int64_t user_id_ = 0;
};

TEST_F(SessionServiceTest, AccessTokenCarriesTheDocumentedClaims) {
  const TokenPair pair = login();
  const auto claims = claims_of(pair.access_token);
  const std::int64_t now_s = kT0 / 1000;
  EXPECT_EQ(claims.at("iss"), "https://auth.test");
  EXPECT_EQ(claims.at("aud"), "api.test");
  EXPECT_EQ(claims.at("sub"), boost::json::value(std::to_string(user_id_)));
  EXPECT_EQ(claims.at("sid"), boost::json::value(pair.session_id));
  EXPECT_TRUE(claims.at("jti").is_string());
  EXPECT_EQ(claims.at("iat"), now_s);
  EXPECT_EQ(claims.at("nbf"), now_s);
  EXPECT_EQ(claims.at("exp"), now_s + 900);
  EXPECT_EQ(pair.expires_in, 900s);
  auto principal = sessions_.authenticate(pair.access_token);
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->user_id, user_id_);
  EXPECT_EQ(principal->session_id, pair.session_id);
}

TEST_F(SessionServiceTest, RefreshRotatesAndTheNewPairWorks) {
  const TokenPair first = login();
  clock_.advance(60s);
  auto second = sessions_.refresh(first.refresh_token, {});
  ASSERT_TRUE(second) << second.error();
  EXPECT_NE(second->refresh_token, first.refresh_token);
  EXPECT_NE(second->access_token, first.access_token);
  EXPECT_EQ(second->session_id, first.session_id);
  EXPECT_TRUE(authenticates(second->access_token));
  clock_.advance(60s);
  auto third = sessions_.refresh(second->refresh_token, {});
  ASSERT_TRUE(third) << third.error();
  EXPECT_NE(third->refresh_token, second->refresh_token);
}

TEST_F(SessionServiceTest, SameTokenWithinGraceGetsTheSamePair) {
  const TokenPair first = login();
  clock_.advance(60s);
  auto winner = sessions_.refresh(first.refresh_token, {});
  ASSERT_TRUE(winner);
  clock_.advance(5s);  // exactly the grace window
  auto retry = sessions_.refresh(first.refresh_token, {});
  ASSERT_TRUE(retry) << retry.error();
  EXPECT_EQ(retry->refresh_token, winner->refresh_token);
  EXPECT_EQ(retry->access_token, winner->access_token) << "byte-identical access token";
  // The pair keeps working: the replay did not rotate again.
  EXPECT_TRUE(sessions_.refresh(winner->refresh_token, {}));
}

TEST_F(SessionServiceTest, RotatedTokenAfterGraceRevokesTheSession) {
  const TokenPair first = login();
  auto second = sessions_.refresh(first.refresh_token, {});
  ASSERT_TRUE(second);
  clock_.advance(5001ms);
  EXPECT_EQ(refresh_error(first.refresh_token), AuthError::refresh_token_reused);
  // The whole family is gone: the newest refresh token and every access token of the session.
  EXPECT_EQ(refresh_error(second->refresh_token), AuthError::invalid_refresh_token);
  EXPECT_FALSE(authenticates(second->access_token));
  EXPECT_FALSE(authenticates(first.access_token));
}

TEST_F(SessionServiceTest, AnyOlderGenerationComingBackIsReuse) {
  // The reported bypass: a thief who refreshes a stolen token twice made it two generations
  // old, and the victim's later use of it must still end the session (the thief's pair too),
  // though the store keeps only the live token's hash and the one before.
  const TokenPair first = login();
  EXPECT_TRUE(first.refresh_token.starts_with(first.session_id + "."))
      << "a refresh token names its session";
  auto second = sessions_.refresh(first.refresh_token, {});
  ASSERT_TRUE(second);
  auto third = sessions_.refresh(second->refresh_token, {});
  ASSERT_TRUE(third);
  auto fourth = sessions_.refresh(third->refresh_token, {});
  ASSERT_TRUE(fourth);
  EXPECT_EQ(refresh_error(first.refresh_token), AuthError::refresh_token_reused)
      << "three generations back, even within the grace window";
  EXPECT_FALSE(authenticates(fourth->access_token));
  EXPECT_EQ(refresh_error(fourth->refresh_token), AuthError::invalid_refresh_token);
}

TEST_F(SessionServiceTest, AMadeUpTokenNamingASessionEndsNothing) {
  // Only the rotation key can make a token that derives into the live one: guessing with a
  // session's id must not let anyone end that session.
  const TokenPair pair = login();
  auto next = sessions_.refresh(pair.refresh_token, {});
  ASSERT_TRUE(next);
  for (const std::string& made_up :
       {pair.session_id + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", pair.session_id + ".",
        pair.session_id + "." + pair.session_id, "x." + pair.session_id}) {
    EXPECT_EQ(refresh_error(made_up), AuthError::invalid_refresh_token) << made_up;
  }
  EXPECT_TRUE(authenticates(next->access_token));
  EXPECT_TRUE(sessions_.refresh(next->refresh_token, {}));
}

TEST_F(SessionServiceTest, RefreshesAreRateLimitedPerSessionAndPerNetwork) {
  SessionService limited(store_, keys_, clock_,
                         {.issuer = "https://auth.test",
                          .audience = "api.test",
                          .leeway = 0s,
                          .refreshes_per_session = {.max_attempts = 3, .window = 60s},
                          .refreshes_per_network = {.max_attempts = 5, .window = 60s}},
                         std::string(32, 'r'));
  const ClientInfo here{.address = "192.0.2.1", .network = "192.0.2.1"};
  TokenPair pair = login("spinning");
  for (int i = 0; i < 3; ++i) {
    auto next = limited.refresh(pair.refresh_token, here);
    ASSERT_TRUE(next) << i;
    pair = *next;
  }
  auto refused = limited.refresh(pair.refresh_token, here);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), AuthError::throttled);
  EXPECT_EQ(refused.error().retry_after, 60s);

  // Another session from the same network has its own session count, but shares the network's.
  TokenPair other = login("other");
  ASSERT_TRUE(limited.refresh(other.refresh_token, here));
  EXPECT_EQ(limited.refresh(other.refresh_token, here).error(), AuthError::throttled)
      << "six refreshes from one network in a minute";
  EXPECT_EQ(limited.refresh("made-up-token", here).error(), AuthError::throttled)
      << "guessing tokens counts too";

  clock_.advance(60s);
  EXPECT_TRUE(limited.refresh(pair.refresh_token, here)) << "a new minute";
}

TEST_F(SessionServiceTest, ReuseInOneSessionLeavesTheOthersAlone) {
  const TokenPair laptop = login("laptop");
  const TokenPair phone = login("phone");
  ASSERT_TRUE(sessions_.refresh(laptop.refresh_token, {}));
  clock_.advance(1min);
  EXPECT_EQ(refresh_error(laptop.refresh_token), AuthError::refresh_token_reused);
  EXPECT_TRUE(authenticates(phone.access_token));
  EXPECT_TRUE(sessions_.refresh(phone.refresh_token, {}));
}

TEST_F(SessionServiceTest, ConcurrentRefreshesAllGetTheWinnersPair) {
  const TokenPair first = login();
  constexpr int kThreads = 8;
  std::vector<std::optional<TokenPair>> results(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto pair = sessions_.refresh(first.refresh_token, {});
      if (pair) results[i] = *pair;
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(results[i]) << "request " << i << " failed";
    EXPECT_EQ(results[i]->refresh_token, results[0]->refresh_token);
    EXPECT_EQ(results[i]->access_token, results[0]->access_token);
  }
  test::RawDb db(dir_.file("authd.db"));
  EXPECT_EQ(db.scalar("SELECT refresh_generation FROM sessions"), "1") << "rotated exactly once";
}

TEST_F(SessionServiceTest, UnknownExpiredAndForeignRefreshTokensAreRefused) {
  EXPECT_EQ(refresh_error("not-a-token"), AuthError::invalid_refresh_token);
  const TokenPair pair = login();
  clock_.advance(std::chrono::hours(24 * 7) + 1s);  // past the session lifetime
  EXPECT_EQ(refresh_error(pair.refresh_token), AuthError::invalid_refresh_token);
}

TEST_F(SessionServiceTest, RevokeEndsOneSessionAndOnlyTheCallersOwn) {
  const TokenPair laptop = login("laptop");
  const TokenPair phone = login("phone");
  auto caller = sessions_.authenticate(phone.access_token);
  ASSERT_TRUE(caller);
  auto listed = sessions_.list(*caller);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].user_agent, "laptop");
  EXPECT_EQ((*listed)[1].user_agent, "phone");

  // Another user cannot end Ada's sessions, even knowing the id.
  ASSERT_TRUE(
      auth_.register_user({.email = "eve@example.com", .password = std::string(kPassword)}));
  const Principal eve{.user_id = user_id_ + 1, .session_id = "x"};
  auto refused = sessions_.revoke(eve, laptop.session_id, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, AuthError::session_not_found);
  EXPECT_TRUE(authenticates(laptop.access_token));

  ASSERT_TRUE(sessions_.revoke(*caller, laptop.session_id, {}));
  EXPECT_FALSE(authenticates(laptop.access_token));
  EXPECT_EQ(refresh_error(laptop.refresh_token), AuthError::invalid_refresh_token);
  EXPECT_TRUE(authenticates(phone.access_token));
  auto again = sessions_.revoke(*caller, laptop.session_id, {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, AuthError::session_not_found);
}

TEST_F(SessionServiceTest, RevokeAllEndsEverySession) {
  const TokenPair laptop = login("laptop");
  const TokenPair phone = login("phone");
  auto caller = sessions_.authenticate(phone.access_token);
  ASSERT_TRUE(caller);
  auto revoked = sessions_.revoke_all(*caller, {});
  ASSERT_TRUE(revoked);
  EXPECT_EQ(*revoked, 2);
  EXPECT_FALSE(authenticates(laptop.access_token));
  EXPECT_FALSE(authenticates(phone.access_token));
  EXPECT_EQ(refresh_error(phone.refresh_token), AuthError::invalid_refresh_token);
}

TEST_F(SessionServiceTest, DeactivatedUsersTokensStopAtOnce) {
  const TokenPair pair = login();
  test::RawDb(dir_.file("authd.db")).query("UPDATE users SET is_active = 0");
  EXPECT_FALSE(authenticates(pair.access_token));
  EXPECT_EQ(refresh_error(pair.refresh_token), AuthError::invalid_refresh_token);
}

TEST_F(SessionServiceTest, AccessTokensExpireAndMustMatchIssuerAndAudience) {
  const TokenPair pair = login();
  clock_.advance(899s);
  EXPECT_TRUE(authenticates(pair.access_token));
  clock_.advance(1s);
  EXPECT_FALSE(authenticates(pair.access_token)) << "exp is exclusive";

  // Same keys and store, another issuer or audience: refused.
  clock_.set(util::from_unix_millis(kT0));
  for (auto [issuer, audience] :
       {std::pair{"https://other.test", "api.test"}, std::pair{"https://auth.test", "other-api"}}) {
    SessionService other(store_, keys_, clock_,
                         {.issuer = issuer, .audience = audience, .leeway = 0s},
                         std::string(32, 'r'));
    EXPECT_FALSE(other.authenticate(pair.access_token)) << issuer << " " << audience;
  }
}

TEST_F(SessionServiceTest, ForgedAndConfusedTokensAreRefused) {
  const TokenPair pair = login();
  const auto claims = claims_of(pair.access_token);
  // Same claims under an HS256 secret anybody could guess, and under a key not in the ring.
  EXPECT_FALSE(authenticates(crypto::sign_hs256(claims, std::string(32, 'k'))));
  const auto stranger = crypto::ed25519_generate();
  EXPECT_FALSE(
      authenticates(crypto::sign_eddsa(claims, "unknown-kid", stranger.private_key, "at+jwt")));
  EXPECT_FALSE(authenticates(
      crypto::sign_eddsa(claims, kid_of(pair.access_token), stranger.private_key, "at+jwt")));
  // A valid signature for a session of another user (sub changed) cannot be made; a sub that
  // does not own the sid is refused even if it were.
  auto swapped = claims;
  swapped["sub"] = std::to_string(user_id_ + 1);
  EXPECT_FALSE(authenticates(keys_.sign(swapped, clock_.now())));
  EXPECT_FALSE(authenticates(""));
  EXPECT_FALSE(authenticates("a.b.c"));
}

TEST_F(SessionServiceTest, KeyRotationPublishesAtOnceSignsAfterTheDelayRetiresAfterTtl) {
  const std::string first_kid = kid_of(login().access_token);
  auto added = keys_.add_key(3600s);
  ASSERT_TRUE(added);
  clock_.advance(31s);  // past the reload interval: the ring sees the new key
  EXPECT_EQ(keys_.jwks().at("keys").as_array().size(), 2u) << "published at once";
  EXPECT_EQ(kid_of(login().access_token), first_kid) << "not signing before its activation";

  clock_.advance(3600s);
  const TokenPair late = login();
  EXPECT_EQ(kid_of(late.access_token), *added);
  // Tokens of the retired key stay valid until they expire...
  const std::string old_token = keys_.sign(claims_of(late.access_token), clock_.now() - 3600s);
  EXPECT_EQ(kid_of(old_token), first_kid);
  EXPECT_TRUE(keys_.public_key(first_kid));
  // ...and the key leaves the set once every token it signed has expired.
  // 1 s before the new key's activation + reload interval + access-token lifetime
  clock_.advance(898s);
  EXPECT_TRUE(keys_.public_key(first_kid));
  EXPECT_TRUE(keys_.published_from_memory(first_kid));
  clock_.advance(1s);
  EXPECT_FALSE(keys_.published_from_memory(first_kid)) << "retired with time, no reload needed";
  EXPECT_FALSE(keys_.public_key(first_kid));
  EXPECT_EQ(keys_.jwks().at("keys").as_array().size(), 1u);
}

// What the gateway check asks on the I/O thread: the key set in memory, never the store.
TEST_F(SessionServiceTest, PublishedFromMemoryTrustsOnlyAFreshKeySet) {
  const std::string kid = kid_of(login().access_token);
  EXPECT_TRUE(keys_.published_from_memory(kid));
  EXPECT_FALSE(keys_.published_from_memory("no-such-kid"));
  clock_.advance(31s);
  EXPECT_FALSE(keys_.published_from_memory(kid))
      << "a set older than the reload interval sends the caller the way that reloads";
  ASSERT_TRUE(keys_.public_key(kid));  // reloads
  EXPECT_TRUE(keys_.published_from_memory(kid));
  ASSERT_TRUE(keys_.revoke_key(kid));
  clock_.advance(31s);
  keys_.jwks();  // reloads: the revocation is in the set
  EXPECT_FALSE(keys_.published_from_memory(kid));
}

TEST_F(SessionServiceTest, NoKidStartsLikeACommandLineOption) {
  // One base64url draw in 64 starts with '-': 500 keys would hold such a kid with
  // probability 1 - (63/64)^500 > 0.9996 if new kids were not drawn again.
  for (int i = 0; i < 500; ++i) {
    auto kid = keys_.add_key(3600s);
    ASSERT_TRUE(kid);
    ASSERT_NE(kid->front(), '-') << *kid;
  }
}

TEST_F(SessionServiceTest, RevokingTheSigningKeyDoesNotBringBackTheOneItRetired) {
  // K1 signed, K2 replaced it long ago (K1 retired and gone), then K2 is revoked after a leak:
  // K3 signs, and K1 must stay gone (its private half leaked with the same database).
  const TokenPair first = login();
  const std::string k1 = kid_of(first.access_token);
  clock_.advance(1s);
  ASSERT_TRUE(keys_.add_key(0s));
  clock_.advance(31s);
  const std::string k2 = kid_of(login().access_token);
  ASSERT_NE(k2, k1);
  clock_.advance(2h);  // K1's tokens have all expired: K1 left the key set
  EXPECT_FALSE(keys_.public_key(k1));

  auto replacement = keys_.revoke_key(k2);
  ASSERT_TRUE(replacement);
  ASSERT_TRUE(*replacement) << "K2 was signing: a successor signs from now on";
  clock_.advance(2s);
  EXPECT_FALSE(keys_.public_key(k1)) << "a revoked successor still retired K1";
  EXPECT_FALSE(keys_.public_key(k2)) << "revoked";
  EXPECT_TRUE(keys_.public_key(**replacement));
  const auto jwks = keys_.jwks().at("keys").as_array();
  ASSERT_EQ(jwks.size(), 1u);
  EXPECT_EQ(jwks.front().at("kid"), boost::json::value(**replacement));
  EXPECT_EQ(kid_of(login().access_token), **replacement);
}

TEST_F(SessionServiceTest, KeysFromAnotherInstanceAreFoundByKid) {
  // A second ring on the same store (another instance) adds a key that signs at once.
  KeyRing other(store_, crypto::derive_sealing_key(std::string(32, 'k')), clock_, {});
  other.load();
  clock_.advance(1s);
  auto kid = other.add_key(0s);
  ASSERT_TRUE(kid);
  KeyRing restarted(store_, crypto::derive_sealing_key(std::string(32, 'k')), clock_, {});
  restarted.load();
  clock_.advance(2s);  // this instance has not reloaded yet: its interval is 30 s
  const std::string token = restarted.sign(claims_of(login().access_token), clock_.now());
  EXPECT_EQ(kid_of(token), *kid);
  EXPECT_TRUE(keys_.public_key(*kid)) << "an unknown kid reloads the set";
}

TEST_F(SessionServiceTest, EndedSessionsArePurgedAsRefreshesGoOn) {
  SessionService purging(store_, keys_, clock_,
                         {.issuer = "https://auth.test",
                          .audience = "api.test",
                          .leeway = 0s,
                          .ended_session_retention = std::chrono::hours(1),
                          .purge_every = 2},
                         std::string(32, 'r'));
  const TokenPair ended = login("old");
  auto caller = sessions_.authenticate(ended.access_token);
  ASSERT_TRUE(caller && sessions_.revoke(*caller, caller->session_id, {}));
  clock_.advance(std::chrono::hours(2));
  const TokenPair live = login("new");
  test::RawDb db(dir_.file("authd.db"));
  auto first = purging.refresh(live.refresh_token, {});
  ASSERT_TRUE(first);
  EXPECT_EQ(db.count("sessions"), 2) << "not yet: once every 2 rotations";
  ASSERT_TRUE(purging.refresh(first->refresh_token, {}));
  EXPECT_EQ(db.count("sessions"), 1) << "the session revoked 2 h ago is gone";
  EXPECT_EQ(db.scalar("SELECT user_agent FROM sessions"), "new");
}

TEST_F(SessionServiceTest, ALoginBeyondTheSessionCapEndsTheOldest) {
  AuthService capped(store_, crypto::PasswordHasher(fast_argon2()), clock_,
                     AuthConfig{.max_sessions_per_user = 2,
                                .passwords = {.min_characters = 8, .forbid_guessable = false}});
  std::vector<TokenPair> pairs;
  for (int i = 0; i < 3; ++i) {
    clock_.advance(1s);
    auto outcome = capped.login({.email = "ada@example.com",
                                 .password = std::string(kPassword),
                                 .open_session = store::SessionFamily::rotating});
    ASSERT_TRUE(outcome);
    pairs.push_back(sessions_.start(outcome->user.id, outcome->session_id, *outcome->session_token,
                                    clock_.now()));
  }
  EXPECT_FALSE(authenticates(pairs[0].access_token)) << "the oldest session ended";
  EXPECT_TRUE(authenticates(pairs[1].access_token));
  EXPECT_TRUE(authenticates(pairs[2].access_token));
}

TEST(VerifiedTokenCacheTest, FindsOnlyTheExactTokenAndStaysBounded) {
  VerifiedTokenCache cache(32);
  cache.insert("token-a", {.user_id = 7, .session_id = "s", .kid = "k", .expires = 100});
  auto found = cache.find("token-a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user_id, 7);
  EXPECT_FALSE(cache.find("token-a "));
  EXPECT_FALSE(cache.find("token-b"));
  for (int i = 0; i < 1000; ++i) cache.insert("t" + std::to_string(i), {.user_id = i});
  int kept = 0;
  for (int i = 0; i < 1000; ++i) kept += cache.find("t" + std::to_string(i)).has_value() ? 1 : 0;
  EXPECT_LE(kept, 32) << "capacity holds whatever is inserted";
  EXPECT_GT(kept, 0);
}

TEST_F(SessionServiceTest, CachedTokensStillExpireAndStillNeedALiveSession) {
  const TokenPair pair = login();
  ASSERT_TRUE(authenticates(pair.access_token));  // verified and cached
  ASSERT_TRUE(authenticates(pair.access_token));  // from the cache
  auto caller = sessions_.authenticate(pair.access_token);
  ASSERT_TRUE(caller);
  ASSERT_TRUE(sessions_.revoke(*caller, caller->session_id, {}));
  EXPECT_FALSE(authenticates(pair.access_token)) << "revocation holds for cached tokens";

  const TokenPair other = login();
  ASSERT_TRUE(authenticates(other.access_token));
  clock_.advance(900s);
  EXPECT_FALSE(authenticates(other.access_token)) << "expiry holds for cached tokens";
}

TEST_F(SessionServiceTest, AWrongKeyEncryptionKeyStopsStartUp) {
  KeyRing wrong(store_, crypto::derive_sealing_key(std::string(32, 'x')), clock_, {});
  EXPECT_THROW(wrong.load(), std::runtime_error);
}

TEST_F(SessionServiceTest, ASwappedPublicKeyInTheStoreIsRefused) {
  // Write access to the database without the key-encryption key must not let anyone plant a
  // verification key of their own.
  const auto attacker = crypto::ed25519_generate();
  test::RawDb(dir_.file("authd.db"))
      .query("UPDATE signing_keys SET public_key = '" +
             crypto::base64url_encode(attacker.public_key) + "'");
  KeyRing restarted(store_, crypto::derive_sealing_key(std::string(32, 'k')), clock_, {});
  EXPECT_THROW(restarted.load(), std::runtime_error);
}

TEST_F(SessionServiceTest, PrivateKeysAreStoredSealed) {
  test::RawDb db(dir_.file("authd.db"));
  const auto sealed = db.scalar("SELECT sealed_private_key FROM signing_keys");
  const auto key = keys_.keys().front();
  EXPECT_EQ(sealed.find(crypto::base64url_encode(key.private_key)), std::string::npos);
  EXPECT_EQ(crypto::unseal(crypto::derive_sealing_key(std::string(32, 'k')), sealed, key.kid),
            key.private_key);
  EXPECT_FALSE(crypto::unseal(crypto::derive_sealing_key(std::string(32, 'k')), sealed, "other"))
      << "the kid is bound as associated data";
}

}  // namespace
}  // namespace authd::core
