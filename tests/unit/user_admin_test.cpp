// UserAdmin over a real SqliteStore: who counts as an administrator, the rules that keep an
// administrator from locking everyone out, validation of every change, and the audit trail each
// change leaves (with its actor, and never an email).
#include "core/user_admin.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/security_log.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"
#include "support/test_doubles.hpp"

namespace authd::core {
namespace {

using test::fast_argon2;
using test::ManualClock;
using test::TempDir;
using Roles = std::vector<std::string>;

constexpr std::int64_t kT0 = 1742995117241;

class UserAdminTest : public ::testing::Test {
 protected:
  // An account made by the CLI, with these roles.
  std::int64_t account(const std::string& email, Roles roles) {
    auto created = admin_.create(
        Actor::cli(),
        {.email = email, .password = "q7Lm#2vZ9xR!4pWd8sKe", .requested_roles = std::move(roles)});
    EXPECT_TRUE(created) << email;
    return created ? created->id : 0;
  }
  Actor as(std::int64_t id) { return Actor::user(id, {.address = "192.0.2.7"}); }
  std::vector<store::AuditRecord> trail() { return admin_.audit(0, 200)->events; }

  TempDir dir_;
  store::sqlite::SqliteStore store_{dir_.file("authd.db"), 2};
  ManualClock clock_{util::from_unix_millis(kT0)};
  AuthService auth_{store_, crypto::PasswordHasher(fast_argon2()), clock_, AuthConfig{}};
  AuditTrail audit_{store_, clock_};
  UserAdmin admin_{store_, auth_, audit_, clock_};
};

TEST_F(UserAdminTest, OnlyAnActiveHolderOfTheReservedRoleIsAnAdministrator) {
  const auto root = account("root@x.io", {"authd:admin"});
  const auto seed_admin = account("seed@x.io", {"admin"});
  auto actor = admin_.administrator(root, {});
  ASSERT_TRUE(actor);
  EXPECT_EQ(actor->name, "user:" + std::to_string(root));
  EXPECT_EQ(admin_.administrator(seed_admin, {}).error(), AuthError::not_administrator)
      << "seed 003's admin role opens nothing";
  EXPECT_EQ(admin_.administrator(root + 100, {}).error(), AuthError::not_administrator);
  // Read on every call: a role taken away works at once, and so does a deactivation.
  const auto second = account("second@x.io", {"authd:admin"});
  ASSERT_TRUE(admin_.remove_role(as(root), std::to_string(second), "authd:admin"));
  EXPECT_EQ(admin_.administrator(second, {}).error(), AuthError::not_administrator);
  ASSERT_TRUE(admin_.add_role(as(root), std::to_string(second), "authd:admin"));
  ASSERT_TRUE(admin_.administrator(second, {}));
  ASSERT_TRUE(admin_.set_active(as(root), std::to_string(second), false));
  EXPECT_EQ(admin_.administrator(second, {}).error(), AuthError::not_administrator);
}

TEST_F(UserAdminTest, TheLastAdministratorCannotBeDisabledDeletedOrDemoted) {
  const auto root = account("root@x.io", {"authd:admin"});
  const std::string id = std::to_string(root);
  for (const auto& actor : {Actor::cli(), as(root)}) {
    EXPECT_EQ(admin_.set_active(actor, id, false, /*force=*/true).error(),
              AuthError::last_administrator);
    EXPECT_EQ(admin_.remove_role(actor, id, "authd:admin", /*force=*/true).error(),
              AuthError::last_administrator);
    EXPECT_EQ(admin_.update(actor, id, {.roles = Roles{"user"}}, /*force=*/true).error(),
              AuthError::last_administrator);
    EXPECT_EQ(admin_.remove(actor, id, /*force=*/true).error(), AuthError::last_administrator);
  }
  const auto kept = admin_.find(id);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->is_active);
  EXPECT_EQ(kept->roles, Roles{"authd:admin"});
  const auto events = trail();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().action, "user_deleted");
  EXPECT_EQ(events.front().outcome, "refused");
  EXPECT_EQ(events.front().actor, "user:" + id);
  EXPECT_EQ(events.front().client, std::optional<std::string>("192.0.2.7"));
}

TEST_F(UserAdminTest, AnAdministratorTakingTheirOwnAccessAwayMustForceIt) {
  const auto root = account("root@x.io", {"authd:admin", "user"});
  account("other@x.io", {"authd:admin"});
  const std::string id = std::to_string(root);
  EXPECT_EQ(admin_.set_active(as(root), id, false).error(), AuthError::confirmation_required);
  EXPECT_EQ(admin_.remove_role(as(root), id, "authd:admin").error(),
            AuthError::confirmation_required);
  EXPECT_EQ(admin_.update(as(root), id, {.roles = Roles{"user"}}).error(),
            AuthError::confirmation_required);
  EXPECT_EQ(admin_.remove(as(root), id).error(), AuthError::confirmation_required);
  EXPECT_TRUE(admin_.update(as(root), id, {.first_name = std::optional<std::string>("Root")}))
      << "changes that keep the access need no force";
  EXPECT_TRUE(admin_.update(as(root), id, {.roles = Roles{"user", "authd:admin"}}));
  auto demoted = admin_.remove_role(as(root), id, "authd:admin", /*force=*/true);
  ASSERT_TRUE(demoted);
  EXPECT_EQ(demoted->roles, Roles{"user"});
}

TEST_F(UserAdminTest, UpdatesAreCheckedAsARegistrationIsAndWriteNothingWhenRefused) {
  const auto ada = account("ada@x.io", {"user"});
  account("bob@x.io", {"user"});
  const std::string id = std::to_string(ada);
  const Actor cli = Actor::cli();
  EXPECT_EQ(admin_.update(cli, id, {.email = "not an address"}).error(), AuthError::invalid_email);
  EXPECT_EQ(admin_.update(cli, id, {.email = "BOB@x.io"}).error(), AuthError::email_taken);
  EXPECT_EQ(admin_.update(cli, id, {.first_name = std::optional<std::string>("a\nb")}).error(),
            AuthError::invalid_name);
  EXPECT_EQ(admin_.update(cli, id, {.roles = Roles{"user", "ghost"}}).error(),
            AuthError::role_not_found);
  EXPECT_EQ(admin_.update(cli, id, {.roles = Roles{"user", "user"}}).error(),
            AuthError::invalid_roles);
  EXPECT_EQ(admin_.update(cli, "999", {.active = false}).error(), AuthError::user_not_found);
  const auto unchanged = admin_.find(id);
  EXPECT_EQ(unchanged->email, "ada@x.io");
  EXPECT_EQ(unchanged->roles, Roles{"user"});
  auto changed = admin_.update(cli, id,
                               {.first_name = std::optional<std::string>("Ada"),
                                .email = "  Ada@Y.io ",
                                .roles = Roles{"seller", "user"}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->email, "Ada@Y.io") << "canonicalised as at registration";
  EXPECT_EQ(changed->roles, (Roles{"seller", "user"}));
  EXPECT_TRUE(admin_.find("ada@y.io")) << "found by its new email, in any letter case";
}

TEST_F(UserAdminTest, ListingPagesInIdOrderAndFiltersCaseInsensitively) {
  std::vector<std::int64_t> ids;
  for (const char* email : {"ann@x.io", "Anna@x.io", "bob@x.io", "anne@x.io", "annie@x.io"}) {
    ids.push_back(account(email, {"user"}));
  }
  std::vector<std::int64_t> seen;
  store::UserQuery query{.email_key_prefix = "ANN", .limit = 2};
  for (int pages = 0; pages < 10; ++pages) {
    auto page = admin_.list(query);
    ASSERT_TRUE(page);
    for (const auto& user : page->users) seen.push_back(user.id);
    if (!page->next_after_id) break;
    query.after_id = *page->next_after_id;
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{ids[0], ids[1], ids[3], ids[4]}));
  EXPECT_EQ(admin_.list({.limit = 100000})->users.size(), 5u) << "a huge limit is capped";
}

TEST_F(UserAdminTest, RolesAreValidatedAndReservedOnesStay) {
  const Actor cli = Actor::cli();
  EXPECT_TRUE(admin_.create_role(cli, "auditor.eu-1"));
  EXPECT_EQ(admin_.create_role(cli, "auditor.eu-1").error(), AuthError::role_taken);
  for (const std::string& bad :
       std::vector<std::string>{"", std::string(65, 'r'), "two words", "authd:owner", "rôle"}) {
    EXPECT_EQ(admin_.create_role(cli, bad).error(), AuthError::invalid_roles) << bad;
  }
  EXPECT_EQ(admin_.delete_role(cli, "authd:admin", true).error(), AuthError::role_protected);
  const auto ada = account("ada@x.io", {"auditor.eu-1"});
  EXPECT_EQ(admin_.delete_role(cli, "auditor.eu-1", false).error(), AuthError::role_in_use);
  EXPECT_TRUE(admin_.delete_role(cli, "auditor.eu-1", true));
  EXPECT_EQ(admin_.find(std::to_string(ada))->roles, Roles{});
  EXPECT_EQ(admin_.delete_role(cli, "auditor.eu-1", true).error(), AuthError::role_not_found);
}

TEST_F(UserAdminTest, TheTrailRecordsWhoDidWhatToWhomWithoutTheirEmail) {
  const auto root = account("root@x.io", {"authd:admin"});
  const auto ada = account("ada.lovelace@x.io", {"user"});
  ASSERT_TRUE(admin_.set_active(as(root), std::to_string(ada), false));
  ASSERT_TRUE(admin_.remove(as(root), "ada.lovelace@x.io"));
  const auto events = trail();
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[0].action, "user_deleted");
  EXPECT_EQ(events[0].target_user_id, std::optional<std::int64_t>(ada));
  EXPECT_EQ(events[1].action, "account_disabled");
  EXPECT_EQ(events[1].detail, std::optional<std::string>("is_active=false"));
  EXPECT_EQ(events[2].action, "user_created");
  EXPECT_EQ(events[2].actor, "cli");
  for (const auto& event : events) {
    EXPECT_EQ(event.outcome, "success");
    for (const auto& text : {event.actor, event.action, event.detail.value_or("")}) {
      EXPECT_EQ(text.find("lovelace"), std::string::npos) << text;
    }
  }
}

TEST_F(UserAdminTest, SecurityEventsReachTheTrailOnceItIsInstalledAndThrottlingDoesNot) {
  const auto ada = account("ada@x.io", {"user"});
  record_security_events_in(&audit_);
  log_security_event("login_success", {.address = "198.51.100.4"}, {{"user_id", ada}});
  log_security_event("login_failure", {.address = "198.51.100.4"}, {{"reason", "wrong password"}});
  log_security_event("login_throttled", {.address = "198.51.100.4"}, {{"retry_after", 30}});
  log_security_event("lockout", {}, {{"scope", "account"}, {"seconds", 60}});
  record_security_events_in(nullptr);
  log_security_event("login_success", {}, {{"user_id", ada}});
  const auto events = trail();
  ASSERT_EQ(events.size(), 4u) << "the account's creation and three security events";
  EXPECT_EQ(events[0].action, "lockout");
  EXPECT_EQ(events[0].detail, std::optional<std::string>("account"));
  EXPECT_EQ(events[0].outcome, "refused");
  EXPECT_EQ(events[1].action, "login_failure");
  EXPECT_EQ(events[1].actor, "anonymous");
  EXPECT_EQ(events[1].outcome, "failure");
  EXPECT_EQ(events[2].action, "login_success");
  EXPECT_EQ(events[2].actor, "user:" + std::to_string(ada));
  EXPECT_EQ(events[2].target_user_id, std::optional<std::int64_t>(ada));
  EXPECT_EQ(events[2].client, std::optional<std::string>("198.51.100.4"));
}

TEST_F(UserAdminTest, FailuresAreRecordedInTheCoresWordsNeverTheRequests) {
  const auto root = account("root@x.io", {"authd:admin"});
  const auto ada = account("ada@x.io", {"user"});
  EXPECT_EQ(admin_
                .update(as(root), std::to_string(ada),
                        {.roles = Roles{"eve@x.io", "\x1b[2K\rforged row"}})
                .error(),
            AuthError::role_not_found);
  EXPECT_EQ(admin_.create_role(as(root), "user").error(), AuthError::role_taken);
  EXPECT_EQ(
      admin_.create(as(root), {.email = "ada@x.io", .password = "q7Lm#2vZ9xR!4pWd8sKe"}).error(),
      AuthError::email_taken);
  const auto events = trail();
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0].action, "user_created");
  EXPECT_EQ(events[0].outcome, "failure");
  EXPECT_EQ(events[0].target_user_id, std::nullopt);
  EXPECT_EQ(events[0].detail, std::optional<std::string>("roles=; email already registered"));
  EXPECT_EQ(events[1].action, "role_created");
  EXPECT_EQ(events[1].detail, std::optional<std::string>("user; role already exists"));
  EXPECT_EQ(events[2].action, "user_updated");
  EXPECT_EQ(events[2].detail, std::optional<std::string>(
                                  "roles=(not a role name),(not a role name); role not found"));
  // A creation says which roles it gave.
  const auto made = admin_.create(as(root), {.email = "op@x.io",
                                             .password = "q7Lm#2vZ9xR!4pWd8sKe",
                                             .requested_roles = {"authd:admin", "seller"}});
  ASSERT_TRUE(made);
  EXPECT_EQ(trail()[0].detail, std::optional<std::string>("roles=authd:admin,seller"));
}

TEST_F(UserAdminTest, TheReservedPrefixInAnyCaseAndTheDefaultRoleCannotBeMadeOrRemoved) {
  const Actor cli = Actor::cli();
  EXPECT_EQ(admin_.create_role(cli, "AUTHD:admin").error(), AuthError::invalid_roles);
  EXPECT_EQ(admin_.create_role(cli, "Authd:Owner").error(), AuthError::invalid_roles);
  EXPECT_EQ(admin_.delete_role(cli, "user", /*force=*/true).error(), AuthError::role_protected);
  EXPECT_EQ(admin_.delete_role(cli, "authd:admin", /*force=*/true).error(),
            AuthError::role_protected);
  EXPECT_EQ(trail()[0].outcome, "refused");
}

TEST_F(UserAdminTest, UnlockingIsRecordedWithTheAccountsId) {
  const auto ada = account("ada@x.io", {"user"});
  ASSERT_TRUE(admin_.unlock(Actor::cli(), "ADA@x.io"));
  const auto events = trail();
  EXPECT_EQ(events[0].action, "account_unlocked");
  EXPECT_EQ(events[0].target_user_id, std::optional<std::int64_t>(ada));
  EXPECT_EQ(admin_.unlock(Actor::cli(), "not an email").error(), AuthError::invalid_email);
}

TEST_F(UserAdminTest, TheRetentionThreadPurgesOldRowsAndStopsWhenAsked) {
  account("old@x.io", {"user"});  // one row at kT0
  clock_.advance(std::chrono::days(400));
  account("new@x.io", {"user"});  // one row 400 days later
  {
    std::jthread retention([this](const std::stop_token& stop) {
      audit_.purge_until_stopped(stop, std::chrono::days(365), std::chrono::minutes(60));
    });
    // The first purge runs at once; the thread then sleeps for an hour unless stopped.
    for (int tries = 0; tries < 500 && trail().size() != 1; ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }  // stops and joins: a thread that ignored the stop would hang here for an hour
  const auto kept = trail();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].at, clock_.now());
}

}  // namespace
}  // namespace authd::core
