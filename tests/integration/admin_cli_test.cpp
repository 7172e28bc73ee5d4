// `authd users ...` driven as an operator drives it: the real binary against the database of a
// running authd. The first administrator is created with the password on standard input; a
// seed 003 registration cannot claim the administrators' role; disabling an account refuses
// its logins in every dialect and ends its tokens at once, and enabling it revives none.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/authd_process.hpp"
#include "support/command.hpp"
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
    const std::string command = std::string(AUTHD_BINARY) + " users " + args +
                                " --database sqlite:" + server_.database().string();
    // Parenthesised: run_command adds 2>&1 for the whole line.
    return run_command("(printf '%s' '" + input + "' | " + command + " 2>" + stderr_file() + ")");
  }
  std::string stderr_file() const {
    return (server_.database().parent_path() / "cli-stderr").string();
  }

  object credentials(const std::string& email, const std::string& password = kPassword) {
    return object{{"email", email}, {"password", password}};
  }

  AuthdProcess server_;
  HttpClient client_{server_.port()};
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
  const auto by_variable =
      run_command("(printf '%s' '" + kPassword + "' | AUTHD_MIN_PASSWORD_LENGTH=20 " +
                  std::string(AUTHD_BINARY) +
                  " users create --email b@example.com --password-stdin --database sqlite:" +
                  server_.database().string() + " 2>/dev/null)");
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
