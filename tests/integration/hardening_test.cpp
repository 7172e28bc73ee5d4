// Defences against attackers, over real HTTP: lockouts answered 429 with Retry-After in each
// dialect's envelope (counted in the store, so through nginx they hold across both instances),
// password rules, duplicate credential keys, and logs that never carry secrets.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/command.hpp"
#include "support/server_fixture.hpp"

namespace authd::test {
namespace {

using boost::json::object;

struct ThreeStrikes {
  static std::vector<std::string> args() {
    return {"--login-failures-per-account", "3", "--lockout-seconds", "60"};
  }
};

using Hardening = ServerFixture<ThreeStrikes>;

const std::string kPassword = "S3cr3t-Pa55-xyzzy";

object credentials(const std::string& email, const std::string& password = kPassword) {
  return object{{"email", email}, {"password", password}};
}

int retry_after(const HttpResponse& response) {
  return response.header("retry-after").empty() ? 0 : std::stoi(response.header("retry-after"));
}

std::string all_logs(Deployment& deployment) {
  std::string logs;
  for (std::size_t i = 0; i < deployment.size(); ++i) logs += deployment.instance(i).log();
  return logs;
}

TEST_F(Hardening, ALockedAccountGets429InEveryDialect) {
  ASSERT_EQ(client().post_json("/api/auth/register", credentials("locked@example.com")).status,
            201);
  // Three failures, spread over the dialects (and, behind nginx, over both instances).
  EXPECT_EQ(client().post_json("/auth/login", credentials("locked@example.com", "wrong-1")).status,
            409);
  EXPECT_EQ(client().put_json("/auth", credentials("LOCKED@example.com", "wrong-2")).status, 401);
  EXPECT_EQ(
      client().post_json("/api/auth/login", credentials("locked@example.com", "wrong-3")).status,
      401);

  // Now even the right password is refused, before it is checked.
  auto seed000 = client().post_json("/auth/login", credentials("locked@example.com"));
  EXPECT_EQ(seed000.status, 429);
  EXPECT_EQ(seed000.json(), (object{{"message", "Too many attempts; try again later"}}));
  EXPECT_GT(retry_after(seed000), 0);
  EXPECT_LE(retry_after(seed000), 60);

  auto seed002 = client().put_json("/auth", credentials("locked@example.com"));
  EXPECT_EQ(seed002.status, 429);
  EXPECT_EQ(seed002.json(), (object{{"error", "Too many attempts; try again later"}}));
  EXPECT_GT(retry_after(seed002), 0);

  auto seed003 = client().post_json("/api/auth/login", credentials("Locked@Example.com"));
  EXPECT_EQ(seed003.status, 429);
  EXPECT_EQ(seed003.json().at("success"), false);
  EXPECT_GT(retry_after(seed003), 0);

  auto v1 = client().post_json("/v1/sessions", credentials("locked@example.com"));
  EXPECT_EQ(v1.status, 429);
  EXPECT_EQ(v1.header("content-type"), "application/problem+json");
  EXPECT_EQ(v1.json().at("type"), "urn:authd:problem:too-many-attempts");
  EXPECT_GT(retry_after(v1), 0);
}

struct TwoRegistrations {
  static std::vector<std::string> args() { return {"--registrations-per-address", "2"}; }
};
using RegistrationLimit = ServerFixture<TwoRegistrations>;

TEST_F(RegistrationLimit, IsPerAddressAnd429InEveryDialect) {
  ASSERT_EQ(client().post_json("/v1/users", credentials("first@example.com")).status, 201);
  ASSERT_EQ(client().post_json("/auth/register", credentials("second@example.com")).status, 201);
  struct Case {
    const char* method;
    const char* path;
  };
  for (const Case& c : {Case{"POST", "/auth/register"}, Case{"POST", "/auth"},
                        Case{"POST", "/api/auth/register"}, Case{"POST", "/v1/users"}}) {
    object body = credentials("third@example.com");
    if (std::string_view(c.path) == "/auth") {
      body["first_name"] = "Third";
      body["last_name"] = "User";
    }
    const auto response = client().request(c.method, c.path, boost::json::serialize(body));
    EXPECT_EQ(response.status, 429) << c.path << ": " << response.body;
    EXPECT_GT(retry_after(response), 0) << c.path;
  }
}

TEST_F(Hardening, ShortAndCommonPasswordsAreRefusedAtRegistration) {
  for (const std::string password : {"short", "Password1", "qwerty123"}) {
    auto seed000 = client().post_json("/auth/register", credentials("weak0@example.com", password));
    EXPECT_EQ(seed000.status, 400) << password;
    auto seed002 = client().post_json("/auth", object{{"email", "weak2@example.com"},
                                                      {"password", password},
                                                      {"first_name", "W"},
                                                      {"last_name", "K"}});
    EXPECT_EQ(seed002.status, 400) << password;
    EXPECT_TRUE(seed002.json().at("error").is_string());
    auto seed003 =
        client().post_json("/api/auth/register", credentials("weak3@example.com", password));
    EXPECT_EQ(seed003.status, 400) << password;
    EXPECT_EQ(seed003.json().at("success"), false);
  }
  EXPECT_EQ(
      client().post_json("/auth/register", credentials("fine@example.com", " padded  ")).status,
      201)
      << "spaces count: the password is taken byte for byte";
  EXPECT_EQ(client().post_json("/auth/login", credentials("fine@example.com", "padded")).status,
            409)
      << "and never trimmed";
}

TEST_F(Hardening, DuplicateCredentialKeysAre400) {
  ASSERT_EQ(client().post_json("/auth/register", credentials("dup-key@example.com")).status, 201);
  const std::string body =
      R"({"email":"dup-key@example.com","password":"guess-one","password":")" + kPassword + "\"}";
  EXPECT_EQ(client().request("POST", "/auth/login", body).status, 400);
  EXPECT_EQ(client().request("PUT", "/auth", body).status, 400);
  EXPECT_EQ(client().request("POST", "/api/auth/login", body).status, 400);
}

TEST_F(Hardening, LogsCarrySecurityEventsButNoSecrets) {
  auto registered = client().post_json("/auth", object{{"email", "audit@example.com"},
                                                       {"password", kPassword},
                                                       {"first_name", "Au"},
                                                       {"last_name", "Dit"}});
  ASSERT_EQ(registered.status, 201);
  const std::string session(registered.json().at("sessionToken").as_string());
  auto failed =
      client().post_json("/api/auth/login", credentials("audit@example.com", "nope-nope"));
  ASSERT_EQ(failed.status, 401);
  const std::string failed_id = failed.header("x-request-id");
  EXPECT_FALSE(failed_id.empty());
  auto login = client().post_json("/api/auth/login", credentials("audit@example.com"));
  ASSERT_EQ(login.status, 200);
  const std::string jwt(login.json().at("token").as_string());

  const std::string logs = all_logs(server());
  for (const std::string& secret : {kPassword, std::string("nope-nope"), session, jwt}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << "a secret reached the log";
  }
  EXPECT_EQ(logs.find("$argon2id$"), std::string::npos) << "a hash reached the log";
  EXPECT_EQ(logs.find("audit@example.com"), std::string::npos) << "emails stay out of events";
  EXPECT_NE(logs.find("\"security_event\":\"registration\""), std::string::npos);
  EXPECT_NE(logs.find("\"security_event\":\"login_success\""), std::string::npos);
  // The failure is logged with the request id the client saw.
  const auto failure =
      logs.find("\"security_event\":\"login_failure\",\"request_id\":\"" + failed_id + "\"");
  EXPECT_NE(failure, std::string::npos) << logs;
}

TEST(HardeningProxies, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  const auto stuffing = [](AuthdProcess& server, const std::string& forwarded_for, int i) {
    HttpClient client(server.port());
    return client.request("POST", "/auth/login",
                          boost::json::serialize(credentials(
                              "victim" + std::to_string(i) + "@example.com", "guess-pass")),
                          "application/json", {{"X-Forwarded-For", forwarded_for}});
  };
  {
    AuthdProcess trusting({.args = {"--trusted-proxy", "127.0.0.1", "--login-failures-per-address",
                                    "3", "--login-failures-per-account", "100"}});
    for (int i = 0; i < 3; ++i) EXPECT_EQ(stuffing(trusting, "198.51.100.1", i).status, 404);
    EXPECT_EQ(stuffing(trusting, "198.51.100.1", 9).status, 429) << "that client is locked";
    EXPECT_EQ(stuffing(trusting, "198.51.100.2", 9).status, 404) << "another is not";
    // Entries with a port are read without it: not every client in the proxy's bucket.
    EXPECT_EQ(stuffing(trusting, "198.51.100.1:40001", 9).status, 429) << "the same client";
    EXPECT_EQ(stuffing(trusting, "[2001:db8::5]:443", 9).status, 404) << "another one";
    EXPECT_EQ(stuffing(trusting, "198.51.100.3:40001", 9).status, 404) << "and another";
  }
  {
    AuthdProcess untrusting(
        {.args = {"--login-failures-per-address", "3", "--login-failures-per-account", "100"}});
    for (int i = 0; i < 3; ++i) EXPECT_EQ(stuffing(untrusting, "198.51.100.1", i).status, 404);
    EXPECT_EQ(stuffing(untrusting, "198.51.100.2", 9).status, 429)
        << "a forged header does not buy a fresh counter";
  }
}

TEST(DevMode, LiftsPerAddressLimitsOnLoopbackOnly) {
  AuthdProcess refused(
      {.args = {"--dev", "--listen", "0.0.0.0:0"}, .expect_start = false, .relaxed_limits = false});
  EXPECT_NE(refused.wait_exit(), 0);
  EXPECT_NE(refused.log().find("--dev"), std::string::npos) << refused.log();

  AuthdProcess dev({.args = {"--dev"}, .relaxed_limits = false});
  HttpClient client(dev.port());
  for (int i = 0; i < 25; ++i) {  // the default limit is 20 an hour per address
    EXPECT_EQ(client.post_json("/v1/users", credentials("dev" + std::to_string(i) + "@example.com"))
                  .status,
              201)
        << i;
  }
  EXPECT_NE(dev.log().find("DEVELOPMENT MODE"), std::string::npos);

  AuthdProcess production({.relaxed_limits = false});
  HttpClient other(production.port());
  int refused_at = -1;
  for (int i = 0; i < 25 && refused_at < 0; ++i) {
    if (other.post_json("/v1/users", credentials("p" + std::to_string(i) + "@example.com"))
            .status == 429) {
      refused_at = i;
    }
  }
  EXPECT_EQ(refused_at, 20) << "without --dev the secure default holds";
}

TEST(HardeningCap, TheCapLocksAndTheUsersUnlockCommandUnlocks) {
  AuthdProcess server({.args = {"--max-consecutive-login-failures", "2"}});
  HttpClient client(server.port());
  ASSERT_EQ(client.post_json("/v1/users", credentials("capped@example.com")).status, 201);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(client
                  .post_json("/v1/sessions",
                             credentials("capped@example.com", "wrong-guess-" + std::to_string(i)))
                  .status,
              401);
  }
  // This network never logged in to the account: the cap holds even for the right password.
  const auto capped = client.post_json("/v1/sessions", credentials("capped@example.com"));
  EXPECT_EQ(capped.status, 429);
  EXPECT_GT(retry_after(capped), 24 * 3600) << "until a success or a month of quiet";

  const auto unlocked = run_command(
      std::string(AUTHD_BINARY) +
      " users unlock Capped@Example.com --database sqlite:" + server.database().string() + " 2>&1");
  ASSERT_EQ(unlocked.exit_status, 0) << unlocked.output;
  EXPECT_EQ(client.post_json("/v1/sessions", credentials("capped@example.com")).status, 201);
  const auto bad =
      run_command(std::string(AUTHD_BINARY) + " users unlock not-an-email --database sqlite:" +
                  server.database().string() + " 2>&1");
  EXPECT_EQ(bad.exit_status, 2) << bad.output;
}

}  // namespace
}  // namespace authd::test
