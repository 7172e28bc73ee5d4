// The Store contract: one suite of behaviours every implementation must show (GoogleTest's
// "interface tests", sample7), instantiated once per backend. "Sqlite/..." runs against a real file
// in a fresh temp folder, "Postgres/..." against a fresh database in the test cluster (the CTest
// fixture "postgres" starts it). Rows are also checked over a connection of the test's own,
// independently of the store's reads, with SQL both dialects accept; what differs between the
// backends (how to open one, column types, migration lists) lives in Backend, never in a test.
#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <functional>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_migrations.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"
#include "support/pg_test_cluster.hpp"
#include "support/raw_db.hpp"
#include "support/temp_dir.hpp"

namespace authd::store {
namespace {

using test::Row;

// One empty database for one test, and the two ways the test reaches it.
struct TestDatabase {
  // Opens a store on this database; every call opens (or re-opens) the same one.
  std::function<std::unique_ptr<Store>(std::size_t connections)> open;
  // One statement over a plain connection of the test's own: rows as text, NULL as nullopt.
  std::function<std::vector<Row>(const std::string& sql)> query;
  // Opens a store where none can be opened (a missing folder, a missing database).
  std::function<std::unique_ptr<Store>()> open_unopenable;
  // Brings the empty database to schema version `version` as a store of that release would
  // have left it: the backend's migrations up to it, recorded as applied.
  std::function<void(int version)> migrate_to;
  std::string uri{};  // PostgreSQL's, for a connection of the test's own; empty for SQLite
};

struct Backend {
  std::string name;
  std::function<TestDatabase()> create_database;
  // SQL reading a timestamp column as UNIX milliseconds: SQLite stores INTEGER milliseconds,
  // PostgreSQL TIMESTAMPTZ. Only for rows the Store interface cannot read back (sessions).
  std::function<std::string(std::string_view column)> unix_millis;
  // A timestamp literal for SQL of this backend (INTEGER milliseconds, or TIMESTAMPTZ).
  std::function<std::string(std::int64_t ms)> timestamp;
  std::vector<int> migration_versions;  // what schema_migrations holds once a store has opened
};

void PrintTo(const Backend& backend, std::ostream* os) {
  *os << backend.name;
}

template <class Migrations>
std::vector<int> versions_of(const Migrations& migrations) {
  std::vector<int> versions;
  for (const auto& migration : migrations) versions.push_back(migration.version);
  return versions;
}

Backend sqlite_backend() {
  return {
      .name = "sqlite",
      .create_database =
          [] {
            auto dir = std::make_shared<test::TempDir>();  // lives as long as the functions
            const std::string path = dir->file("authd.db");
            return TestDatabase{
                .open = [dir, path](std::size_t connections) -> std::unique_ptr<Store> {
                  return std::make_unique<sqlite::SqliteStore>(path, connections);
                },
                .query = [dir,
                          path](const std::string& sql) { return test::RawDb(path).query(sql); },
                .open_unopenable = [dir]() -> std::unique_ptr<Store> {
                  return std::make_unique<sqlite::SqliteStore>(dir->file("missing-folder/authd.db"),
                                                               1);
                },
                .migrate_to =
                    [dir, path](int version) {
                      std::ofstream{path};  // RawDb opens existing files only
                      test::RawDb db(path);
                      db.execute(
                          "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                          "description TEXT NOT NULL, applied_at INTEGER NOT NULL)");
                      for (const auto& migration : sqlite::migrations()) {
                        if (migration.version > version) break;
                        db.execute(migration.sql);
                        db.execute("INSERT INTO schema_migrations VALUES (" +
                                   std::to_string(migration.version) + ", 'old', 0)");
                      }
                    },
            };
          },
      .unix_millis = [](std::string_view column) { return std::string(column); },
      .timestamp = [](std::int64_t ms) { return std::to_string(ms); },
      .migration_versions = versions_of(sqlite::migrations()),
  };
}

Backend postgres_backend() {
  return {
      .name = "postgres",
      .create_database =
          [] {
            const std::string uri = test::create_test_database();
            return TestDatabase{
                .open = [uri](std::size_t connections) -> std::unique_ptr<Store> {
                  return std::make_unique<postgres::PostgresStore>(uri, connections);
                },
                .query = [uri](const std::string& sql) { return test::pg_query(uri, sql); },
                .open_unopenable = [uri]() -> std::unique_ptr<Store> {
                  std::string missing = uri;
                  missing.append("_missing");  // a database nobody created
                  return std::make_unique<postgres::PostgresStore>(missing, 1);
                },
                .migrate_to =
                    [uri](int version) {
                      test::pg_query(uri,
                                     "CREATE TABLE schema_migrations (version INTEGER PRIMARY "
                                     "KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ "
                                     "NOT NULL)");
                      for (const auto& migration : postgres::migrations()) {
                        if (migration.version > version) break;
                        test::pg_query(uri, migration.sql);
                        test::pg_query(uri, "INSERT INTO schema_migrations VALUES (" +
                                                std::to_string(migration.version) +
                                                ", 'old', now())");
                      }
                    },
                .uri = uri,
            };
          },
      .unix_millis =
          [](std::string_view column) {
            std::string sql("(extract(epoch FROM ");
            sql.append(column).append(") * 1000)::bigint");
            return sql;
          },
      .timestamp =
          [](std::int64_t ms) { return "to_timestamp(" + std::to_string(ms) + " / 1000.0)"; },
      .migration_versions = versions_of(postgres::migrations()),
  };
}

constexpr std::int64_t kT0 = 1742995117241;  // 2025-03-26T13:18:37.241Z

std::string numbered(std::string_view prefix, std::int64_t n, std::string_view suffix = "") {
  return std::string(prefix) + std::to_string(n) + std::string(suffix);
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
  session.family = SessionFamily::opaque;
  session.token_hash = token_hash;
  session.created_at = at(created_ms);
  session.expires_at = at(created_ms + 3'600'000);
  session.user_agent = "curl/8.0";
  session.client_address = "192.0.2.7";
  return session;
}

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = GetParam().create_database();
    store_ = db_.open(2);
  }

  Store& store() { return *store_; }
  std::vector<Row> query(const std::string& sql) { return db_.query(sql); }
  // The single non-NULL value of a one-row, one-column result.
  std::string scalar(const std::string& sql) {
    const auto rows = query(sql);
    if (rows.size() != 1 || rows[0].size() != 1 || !rows[0][0]) {
      throw std::runtime_error("not a scalar: " + sql);
    }
    return *rows[0][0];
  }
  long count(const std::string& table) {
    return std::stol(scalar("SELECT COUNT(*) FROM " + table));
  }
  std::string millis(std::string_view column) { return GetParam().unix_millis(column); }

  // Every migration of this backend recorded exactly once, and nothing else.
  void expect_migrations_recorded_once() {
    const auto& versions = GetParam().migration_versions;
    EXPECT_EQ(count("schema_migrations"), static_cast<long>(versions.size()));
    for (int version : versions) {
      EXPECT_EQ(
          scalar(numbered("SELECT COUNT(*) FROM schema_migrations WHERE version = ", version)), "1")
          << "version " << version;
    }
  }

  TestDatabase db_;
  std::unique_ptr<Store> store_;  // declared after db_: closed before the database goes
};

TEST_P(StoreContract, MigrationsCreateTheSchemaAndSeedRoles) {
  for (const char* table : {"users", "roles", "user_roles", "sessions", "schema_migrations"}) {
    EXPECT_NO_THROW(query(std::string("SELECT COUNT(*) FROM ") + table)) << table;
  }
  EXPECT_EQ(query("SELECT name FROM roles ORDER BY id"),
            (std::vector<Row>{
                {"user"}, {"moderator"}, {"admin"}, {"seller"}, {"buyer"}, {"authd:admin"}}));
  expect_migrations_recorded_once();
}

TEST_P(StoreContract, ReopeningIsANoOpAndKeepsData) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  store_.reset();
  {
    auto reopened = db_.open(3);
    auto found = reopened->find_user_by_email("ada@example.com");
    ASSERT_TRUE(found);
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->id, ada->id);
    EXPECT_EQ((*found)->roles, std::vector<std::string>{"user"});
    auto second = reopened->create_user(new_user("bob@example.com"), std::nullopt);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->id, ada->id + 1);
  }
  auto third = db_.open(1);  // a third open must not fail or re-run anything either
  ASSERT_TRUE(third->ping());
  expect_migrations_recorded_once();
  EXPECT_EQ(count("roles"), 6) << "role seeding must not repeat";
  EXPECT_EQ(count("users"), 2);
}

// Several stores starting together on one new database (an overlapping restart, several
// instances on one database) must all open, and each migration must be applied exactly once:
// SQLite promises it per migration transaction, PostgreSQL under an advisory lock. The race is
// probabilistic, so it is run on several fresh databases.
TEST_P(StoreContract, ConcurrentFirstOpensOfAFreshDatabaseAllSucceed) {
  constexpr int kRounds = 20;
  constexpr int kOpeners = 4;
  for (int round = 0; round < kRounds; ++round) {
    const TestDatabase fresh = GetParam().create_database();
    std::latch start(kOpeners);
    std::vector<std::string> failures(kOpeners);
    {
      std::vector<std::jthread> threads;
      for (int i = 0; i < kOpeners; ++i) {
        threads.emplace_back([&, i] {
          start.arrive_and_wait();
          try {
            auto opened = fresh.open(2);
            if (!opened->ping()) failures[i] = "ping failed";
          } catch (const std::exception& e) {
            failures[i] = e.what();
          }
        });
      }
    }
    for (const std::string& failure : failures) {
      ASSERT_EQ(failure, "") << "round " << round;
    }
    const auto& versions = GetParam().migration_versions;
    for (int version : versions) {
      EXPECT_EQ(
          fresh.query(numbered("SELECT COUNT(*) FROM schema_migrations WHERE version = ", version)),
          (std::vector<Row>{{"1"}}))
          << "round " << round << ", version " << version;
    }
    EXPECT_EQ(fresh.query("SELECT COUNT(*) FROM schema_migrations"),
              (std::vector<Row>{{std::to_string(versions.size())}}))
        << "round " << round;
    EXPECT_EQ(fresh.query("SELECT COUNT(*) FROM roles"), (std::vector<Row>{{"6"}}))
        << "round " << round;
  }
}

TEST_P(StoreContract, UnopenableDatabaseThrowsAtStartUp) {
  EXPECT_THROW(db_.open_unopenable(), std::runtime_error);
}

TEST_P(StoreContract, CreateUserAssignsIncreasingIdsFromOne) {
  for (std::int64_t expected = 1; expected <= 3; ++expected) {
    auto created = store().create_user(new_user(numbered("u", expected, "@x.io")), std::nullopt);
    ASSERT_TRUE(created);
    EXPECT_EQ(created->id, expected);
  }
}

TEST_P(StoreContract, CreateUserKeepsOnlyExistingRolesInRequestedOrder) {
  auto created = store().create_user(
      new_user("ada@example.com", {"seller", "no-such-role", "admin", "seller", "buyer"}),
      std::nullopt);
  ASSERT_TRUE(created);
  const std::vector<std::string> expected{"seller", "admin", "buyer"};
  EXPECT_EQ(created->roles, expected);

  auto found = store().find_user_by_id(created->id);
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->roles, expected);

  EXPECT_EQ(count("user_roles"), 3);
}

TEST_P(StoreContract, CreateUserWithNoKnownRoleHasNoRoles) {
  auto created = store().create_user(new_user("ada@example.com", {"ghost"}), std::nullopt);
  ASSERT_TRUE(created);
  EXPECT_TRUE(created->roles.empty());
  EXPECT_EQ(count("user_roles"), 0);
}

TEST_P(StoreContract, DuplicateEmailKeyIsEmailTakenAndWritesNothing) {
  auto ada = store().create_user(new_user("ada@example.com"), new_session("hash-1", kT0));
  ASSERT_TRUE(ada);
  ASSERT_EQ(count("users"), 1);
  ASSERT_EQ(count("user_roles"), 1);
  ASSERT_EQ(count("sessions"), 1);

  NewUser duplicate = new_user("ADA@example.com", {"admin", "seller"});
  duplicate.email_key = "ada@example.com";
  auto again = store().create_user(duplicate, new_session("hash-2", kT0));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), StoreError::email_taken);
  EXPECT_EQ(count("users"), 1);
  EXPECT_EQ(count("user_roles"), 1);
  EXPECT_EQ(count("sessions"), 1);
  EXPECT_EQ(
      query("SELECT email, token_hash FROM users JOIN sessions ON sessions.user_id = users.id"),
      (std::vector<Row>{{"ada@example.com", "hash-1"}}));

  // Ids stay unique and increasing. They need not stay dense: a PostgreSQL sequence does not roll
  // back, so the failed attempt may have used up id 2 (SQLite's AUTOINCREMENT hands it out again).
  auto next = store().create_user(new_user("bob@example.com"), std::nullopt);
  ASSERT_TRUE(next);
  EXPECT_GT(next->id, ada->id);
  EXPECT_EQ(count("users"), 2);
}

TEST_P(StoreContract, FailureAfterTheUserRowRollsEverythingBack) {
  // The second user's session collides on the unique token hash: the user row and its roles,
  // written before the session in the same transaction, must not survive.
  ASSERT_TRUE(store().create_user(new_user("ada@example.com"), new_session("same-hash", kT0)));
  auto failed =
      store().create_user(new_user("bob@example.com", {"admin"}), new_session("same-hash", kT0));
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error(), StoreError::email_taken);

  auto bob = store().find_user_by_email("bob@example.com");
  ASSERT_TRUE(bob);
  EXPECT_FALSE(bob->has_value());
  EXPECT_EQ(count("users"), 1);
  EXPECT_EQ(count("user_roles"), 1);
  EXPECT_EQ(count("sessions"), 1);
}

TEST_P(StoreContract, CreateUserStoresTheSessionAsGiven) {
  const std::string hash(64, 'a');
  auto created = store().create_user(new_user("ada@example.com"), new_session(hash, kT0));
  ASSERT_TRUE(created);
  const auto rows = query("SELECT user_id, kind, token_hash, " + millis("created_at") + ", " +
                          millis("expires_at") + ", " + millis("last_used_at") + ", " +
                          millis("revoked_at") + ", user_agent, client_address FROM sessions");
  ASSERT_EQ(rows.size(), 1u);
  const Row expected{std::to_string(created->id),
                     "opaque",
                     hash,
                     std::to_string(kT0),
                     std::to_string(kT0 + 3'600'000),
                     std::nullopt,
                     std::nullopt,
                     "curl/8.0",
                     "192.0.2.7"};
  EXPECT_EQ(rows[0], expected);
}

TEST_P(StoreContract, FindRoundTripsEveryField) {
  NewUser named = new_user("Ada@Example.com", {"admin"});
  named.email_key = "ada@example.com";
  named.first_name = "Ada";
  named.last_name = "Lovelace";
  named.now = at(kT0 + 758);  // 13:18:37.999: one millisecond short of the next second
  ASSERT_TRUE(store().create_user(named, std::nullopt));
  auto anon = store().create_user(new_user("anon@example.com"), std::nullopt);
  ASSERT_TRUE(anon);

  auto by_email = store().find_user_by_email("ada@example.com");
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
  EXPECT_EQ(util::to_unix_millis(ada.created_at), kT0 + 758);
  EXPECT_EQ(util::to_unix_millis(ada.updated_at), kT0 + 758);
  EXPECT_EQ(ada.roles, std::vector<std::string>{"admin"});

  auto by_id = store().find_user_by_id(anon->id);
  ASSERT_TRUE(by_id);
  ASSERT_TRUE(by_id->has_value());
  EXPECT_EQ((*by_id)->email, "anon@example.com");
  EXPECT_EQ((*by_id)->first_name, std::nullopt);
  EXPECT_EQ((*by_id)->last_name, std::nullopt);
  EXPECT_EQ(util::to_unix_millis((*by_id)->created_at), kT0);

  // The email key is the lookup: the display form is not.
  auto display = store().find_user_by_email("Ada@Example.com");
  ASSERT_TRUE(display);
  EXPECT_FALSE(display->has_value());
  auto missing = store().find_user_by_id(anon->id + 100);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

// Quotes must reach the database as data (parameters, never spliced SQL), and non-ASCII text
// must come back byte for byte and be stored as characters, not as re-encoded bytes.
TEST_P(StoreContract, UnicodeAndQuotesRoundTripExactly) {
  const std::string email = "zoë.o'brien+\"x\"@例え.jp";
  NewUser user = new_user(email, {"admin'--", "user"});
  user.first_name = "Zoë";
  user.last_name = "O'Brien; 李\\";
  user.password_hash = "$2b$10$quote'd\"hash";
  auto created = store().create_user(user, new_session("tok'en\"李", kT0));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->roles, std::vector<std::string>{"user"});

  auto found = store().find_user_by_email(email);
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  const UserRecord& zoe = **found;
  EXPECT_EQ(zoe.email, email);
  EXPECT_EQ(zoe.first_name, std::optional<std::string>("Zoë"));
  EXPECT_EQ(zoe.last_name, std::optional<std::string>("O'Brien; 李\\"));
  EXPECT_EQ(zoe.password_hash, "$2b$10$quote'd\"hash");

  // The same text with "ë" decomposed (e + U+0308) is another key: lookups are exact.
  auto decomposed = store().find_user_by_email("zoe\u0308.o'brien+\"x\"@例え.jp");
  ASSERT_TRUE(decomposed);
  EXPECT_FALSE(decomposed->has_value());

  EXPECT_EQ(query("SELECT email, email_key, first_name, last_name, length(first_name), "
                  "length(last_name) FROM users"),
            (std::vector<Row>{{email, email, "Zoë", "O'Brien; 李\\", "3", "11"}}));
  EXPECT_EQ(scalar("SELECT token_hash FROM sessions"), "tok'en\"李");

  const std::vector<std::string> names{"admin'--", "李", "user"};
  auto existing = store().existing_roles(names);
  ASSERT_TRUE(existing);
  EXPECT_EQ(*existing, std::vector<std::string>{"user"});
}

TEST_P(StoreContract, CreateUserReturnsWhatFindReturns) {
  NewUser user = new_user("ada@example.com", {"buyer", "user"});
  user.first_name = "Ada";
  auto created = store().create_user(user, std::nullopt);
  ASSERT_TRUE(created);
  auto found = store().find_user_by_id(created->id);
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

TEST_P(StoreContract, ExistingRolesKeepsOrderAndDropsDuplicatesAndUnknown) {
  const std::vector<std::string> names{"admin", "ghost", "user", "admin", "seller,buyer", "seller"};
  auto existing = store().existing_roles(names);
  ASSERT_TRUE(existing);
  EXPECT_EQ(*existing, (std::vector<std::string>{"admin", "user", "seller"}));

  auto none = store().existing_roles({});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  const std::vector<std::string> case_variant{"Admin"};
  auto cased = store().existing_roles(case_variant);
  ASSERT_TRUE(cased);
  EXPECT_TRUE(cased->empty()) << "role names are exact";
}

TEST_P(StoreContract, RecordLoginUpdatesTimesAndKeepsTheHash) {
  auto created = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(created);
  const std::int64_t later = kT0 + 60'000;
  auto updated = store().record_login({.user_id = created->id,
                                       .at = at(later),
                                       .upgraded_password_hash = std::nullopt,
                                       .session = std::nullopt});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->last_login, std::optional(at(later)));
  EXPECT_EQ(updated->updated_at, at(later));
  EXPECT_EQ(updated->created_at, at(kT0));
  EXPECT_EQ(updated->password_hash, created->password_hash);
  EXPECT_EQ(updated->roles, std::vector<std::string>{"user"});

  // A fresh read sees what the update returned.
  auto found = store().find_user_by_id(created->id);
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->last_login, std::optional(at(later)));
  EXPECT_EQ((*found)->updated_at, at(later));
  EXPECT_EQ((*found)->created_at, at(kT0));

  EXPECT_EQ(scalar("SELECT password_hash FROM users"), created->password_hash);
  EXPECT_EQ(count("sessions"), 0);
}

TEST_P(StoreContract, RecordLoginUpgradesTheHashWhenGiven) {
  auto created = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(created);
  auto updated = store().record_login({.user_id = created->id,
                                       .at = at(kT0 + 1),
                                       .upgraded_password_hash = "$argon2id$new",
                                       .verified_password_hash = created->password_hash,
                                       .session = std::nullopt});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->password_hash, "$argon2id$new");
  EXPECT_EQ(scalar(numbered("SELECT password_hash FROM users WHERE id = ", created->id)),
            "$argon2id$new");
}

// A login verifies the old password while the owner changes it: the login's upgrade of the old
// password must not put it back.
TEST_P(StoreContract, RecordLoginNeverUpgradesAHashChangedMeanwhile) {
  auto created = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(created);
  ASSERT_EQ(store().change_password(
                {.user_id = created->id, .password_hash = "$argon2id$changed", .at = at(kT0 + 1)}),
            true);
  auto updated = store().record_login({.user_id = created->id,
                                       .at = at(kT0 + 2),
                                       .upgraded_password_hash = "$argon2id$upgraded-old",
                                       .verified_password_hash = created->password_hash,
                                       .session = std::nullopt});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->password_hash, "$argon2id$changed");
}

OutboxMessage mail(const std::string& message_id, std::int64_t created_ms,
                   std::int64_t not_after_ms = kT0 + 86'400'000) {
  return {.template_name = "reset-password",
          .message_id = message_id,
          .sealed_payload = "sealed:" + message_id,
          .created_at = at(created_ms),
          .not_after = at(not_after_ms)};
}

NewActionToken action_token(std::int64_t user_id, const std::string& hash, std::int64_t created_ms,
                            std::string purpose = "reset",
                            std::string email_key = "ada@example.com") {
  return {.user_id = user_id,
          .purpose = std::move(purpose),
          .token_hash = hash,
          .email_key = std::move(email_key),
          .created_at = at(created_ms),
          .expires_at = at(created_ms + 3'600'000)};
}

// Moves ada's account from ada@example.com to ada@new.example: the confirmation token "e1" is
// issued at kT0 with the mail "confirm@x" and spent at kT0 + 10, which issues the revert token "r1"
// (back to ada@example.com) and queues `notice`.
void change_adas_email(Store& store, std::int64_t ada_id, std::optional<OutboxMessage> notice) {
  NewActionToken change = action_token(ada_id, "e1", kT0, "email_change");
  change.new_email = change.new_email_key = "ada@new.example";
  ASSERT_EQ(store.issue_action_token(change, mail("confirm@x", kT0)), true);
  NewActionToken revert = action_token(ada_id, "r1", kT0 + 10, "email_revert", "ada@new.example");
  revert.new_email = revert.new_email_key = "ada@example.com";
  const auto changed = store.redeem_action_token({.token_hash = "e1",
                                                  .purpose = "email_change",
                                                  .at = at(kT0 + 10),
                                                  .apply_new_email = true,
                                                  .follow_up = revert,
                                                  .notice = std::move(notice)});
  ASSERT_TRUE(changed);
  ASSERT_EQ(*changed, std::optional(ada_id));
}

TEST_P(StoreContract, ActionTokensAreSingleUseAndPurposeBound) {
  auto ada = store().create_user(new_user("ada@example.com"), new_session("ada-1", kT0));
  ASSERT_TRUE(ada);
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "h-reset", kT0 + 10),
                                       mail("m1@x", kT0 + 10)),
            true);
  auto found = store().find_user_by_id(ada->id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->password_reset_expires, std::optional(at(kT0 + 10 + 3'600'000)));
  EXPECT_EQ(count("mail_outbox"), 1);

  const auto redeem = [&](const std::string& hash, const std::string& purpose, std::int64_t ms) {
    return store().redeem_action_token({.token_hash = hash,
                                        .purpose = purpose,
                                        .at = at(ms),
                                        .password_hash = "$argon2id$reset",
                                        .mark_email_verified = true,
                                        .revoke_all_sessions = true,
                                        .notice = mail("m-notice-" + hash + purpose, ms)});
  };
  // Another purpose, an unknown hash, an expired token: nothing, and nothing written.
  EXPECT_EQ(*redeem("h-reset", "verify", kT0 + 20), std::nullopt);
  EXPECT_EQ(*redeem("h-other", "reset", kT0 + 20), std::nullopt);
  EXPECT_EQ(*redeem("h-reset", "reset", kT0 + 10 + 3'600'000), std::nullopt);
  EXPECT_EQ(count("mail_outbox"), 1);

  auto pending = store().find_action_token("h-reset", "reset", at(kT0 + 30));
  ASSERT_TRUE(pending && *pending);
  EXPECT_EQ((*pending)->user_id, ada->id);
  EXPECT_EQ((*pending)->new_email, std::nullopt);
  EXPECT_EQ(*store().find_action_token("h-reset", "verify", at(kT0 + 30)), std::nullopt);
  auto spent = redeem("h-reset", "reset", kT0 + 30);
  ASSERT_TRUE(spent);
  EXPECT_EQ(*spent, std::optional(ada->id));
  found = store().find_user_by_id(ada->id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->password_hash, "$argon2id$reset");
  EXPECT_EQ((*found)->email_verified_at, std::optional(at(kT0 + 30)));
  EXPECT_EQ((*found)->credentials_revoked_at, std::optional(at(kT0 + 30)));
  EXPECT_EQ((*found)->password_reset_expires, std::nullopt);
  auto live = store().list_live_sessions(ada->id, SessionFamily::opaque, at(kT0 + 31));
  ASSERT_TRUE(live);
  EXPECT_TRUE(live->empty()) << "a reset ends every session";
  EXPECT_EQ(count("mail_outbox"), 2) << "the notice is queued with the change";

  EXPECT_EQ(*redeem("h-reset", "reset", kT0 + 40), std::nullopt) << "single use";
  EXPECT_EQ(*store().find_action_token("h-reset", "reset", at(kT0 + 40)), std::nullopt);
}

TEST_P(StoreContract, ANewerTokenOrANewPasswordVoidsOutstandingTokens) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "h1", kT0), mail("m1@x", kT0)), true);
  ASSERT_EQ(
      store().issue_action_token(action_token(ada->id, "v1", kT0, "verify"), mail("m2@x", kT0)),
      true);
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "h2", kT0 + 5), mail("m3@x", kT0)),
            true);
  const auto plain = [&](const std::string& hash, const std::string& purpose, std::int64_t ms) {
    return *store().redeem_action_token({.token_hash = hash, .purpose = purpose, .at = at(ms)});
  };
  EXPECT_EQ(plain("h1", "reset", kT0 + 10), std::nullopt) << "the newer token voided it";

  // A password change voids every purpose's tokens, and the reset expiry seed 003 shows.
  ASSERT_EQ(store().change_password({.user_id = ada->id,
                                     .password_hash = "$argon2id$x",
                                     .at = at(kT0 + 20),
                                     .notice = mail("m4@x", kT0 + 20)}),
            true);
  EXPECT_EQ(count("mail_outbox"), 4);
  auto found = store().find_user_by_id(ada->id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->password_reset_expires, std::nullopt);
  EXPECT_EQ(plain("h2", "reset", kT0 + 30), std::nullopt);
  EXPECT_EQ(plain("v1", "verify", kT0 + 30), std::nullopt);
}

// Each claimed mail's link_void, by Message-ID: what claim_mail hands a sender at `now_ms` (with
// a lease of a second).
std::map<std::string, bool> claimed_void(Store& store, std::int64_t now_ms) {
  std::map<std::string, bool> found;
  auto claimed = store.claim_mail(at(now_ms), at(now_ms + 1000), 10);
  EXPECT_TRUE(claimed);
  if (claimed) {
    for (const auto& mail : *claimed) found[mail.message_id] = mail.link_void;
  }
  return found;
}

TEST_P(StoreContract, AMailIsVoidOnceTheTokenBehindItsLinkIsNoLongerLive) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "h1", kT0), mail("m1@x", kT0)), true);
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "h2", kT0 + 5), mail("m2@x", kT0 + 5)),
            true);
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "v1", kT0 + 6, "verify"),
                                       mail("m3@x", kT0 + 6)),
            true);
  ASSERT_TRUE(store().queue_mail(mail("m4@x", kT0 + 7)));  // a notice: no link
  EXPECT_EQ(claimed_void(store(), kT0 + 10),
            (std::map<std::string, bool>{
                {"m1@x", true}, {"m2@x", false}, {"m3@x", false}, {"m4@x", false}}))
      << "the newer reset token voided the first";

  // A new password voids every token: claimed again once their lease has ended, their mails are
  // void; the notice is not.
  ASSERT_EQ(store().change_password(
                {.user_id = ada->id, .password_hash = "$argon2id$x", .at = at(kT0 + 20)}),
            true);
  EXPECT_EQ(claimed_void(store(), kT0 + 2000),
            (std::map<std::string, bool>{
                {"m1@x", true}, {"m2@x", true}, {"m3@x", true}, {"m4@x", false}}));
}

TEST_P(StoreContract, AnEmailChangeNoticeGoesEvenOnceItsRevertLinkIsVoid) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_NO_FATAL_FAILURE(change_adas_email(store(), ada->id, mail("revert@x", kT0 + 10)));
  EXPECT_EQ(claimed_void(store(), kT0 + 20),
            (std::map<std::string, bool>{{"confirm@x", true}, {"revert@x", false}}))
      << "the confirmation's token is spent";
  // A deactivation voids the revert for good; the old address is still told of the change.
  ASSERT_EQ(store().update_user(ada->id, {.active = false, .at = at(kT0 + 30)}), true);
  EXPECT_EQ(*store().find_action_token("r1", "email_revert", at(kT0 + 31)), std::nullopt);
  EXPECT_EQ(claimed_void(store(), kT0 + 2000),
            (std::map<std::string, bool>{{"confirm@x", true}, {"revert@x", false}}));
}

TEST_P(StoreContract, ATokenIsVoidOnceItsAddressOrItsUserChanges) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  auto bob = store().create_user(new_user("bob@example.com"), std::nullopt);
  ASSERT_TRUE(ada && bob);
  // Not issued for an address the account no longer has, nor for an inactive user.
  EXPECT_EQ(store().issue_action_token(action_token(ada->id, "h0", kT0, "reset", "old@example.com"),
                                       mail("m0@x", kT0)),
            false);
  EXPECT_EQ(count("mail_outbox"), 0) << "and its mail is not queued";

  ASSERT_EQ(
      store().issue_action_token(action_token(ada->id, "h1", kT0, "verify"), mail("m1@x", kT0)),
      true);
  ASSERT_EQ(
      store().update_user(
          ada->id, {.email = "ada@new.example", .email_key = "ada@new.example", .at = at(kT0 + 1)}),
      true);
  EXPECT_EQ(
      *store().redeem_action_token({.token_hash = "h1", .purpose = "verify", .at = at(kT0 + 2)}),
      std::nullopt);

  ASSERT_EQ(store().issue_action_token(
                action_token(bob->id, "b1", kT0, "verify", "bob@example.com"), mail("m2@x", kT0)),
            true);
  ASSERT_EQ(store().set_user_active(bob->id, false, at(kT0 + 1), ""), true);
  EXPECT_EQ(
      *store().redeem_action_token({.token_hash = "b1", .purpose = "verify", .at = at(kT0 + 2)}),
      std::nullopt);
  EXPECT_EQ(store().issue_action_token(
                action_token(bob->id, "b2", kT0, "verify", "bob@example.com"), mail("m3@x", kT0)),
            false);
}

TEST_P(StoreContract, AnEmailChangeTokenSetsItsAddressAndIssuesTheRevertInOneTransaction) {
  auto ada = store().create_user(new_user("ada@example.com"), new_session("ada-1", kT0));
  auto bob = store().create_user(new_user("bob@example.com"), std::nullopt);
  ASSERT_TRUE(ada && bob);
  NewActionToken change = action_token(ada->id, "e1", kT0, "email_change");
  change.new_email = "Ada@New.example";
  change.new_email_key = "ada@new.example";
  ASSERT_EQ(store().issue_action_token(change, mail("m1@x", kT0)), true);
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "r1", kT0), mail("m2@x", kT0)), true);
  auto found = store().find_action_token("e1", "email_change", at(kT0 + 1));
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->new_email, std::optional<std::string>("Ada@New.example"));

  NewActionToken revert = action_token(ada->id, "v1", kT0 + 10, "email_revert", "ada@new.example");
  revert.new_email = "ada@example.com";
  revert.new_email_key = "ada@example.com";
  auto changed = store().redeem_action_token({.token_hash = "e1",
                                              .purpose = "email_change",
                                              .at = at(kT0 + 10),
                                              .apply_new_email = true,
                                              .revoke_all_sessions = true,
                                              .follow_up = revert,
                                              .notice = mail("m3@x", kT0 + 10)});
  ASSERT_TRUE(changed);
  EXPECT_EQ(*changed, std::optional(ada->id));
  auto user = store().find_user_by_id(ada->id);
  ASSERT_TRUE(user && *user);
  EXPECT_EQ((*user)->email, "Ada@New.example");
  EXPECT_EQ((*user)->email_verified_at, std::optional(at(kT0 + 10)));
  EXPECT_TRUE(store().list_live_sessions(ada->id, SessionFamily::opaque, at(kT0 + 11))->empty());
  EXPECT_EQ(*store().find_action_token("r1", "reset", at(kT0 + 11)), std::nullopt)
      << "a token sent to the old address is void";
  EXPECT_EQ(count("mail_outbox"), 3);
  // Whoever changed it cannot void the revert with a new password, or a further change.
  ASSERT_EQ(store().change_password(
                {.user_id = ada->id, .password_hash = "$argon2id$theirs", .at = at(kT0 + 12)}),
            true);
  ASSERT_EQ(store().update_user(ada->id, {.email = "ada@third.example",
                                          .email_key = "ada@third.example",
                                          .at = at(kT0 + 13)}),
            true);
  EXPECT_TRUE(*store().find_action_token("v1", "email_revert", at(kT0 + 14)));

  // Meanwhile the old address stays ada's (ALiveRevertHoldsItsAddressForItsAccount).
  auto taken = store().update_user(
      bob->id, {.email = "ada@example.com", .email_key = "ada@example.com", .at = at(kT0 + 20)});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error(), StoreError::email_taken);
  auto reverted = store().redeem_action_token({.token_hash = "v1",
                                               .purpose = "email_revert",
                                               .at = at(kT0 + 23),
                                               .apply_new_email = true,
                                               .void_other_tokens = true,
                                               .revoke_all_sessions = true});
  ASSERT_TRUE(reverted);
  EXPECT_EQ(*reverted, std::optional(ada->id));
  user = store().find_user_by_id(ada->id);
  EXPECT_EQ((*user)->email, "ada@example.com");
}

TEST_P(StoreContract, TheOldestRevertWins) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  // Changed twice (ada -> between -> last), as whoever knows the password could: the owner's
  // revert (to ada@) and a newer one, mailed to the address in between.
  const auto change = [&](const std::string& hash, const std::string& from, const std::string& to,
                          const std::string& revert, std::int64_t ms) {
    NewActionToken token = action_token(ada->id, hash, ms, "email_change", from);
    token.new_email = token.new_email_key = to;
    ASSERT_EQ(store().issue_action_token(token, std::nullopt), true);
    NewActionToken back = action_token(ada->id, revert, ms + 1, "email_revert", to);
    back.new_email = back.new_email_key = from;
    ASSERT_TRUE(*store().redeem_action_token({.token_hash = hash,
                                              .purpose = "email_change",
                                              .at = at(ms + 1),
                                              .apply_new_email = true,
                                              .follow_up = back}));
  };
  ASSERT_NO_FATAL_FAILURE(change("e1", "ada@example.com", "between@example.com", "r0", kT0));
  ASSERT_NO_FATAL_FAILURE(change("e2", "between@example.com", "last@example.com", "r1", kT0 + 10));
  ASSERT_TRUE(*store().redeem_action_token({.token_hash = "r1",
                                            .purpose = "email_revert",
                                            .at = at(kT0 + 20),
                                            .apply_new_email = true,
                                            .void_other_tokens = true}));
  EXPECT_EQ((*store().find_user_by_id(ada->id))->email, "between@example.com");
  EXPECT_TRUE(*store().find_action_token("r0", "email_revert", at(kT0 + 21)))
      << "the newer revert cannot void the older";
  ASSERT_TRUE(*store().redeem_action_token({.token_hash = "r0",
                                            .purpose = "email_revert",
                                            .at = at(kT0 + 22),
                                            .apply_new_email = true,
                                            .void_other_tokens = true}));
  EXPECT_EQ((*store().find_user_by_id(ada->id))->email, "ada@example.com");
}

TEST_P(StoreContract, ALiveRevertHoldsItsAddressForItsAccount) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  auto bob = store().create_user(new_user("bob@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_TRUE(bob);
  // ada@ -> new@, whose revert (to ada@) lives an hour.
  NewActionToken change = action_token(ada->id, "e1", kT0, "email_change");
  change.new_email = change.new_email_key = "new@example.com";
  ASSERT_EQ(store().issue_action_token(change, std::nullopt), true);
  NewActionToken revert = action_token(ada->id, "r0", kT0 + 1, "email_revert", "new@example.com");
  revert.new_email = revert.new_email_key = "ada@example.com";
  ASSERT_TRUE(*store().redeem_action_token({.token_hash = "e1",
                                            .purpose = "email_change",
                                            .at = at(kT0 + 1),
                                            .apply_new_email = true,
                                            .follow_up = revert}));

  // Nobody else takes ada@ meanwhile: not a registration, an administrator or an email change.
  NewUser squatter = new_user("ada@example.com");
  squatter.now = at(kT0 + 2);
  auto registered = store().create_user(squatter, std::nullopt);
  ASSERT_FALSE(registered);
  EXPECT_EQ(registered.error(), StoreError::email_taken);
  auto moved = store().update_user(
      bob->id, {.email = "ada@example.com", .email_key = "ada@example.com", .at = at(kT0 + 2)}, "");
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error(), StoreError::email_taken);
  EXPECT_EQ((*store().find_user_by_id(bob->id))->email, "bob@example.com") << "nothing written";
  NewActionToken bobs = action_token(bob->id, "e2", kT0 + 2, "email_change", "bob@example.com");
  bobs.new_email = bobs.new_email_key = "ada@example.com";
  EXPECT_EQ(store().issue_action_token(bobs, std::nullopt), false) << "no link to a held address";
  // One issued before the hold began (ada@ was ada's then, the request raced her change) is
  // refused when it is spent.
  query(
      "INSERT INTO action_tokens (user_id, purpose, token_hash, email_key, created_at, "
      "expires_at, new_email, new_email_key) VALUES (" +
      std::to_string(bob->id) + ", 'email_change', 'e2', 'bob@example.com', " +
      GetParam().timestamp(kT0) + ", " + GetParam().timestamp(kT0 + 3'600'000) +
      ", 'ada@example.com', 'ada@example.com')");
  auto confirmed = store().redeem_action_token(
      {.token_hash = "e2", .purpose = "email_change", .at = at(kT0 + 3), .apply_new_email = true});
  ASSERT_FALSE(confirmed);
  EXPECT_EQ(confirmed.error(), StoreError::email_taken);
  EXPECT_TRUE(*store().find_action_token("e2", "email_change", at(kT0 + 3))) << "not spent";

  // The revert itself takes it back; once it has expired, the address is free.
  ASSERT_TRUE(*store().find_action_token("r0", "email_revert", at(kT0 + 3)));
  squatter.now = at(kT0 + 3'600'002);
  EXPECT_TRUE(store().create_user(squatter, std::nullopt)) << "the hold ends with the revert";
}

TEST_P(StoreContract, ADeactivationVoidsTokensForGoodAndAReactivationRevivesNone) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "h1", kT0), mail("m1@x", kT0)), true);
  ASSERT_EQ(store().set_user_active(ada->id, false, at(kT0 + 1), ""), true);
  ASSERT_EQ(store().set_user_active(ada->id, true, at(kT0 + 2), ""), true);
  EXPECT_EQ(*store().find_action_token("h1", "reset", at(kT0 + 3)), std::nullopt);
  EXPECT_EQ(
      *store().redeem_action_token({.token_hash = "h1", .purpose = "reset", .at = at(kT0 + 3)}),
      std::nullopt);
  // One issued since counts.
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "h2", kT0 + 4), mail("m2@x", kT0)),
            true);
  EXPECT_TRUE(*store().find_action_token("h2", "reset", at(kT0 + 5)));
}

TEST_P(StoreContract, AnAdministratorsEmailChangeLeavesTheAddressUnverified) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "v", kT0, "verify"), mail("m@x", kT0)),
            true);
  ASSERT_TRUE(*store().redeem_action_token(
      {.token_hash = "v", .purpose = "verify", .at = at(kT0 + 1), .mark_email_verified = true}));
  ASSERT_EQ(store().update_user(
                ada->id, {.first_name = std::optional<std::string>("Ada"), .at = at(kT0 + 2)}),
            true);
  EXPECT_TRUE((*store().find_user_by_id(ada->id))->email_verified_at) << "a name change keeps it";
  ASSERT_EQ(store().update_user(ada->id, {.email = "ada@other.example",
                                          .email_key = "ada@other.example",
                                          .at = at(kT0 + 3)}),
            true);
  EXPECT_FALSE((*store().find_user_by_id(ada->id))->email_verified_at);
}

TEST_P(StoreContract, PurgeMailDropsEndedMailAndDeadTokensOnly) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_EQ(store().issue_action_token(action_token(ada->id, "live", kT0), mail("m1@x", kT0)),
            true);
  ASSERT_EQ(
      store().issue_action_token(action_token(ada->id, "spent", kT0, "verify"), mail("m2@x", kT0)),
      true);
  ASSERT_TRUE(*store().redeem_action_token({.token_hash = "spent",
                                            .purpose = "verify",
                                            .at = at(kT0 + 1),
                                            .mark_email_verified = true}));
  auto claimed = store().claim_mail(at(kT0), at(kT0 + 60'000), 10);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 2u);
  ASSERT_TRUE(
      store().finish_mail((*claimed)[0].id, 1, MailOutcome::sent, at(kT0), "", at(kT0 + 2)));

  EXPECT_EQ(*store().purge_mail(at(kT0 + 2)), 1) << "the spent token; the mail ended at kT0 + 2";
  EXPECT_EQ(*store().purge_mail(at(kT0 + 3)), 1) << "the sent mail, not the one still sending";
  EXPECT_EQ(count("mail_outbox"), 1);
  EXPECT_TRUE(*store().find_action_token("live", "reset", at(kT0 + 3))) << "a live token stays";
  EXPECT_EQ(*store().purge_mail(at(kT0 + 3'600'001)), 1) << "the expired token";
  EXPECT_EQ(count("action_tokens"), 0);
  EXPECT_EQ(count("mail_outbox"), 1);
}

TEST_P(StoreContract, TheOutboxHandsEachDueMailToOneSenderAtATime) {
  ASSERT_TRUE(store().queue_mail(mail("a@x", kT0)));
  ASSERT_TRUE(store().queue_mail(mail("b@x", kT0 + 1)));
  ASSERT_TRUE(store().queue_mail(mail("c@x", kT0 + 2)));
  EXPECT_FALSE(store().queue_mail(mail("a@x", kT0 + 3))) << "a Message-ID is queued once";
  auto stats = store().outbox_stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->pending, 3);
  EXPECT_EQ(stats->oldest_pending, std::optional(at(kT0)));

  const std::int64_t now = kT0 + 10;
  auto first = store().claim_mail(at(now), at(now + 60'000), 2);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].message_id, "a@x");
  EXPECT_EQ((*first)[0].sealed_payload, "sealed:a@x");
  EXPECT_EQ((*first)[0].attempts, 1);
  EXPECT_EQ((*first)[1].message_id, "b@x");
  auto second = store().claim_mail(at(now), at(now + 60'000), 10);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->size(), 1u) << "claimed mail is not claimed again while its lease runs";
  EXPECT_EQ((*second)[0].message_id, "c@x");

  ASSERT_TRUE(store().finish_mail((*first)[0].id, 1, MailOutcome::sent, at(now), "", at(now + 1)));
  ASSERT_TRUE(store().finish_mail((*first)[1].id, 1, MailOutcome::retry, at(now + 30'000),
                                  "451 try later", at(now + 1)));
  EXPECT_TRUE(store().claim_mail(at(now + 29'999), at(now + 90'000), 10)->empty())
      << "a retry waits for its time";
  auto retried = store().claim_mail(at(now + 30'000), at(now + 90'000), 10);
  ASSERT_TRUE(retried);
  ASSERT_EQ(retried->size(), 1u);
  EXPECT_EQ((*retried)[0].message_id, "b@x");
  EXPECT_EQ((*retried)[0].attempts, 2);

  // A sender that died holding c@x: its lease ends and another takes it.
  auto orphan = store().claim_mail(at(now + 60'000), at(now + 120'000), 10);
  ASSERT_TRUE(orphan);
  ASSERT_EQ(orphan->size(), 1u);
  EXPECT_EQ((*orphan)[0].message_id, "c@x");
  EXPECT_EQ((*orphan)[0].attempts, 2);
  // The sender that died holding it wakes up late: what it records is ignored.
  ASSERT_TRUE(store().finish_mail((*second)[0].id, 1, MailOutcome::retry, at(now), "late",
                                  at(now + 60'001)));
  EXPECT_EQ(scalar("SELECT status FROM mail_outbox WHERE message_id = 'c@x'"), "sending");
  ASSERT_TRUE(store().finish_mail((*orphan)[0].id, 2, MailOutcome::failed, at(now),
                                  "550 no such user", at(now + 60'001)));
  ASSERT_TRUE(store().finish_mail((*retried)[0].id, 2, MailOutcome::expired, at(now), "",
                                  at(now + 60'001)));
  EXPECT_EQ(store().outbox_stats()->pending, 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM mail_outbox WHERE sealed_payload IS NOT NULL"), "0")
      << "a finished mail's payload (live tokens) is erased";
  EXPECT_EQ(scalar("SELECT status FROM mail_outbox WHERE message_id = 'c@x'"), "failed");
  EXPECT_EQ(scalar("SELECT last_error FROM mail_outbox WHERE message_id = 'c@x'"),
            "550 no such user");
  EXPECT_TRUE(store().claim_mail(at(now + 999'999), at(now + 999'999), 10)->empty());
}

TEST_P(StoreContract, ConcurrentSendersNeverClaimTheSameMail) {
  constexpr int kMails = 200;
  for (int i = 0; i < kMails; ++i) {
    ASSERT_TRUE(store().queue_mail(mail(numbered("m", i, "@x"), kT0)));
  }
  auto other = db_.open(2);
  std::vector<std::vector<std::string>> taken(2);
  const auto drain = [&](Store& sender, std::vector<std::string>& mine) {
    for (;;) {
      auto claimed = sender.claim_mail(at(kT0 + 1), at(kT0 + 600'000), 3);
      if (!claimed) continue;  // a busy SQLite file: try again, as the sender does
      if (claimed->empty()) return;
      for (const auto& m : *claimed) {
        mine.push_back(m.message_id);
        ASSERT_TRUE(
            sender.finish_mail(m.id, m.attempts, MailOutcome::sent, at(kT0), "", at(kT0 + 2)));
      }
    }
  };
  std::thread a([&] { drain(store(), taken[0]); });
  std::thread b([&] { drain(*other, taken[1]); });
  a.join();
  b.join();
  std::unordered_set<std::string> all(taken[0].begin(), taken[0].end());
  for (const auto& id : taken[1]) EXPECT_TRUE(all.insert(id).second) << id << " claimed twice";
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kMails));
}

TEST_P(StoreContract, ChangePasswordKeepsOneSessionAndVoidsTheRest) {
  const auto named = [](const char* token) {
    NewSession session = new_session(token, kT0);
    session.public_id = std::string("id-") + token;
    return session;
  };
  auto ada = store().create_user(new_user("ada@example.com"), named("ada-1"));
  auto bob = store().create_user(new_user("bob@example.com"), named("bob-1"));
  ASSERT_TRUE(ada);
  ASSERT_TRUE(bob);
  for (const char* token : {"ada-2", "ada-3"}) {
    ASSERT_TRUE(store().record_login({.user_id = ada->id,
                                      .at = at(kT0 + 10),
                                      .upgraded_password_hash = std::nullopt,
                                      .session = named(token)}));
  }
  const std::string kept = "id-ada-2";

  const std::int64_t t1 = kT0 + 1000;
  auto changed = store().change_password(
      {.user_id = ada->id, .password_hash = "$argon2id$next", .at = at(t1), .keep_session = kept});
  ASSERT_TRUE(changed);
  EXPECT_TRUE(*changed);
  auto found = store().find_user_by_id(ada->id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->password_hash, "$argon2id$next");
  EXPECT_EQ((*found)->password_changed_at, std::optional(at(t1)));
  EXPECT_EQ((*found)->credentials_revoked_at, std::optional(at(t1)));
  EXPECT_EQ((*found)->updated_at, at(t1));
  auto live = store().list_live_sessions(ada->id, store::SessionFamily::opaque, at(t1 + 1));
  ASSERT_TRUE(live);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ(live->front().public_id, kept);
  auto bobs = store().list_live_sessions(bob->id, store::SessionFamily::opaque, at(t1 + 1));
  ASSERT_TRUE(bobs);
  EXPECT_EQ(bobs->size(), 1u) << "another user's sessions stay";

  // Without a session to keep, every one ends.
  ASSERT_EQ(store().change_password(
                {.user_id = ada->id, .password_hash = "$argon2id$again", .at = at(t1 + 5)}),
            true);
  live = store().list_live_sessions(ada->id, store::SessionFamily::opaque, at(t1 + 6));
  ASSERT_TRUE(live);
  EXPECT_TRUE(live->empty());
}

TEST_P(StoreContract, ChangePasswordRefusesAnInactiveOrMissingUser) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_EQ(store().set_user_active(ada->id, false, at(kT0 + 1)), true);
  EXPECT_EQ(store().change_password(
                {.user_id = ada->id, .password_hash = "$argon2id$x", .at = at(kT0 + 2)}),
            false);
  EXPECT_EQ(scalar(numbered("SELECT password_hash FROM users WHERE id = ", ada->id)),
            ada->password_hash);
  EXPECT_EQ(store().change_password(
                {.user_id = ada->id + 1000, .password_hash = "$argon2id$x", .at = at(kT0 + 2)}),
            false);
}

TEST_P(StoreContract, RecordLoginReplacesOnlyThatUsersLiveSessions) {
  auto ada = store().create_user(new_user("ada@example.com"), new_session("ada-1", kT0));
  auto bob = store().create_user(new_user("bob@example.com"), new_session("bob-1", kT0));
  ASSERT_TRUE(ada);
  ASSERT_TRUE(bob);
  const std::int64_t t1 = kT0 + 1000;
  ASSERT_TRUE(store().record_login({.user_id = ada->id,
                                    .at = at(t1),
                                    .upgraded_password_hash = std::nullopt,
                                    .session = new_session("ada-2", t1),
                                    .replace_family = true}));
  const std::int64_t t2 = kT0 + 2000;
  ASSERT_TRUE(store().record_login({.user_id = ada->id,
                                    .at = at(t2),
                                    .upgraded_password_hash = std::nullopt,
                                    .session = new_session("ada-3", t2),
                                    .replace_family = true}));

  const auto rows = query("SELECT user_id, token_hash, " + millis("created_at") + ", " +
                          millis("revoked_at") + " FROM sessions ORDER BY id");
  ASSERT_EQ(rows.size(), 4u);
  const std::string a = std::to_string(ada->id);
  const std::string b = std::to_string(bob->id);
  // ada-1 was revoked by the first login and keeps that time; ada-2 by the second.
  EXPECT_EQ(rows[0], (Row{a, "ada-1", std::to_string(kT0), std::to_string(t1)}));
  EXPECT_EQ(rows[1], (Row{b, "bob-1", std::to_string(kT0), std::nullopt}));
  EXPECT_EQ(rows[2], (Row{a, "ada-2", std::to_string(t1), std::to_string(t2)}));
  EXPECT_EQ(rows[3], (Row{a, "ada-3", std::to_string(t2), std::nullopt}));
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL"), "2");
}

TEST_P(StoreContract, RecordLoginOnMissingUserIsNotFoundAndWritesNothing) {
  auto result = store().record_login({.user_id = 42,
                                      .at = at(kT0),
                                      .upgraded_password_hash = "$argon2id$x",
                                      .session = new_session("orphan", kT0),
                                      .replace_family = true});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), StoreError::not_found);
  EXPECT_EQ(count("sessions"), 0);
  EXPECT_EQ(count("users"), 0);
}

TEST_P(StoreContract, RecordLoginOnADeactivatedUserIsNotFoundAndWritesNothing) {
  // A login that read the user as active, racing a deactivation that committed before its write:
  // no session may outlive the deactivation (enabling the user again would revive it).
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_EQ(store().set_user_active(ada->id, false, at(kT0)), Result<bool>(true));
  auto result = store().record_login(
      {.user_id = ada->id, .at = at(kT0 + 1), .session = new_session("late", kT0 + 1)});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), StoreError::not_found);
  EXPECT_EQ(count("sessions"), 0);
  EXPECT_FALSE((*store().find_user_by_id(ada->id))->last_login);
}

TEST_P(StoreContract, CheckWritableCommitsAWrite) {
  EXPECT_TRUE(store().check_writable(at(kT0)));
  EXPECT_TRUE(store().check_writable(at(kT0 + 1)));
  EXPECT_EQ(count("readiness_probe"), 1) << "one probe row, overwritten";
}

TEST_P(StoreContract, Ping) {
  EXPECT_TRUE(store().ping());
}

TEST_P(StoreContract, OneOfManyConcurrentRegistrationsWins) {
  constexpr int kThreads = 8;
  auto racing = db_.open(kThreads);
  std::vector<std::optional<boost::system::error_code>> outcomes(kThreads);
  std::latch start(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        NewUser user = new_user(numbered("Race", i, "@example.com"));
        user.email_key = "race@example.com";
        start.arrive_and_wait();
        auto created = racing->create_user(user, new_session(numbered("hash-", i), kT0));
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
  EXPECT_EQ(count("users"), 1);
  EXPECT_EQ(count("sessions"), 1);
  EXPECT_EQ(count("user_roles"), 1);
}

// One record as get_throttles reads it.
ThrottleRecord throttle_of(Store& store, const std::string& key) {
  const std::string keys[] = {key};
  auto records = store.get_throttles(keys);
  EXPECT_TRUE(records);
  return records ? records->front() : ThrottleRecord{};
}

TEST_P(StoreContract, ThrottleRecordsAreComparedAndSet) {
  const std::string key = "login-account:ada";
  EXPECT_EQ(throttle_of(store(), key).version, 0) << "an unknown key reads as a fresh record";

  ThrottleRecord first{.failures = 1, .counted_at = at(kT0), .forget_at = at(kT0 + 900'000)};
  EXPECT_EQ(store().put_throttle(key, 0, first), true);
  EXPECT_EQ(store().put_throttle(key, 0, first), false) << "a second creator loses";

  ThrottleRecord stored = throttle_of(store(), key);
  EXPECT_EQ(stored.version, 1);
  EXPECT_EQ(stored.failures, 1);
  EXPECT_EQ(stored.counted_at, at(kT0));
  EXPECT_EQ(stored.forget_at, at(kT0 + 900'000));
  EXPECT_FALSE(stored.locked_until);
  EXPECT_FALSE(stored.last_success);

  ThrottleRecord locked{.failures = 10,
                        .counted_at = at(kT0 + 5),
                        .locked_until = at(kT0 + 60'000),
                        .lockouts = 1,
                        .consecutive = 12,
                        .last_success = at(kT0 - 1000),
                        .forget_at = at(kT0 + 2'000'000)};
  EXPECT_EQ(store().put_throttle(key, 2, locked), false) << "a stale version loses";
  EXPECT_EQ(store().put_throttle(key, 1, locked), true);
  stored = throttle_of(store(), key);
  EXPECT_EQ(stored.version, 2);
  EXPECT_EQ(stored.failures, 10);
  EXPECT_EQ(stored.counted_at, at(kT0 + 5));
  EXPECT_EQ(stored.locked_until, at(kT0 + 60'000));
  EXPECT_EQ(stored.lockouts, 1);
  EXPECT_EQ(stored.consecutive, 12);
  EXPECT_EQ(stored.last_success, at(kT0 - 1000));
  EXPECT_EQ(stored.forget_at, at(kT0 + 2'000'000));
  EXPECT_EQ(throttle_of(store(), "login-network:x").version, 0) << "keys are separate";

  EXPECT_TRUE(store().clear_throttle(key));
  EXPECT_EQ(throttle_of(store(), key).version, 0);
}

TEST_P(StoreContract, SeveralThrottleRecordsAreReadAtOnceInTheOrderAsked) {
  ASSERT_TRUE(*store().put_throttle("b", 0, {.failures = 2, .counted_at = at(kT0)}));
  ASSERT_TRUE(*store().put_throttle("a", 0, {.failures = 1, .counted_at = at(kT0)}));
  const std::string keys[] = {"a", "missing", "b", "a"};
  auto records = store().get_throttles(keys);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[0].failures, 1);
  EXPECT_EQ((*records)[1].version, 0);
  EXPECT_EQ((*records)[2].failures, 2);
  EXPECT_EQ((*records)[3].failures, 1);
  EXPECT_EQ(store().get_throttles({})->size(), 0u);
}

TEST_P(StoreContract, ThrottleRecordsArePurgedOnceForgotten) {
  ASSERT_TRUE(*store().put_throttle("old", 0, {.failures = 1, .forget_at = at(kT0)}));
  ASSERT_TRUE(*store().put_throttle("due", 0, {.failures = 1, .forget_at = at(kT0 + 999)}));
  ASSERT_TRUE(*store().put_throttle("kept", 0, {.failures = 1, .forget_at = at(kT0 + 1000)}));
  EXPECT_EQ(store().purge_throttles(at(kT0 + 1000)), Result<std::int64_t>(2));
  EXPECT_EQ(throttle_of(store(), "old").version, 0);
  EXPECT_EQ(throttle_of(store(), "due").version, 0);
  EXPECT_NE(throttle_of(store(), "kept").version, 0);
}

TEST_P(StoreContract, ConcurrentThrottleUpdatesLoseNothing) {
  // Eight writers each add 25 failures through read / compare-and-set / retry, as
  // core::Throttle does: exactly 200 must be counted.
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  auto racing = db_.open(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kEach; ++i) {
          for (;;) {
            const ThrottleRecord record = throttle_of(*racing, "hot");
            ThrottleRecord next = record;
            ++next.failures;
            next.counted_at = at(kT0);
            auto stored = racing->put_throttle("hot", record.version, next);
            ASSERT_TRUE(stored);
            if (*stored) break;
          }
        }
      });
    }
  }
  EXPECT_EQ(throttle_of(store(), "hot").failures, kThreads * kEach);
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

// ---- /v1 sessions and signing keys

NewSession v1_session(const std::string& public_id, const std::string& token_hash,
                      std::int64_t created_ms) {
  NewSession session = new_session(token_hash, created_ms);
  session.family = SessionFamily::rotating;
  session.public_id = public_id;
  return session;
}

TEST_P(StoreContract, V1SessionsAreFoundListedAndRotatedByCompareAndSet) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0), .session = v1_session("sid-1", "r0", kT0)}));
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0 + 1), .session = v1_session("sid-2", "q0", kT0 + 1)}));

  auto found = store().find_session("sid-1");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->user_id, ada->id);
  EXPECT_EQ((*found)->created_at, at(kT0));
  EXPECT_EQ((*found)->expires_at, at(kT0 + 3'600'000));
  EXPECT_EQ((*found)->refresh_generation, 0);
  EXPECT_FALSE((*found)->revoked_at);
  EXPECT_TRUE((*found)->user_active);
  EXPECT_EQ((*found)->user_agent, "curl/8.0");
  EXPECT_FALSE(store().find_session("nope")->has_value());

  auto listed = store().list_live_sessions(ada->id, SessionFamily::rotating, at(kT0 + 2));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u) << "a v1 login does not replace the other v1 sessions";
  EXPECT_EQ((*listed)[0].public_id, "sid-1");
  EXPECT_EQ((*listed)[1].public_id, "sid-2");
  EXPECT_TRUE(
      store().list_live_sessions(ada->id, SessionFamily::rotating, at(kT0 + 3'600'001))->empty())
      << "expired sessions are not live";

  auto token = store().find_refresh_token("r0");
  ASSERT_TRUE(token);
  ASSERT_TRUE(token->has_value());
  EXPECT_EQ((*token)->generation, 0);
  EXPECT_EQ((*token)->session.public_id, "sid-1");

  // Compare-and-set: only the first rotation from generation 0 wins.
  const std::int64_t session_id = (*token)->session.id;
  EXPECT_EQ(store().rotate_refresh_token(session_id, 0, "r1", at(kT0 + 10)), Result<bool>(true));
  EXPECT_EQ(store().rotate_refresh_token(session_id, 0, "r1-other", at(kT0 + 11)),
            Result<bool>(false));
  EXPECT_FALSE(store().find_refresh_token("r1-other")->has_value()) << "the loser wrote nothing";
  auto rotated = store().find_refresh_token("r1");
  ASSERT_TRUE(rotated && rotated->has_value());
  EXPECT_EQ((*rotated)->generation, 1);
  EXPECT_EQ((*rotated)->session.refresh_generation, 1);
  EXPECT_EQ((*rotated)->session.rotated_at, std::optional(at(kT0 + 10)));
  EXPECT_EQ((*rotated)->session.last_used_at, std::optional(at(kT0 + 10)));
  auto previous = store().find_refresh_token("r0");
  ASSERT_TRUE(previous && previous->has_value()) << "the replaced token is kept for the grace";
  EXPECT_EQ((*previous)->generation, 0);
  EXPECT_EQ((*previous)->session.refresh_generation, 1);

  // Only the live token and the one it replaced are kept: one row per session, however many
  // rotations (no table grows with every refresh).
  EXPECT_EQ(store().rotate_refresh_token(session_id, 1, "r2", at(kT0 + 20)), Result<bool>(true));
  EXPECT_FALSE(store().find_refresh_token("r0")->has_value()) << "two generations back: gone";
  EXPECT_EQ((*store().find_refresh_token("r1"))->generation, 1);
  EXPECT_EQ((*store().find_refresh_token("r2"))->generation, 2);
  EXPECT_EQ(count("sessions"), 2);
}

TEST_P(StoreContract, AnUpgradedDatabaseKeepsItsRotatedSessionsRefreshable) {
  // A database as release 3 left it: a /v1 session rotated twice (every generation's hash in
  // refresh_tokens), one whose live generation's row is missing, and a seed 002 session.
  TestDatabase old = GetParam().create_database();
  old.migrate_to(3);
  const auto ts = GetParam().timestamp;
  old.query(
      "INSERT INTO users (email, email_key, password_hash, created_at, updated_at) VALUES "
      "('ada@example.com', 'ada@example.com', 'h', " +
      ts(kT0) + ", " + ts(kT0) + ")");
  const auto session = [&](const std::string& kind, const std::string& token,
                           const std::string& public_id, int generation) {
    old.query(
        "INSERT INTO sessions (user_id, kind, token_hash, created_at, expires_at, "
        "public_id, refresh_generation, rotated_at) VALUES (1, '" +
        kind + "', '" + token + "', " + ts(kT0) + ", " + ts(kT0 + 3'600'000) + ", " +
        (public_id.empty() ? "NULL" : "'" + public_id + "'") + ", " + std::to_string(generation) +
        ", " + ts(kT0 + 10) + ")");
  };
  session("v1", "g0", "sid-rotated", 2);
  session("v1", "h0", "sid-broken", 1);
  session("seed002", "seed-token", "", 0);
  for (const auto& [token, id, generation] : std::vector<std::tuple<std::string, int, int>>{
           {"g0", 1, 0}, {"g1", 1, 1}, {"g2", 1, 2}, {"h0", 2, 0}}) {
    old.query(
        "INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at) "
        "VALUES ('" +
        token + "', " + std::to_string(id) + ", " + std::to_string(generation) + ", " + ts(kT0) +
        ")");
  }

  auto upgraded = old.open(1);  // migrates to the current version
  auto live = upgraded->find_refresh_token("g2");
  ASSERT_TRUE(live && live->has_value());
  EXPECT_EQ((*live)->generation, 2);
  EXPECT_EQ((*live)->session.public_id, "sid-rotated");
  auto previous = upgraded->find_refresh_token("g1");
  ASSERT_TRUE(previous && previous->has_value()) << "the grace window still works";
  EXPECT_EQ((*previous)->generation, 1);
  EXPECT_FALSE(upgraded->find_refresh_token("g0")->has_value());
  EXPECT_EQ(upgraded->rotate_refresh_token((*live)->session.id, 2, "g3", at(kT0 + 20)),
            Result<bool>(true));
  EXPECT_EQ((*upgraded->find_refresh_token("g3"))->generation, 3);
  EXPECT_TRUE(upgraded->find_session("sid-broken")->has_value())
      << "a session missing its live row survives the migration (its token just stops)";
  EXPECT_FALSE(upgraded->find_refresh_token("seed-token")->has_value());
  // Migration 8: sessions are named by the policy they follow, no longer by a dialect.
  EXPECT_EQ(old.query("SELECT kind FROM sessions ORDER BY id"),
            (std::vector<Row>{{"rotating"}, {"rotating"}, {"opaque"}}));
}

TEST_P(StoreContract, ASessionTokenThatDoesNotRotateIsNoRefreshToken) {
  auto ada = store().create_user(new_user("ada@example.com"), new_session("seed-token", kT0));
  ASSERT_TRUE(ada);
  EXPECT_FALSE(store().find_refresh_token("seed-token")->has_value())
      << "a seed 002 session token must not refresh a /v1 session";
}

// A credential check reads the session and its owner in one statement: the owner must be the
// user as stored now (roles in order, active flag), for both kinds of session.
TEST_P(StoreContract, ASessionIsReadWithItsOwnerAsTheyAreNow) {
  auto ada = store().create_user(new_user("ada@example.com", {"user", "admin"}),
                                 new_session(std::string(64, 'c'), kT0));
  ASSERT_TRUE(ada);
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0 + 1), .session = v1_session("sid-own", "o0", kT0 + 1)}));
  ASSERT_TRUE(store().create_user(new_user("bob@example.com", {"admin"}), std::nullopt));
  ASSERT_TRUE(store().add_user_role(ada->id, "moderator"));

  auto by_id = store().find_session("sid-own");
  auto by_hash = store().find_opaque_session(std::string(64, 'c'));
  ASSERT_TRUE(by_id && by_id->has_value());
  ASSERT_TRUE(by_hash && by_hash->has_value());
  for (const OwnedSession* session : {&**by_id, &**by_hash}) {
    EXPECT_EQ(session->owner.id, ada->id);
    EXPECT_EQ(session->owner.email, "ada@example.com");
    EXPECT_TRUE(session->owner.is_active);
    EXPECT_EQ(session->owner.roles, (std::vector<std::string>{"user", "admin", "moderator"}));
    EXPECT_FALSE(session->signing_key_revoked);
  }
  EXPECT_EQ((*by_hash)->public_id, "") << "an opaque session has no public id";

  ASSERT_TRUE(store().set_user_active(ada->id, false, at(kT0 + 2)));
  by_id = store().find_session("sid-own");
  ASSERT_TRUE(by_id && by_id->has_value());
  EXPECT_FALSE((*by_id)->owner.is_active);
  EXPECT_FALSE((*by_id)->user_active);
}

TEST_P(StoreContract, FindSessionTellsWhetherTheTokensSigningKeyIsRevoked) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0), .session = v1_session("sid-1", "r0", kT0)}));
  ASSERT_TRUE(store().add_signing_key({.kid = "k1",
                                       .public_key = "pk",
                                       .sealed_private_key = "sealed",
                                       .created_at = at(kT0),
                                       .activates_at = at(kT0)}));
  EXPECT_FALSE((*store().find_session("sid-1", "k1"))->signing_key_revoked);
  EXPECT_EQ(store().revoke_signing_key("k1", at(kT0 + 5)), Result<bool>(true));
  EXPECT_EQ(store().revoke_signing_key("k1", at(kT0 + 6)), Result<bool>(false)) << "once";
  EXPECT_EQ(store().revoke_signing_key("nope", at(kT0 + 6)), Result<bool>(false));
  EXPECT_TRUE((*store().find_session("sid-1", "k1"))->signing_key_revoked);
  EXPECT_FALSE((*store().find_session("sid-1", "other"))->signing_key_revoked);
  EXPECT_FALSE((*store().find_session("sid-1"))->signing_key_revoked);
  EXPECT_EQ(store().signing_keys()->front().revoked_at, std::optional(at(kT0 + 5)));
}

TEST_P(StoreContract, DeactivatingAUserEndsItsSessionsHoweverItIsDone) {
  // Re-enabling an account must not revive its tokens: the store ends every session when
  // is_active turns false, even through plain SQL.
  auto ada = store().create_user(new_user("ada@example.com"), new_session("seed-token", kT0));
  auto bob = store().create_user(new_user("bob@example.com"), std::nullopt);
  ASSERT_TRUE(ada && bob);
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0), .session = v1_session("ada-1", "a0", kT0)}));
  ASSERT_TRUE(store().record_login(
      {.user_id = bob->id, .at = at(kT0), .session = v1_session("bob-1", "b0", kT0)}));
  const std::string id = std::to_string(ada->id);
  db_.query("UPDATE users SET is_active = FALSE WHERE id = " + id);
  db_.query("UPDATE users SET is_active = TRUE WHERE id = " + id);
  EXPECT_TRUE((*store().find_session("ada-1"))->revoked_at) << "ended, not suspended";
  EXPECT_EQ(
      scalar("SELECT COUNT(*) FROM sessions WHERE user_id = " + id + " AND revoked_at IS NULL"),
      "0");
  EXPECT_FALSE((*store().find_session("bob-1"))->revoked_at) << "other users are not touched";
  db_.query("UPDATE users SET first_name = 'Ada' WHERE id = " + std::to_string(bob->id));
  EXPECT_FALSE((*store().find_session("bob-1"))->revoked_at) << "only deactivation ends them";
  EXPECT_TRUE((*store().find_user_by_id(ada->id))->credentials_revoked_at)
      << "and voids the credentials without a session (seed JWTs)";
  EXPECT_FALSE((*store().find_user_by_id(bob->id))->credentials_revoked_at);

  // However the false is spelled: SQLite keeps text as given, and authd reads it as 0.
  const std::string bob_id = std::to_string(bob->id);
  db_.query("UPDATE users SET is_active = 'false' WHERE id = " + bob_id);
  EXPECT_FALSE((*store().find_user_by_id(bob->id))->is_active);
  db_.query("UPDATE users SET is_active = TRUE WHERE id = " + bob_id);
  EXPECT_TRUE((*store().find_session("bob-1"))->revoked_at) << "'false' deactivated Bob";
}

TEST_P(StoreContract, SetUserActiveEndsSessionsAndReactivationRevivesNone) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0), .session = v1_session("ada-1", "a0", kT0)}));
  EXPECT_EQ(store().set_user_active(ada->id, false, at(kT0 + 5)), Result<bool>(true));
  const auto disabled = *store().find_user_by_id(ada->id);
  EXPECT_FALSE(disabled->is_active);
  EXPECT_EQ(disabled->updated_at, at(kT0 + 5));
  EXPECT_EQ(disabled->credentials_revoked_at, at(kT0 + 5)) << "at the core's clock, not the DB's";
  EXPECT_TRUE((*store().find_session("ada-1"))->revoked_at);
  EXPECT_EQ(store().set_user_active(ada->id, true, at(kT0 + 6)), Result<bool>(true));
  EXPECT_TRUE((*store().find_user_by_id(ada->id))->is_active);
  EXPECT_EQ((*store().find_user_by_id(ada->id))->credentials_revoked_at, at(kT0 + 5))
      << "enabling keeps the old credentials void";
  ASSERT_TRUE(store().revoke_user_sessions(ada->id, at(kT0 + 9)));
  EXPECT_EQ((*store().find_user_by_id(ada->id))->credentials_revoked_at, at(kT0 + 9))
      << "ending every session voids the seed JWTs too";
  EXPECT_TRUE((*store().find_session("ada-1"))->revoked_at) << "reactivation revives nothing";
  // An instance whose clock is behind never moves the revocation back (it would revive the
  // seed JWTs issued in between).
  ASSERT_TRUE(store().revoke_user_sessions(ada->id, at(kT0 + 7)));
  EXPECT_EQ((*store().find_user_by_id(ada->id))->credentials_revoked_at, at(kT0 + 9));
  ASSERT_EQ(store().set_user_active(ada->id, false, at(kT0 + 8)), Result<bool>(true));
  EXPECT_GE(*(*store().find_user_by_id(ada->id))->credentials_revoked_at, at(kT0 + 9));
  EXPECT_EQ(store().set_user_active(ada->id + 100, false, at(kT0)), Result<bool>(false));
}

TEST_P(StoreContract, TheLastActiveHolderOfAGuardedRoleCannotGo) {
  auto ada = store().create_user(new_user("ada@example.com", {"authd:admin"}), std::nullopt);
  auto bob = store().create_user(new_user("bob@example.com", {"user"}), std::nullopt);
  ASSERT_TRUE(ada && bob);
  const std::string_view guard = "authd:admin";
  const auto last_holder = [](const auto& result) {
    return !result && result.error() == StoreError::last_holder;
  };
  EXPECT_TRUE(last_holder(store().set_user_active(ada->id, false, at(kT0), guard)));
  EXPECT_TRUE(last_holder(store().remove_user_role(ada->id, "authd:admin", guard)));
  EXPECT_TRUE(last_holder(store().delete_user(ada->id, guard)));
  EXPECT_TRUE(last_holder(store().update_user(
      ada->id, {.roles = std::vector<std::string>{"user"}, .at = at(kT0)}, guard)));
  const auto kept = *store().find_user_by_id(ada->id);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->is_active) << "a refused change writes nothing";
  EXPECT_EQ(kept->roles, std::vector<std::string>{"authd:admin"});
  // Changes to someone who is not an active holder pass; so do unguarded ones.
  EXPECT_EQ(store().set_user_active(bob->id, false, at(kT0), guard), Result<bool>(true));
  EXPECT_EQ(store().delete_user(bob->id, guard), Result<bool>(true));
  // With a second active holder, the first may go.
  auto cy = store().create_user(new_user("cy@example.com", {"authd:admin"}), std::nullopt);
  ASSERT_TRUE(cy);
  EXPECT_EQ(store().set_user_active(ada->id, false, at(kT0 + 1), guard), Result<bool>(true));
  EXPECT_TRUE(last_holder(store().delete_user(cy->id, guard))) << "Ada is no longer active";
}

TEST_P(StoreContract, TwoAdministratorsDisablingEachOtherAtOnceLeaveOneActive) {
  constexpr int kRounds = 10;
  auto racing = db_.open(2);
  for (int round = 0; round < kRounds; ++round) {
    std::int64_t ids[2] = {};
    for (int i = 0; i < 2; ++i) {
      auto admin = store().create_user(
          new_user(numbered("admin", round * 2 + i, "@example.com"), {"authd:admin"}),
          std::nullopt);
      ASSERT_TRUE(admin);
      ids[i] = admin->id;
    }
    std::vector<std::optional<boost::system::error_code>> outcomes(2);
    std::latch start(2);
    {
      std::vector<std::jthread> threads;
      for (int i = 0; i < 2; ++i) {
        threads.emplace_back([&, i] {
          start.arrive_and_wait();
          auto done = racing->set_user_active(ids[i], false, at(kT0), "authd:admin");
          outcomes[i] = done ? std::nullopt : std::optional(done.error());
        });
      }
    }
    const int refused = (outcomes[0] == StoreError::last_holder ? 1 : 0) +
                        (outcomes[1] == StoreError::last_holder ? 1 : 0);
    const int done = (!outcomes[0] ? 1 : 0) + (!outcomes[1] ? 1 : 0);
    EXPECT_EQ(done, 1) << "round " << round;
    EXPECT_EQ(refused, 1) << "round " << round;
    // The survivor steps down unguarded, so the next round starts with no active holder.
    for (const auto id : ids) ASSERT_TRUE(store().set_user_active(id, false, at(kT0)));
  }
}

TEST_P(StoreContract, UpdateChangesOnlyWhatItIsGivenInOneTransaction) {
  auto ada = store().create_user(new_user("ada@example.com", {"user", "seller"}), std::nullopt);
  auto bob = store().create_user(new_user("bob@example.com"), std::nullopt);
  ASSERT_TRUE(ada && bob);
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0), .session = v1_session("ada-1", "a0", kT0)}));
  EXPECT_EQ(store().update_user(ada->id, {.first_name = std::optional<std::string>("Ada"),
                                          .email = "Ada@Example.org",
                                          .email_key = "ada@example.org",
                                          .roles = std::vector<std::string>{"buyer", "user"},
                                          .at = at(kT0 + 7)}),
            Result<bool>(true));
  auto changed = *store().find_user_by_email("ada@example.org");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->id, ada->id);
  EXPECT_EQ(changed->email, "Ada@Example.org");
  EXPECT_EQ(changed->first_name, std::optional<std::string>("Ada"));
  EXPECT_EQ(changed->last_name, std::nullopt);
  EXPECT_EQ(changed->roles, (std::vector<std::string>{"buyer", "user"}));
  EXPECT_EQ(changed->updated_at, at(kT0 + 7));
  EXPECT_FALSE((*store().find_session("ada-1"))->revoked_at) << "no deactivation asked";
  EXPECT_FALSE(*store().find_user_by_email("ada@example.com"));
  // Clearing a name; deactivating ends the sessions.
  EXPECT_EQ(store().update_user(ada->id, {.first_name = std::optional<std::optional<std::string>>(
                                              std::in_place, std::nullopt),
                                          .active = false,
                                          .at = at(kT0 + 8)}),
            Result<bool>(true));
  changed = *store().find_user_by_id(ada->id);
  EXPECT_EQ(changed->first_name, std::nullopt);
  EXPECT_FALSE(changed->is_active);
  EXPECT_TRUE((*store().find_session("ada-1"))->revoked_at);
  // Another account's email: nothing of the update is kept.
  auto taken = store().update_user(ada->id, {.first_name = std::optional<std::string>("X"),
                                             .email = "bob@example.com",
                                             .email_key = "bob@example.com",
                                             .at = at(kT0 + 9)});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error(), StoreError::email_taken);
  EXPECT_EQ((*store().find_user_by_id(ada->id))->first_name, std::nullopt);
  EXPECT_EQ(store().update_user(bob->id + 100, {.active = false, .at = at(kT0)}),
            Result<bool>(false));
}

TEST_P(StoreContract, DeletingAUserTakesTheirRolesAndSessionsAndFreesTheEmail) {
  auto ada = store().create_user(new_user("ada@example.com", {"user", "seller"}),
                                 new_session("hash-1", kT0));
  ASSERT_TRUE(ada);
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0), .session = v1_session("ada-1", "a0", kT0)}));
  EXPECT_EQ(store().delete_user(ada->id), Result<bool>(true));
  EXPECT_EQ(store().delete_user(ada->id), Result<bool>(false));
  EXPECT_FALSE(*store().find_user_by_id(ada->id));
  EXPECT_FALSE(*store().find_session("ada-1"));
  for (const auto& role : *store().list_roles()) {
    if (role.name == "seller") {
      EXPECT_EQ(role.users, 0);
    }
  }
  auto again = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(again);
  EXPECT_GT(again->id, ada->id) << "a deleted id is not handed out again";
}

TEST_P(StoreContract, DeletingAUserForgetsTheAddressesTheTrailKeptOfThem) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  auto bob = store().create_user(new_user("bob@example.com"), std::nullopt);
  ASSERT_TRUE(ada && bob);
  const std::string self = "user:" + std::to_string(ada->id);
  const auto row = [&](std::string actor, std::int64_t target, std::string client) {
    return AuditRecord{.at = at(kT0),
                       .actor = std::move(actor),
                       .action = "x",
                       .target_user_id = target,
                       .client = std::move(client),
                       .outcome = "success"};
  };
  ASSERT_TRUE(store().append_audit(row(self, ada->id, "192.0.2.1")));          // Ada's login
  ASSERT_TRUE(store().append_audit(row("anonymous", ada->id, "192.0.2.2")));   // tried on Ada
  ASSERT_TRUE(store().append_audit(row("user:99", ada->id, "198.51.100.9")));  // an admin's
  ASSERT_TRUE(store().append_audit(row("anonymous", bob->id, "192.0.2.3")));   // tried on Bob
  ASSERT_EQ(store().delete_user(ada->id), Result<bool>(true));
  const auto rows = *store().list_audit(0, 10);
  ASSERT_EQ(rows.size(), 4u) << "the trail keeps the events";
  EXPECT_EQ(rows[0].client, std::optional<std::string>("192.0.2.3"));
  EXPECT_EQ(rows[1].client, std::optional<std::string>("198.51.100.9"));
  EXPECT_EQ(rows[2].client, std::nullopt);
  EXPECT_EQ(rows[3].client, std::nullopt);
  EXPECT_EQ(rows[3].target_user_id, std::optional<std::int64_t>(ada->id));
}

TEST_P(StoreContract, UsersAreListedByIdAndFiltered) {
  std::vector<std::int64_t> ids;
  for (const auto& [email, roles] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"ann@a.io", {"user"}},
           {"anna@b.io", {"seller"}},
           {"bob@a.io", {"seller", "user"}},
           {"anne@c.io", {"user"}}}) {
    auto created = store().create_user(new_user(email, roles), std::nullopt);
    ASSERT_TRUE(created);
    ids.push_back(created->id);
  }
  ASSERT_EQ(store().set_user_active(ids[3], false, at(kT0)), Result<bool>(true));
  const auto emails = [](const std::vector<UserRecord>& users) {
    std::vector<std::string> out;
    for (const auto& user : users) out.push_back(user.email);
    return out;
  };
  EXPECT_EQ(emails(*store().list_users({})),
            (std::vector<std::string>{"ann@a.io", "anna@b.io", "bob@a.io", "anne@c.io"}));
  EXPECT_EQ(emails(*store().list_users({.email_key_prefix = "ann"})),
            (std::vector<std::string>{"ann@a.io", "anna@b.io", "anne@c.io"}));
  EXPECT_EQ(emails(*store().list_users({.email_key_prefix = "%"})), std::vector<std::string>{})
      << "a prefix is text, not a pattern";
  EXPECT_EQ(emails(*store().list_users({.role = "seller"})),
            (std::vector<std::string>{"anna@b.io", "bob@a.io"}));
  EXPECT_EQ(emails(*store().list_users({.active = false})), std::vector<std::string>{"anne@c.io"});
  EXPECT_EQ(emails(*store().list_users({.email_key_prefix = "ann", .active = true})),
            (std::vector<std::string>{"ann@a.io", "anna@b.io"}));
  const auto page = *store().list_users({.after_id = ids[0], .limit = 2});
  EXPECT_EQ(emails(page), (std::vector<std::string>{"anna@b.io", "bob@a.io"}));
  EXPECT_EQ(page[1].roles, (std::vector<std::string>{"seller", "user"}));
}

TEST_P(StoreContract, RolesAreCreatedCountedAndDeletedOnlyWithForceWhenHeld) {
  auto ada = store().create_user(new_user("ada@example.com", {"user", "seller"}), std::nullopt);
  ASSERT_TRUE(ada);
  EXPECT_EQ(store().create_role("auditor"), Result<bool>(true));
  EXPECT_EQ(store().create_role("auditor"), Result<bool>(false));
  std::map<std::string, std::int64_t> counts;
  for (const auto& role : *store().list_roles()) counts[role.name] = role.users;
  EXPECT_EQ(counts.at("auditor"), 0);
  EXPECT_EQ(counts.at("seller"), 1);
  EXPECT_TRUE(counts.contains("authd:admin"));
  EXPECT_EQ(*store().delete_role("seller", false), RoleDeletion::in_use);
  EXPECT_EQ((*store().find_user_by_id(ada->id))->roles,
            (std::vector<std::string>{"user", "seller"}));
  EXPECT_EQ(*store().delete_role("seller", true), RoleDeletion::deleted);
  EXPECT_EQ((*store().find_user_by_id(ada->id))->roles, std::vector<std::string>{"user"});
  EXPECT_EQ(*store().delete_role("auditor", false), RoleDeletion::deleted);
  EXPECT_EQ(*store().delete_role("auditor", false), RoleDeletion::not_found);
}

TEST_P(StoreContract, TheAuditTrailPagesNewestFirstAndPurgesByAge) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store().append_audit(
        {.at = at(kT0 + i),
         .actor = i % 2 == 0 ? "cli" : "user:7",
         .action = "action-" + std::to_string(i),
         .target_user_id = i == 0 ? std::nullopt : std::optional<std::int64_t>(i),
         .client = i == 0 ? std::nullopt : std::optional<std::string>("192.0.2.1"),
         .outcome = "success",
         .detail = i == 4 ? std::optional<std::string>("seller") : std::nullopt}));
  }
  const auto all = *store().list_audit(0, 10);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].action, "action-4");
  EXPECT_EQ(all[0].detail, std::optional<std::string>("seller"));
  EXPECT_EQ(all[0].at, at(kT0 + 4));
  EXPECT_EQ(all[4].action, "action-0");
  EXPECT_EQ(all[4].target_user_id, std::nullopt);
  EXPECT_EQ(all[4].client, std::nullopt);
  EXPECT_EQ(all[3].actor, "user:7");
  EXPECT_EQ(all[3].client, std::optional<std::string>("192.0.2.1"));
  const auto older = *store().list_audit(all[1].id, 2);
  ASSERT_EQ(older.size(), 2u);
  EXPECT_EQ(older[0].action, "action-2");
  EXPECT_EQ(older[1].action, "action-1");
  EXPECT_EQ(store().purge_audit(at(kT0 + 2)), Result<std::int64_t>(2));
  EXPECT_EQ(store().list_audit(0, 10)->size(), 3u);
}

TEST_P(StoreContract, RolesAreAddedAfterTheHeldOnesAndRemoved) {
  auto ada = store().create_user(new_user("ada@example.com", {"user"}), std::nullopt);
  ASSERT_TRUE(ada);
  // Migration 9 adds the administrators' role.
  const std::vector<std::string> admin{"authd:admin"};
  EXPECT_EQ(*store().existing_roles(admin), admin);
  EXPECT_EQ(store().add_user_role(ada->id, "authd:admin"), Result<bool>(true));
  EXPECT_EQ(store().add_user_role(ada->id, "seller"), Result<bool>(true));
  EXPECT_EQ(store().add_user_role(ada->id, "seller"), Result<bool>(false)) << "held already";
  EXPECT_EQ(store().add_user_role(ada->id, "no-such-role"), Result<bool>(false));
  EXPECT_EQ(store().add_user_role(ada->id + 100, "seller"), Result<bool>(false)) << "no user";
  EXPECT_EQ((*store().find_user_by_id(ada->id))->roles,
            (std::vector<std::string>{"user", "authd:admin", "seller"}));
  EXPECT_EQ(store().remove_user_role(ada->id, "authd:admin"), Result<bool>(true));
  EXPECT_EQ(store().remove_user_role(ada->id, "authd:admin"), Result<bool>(false));
  EXPECT_EQ((*store().find_user_by_id(ada->id))->roles,
            (std::vector<std::string>{"user", "seller"}));
  EXPECT_EQ(store().add_user_role(ada->id, "authd:admin"), Result<bool>(true));
  EXPECT_EQ((*store().find_user_by_id(ada->id))->roles,
            (std::vector<std::string>{"user", "seller", "authd:admin"}))
      << "a role given again goes last";
}

TEST_P(StoreContract, RevocationIsPerUserAndStopsRotation) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  auto bob = store().create_user(new_user("bob@example.com"), std::nullopt);
  ASSERT_TRUE(ada && bob);
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0), .session = v1_session("ada-1", "a0", kT0)}));
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0), .session = v1_session("ada-2", "b0", kT0)}));
  ASSERT_TRUE(store().record_login(
      {.user_id = bob->id, .at = at(kT0), .session = v1_session("bob-1", "c0", kT0)}));

  EXPECT_EQ(store().revoke_session(bob->id, "ada-1", at(kT0 + 1)), Result<bool>(false))
      << "nobody revokes another user's session";
  EXPECT_EQ(store().revoke_session(bob->id, "bob-1", at(kT0 + 3'600'001)), Result<bool>(false))
      << "an expired session is no live one: nothing to end";
  EXPECT_EQ(store().revoke_session(ada->id, "ada-1", at(kT0 + 1)), Result<bool>(true));
  EXPECT_EQ(store().revoke_session(ada->id, "ada-1", at(kT0 + 2)), Result<bool>(false));
  EXPECT_EQ((*store().find_session("ada-1"))->revoked_at, std::optional(at(kT0 + 1)));
  const std::int64_t revoked_id = (*store().find_session("ada-1"))->id;
  EXPECT_EQ(store().rotate_refresh_token(revoked_id, 0, "a1", at(kT0 + 3)), Result<bool>(false));

  EXPECT_EQ(store().revoke_user_sessions(ada->id, at(kT0 + 4)), Result<std::int64_t>(1));
  EXPECT_TRUE((*store().find_session("ada-2"))->revoked_at);
  EXPECT_FALSE((*store().find_session("bob-1"))->revoked_at);
}

TEST_P(StoreContract, ALoginBeyondTheCapEndsTheOldestSessionsOfItsKind) {
  auto ada = store().create_user(new_user("ada@example.com"), new_session("seed-1", kT0));
  auto bob = store().create_user(new_user("bob@example.com"), std::nullopt);
  ASSERT_TRUE(ada && bob);
  ASSERT_TRUE(store().record_login(
      {.user_id = bob->id, .at = at(kT0), .session = v1_session("bob-1", "b", kT0)}));
  for (int i = 1; i <= 4; ++i) {
    const std::string id = "ada-" + std::to_string(i);
    ASSERT_TRUE(store().record_login({.user_id = ada->id,
                                      .at = at(kT0 + i),
                                      .session = v1_session(id, id, kT0 + i),
                                      .max_live_of_family = 2}));
  }
  auto live = store().list_live_sessions(ada->id, SessionFamily::rotating, at(kT0 + 10));
  ASSERT_TRUE(live);
  ASSERT_EQ(live->size(), 2u);
  EXPECT_EQ((*live)[0].public_id, "ada-3");
  EXPECT_EQ((*live)[1].public_id, "ada-4");
  EXPECT_EQ((*store().find_session("ada-1"))->revoked_at, std::optional(at(kT0 + 3)));
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = 'seed-1' AND revoked_at IS "
                   "NULL"),
            "1")
      << "other kinds are not counted or ended";
  EXPECT_FALSE((*store().find_session("bob-1"))->revoked_at) << "other users are not touched";
}

TEST_P(StoreContract, PurgeDropsEndedSessions) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  // Expires at kT0 + 1 h; revoked at kT0 + 1 s; live until kT0 + 1 h + 10 s.
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0), .session = v1_session("expired", "e0", kT0)}));
  ASSERT_TRUE(store().record_login(
      {.user_id = ada->id, .at = at(kT0), .session = v1_session("revoked", "r0", kT0)}));
  ASSERT_TRUE(store().record_login({.user_id = ada->id,
                                    .at = at(kT0 + 10'000),
                                    .session = v1_session("live", "l0", kT0 + 10'000)}));
  ASSERT_TRUE(store().revoke_session(ada->id, "revoked", at(kT0 + 1000)));
  const std::int64_t live_id = (*store().find_session("live"))->id;
  ASSERT_EQ(store().rotate_refresh_token(live_id, 0, "l1", at(kT0 + 20'000)), Result<bool>(true));

  EXPECT_EQ(store().purge_sessions(at(kT0 + 1000)), Result<std::int64_t>(0)) << "not before";
  EXPECT_EQ(store().purge_sessions(at(kT0 + 3'600'001)), Result<std::int64_t>(2));
  EXPECT_FALSE(store().find_session("expired")->has_value());
  EXPECT_FALSE(store().find_session("revoked")->has_value());
  EXPECT_TRUE(store().find_session("live")->has_value());
  EXPECT_FALSE(store().find_refresh_token("e0")->has_value());
  EXPECT_TRUE(store().find_refresh_token("l1")->has_value());
}

TEST_P(StoreContract, SigningKeysRoundTripInActivationOrder) {
  const SigningKeyRecord later{.kid = "k-later",
                               .public_key = "pub-2",
                               .sealed_private_key = "sealed-2",
                               .created_at = at(kT0),
                               .activates_at = at(kT0 + 3'600'000)};
  const SigningKeyRecord first{.kid = "k-first",
                               .public_key = "pub-1",
                               .sealed_private_key = "sealed-1",
                               .created_at = at(kT0 - 1000),
                               .activates_at = at(kT0 - 1000)};
  ASSERT_TRUE(store().add_signing_key(later));
  ASSERT_TRUE(store().add_signing_key(first));
  EXPECT_FALSE(store().add_signing_key(first)) << "kids are unique";
  auto keys = store().signing_keys();
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].kid, "k-first");
  EXPECT_EQ((*keys)[0].sealed_private_key, "sealed-1");
  EXPECT_EQ((*keys)[0].activates_at, at(kT0 - 1000));
  EXPECT_EQ((*keys)[1].kid, "k-later");
  EXPECT_EQ((*keys)[1].public_key, "pub-2");
  EXPECT_EQ((*keys)[1].created_at, at(kT0));
  EXPECT_EQ((*keys)[1].activates_at, at(kT0 + 3'600'000));
}

ImportedUser imported(std::int64_t id, const std::string& email) {
  ImportedUser user;
  user.id = id;
  user.email = email;
  user.email_key = email;
  user.password_hash = "$2b$10$Ruu4INoL89nf5ZQUaqXzX.sQEPNvthQSSnnc1MMTtFNa1spEkLyla";
  user.created_at = at(kT0);
  user.updated_at = at(kT0 + 1000);
  return user;
}

TEST_P(StoreContract, ImportKeepsIdsHashesFlagsTimesAndRolesInOrder) {
  ImportedUser ada = imported(41, "ada@example.com");
  ada.first_name = "Ada";
  ada.last_login = at(kT0 + 5000);
  ada.roles = {"seller", "warehouse", "buyer"};  // "warehouse" does not exist yet
  ImportedUser bob = imported(7, "bob@example.com");
  bob.is_active = false;
  ImportedUser cy = imported(12, "cy@example.com");
  cy.session = new_session("import-token-hash", kT0);
  const std::vector<ImportedUser> batch{ada, bob, cy};
  ASSERT_TRUE(store().import_users(batch, at(kT0 + 9000)));

  auto found = store().find_user_by_id(41);
  ASSERT_TRUE(found && found->has_value());
  const UserRecord& a = **found;
  EXPECT_EQ(a.email, "ada@example.com");
  EXPECT_EQ(a.password_hash, ada.password_hash);
  EXPECT_EQ(a.first_name, "Ada");
  EXPECT_EQ(a.last_name, std::nullopt);
  EXPECT_TRUE(a.is_active);
  EXPECT_EQ(a.last_login, at(kT0 + 5000));
  EXPECT_EQ(a.created_at, at(kT0));
  EXPECT_EQ(a.updated_at, at(kT0 + 1000));
  EXPECT_EQ(a.roles, (std::vector<std::string>{"seller", "warehouse", "buyer"}));
  EXPECT_EQ(a.credentials_revoked_at, std::nullopt);

  // An inactive account's earlier credentials (the old app's tokens) are void.
  auto b = store().find_user_by_id(7);
  ASSERT_TRUE(b && b->has_value());
  EXPECT_FALSE((*b)->is_active);
  EXPECT_EQ((*b)->credentials_revoked_at, at(kT0 + 9000));

  auto session = store().find_opaque_session("import-token-hash");
  ASSERT_TRUE(session && session->has_value());
  EXPECT_EQ((*session)->user_id, 12);

  // New accounts continue above the highest imported id.
  auto next = store().create_user(new_user("dee@example.com"), std::nullopt);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, 42);
}

TEST_P(StoreContract, ImportFindsClashesAndWritesNothingOfABatchThatHasOne) {
  auto existing = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(existing);
  const std::vector<ImportedUser> batch{imported(existing->id + 10, "ada@example.com"),
                                        imported(existing->id, "new@example.com"),
                                        imported(existing->id + 20, "free@example.com")};
  auto clashes = store().find_import_clashes(batch, at(kT0));
  ASSERT_TRUE(clashes);
  EXPECT_EQ(clashes->ids, std::vector<std::int64_t>{existing->id});
  EXPECT_EQ(clashes->email_keys, std::vector<std::string>{"ada@example.com"});

  auto by_id = store().import_users(std::vector<ImportedUser>{batch[2], batch[1]}, at(kT0));
  ASSERT_FALSE(by_id);
  EXPECT_EQ(by_id.error(), StoreError::id_taken);
  auto by_email = store().import_users(std::vector<ImportedUser>{batch[2], batch[0]}, at(kT0));
  ASSERT_FALSE(by_email);
  EXPECT_EQ(by_email.error(), StoreError::email_taken);
  EXPECT_EQ(count("users"), 1) << "a refused batch writes none of its rows";
}

TEST_P(StoreContract, ImportLeavesAnAddressALiveRevertHolds) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  ASSERT_NO_FATAL_FAILURE(change_adas_email(store(), ada->id, std::nullopt));
  // ada@example.com is nobody's now, but ada's revert may still bring it back.
  const std::vector<ImportedUser> batch{imported(ada->id + 10, "ada@example.com"),
                                        imported(ada->id + 20, "free@example.com")};
  auto clashes = store().find_import_clashes(batch, at(kT0 + 20));
  ASSERT_TRUE(clashes);
  EXPECT_TRUE(clashes->ids.empty());
  EXPECT_TRUE(clashes->email_keys.empty());
  EXPECT_EQ(clashes->held_email_keys, std::vector<std::string>{"ada@example.com"});
  auto refused = store().import_users(batch, at(kT0 + 20));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), StoreError::email_taken);
  EXPECT_EQ(count("users"), 1) << "a refused batch writes none of its rows";

  // Once the revert has expired, the address is free to import.
  const std::int64_t expired = kT0 + 10 + 3'600'001;
  clashes = store().find_import_clashes(batch, at(expired));
  ASSERT_TRUE(clashes);
  EXPECT_TRUE(clashes->held_email_keys.empty());
  EXPECT_TRUE(store().import_users(batch, at(expired)));
  EXPECT_EQ(count("users"), 3);
}

TEST_P(StoreContract, CountsAccountsByTheSchemeOfTheirPasswordHash) {
  ASSERT_TRUE(store().create_user(new_user("ada@example.com"), std::nullopt));  // argon2id
  ImportedUser odd = imported(20, "odd@example.com");
  odd.password_hash = "no-scheme";
  ASSERT_TRUE(store().import_users(std::vector<ImportedUser>{imported(10, "bob@example.com"),
                                                             imported(11, "cy@example.com"), odd},
                                   at(kT0)));
  auto counts = store().count_password_schemes();
  ASSERT_TRUE(counts);
  EXPECT_EQ(*counts, (std::vector<std::pair<std::string, std::int64_t>>{
                         {"", 1}, {"2b", 2}, {"argon2id", 1}}));
}

TEST_P(StoreContract, ReservedIdsAreSkippedAndTheSequenceNeverMovesBack) {
  ASSERT_TRUE(store().reserve_user_ids(100));
  ASSERT_TRUE(store().reserve_user_ids(50));
  auto first = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, 101);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(sqlite_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract, ::testing::Values(postgres_backend()),
                         backend_name);

// What only one backend promises, on the same fixture.
class SqliteOnly : public StoreContract {};

TEST_P(SqliteOnly, UsesWriteAheadLogging) {
  // WAL lets the pool's readers proceed while one connection writes.
  EXPECT_EQ(scalar("PRAGMA journal_mode"), "wal");
}

TEST_P(SqliteOnly, RolesBrokenByHandAreAStoreFailureNotACrash) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  // SQLite keeps a text where an integer is declared (PostgreSQL refuses it): an operator's typo.
  db_.query("UPDATE user_roles SET position = 'first' WHERE user_id = " + std::to_string(ada->id));
  const auto read = store().find_user_by_id(ada->id);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), StoreError::internal);
  EXPECT_FALSE(store().find_user_by_email("ada@example.com"));
}

// The change stamp the gateway check remembers answers under: the same across reads, new after
// every commit, whichever connection (or process) made it.
TEST_P(SqliteOnly, TheChangeStampMovesWithEveryCommitAndOnlyThen) {
  const auto fresh = store().change_stamp();
  ASSERT_TRUE(fresh);
  auto ada =
      store().create_user(new_user("ada@example.com"), new_session(std::string(64, 'd'), kT0));
  ASSERT_TRUE(ada);
  const auto written = store().change_stamp();
  ASSERT_TRUE(written);
  EXPECT_NE(*written, *fresh);
  ASSERT_TRUE(store().find_user_by_id(ada->id));
  ASSERT_TRUE(store().find_opaque_session(std::string(64, 'd')));
  query("SELECT COUNT(*) FROM users");
  EXPECT_EQ(store().change_stamp(), written) << "reads commit nothing";
  query("UPDATE users SET first_name = 'Augusta' WHERE id = " + std::to_string(ada->id));
  const auto elsewhere = store().change_stamp();
  ASSERT_TRUE(elsewhere);
  EXPECT_NE(*elsewhere, *written) << "a commit through another connection";
  // An UPDATE that leaves every byte as it was commits no page: nothing to see, and no new stamp.
  query("UPDATE users SET first_name = 'Augusta' WHERE id = " + std::to_string(ada->id));
  EXPECT_EQ(store().change_stamp(), elsewhere);
  ASSERT_TRUE(store().revoke_user_sessions(ada->id, at(kT0 + 1)));
  EXPECT_NE(store().change_stamp(), elsewhere);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteOnly, ::testing::Values(sqlite_backend()), backend_name);

// Outside WAL mode there is no WAL index to read, and a "-shm" file left from WAL days must not
// be taken for one: no stamp, so nothing is remembered.
TEST(SqliteChangeStamp, ADatabaseOutOfWalModeHasNone) {
  test::TempDir dir;
  const std::string path = dir.file("authd.db");
  {
    sqlite::SqliteStore store{path, 1};
    ASSERT_TRUE(store.change_stamp());
  }
  test::RawDb(path).query("PRAGMA journal_mode=DELETE");
  std::ofstream(path + "-shm", std::ios::binary) << std::string(4096, '\x01');
  sqlite::SqliteStore store{path, 1, OpenMode::existing};
  EXPECT_FALSE(store.change_stamp());
}

class PostgresOnly : public StoreContract {};

TEST_P(PostgresOnly, GivesNoChangeStampSinceOtherInstancesCommitOverTheNetwork) {
  EXPECT_FALSE(store().change_stamp());
}

// Under READ COMMITTED, a registration of the address an email change frees, racing that change,
// waits on the unique index until the change commits, then must still see the revert it issued.
TEST_P(PostgresOnly, ARegistrationRacingAnEmailChangeCannotTakeTheAddressItsRevertHolds) {
  auto ada = store().create_user(new_user("ada@example.com"), std::nullopt);
  ASSERT_TRUE(ada);
  postgres::PgConnection change(db_.uri);  // the email change's transaction, held open
  change.run("BEGIN");
  change.run(("UPDATE users SET email = 'new@example.com', email_key = 'new@example.com' "
              "WHERE id = " +
              std::to_string(ada->id))
                 .c_str());
  change.run(("INSERT INTO action_tokens (user_id, purpose, token_hash, email_key, created_at, "
              "expires_at, new_email, new_email_key) VALUES (" +
              std::to_string(ada->id) +
              ", 'email_revert', 'r0', 'new@example.com', now(), '2999-01-01', "
              "'ada@example.com', 'ada@example.com')")
                 .c_str());
  auto registration = std::async(std::launch::async, [&] {
    return store().create_user(new_user("ada@example.com"), std::nullopt);
  });
  EXPECT_EQ(registration.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "the registration waits for the change";
  change.run("COMMIT");
  const auto registered = registration.get();
  ASSERT_FALSE(registered);
  EXPECT_EQ(registered.error(), StoreError::email_taken);
  EXPECT_EQ(count("users"), 1);
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresOnly, ::testing::Values(postgres_backend()),
                         backend_name);

}  // namespace
}  // namespace authd::store
