// The importer's rules over a real SqliteStore, with sources written here: what makes a row a
// problem (and why), what a problem does to the import (nothing written, or the row skipped),
// collisions between rows, the id sequence; and the parts it reads with: JSON Lines and the
// timestamps of SQL databases.
#include "import/importer.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "import/jsonl_accounts.hpp"
#include "import/source_database.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"
#include "support/test_doubles.hpp"

namespace authd::import {
namespace {

using test::ManualClock;
using test::TempDir;

constexpr std::int64_t kT0 = 1796533200000;  // 2026-12-06T06:20:00Z
constexpr const char* kBcrypt = "$2b$10$Ruu4INoL89nf5ZQUaqXzX.sQEPNvthQSSnnc1MMTtFNa1spEkLyla";

// A source that is a list in memory.
class ListSource final : public AccountSource {
 public:
  explicit ListSource(std::vector<SourceAccount> accounts) : accounts_(std::move(accounts)) {
    for (std::size_t i = 0; i < accounts_.size(); ++i) {
      accounts_[i].ordinal = static_cast<std::int64_t>(i + 1);
    }
  }
  std::optional<std::int64_t> count() override {
    return static_cast<std::int64_t>(accounts_.size());
  }
  void for_each(const std::function<void(SourceAccount&&)>& on_account) override {
    for (SourceAccount account : accounts_) on_account(std::move(account));
  }
  std::optional<std::int64_t> highest_id_given() override { return highest_id_given_; }
  std::optional<std::int64_t> highest_id_given_{};

 private:
  std::vector<SourceAccount> accounts_;
};

SourceAccount account(std::int64_t id, std::string email, std::string hash = kBcrypt) {
  SourceAccount row;
  row.id = id;
  row.email = std::move(email);
  row.password_hash = std::move(hash);
  return row;
}

class ImporterTest : public ::testing::Test {
 protected:
  ImportReport run(ListSource& source, ImportOptions options = {}) {
    options.batch_size = 2;  // several batches even for a handful of rows
    const auto progress = progress_on_stderr(/*quiet=*/true);
    return Importer(store_, clock_, options, *progress).run(source);
  }
  std::int64_t users() {
    auto listed = store_.list_users({.limit = 1000});
    return listed ? static_cast<std::int64_t>(listed->size()) : -1;
  }

  TempDir dir_;
  store::sqlite::SqliteStore store_{dir_.file("authd.db"), 1};
  ManualClock clock_{util::from_unix_millis(kT0)};
};

TEST_F(ImporterTest, ARowAuthdCannotTakeStopsTheWholeImportAndSaysWhy) {
  SourceAccount reserved = account(5, "root@example.com");
  reserved.roles = {"authd:admin"};
  SourceAccount bad_session = account(6, "s@example.com");
  bad_session.session = SourceSession{.token = "short"};
  SourceAccount defective = account(7, "d@example.com");
  defective.defect = "createdAt is not a timestamp: yesterday";
  ListSource source({account(1, "ada@example.com"), account(2, "not an email"),
                     account(3, "md5@example.com", "5f4dcc3b5aa765d61d8327deb882cf99"),
                     account(4, "x@example.com", "$2b$03$short"), reserved, bad_session,
                     defective});
  const ImportReport report = run(source);
  EXPECT_FALSE(report.written);
  EXPECT_EQ(users(), 0) << "nothing is written";
  ASSERT_EQ(report.problems.size(), 6u);
  const std::vector<std::string> reasons = {"the email is not an address authd accepts",
                                            "the password hash is not one authd verifies",
                                            "the password hash is not one authd verifies",
                                            "the role authd:admin is reserved for authd",
                                            "the session token is not of a shape authd can check",
                                            "createdAt is not a timestamp: yesterday"};
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    EXPECT_EQ(report.problems[i].id, static_cast<std::int64_t>(i + 2));
    EXPECT_TRUE(report.problems[i].reason.starts_with(reasons[i])) << report.problems[i].reason;
  }
  EXPECT_EQ(report.problems[0].email, "not an email") << "the email as the source holds it";
}

TEST_F(ImporterTest, SkippingImportsTheRestAndKeepsTheLowestIdOfOneAccount) {
  ListSource source({account(9, "bob@example.com"), account(4, " Bob@Example.COM "),
                     account(7, "BOB@example.com"), account(8, "cy@example.com"),
                     account(8, "dee@example.com")});
  const ImportReport report = run(source, {.skip_conflicts = true});
  EXPECT_TRUE(report.written);
  EXPECT_EQ(report.imported, 2);
  ASSERT_EQ(report.problems.size(), 3u);
  // Ordered by position in the source; each names the id kept.
  EXPECT_EQ(report.problems[0].id, 9);
  EXPECT_TRUE(report.problems[0].reason.starts_with("the same account as id 4"))
      << report.problems[0].reason;
  EXPECT_EQ(report.problems[0].email, "bob@example.com");
  EXPECT_EQ(report.problems[1].id, 7);
  EXPECT_EQ(report.problems[2].email, "dee@example.com");
  EXPECT_EQ(report.problems[2].reason, "the id appears more than once in the source");
  // The row kept is in canonical form: trimmed, as given otherwise.
  auto kept = store_.find_user_by_id(4);
  ASSERT_TRUE(kept && kept->has_value());
  EXPECT_EQ((*kept)->email, "Bob@Example.COM");
}

TEST_F(ImporterTest, ADryRunWritesNothingAndCountsWhatWouldBeImported) {
  ListSource source(
      {account(1, "a@example.com"), account(2, "b@example.com"), account(3, "A@example.com")});
  const ImportReport report = run(source, {.dry_run = true, .skip_conflicts = true});
  EXPECT_FALSE(report.written);
  EXPECT_EQ(report.imported, 2);
  EXPECT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(users(), 0);
}

TEST_F(ImporterTest, NewIdsStartAboveTheOldAppsSequenceAndImportedSessionsLiveOneLifetime) {
  SourceAccount with_session = account(3, "s@example.com");
  with_session.session = SourceSession{.token = std::string(64, 'a')};
  ListSource source({account(2, "a@example.com"), with_session});
  source.highest_id_given_ = 40;  // accounts 4..40 were deleted in the old app
  const ImportReport report = run(source, {.session_ttl = std::chrono::hours(2)});
  ASSERT_TRUE(report.failure.empty()) << report.failure;
  EXPECT_EQ(report.next_id_above, 40);
  EXPECT_EQ(report.sessions, 1);
  auto created = store_.create_user({.email = "new@example.com",
                                     .email_key = "new@example.com",
                                     .password_hash = kBcrypt,
                                     .first_name = std::nullopt,
                                     .last_name = std::nullopt,
                                     .roles = {},
                                     .now = clock_.now()},
                                    std::nullopt);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->id, 41);
  auto session = store_.find_opaque_session(
      "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");  // SHA-256 of 64 "a"
  ASSERT_TRUE(session && session->has_value());
  EXPECT_EQ((*session)->expires_at, clock_.now() + std::chrono::hours(2));
}

TEST_F(ImporterTest, AnIdOrEmailAlreadyInTheStoreIsAConflict) {
  ListSource first({account(1, "a@example.com")});
  ASSERT_TRUE(run(first).written);
  ListSource second(
      {account(1, "b@example.com"), account(2, "A@EXAMPLE.COM"), account(3, "c@example.com")});
  const ImportReport report = run(second);
  EXPECT_FALSE(report.written);
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0].reason, "the id is another account's in authd's store");
  EXPECT_EQ(report.problems[1].reason, "the email is another account's in authd's store");
  EXPECT_EQ(users(), 1);
}

std::unique_ptr<AccountSource> jsonl_of(const TempDir& dir, const std::string& lines) {
  std::ofstream(dir.file("users.jsonl")) << lines;
  return jsonl_source(dir.file("users.jsonl"));
}

TEST(JsonLinesTest, ReadsEveryFieldAndTellsDefectsByLine) {
  TempDir dir;
  const auto source = jsonl_of(
      dir,
      R"({"id": 7, "email": "ada@example.com", "password_hash": "$2b$10$x", "first_name": "Ada",)"
      R"( "last_name": null, "roles": ["admin", "user"], "is_active": 0,)"
      R"( "last_login": "2026-12-04T15:16:50.183Z", "created_at": "2026-12-04 15:16:50.183 +00:00"})"
      "\n\n"
      R"({"id": 8, "email": "b@example.com", "password_hash": "h", "is_actve": true})"
      "\n"
      R"({"id": "9", "email": "c@example.com", "password_hash": "h"})"
      "\n"
      "not json\r\n"
      R"({"id": 10, "email": "e@example.com", "password_hash": "h", "roles": "admin"})");
  std::vector<SourceAccount> read;
  source->for_each([&](SourceAccount&& account) { read.push_back(std::move(account)); });
  ASSERT_EQ(read.size(), 5u) << "the blank line is no account";
  EXPECT_EQ(source->count(), 5);
  const SourceAccount& ada = read[0];
  EXPECT_TRUE(ada.defect.empty()) << ada.defect;
  EXPECT_EQ(ada.id, 7);
  EXPECT_EQ(ada.first_name, "Ada");
  EXPECT_EQ(ada.last_name, std::nullopt);
  EXPECT_EQ(ada.roles, (std::vector<std::string>{"admin", "user"}));
  EXPECT_FALSE(ada.is_active);
  EXPECT_EQ(ada.last_login, util::from_unix_millis(1796397410183));
  EXPECT_EQ(ada.created_at, util::from_unix_millis(1796397410183));
  EXPECT_EQ(read[1].defect, "unknown key is_actve");
  EXPECT_EQ(read[2].defect, "id must be a positive integer");
  EXPECT_EQ(read[3].defect, "line 5 is not a JSON object");
  EXPECT_EQ(read[3].ordinal, 5);
  EXPECT_EQ(read[4].defect, "roles must be an array of strings");
  // A second pass reads the same.
  std::size_t again = 0;
  source->for_each([&](SourceAccount&&) { ++again; });
  EXPECT_EQ(again, 5u);
}

TEST(SourceErrorTest, NeverHoldsTheSourcesPassword) {
  EXPECT_EQ(without_password("bad URI \"postgresql://u:s3cret@[::1/db\"",
                             "postgresql://u:s3cret@[::1/db"),
            "bad URI \"postgresql://u:***@[::1/db\"");
  EXPECT_EQ(without_password("password \"p@ss/word\" refused", "mysql://u:p%40ss%2Fword@h/db"),
            "password \"***\" refused");
  EXPECT_EQ(without_password("invalid token: \"s3%zzcret\"", "postgresql://u:s3%zzcret@h/db"),
            "invalid token: \"***\"");
  EXPECT_EQ(without_password("no password here", "postgresql://u@h/db"), "no password here");
}

TEST(TimestampTest, ReadsWhatSqlDatabasesAndExportsPrint) {
  const auto expected = util::from_unix_millis(1796397410183);  // 2026-12-04T15:16:50.183Z
  for (const char* text : {"2026-12-04T15:16:50.183Z", "2026-12-04 15:16:50.183 +00:00",
                           "2026-12-04 15:16:50.183+00", "2026-12-04 16:16:50.183+01:00",
                           "2026-12-04 10:16:50.183-0500", "2026-12-04T15:16:50.1834567Z"}) {
    EXPECT_EQ(util::parse_timestamp(text), expected) << text;
  }
  EXPECT_EQ(util::parse_timestamp("2026-12-04 15:16:50"), util::from_unix_millis(1796397410000));
  for (const char* text : {"", "yesterday", "2026-02-30 00:00:00", "2026-12-04",
                           "2026-12-04 25:00:00", "2026-12-04 15:16:50.Z", "2026-12-04 15:16:50 +0",
                           "2026-12-04 15:16:50x", "1796397410183"}) {
    EXPECT_EQ(util::parse_timestamp(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace authd::import
