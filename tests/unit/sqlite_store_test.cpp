// SqliteStore against a real SQLite file in a fresh temp folder: migrations, user creation with
// roles and sessions in one transaction, lookups, login recording and concurrent registration.
// Rows are checked through the SQLite C API directly, independently of the store's own reads.
#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <latch>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_migrations.hpp"
#include "support/raw_db.hpp"
#include "support/temp_dir.hpp"

namespace authd::store::sqlite {
namespace {

using test::RawDb;
using test::Row;
using test::TempDir;

constexpr std::int64_t kT0 = 1742995117241;  // 2025-03-26T13:18:37.241Z

// Built by appending: GCC 12 at -O3 warns falsely (-Wrestrict) on "literal" + std::string.
std::string numbered(std::string_view prefix, std::int64_t n, std::string_view suffix = "") {
  std::string out(prefix);
  out.append(std::to_string(n)).append(suffix);
  return out;
}

util::TimePoint at(std::int64_t ms) {
  return util::from_unix_millis(ms);
}

NewUser new_user(const std::string& email, std::vector<std::string> roles = {"user"}) {
  NewUser user;
  user.email = email;
  user.email_key = email;
  user.password_hash = "$argon2id$v=19$m=8192,t=1,p=1$c2FsdA$aGFzaA";
  user.roles = std::move(roles);
  user.now = at(kT0);
  return user;
}

NewSession new_session(const std::string& token_hash, std::int64_t created_ms) {
  NewSession session;
  session.kind = SessionKind::seed002;
  session.token_hash = token_hash;
  session.created_at = at(created_ms);
  session.expires_at = at(created_ms + 3'600'000);
  session.user_agent = "curl/8.0";
  session.client_address = "192.0.2.7";
  return session;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("authd.db");
  SqliteStore store_{path_, 2};
};

TEST_F(SqliteStoreTest, MigrationsCreateTheSchemaAndSeedRoles) {
  RawDb raw(path_);
  for (const char* table : {"users", "roles", "user_roles", "sessions", "schema_migrations"}) {
    EXPECT_EQ(raw.scalar(std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                     "AND name = '") +
                         table + "'"),
              "1")
        << table;
  }
  EXPECT_EQ(raw.count("roles"), 5);
  EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.count("schema_migrations"), static_cast<long>(migrations().size()));
}

TEST(SqliteStoreReopenTest, ReopeningIsANoOpAndKeepsData) {
  TempDir dir;
  const std::string path = dir.file("authd.db");
  {
    SqliteStore store(path, 1);
    ASSERT_TRUE(store.create_user(new_user("ada@example.com"), std::nullopt));
  }
  {
    SqliteStore store(path, 3);
    auto found = store.find_user_by_email("ada@example.com");
    ASSERT_TRUE(found);
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->id, 1);
    EXPECT_EQ((*found)->roles, std::vector<std::string>{"user"});
    auto second = store.create_user(new_user("bob@example.com"), std::nullopt);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->id, 2);
  }
  SqliteStore third(path, 1);  // a third open must not fail or re-run anything either
  RawDb raw(path);
  EXPECT_EQ(raw.count("schema_migrations"), static_cast<long>(migrations().size()));
  for (const Migration& migration : migrations()) {
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM schema_migrations WHERE version = " +
                         std::to_string(migration.version)),
              "1");
  }
  EXPECT_EQ(raw.count("roles"), 5) << "role seeding must not repeat";
  EXPECT_EQ(raw.count("users"), 2);
}

// sqlite_migrations.hpp promises that migrating "from two processes at once is a no-op": several
// stores starting together on one new file (an overlapping restart, two instances on one host)
// must all open. The race is probabilistic, so it is run for several fresh files.
TEST(SqliteStoreReopenTest, ConcurrentOpensOfAFreshFileAllSucceed) {
  TempDir dir;
  constexpr int kRounds = 20;
  constexpr int kOpeners = 4;
  for (int round = 0; round < kRounds; ++round) {
    const std::string path = dir.file(numbered("fresh-", round, ".db"));
    std::latch start(kOpeners);
    std::vector<std::string> failures(kOpeners);
    {
      std::vector<std::jthread> threads;
      for (int i = 0; i < kOpeners; ++i) {
        threads.emplace_back([&, i] {
          start.arrive_and_wait();
          try {
            SqliteStore store(path, 2);
            if (!store.ping()) failures[i] = "ping failed";
          } catch (const std::exception& e) {
            failures[i] = e.what();
          }
        });
      }
    }
    for (const std::string& failure : failures) {
      ASSERT_EQ(failure, "") << "round " << round;
    }
    RawDb raw(path);
    EXPECT_EQ(raw.count("schema_migrations"), static_cast<long>(migrations().size()));
    EXPECT_EQ(raw.count("roles"), 5);
  }
}

TEST(SqliteStoreOpenTest, UnopenableFileThrowsAtStartUp) {
  TempDir dir;
  EXPECT_THROW(SqliteStore(dir.file("missing-folder/authd.db"), 1), std::runtime_error);
}

TEST_F(SqliteStoreTest, CreateUserAssignsIncreasingIdsFromOne) {
  for (std::int64_t expected = 1; expected <= 3; ++expected) {
    auto created = store_.create_user(new_user(numbered("u", expected, "@x.io")), std::nullopt);
    ASSERT_TRUE(created);
    EXPECT_EQ(created->id, expected);
  }
}

TEST_F(SqliteStoreTest, CreateUserKeepsOnlyExistingRolesInRequestedOrder) {
  auto created = store_.create_user(
      new_user("ada@example.com", {"seller", "no-such-role", "admin", "seller", "buyer"}),
      std::nullopt);
  ASSERT_TRUE(created);
  const std::vector<std::string> expected{"seller", "admin", "buyer"};
  EXPECT_EQ(created->roles, expected);

  auto found = store_.find_user_by_id(created->id);
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->roles, expected);

  RawDb raw(path_);
  EXPECT_EQ(raw.count("user_roles"), 3);
}

TEST_F(SqliteStoreTest, CreateUserWithNoKnownRoleHasNoRoles) {
  auto created = store_.create_user(new_user("ada@example.com", {"ghost"}), std::nullopt);
  ASSERT_TRUE(created);
  EXPECT_TRUE(created->roles.empty());
  RawDb raw(path_);
  EXPECT_EQ(raw.count("user_roles"), 0);
}

TEST_F(SqliteStoreTest, DuplicateEmailKeyIsEmailTakenAndWritesNothing) {
  ASSERT_TRUE(store_.create_user(new_user("ada@example.com"), new_session("hash-1", kT0)));
  RawDb raw(path_);
  ASSERT_EQ(raw.count("users"), 1);
  ASSERT_EQ(raw.count("user_roles"), 1);
  ASSERT_EQ(raw.count("sessions"), 1);

  NewUser duplicate = new_user("ADA@example.com", {"admin", "seller"});
  duplicate.email_key = "ada@example.com";
  auto again = store_.create_user(duplicate, new_session("hash-2", kT0));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), StoreError::email_taken);
  EXPECT_EQ(raw.count("users"), 1);
  EXPECT_EQ(raw.count("user_roles"), 1);
  EXPECT_EQ(raw.count("sessions"), 1);

  auto next = store_.create_user(new_user("bob@example.com"), std::nullopt);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, 2);
}

TEST_F(SqliteStoreTest, FailureAfterTheUserRowRollsEverythingBack) {
  // The second user's session collides on the unique token hash: the user row and its roles,
  // written before the session in the same transaction, must not survive.
  ASSERT_TRUE(store_.create_user(new_user("ada@example.com"), new_session("same-hash", kT0)));
  auto failed =
      store_.create_user(new_user("bob@example.com", {"admin"}), new_session("same-hash", kT0));
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error(), StoreError::email_taken);

  auto bob = store_.find_user_by_email("bob@example.com");
  ASSERT_TRUE(bob);
  EXPECT_FALSE(bob->has_value());
  RawDb raw(path_);
  EXPECT_EQ(raw.count("users"), 1);
  EXPECT_EQ(raw.count("user_roles"), 1);
  EXPECT_EQ(raw.count("sessions"), 1);
}

TEST_F(SqliteStoreTest, CreateUserStoresTheSessionAsGiven) {
  const std::string hash(64, 'a');
  auto created = store_.create_user(new_user("ada@example.com"), new_session(hash, kT0));
  ASSERT_TRUE(created);
  RawDb raw(path_);
  const auto rows = raw.query(
      "SELECT user_id, kind, token_hash, created_at, expires_at, last_used_at, revoked_at, "
      "user_agent, client_address FROM sessions");
  ASSERT_EQ(rows.size(), 1u);
  const Row expected{
      "1",          "seed002",    hash,       std::to_string(kT0), std::to_string(kT0 + 3'600'000),
      std::nullopt, std::nullopt, "curl/8.0", "192.0.2.7"};
  EXPECT_EQ(rows[0], expected);
}

TEST_F(SqliteStoreTest, FindRoundTripsEveryField) {
  NewUser named = new_user("Ada@Example.com", {"admin"});
  named.email_key = "ada@example.com";
  named.first_name = "Ada";
  named.last_name = "Lovelace";
  named.now = at(kT0 + 7);
  ASSERT_TRUE(store_.create_user(named, std::nullopt));
  ASSERT_TRUE(store_.create_user(new_user("anon@example.com"), std::nullopt));

  auto by_email = store_.find_user_by_email("ada@example.com");
  ASSERT_TRUE(by_email);
  ASSERT_TRUE(by_email->has_value());
  const UserRecord& ada = **by_email;
  EXPECT_EQ(ada.id, 1);
  EXPECT_EQ(ada.email, "Ada@Example.com");
  EXPECT_EQ(ada.password_hash, named.password_hash);
  EXPECT_EQ(ada.first_name, std::optional<std::string>("Ada"));
  EXPECT_EQ(ada.last_name, std::optional<std::string>("Lovelace"));
  EXPECT_TRUE(ada.is_active);
  EXPECT_EQ(ada.last_login, std::nullopt);
  EXPECT_EQ(ada.password_reset_token_hash, std::nullopt);
  EXPECT_EQ(ada.password_reset_expires, std::nullopt);
  EXPECT_EQ(util::to_unix_millis(ada.created_at), kT0 + 7);
  EXPECT_EQ(util::to_unix_millis(ada.updated_at), kT0 + 7);
  EXPECT_EQ(ada.roles, std::vector<std::string>{"admin"});

  auto by_id = store_.find_user_by_id(2);
  ASSERT_TRUE(by_id);
  ASSERT_TRUE(by_id->has_value());
  EXPECT_EQ((*by_id)->email, "anon@example.com");
  EXPECT_EQ((*by_id)->first_name, std::nullopt);
  EXPECT_EQ((*by_id)->last_name, std::nullopt);
  EXPECT_EQ(util::to_unix_millis((*by_id)->created_at), kT0);

  // The email key is the lookup: the display form is not.
  auto display = store_.find_user_by_email("Ada@Example.com");
  ASSERT_TRUE(display);
  EXPECT_FALSE(display->has_value());
  auto missing = store_.find_user_by_id(99);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(SqliteStoreTest, CreateUserReturnsWhatFindReturns) {
  NewUser user = new_user("ada@example.com", {"buyer", "user"});
  user.first_name = "Ada";
  auto created = store_.create_user(user, std::nullopt);
  ASSERT_TRUE(created);
  auto found = store_.find_user_by_id(created->id);
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  const UserRecord& stored = **found;
  EXPECT_EQ(created->email, stored.email);
  EXPECT_EQ(created->password_hash, stored.password_hash);
  EXPECT_EQ(created->first_name, stored.first_name);
  EXPECT_EQ(created->last_name, stored.last_name);
  EXPECT_EQ(created->is_active, stored.is_active);
  EXPECT_EQ(created->last_login, stored.last_login);
  EXPECT_EQ(created->created_at, stored.created_at);
  EXPECT_EQ(created->updated_at, stored.updated_at);
  EXPECT_EQ(created->roles, stored.roles);
}

TEST_F(SqliteStoreTest, ExistingRolesKeepsOrderAndDropsDuplicatesAndUnknown) {
  const std::vector<std::string> names{"admin", "ghost", "user", "admin", "seller,buyer", "seller"};
  auto existing = store_.existing_roles(names);
  ASSERT_TRUE(existing);
  EXPECT_EQ(*existing, (std::vector<std::string>{"admin", "user", "seller"}));

  auto none = store_.existing_roles({});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  const std::vector<std::string> case_variant{"Admin"};
  auto cased = store_.existing_roles(case_variant);
  ASSERT_TRUE(cased);
  EXPECT_TRUE(cased->empty()) << "role names are exact";
}

TEST_F(SqliteStoreTest, RecordLoginUpdatesTimesAndKeepsTheHash) {
  auto created = store_.create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(created);
  const std::int64_t later = kT0 + 60'000;
  auto updated = store_.record_login({.user_id = created->id,
                                      .at = at(later),
                                      .upgraded_password_hash = std::nullopt,
                                      .replacing_session = std::nullopt});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->last_login, std::optional(at(later)));
  EXPECT_EQ(updated->updated_at, at(later));
  EXPECT_EQ(updated->created_at, at(kT0));
  EXPECT_EQ(updated->password_hash, created->password_hash);
  EXPECT_EQ(updated->roles, std::vector<std::string>{"user"});

  RawDb raw(path_);
  EXPECT_EQ(raw.query("SELECT last_login, updated_at, created_at, password_hash FROM users")[0],
            (Row{std::to_string(later), std::to_string(later), std::to_string(kT0),
                 created->password_hash}));
  EXPECT_EQ(raw.count("sessions"), 0);
}

TEST_F(SqliteStoreTest, RecordLoginUpgradesTheHashWhenGiven) {
  auto created = store_.create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(created);
  auto updated = store_.record_login({.user_id = created->id,
                                      .at = at(kT0 + 1),
                                      .upgraded_password_hash = "$argon2id$new",
                                      .replacing_session = std::nullopt});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->password_hash, "$argon2id$new");
  RawDb raw(path_);
  EXPECT_EQ(raw.scalar("SELECT password_hash FROM users WHERE id = 1"), "$argon2id$new");
}

TEST_F(SqliteStoreTest, RecordLoginReplacesOnlyThatUsersLiveSessions) {
  auto ada = store_.create_user(new_user("ada@example.com"), new_session("ada-1", kT0));
  auto bob = store_.create_user(new_user("bob@example.com"), new_session("bob-1", kT0));
  ASSERT_TRUE(ada);
  ASSERT_TRUE(bob);
  const std::int64_t t1 = kT0 + 1000;
  ASSERT_TRUE(store_.record_login({.user_id = ada->id,
                                   .at = at(t1),
                                   .upgraded_password_hash = std::nullopt,
                                   .replacing_session = new_session("ada-2", t1)}));
  const std::int64_t t2 = kT0 + 2000;
  ASSERT_TRUE(store_.record_login({.user_id = ada->id,
                                   .at = at(t2),
                                   .upgraded_password_hash = std::nullopt,
                                   .replacing_session = new_session("ada-3", t2)}));

  RawDb raw(path_);
  const auto rows =
      raw.query("SELECT user_id, token_hash, created_at, revoked_at FROM sessions ORDER BY id");
  ASSERT_EQ(rows.size(), 4u);
  // ada-1 was revoked by the first login and keeps that time; ada-2 by the second.
  EXPECT_EQ(rows[0], (Row{"1", "ada-1", std::to_string(kT0), std::to_string(t1)}));
  EXPECT_EQ(rows[1], (Row{"2", "bob-1", std::to_string(kT0), std::nullopt}));
  EXPECT_EQ(rows[2], (Row{"1", "ada-2", std::to_string(t1), std::to_string(t2)}));
  EXPECT_EQ(rows[3], (Row{"1", "ada-3", std::to_string(t2), std::nullopt}));
}

TEST_F(SqliteStoreTest, RecordLoginOnMissingUserIsNotFoundAndWritesNothing) {
  auto result = store_.record_login({.user_id = 42,
                                     .at = at(kT0),
                                     .upgraded_password_hash = "$argon2id$x",
                                     .replacing_session = new_session("orphan", kT0)});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), StoreError::not_found);
  RawDb raw(path_);
  EXPECT_EQ(raw.count("sessions"), 0);
  EXPECT_EQ(raw.count("users"), 0);
}

TEST_F(SqliteStoreTest, Ping) {
  EXPECT_TRUE(store_.ping());
}

TEST(SqliteStoreConcurrencyTest, OneOfManyConcurrentRegistrationsWins) {
  TempDir dir;
  const std::string path = dir.file("authd.db");
  constexpr int kThreads = 8;
  SqliteStore store(path, kThreads);
  std::vector<std::optional<boost::system::error_code>> outcomes(kThreads);
  std::latch start(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        NewUser user = new_user(numbered("Race", i, "@example.com"));
        user.email_key = "race@example.com";
        start.arrive_and_wait();
        auto created = store.create_user(user, new_session(numbered("hash-", i), kT0));
        outcomes[i] = created ? std::nullopt : std::optional(created.error());
      });
    }
  }
  int successes = 0;
  int taken = 0;
  for (const auto& outcome : outcomes) {
    if (!outcome) {
      ++successes;
    } else if (*outcome == StoreError::email_taken) {
      ++taken;
    } else {
      ADD_FAILURE() << "unexpected error: " << outcome->message();
    }
  }
  EXPECT_EQ(successes, 1);
  EXPECT_EQ(taken, kThreads - 1);
  RawDb raw(path);
  EXPECT_EQ(raw.count("users"), 1);
  EXPECT_EQ(raw.count("sessions"), 1);
  EXPECT_EQ(raw.count("user_roles"), 1);
}

}  // namespace
}  // namespace authd::store::sqlite
