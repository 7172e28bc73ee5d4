// `authd users ...` driven as an operator drives it: the real binary against the database of a
// running authd. The first administrator is created with the password on standard input; a
// seed 003 registration cannot claim the administrators' role; disabling an account refuses
// its logins in every dialect and ends its tokens at once, and enabling it revives none.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/authd_process.hpp"
#include "support/command.hpp"
#include "support/deployment.hpp"
#include "support/http_client.hpp"

namespace authd::test {
namespace {

using boost::json::object;

const std::string kPassword = "S3cr3t-Pa55-xyzzy";

class AdminCli : public ::testing::Test {
 protected:
  // `authd users ARGS --database <the server's>`, with `input` on standard input. The output is
  // standard output alone (what scripts read); standard error goes to stderr_file().
  CommandResult users(const std::string& args, const std::string& input = "") {
    return authd("users " + args, input);
  }
  // `authd COMMAND ARGS --database <the server's>`: roles, audit.
  CommandResult authd(const std::string& args, const std::string& input = "") {
    const std::string command = std::string(AUTHD_BINARY) + " " + args + store_options();
    // Parenthesised: run_command adds 2>&1 for the whole line.
    return run_command("(printf '%s' '" + input + "' | " + command + " 2>" + stderr_file() + ")");
  }
  std::string stderr_file() const { return (server_.data_dir() / "cli-stderr").string(); }
  // The server's store, as the CLI must be told it (on PostgreSQL with the deployment's key).
  std::string store_options() const {
    std::string options = " --database " + server_.database_option();
    if (deployment_.kind() != Deployment::Kind::sqlite) {
      options += std::string(" --key-encryption-key ") + kSharedTestKeyEncryptionKey;
    }
    return options;
  }

  object credentials(const std::string& email, const std::string& password = kPassword) {
    return object{{"email", email}, {"password", password}};
  }

  std::int64_t create(const std::string& email, const std::string& role = "user") {
    const auto created =
        users("create --email " + email + " --role " + role + " --password-stdin", kPassword);
    EXPECT_EQ(created.exit_status, 0) << created.output;
    return created.exit_status == 0 ? std::stoll(created.output) : 0;
  }
  // The Authorization header of a fresh /v1 session of `email`.
  std::string bearer_of(const std::string& email) {
    const auto session = client_.post_json("/v1/sessions", credentials(email));
    EXPECT_EQ(session.status, 201) << session.body;
    return "Bearer " + std::string(session.json().at("access_token").as_string());
  }
  unsigned me_status(const std::string& bearer) {
    return client_.request("GET", "/v1/me", "", "", {{"Authorization", bearer}}).status;
  }

  Deployment deployment_{Deployment::kind_from_environment()};
  AuthdProcess& server_ = deployment_.instance(0);
  HttpClient client_{deployment_.port()};
};

TEST_F(AdminCli, CreatesTheFirstAdministratorWithThePasswordOnStandardInput) {
  const auto created = users("create --email Root@Example.com --role authd:admin --password-stdin",
                             kPassword + "\n");
  ASSERT_EQ(created.exit_status, 0) << created.output;
  const std::int64_t id = std::stoll(created.output);
  const auto shown = users("show root@example.com --json");
  ASSERT_EQ(shown.exit_status, 0) << shown.output;
  const auto user = boost::json::parse(shown.output).as_object();
  EXPECT_EQ(user.at("id").as_int64(), id);
  EXPECT_EQ(user.at("email").as_string(), "Root@Example.com");
  EXPECT_EQ(user.at("roles"), (boost::json::array{"authd:admin"}));
  EXPECT_EQ(user.at("is_active"), true);
  EXPECT_EQ(shown.output.find("password"), std::string::npos) << "no hash is ever printed";
  // The password came through stdin, newline dropped: it logs in.
  EXPECT_EQ(client_.post_json("/v1/sessions", credentials("root@example.com")).status, 201);

  // What went wrong is in the exit status.
  EXPECT_EQ(users("create --email root@example.com --password-stdin", kPassword).exit_status, 4);
  EXPECT_EQ(
      users("create --email x@example.com --role ghost --password-stdin", kPassword).exit_status,
      3);
  EXPECT_EQ(users("create --email y@example.com --password-stdin", "password").exit_status, 2);
  EXPECT_EQ(users("create --email not-an-email --password-stdin", kPassword).exit_status, 2);
  EXPECT_EQ(users("show nobody@example.com").exit_status, 3);
  EXPECT_EQ(users("show 999999").exit_status, 3);
  EXPECT_EQ(users("roles add root@example.com ghost").exit_status, 3);
  EXPECT_EQ(users("roles remove root@example.com authd:amdin").exit_status, 3) << "a typo";
  EXPECT_EQ(users("show x@example.com").exit_status, 3) << "a refused creation wrote nothing";
  // A second line end (or any control character) would be part of the password: refused.
  EXPECT_EQ(users("create --email z@example.com --password-stdin", kPassword + "\n\n").exit_status,
            2);
}

TEST_F(AdminCli, CreationFollowsTheServersPasswordPolicy) {
  // kPassword has 17 characters: too short for a policy of 20, by flag or by variable.
  EXPECT_EQ(
      users("create --email a@example.com --min-password-length 20 --password-stdin", kPassword)
          .exit_status,
      2);
  const auto by_variable = run_command(
      "(printf '%s' '" + kPassword + "' | AUTHD_MIN_PASSWORD_LENGTH=20 " +
      std::string(AUTHD_BINARY) + " users create --email b@example.com --password-stdin" +
      store_options() + " 2>/dev/null)");
  EXPECT_EQ(by_variable.exit_status, 2) << by_variable.output;
  EXPECT_EQ(users("show b@example.com").exit_status, 3);
  EXPECT_EQ(
      users("create --email c@example.com --min-password-length 8 --password-stdin", kPassword)
          .exit_status,
      0);
}

TEST_F(AdminCli, SelfRegistrationCannotClaimTheAdministratorsRole) {
  const auto registered = client_.post_json(
      "/api/auth/register", object{{"firstName", "Eve"},
                                   {"lastName", "Mallory"},
                                   {"email", "eve@example.com"},
                                   {"password", kPassword},
                                   {"role", boost::json::array{"authd:admin", "admin"}}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  const auto shown = users("show eve@example.com --json");
  ASSERT_EQ(shown.exit_status, 0) << shown.output;
  EXPECT_EQ(boost::json::parse(shown.output).at("roles"), (boost::json::array{"admin"}))
      << "seed 003's own admin role, never authd:admin";
}

TEST_F(AdminCli, RolesAreGivenAndTaken) {
  ASSERT_EQ(client_.post_json("/v1/users", credentials("ada@example.com")).status, 201);
  const auto added = users("roles add ada@example.com seller --json");
  ASSERT_EQ(added.exit_status, 0) << added.output;
  EXPECT_EQ(boost::json::parse(added.output).at("roles"), (boost::json::array{"user", "seller"}));
  const auto removed = users("roles remove ADA@example.com user --json");
  ASSERT_EQ(removed.exit_status, 0) << removed.output;
  EXPECT_EQ(boost::json::parse(removed.output).at("roles"), (boost::json::array{"seller"}));
  // /v1/me reads the roles from the store on each request.
  const auto session = client_.post_json("/v1/sessions", credentials("ada@example.com"));
  ASSERT_EQ(session.status, 201);
  const std::string bearer = "Bearer " + std::string(session.json().at("access_token").as_string());
  const auto me = client_.request("GET", "/v1/me", "", "", {{"Authorization", bearer}});
  EXPECT_EQ(me.json().at("roles"), (boost::json::array{"seller"}));
}

TEST_F(AdminCli, DisablingRefusesEveryDialectAndEndsEveryTokenForGood) {
  ASSERT_EQ(client_
                .post_json("/api/auth/register", object{{"firstName", "Bob"},
                                                        {"lastName", "Builder"},
                                                        {"email", "bob@example.com"},
                                                        {"password", kPassword}})
                .status,
            201);
  const auto session = client_.post_json("/v1/sessions", credentials("bob@example.com"));
  ASSERT_EQ(session.status, 201);
  const std::string bearer = "Bearer " + std::string(session.json().at("access_token").as_string());
  const std::string refresh(session.json().at("refresh_token").as_string());
  const auto seed002 = client_.put_json("/auth", credentials("bob@example.com"));
  ASSERT_EQ(seed002.status, 200);

  const auto disabled = users("disable bob@example.com --json");
  ASSERT_EQ(disabled.exit_status, 0) << disabled.output;
  EXPECT_EQ(boost::json::parse(disabled.output).at("is_active"), false);

  // Every login is refused, each in its dialect's documented shape; the password was right.
  const auto seed000 = client_.post_json("/auth/login", credentials("bob@example.com"));
  EXPECT_EQ(seed000.status, 403);
  EXPECT_EQ(seed000.body, R"({"message":"Account is disabled"})");
  const auto seed002_login = client_.put_json("/auth", credentials("bob@example.com"));
  EXPECT_EQ(seed002_login.status, 403);
  EXPECT_EQ(seed002_login.body, R"({"error":"Account is disabled"})");
  const auto seed003 = client_.post_json("/api/auth/login", credentials("bob@example.com"));
  EXPECT_EQ(seed003.status, 403);
  EXPECT_EQ(seed003.body, R"({"success":false,"error":{"message":"Account is disabled"}})");
  EXPECT_EQ(client_.post_json("/v1/sessions", credentials("bob@example.com")).status, 401);
  // The tokens issued before stop at once.
  EXPECT_EQ(client_.request("GET", "/v1/me", "", "", {{"Authorization", bearer}}).status, 401);
  EXPECT_EQ(client_.post_json("/v1/sessions/refresh", object{{"refresh_token", refresh}}).status,
            400);

  // Enabling again: new logins work, the old tokens stay dead.
  const auto enabled =
      users("enable " + std::to_string(static_cast<long long>(
                            boost::json::parse(disabled.output).at("id").as_int64())));
  ASSERT_EQ(enabled.exit_status, 0) << enabled.output;
  EXPECT_EQ(client_.request("GET", "/v1/me", "", "", {{"Authorization", bearer}}).status, 401);
  EXPECT_EQ(client_.post_json("/v1/sessions/refresh", object{{"refresh_token", refresh}}).status,
            400);
  EXPECT_EQ(client_.post_json("/auth/login", credentials("bob@example.com")).status, 200);
  EXPECT_EQ(client_.post_json("/v1/sessions", credentials("bob@example.com")).status, 201);
}

}  // namespace
}  // namespace authd::test

namespace authd::test {
namespace {

TEST_F(AdminCli, AccountsAreListedInPagesUpdatedAndDeleted) {
  const auto root = create("root@example.com", "authd:admin");
  const auto ann = create("ann@example.com");
  const auto anna = create("Anna@example.com");
  create("bob@example.com");
  // A page of two, then the rest from its cursor: every account once, in id order.
  const auto first = users("list --json --limit 2");
  ASSERT_EQ(first.exit_status, 0) << first.output;
  const auto page = boost::json::parse(first.output).as_object();
  ASSERT_EQ(page.at("users").as_array().size(), 2u);
  EXPECT_EQ(page.at("users").as_array()[0].at("id").as_int64(), root);
  const std::string cursor(page.at("next_cursor").as_string());
  const auto rest = boost::json::parse(users("list --json --cursor " + cursor).output).as_object();
  ASSERT_EQ(rest.at("users").as_array().size(), 2u);
  EXPECT_EQ(rest.at("users").as_array()[0].at("id").as_int64(), anna);
  EXPECT_TRUE(rest.at("next_cursor").is_null());
  const auto filtered = boost::json::parse(users("list --json --email-prefix ANN").output);
  EXPECT_EQ(filtered.at("users").as_array().size(), 2u) << "ann and Anna, in any case";
  const auto table = users("list");
  EXPECT_EQ(table.output.rfind("ID  ", 0), 0u) << table.output;
  EXPECT_NE(table.output.find("Anna@example.com"), std::string::npos);
  EXPECT_EQ(users("list --limit 0").exit_status, 105) << "CLI11's own usage error";

  const auto updated =
      users("update ann@example.com --first-name Ann --email ann@example.org --json");
  ASSERT_EQ(updated.exit_status, 0) << updated.output;
  EXPECT_EQ(boost::json::parse(updated.output).at("email"), "ann@example.org");
  EXPECT_EQ(users("update " + std::to_string(ann) + " --email bob@example.com").exit_status, 4);

  // Deleting ends the account's tokens at once, and its email may register again.
  const std::string bearer = bearer_of("Anna@example.com");
  ASSERT_EQ(me_status(bearer), 200u);
  ASSERT_EQ(users("delete anna@example.com").exit_status, 0);
  EXPECT_EQ(me_status(bearer), 401u);
  EXPECT_EQ(users("show " + std::to_string(anna)).exit_status, 3);
  EXPECT_EQ(users("delete " + std::to_string(anna)).exit_status, 3);
  EXPECT_EQ(client_.post_json("/v1/users", credentials("Anna@example.com")).status, 201);

  // The last administrator stays.
  EXPECT_EQ(users("disable root@example.com").exit_status, 4);
  EXPECT_EQ(users("delete root@example.com").exit_status, 4);
  EXPECT_EQ(users("roles remove root@example.com authd:admin").exit_status, 4);
  EXPECT_EQ(boost::json::parse(users("show root@example.com --json").output).at("is_active"), true);
}

TEST_F(AdminCli, RolesAreCreatedListedAndDeletedWithForceWhenHeld) {
  create("ann@example.com");
  EXPECT_EQ(authd("roles create auditor").exit_status, 0);
  EXPECT_EQ(authd("roles create auditor").exit_status, 4);
  EXPECT_EQ(authd("roles create 'two words'").exit_status, 2);
  EXPECT_EQ(authd("roles create authd:owner").exit_status, 2);
  ASSERT_EQ(users("roles add ann@example.com auditor").exit_status, 0);
  const auto listed = boost::json::parse(authd("roles list --json").output);
  bool found = false;
  for (const auto& role : listed.at("roles").as_array()) {
    if (role.at("name") == "auditor") {
      found = true;
      EXPECT_EQ(role.at("users"), 1);
    }
  }
  EXPECT_TRUE(found) << listed;
  EXPECT_EQ(authd("roles delete auditor").exit_status, 4) << "held by Ann";
  EXPECT_EQ(authd("roles delete auditor --force").exit_status, 0);
  EXPECT_EQ(boost::json::parse(users("show ann@example.com --json").output).at("roles"),
            (boost::json::array{"user"}));
  EXPECT_EQ(authd("roles delete auditor").exit_status, 3);
  EXPECT_EQ(authd("roles delete authd:admin --force").exit_status, 2);
}

TEST_F(AdminCli, SessionsAreListedAndEndedAndTheTrailTellsWhoDidWhat) {
  const auto ann = create("ann@example.com");
  const std::string phone = bearer_of("ann@example.com");
  const std::string laptop = bearer_of("ann@example.com");
  const auto listed = users("sessions list ann@example.com --json");
  ASSERT_EQ(listed.exit_status, 0) << listed.output;
  const auto sessions = boost::json::parse(listed.output).at("sessions").as_array();
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[0].at("kind"), "rotating");
  // One session, by the id the list printed: the other lives on.
  const std::string phone_session(sessions[0].at("id").as_string());
  const auto one = users("sessions revoke ann@example.com --session " + phone_session);
  EXPECT_EQ(one.exit_status, 0) << one.output;
  EXPECT_EQ(me_status(phone), 401u);
  EXPECT_EQ(me_status(laptop), 200u);
  EXPECT_EQ(users("sessions revoke ann@example.com --session " + phone_session).exit_status, 3)
      << "an ended session is no longer found";
  EXPECT_EQ(users("sessions revoke ann@example.com --session ann@example.com").exit_status, 3)
      << "not a session id: nothing to end, and not copied into the trail";
  EXPECT_EQ(users("sessions revoke ann@example.com").exit_status, 0);
  EXPECT_EQ(me_status(laptop), 401u);
  EXPECT_EQ(boost::json::parse(users("sessions list " + std::to_string(ann) + " --json").output)
                .at("sessions")
                .as_array()
                .size(),
            0u);
  // A failed login through the server, then the operator's actions: all in the trail.
  EXPECT_EQ(client_.post_json("/v1/sessions", credentials("ann@example.com", "wrong")).status, 401);
  ASSERT_EQ(users("disable ann@example.com").exit_status, 0);
  const auto trail = authd("audit list --json --limit 200");
  ASSERT_EQ(trail.exit_status, 0) << trail.output;
  const auto events = boost::json::parse(trail.output).at("events").as_array();
  std::vector<std::string> actions;
  for (const auto& event : events) actions.emplace_back(event.at("action").as_string());
  ASSERT_GE(actions.size(), 5u);
  EXPECT_EQ(actions[0], "account_disabled");
  EXPECT_EQ(events[0].at("actor"), "cli");
  EXPECT_EQ(events[0].at("target_user_id"), ann);
  EXPECT_EQ(actions[1], "login_failure");
  EXPECT_EQ(events[1].at("outcome"), "failure");
  EXPECT_EQ(events[1].at("client"), "127.0.0.1");
  EXPECT_EQ(actions[2], "sessions_revoked");
  // The one session ended, and the two tries at one that is none.
  std::vector<std::string> ended_one;
  for (const auto& event : events) {
    if (event.at("action") != "session_revoked") continue;
    ended_one.push_back(std::string(event.at("outcome").as_string()) + ": " +
                        std::string(event.at("detail").as_string()));
  }
  EXPECT_EQ(ended_one,
            (std::vector<std::string>{"failure: session (not a session id); session not found",
                                      "failure: session " + phone_session + "; session not found",
                                      "success: session " + phone_session}));
  EXPECT_NE(std::find(actions.begin(), actions.end(), "login_success"), actions.end());
  EXPECT_EQ(actions.back(), "user_created");
  EXPECT_EQ(trail.output.find("ann@example.com"), std::string::npos) << "no email in the trail";
  EXPECT_EQ(trail.output.find(kPassword), std::string::npos);
  const auto table = authd("audit list --limit 1");
  EXPECT_NE(table.output.find("account_disabled"), std::string::npos) << table.output;
  EXPECT_EQ(table.output.find("login_failure"), std::string::npos) << "one row";
}

}  // namespace
}  // namespace authd::test
