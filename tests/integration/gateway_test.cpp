// GET (and every other method of) /v1/check over HTTP, on every deployment (one authd on SQLite,
// one on PostgreSQL, two on PostgreSQL behind nginx): each credential kind authd issues names
// its holder in the headers, every refusal is the documented 401/403/400 with its challenge,
// and a revocation through one instance holds on the other at once. GatewaySqlitePair does the
// same with two authd processes on one SQLite file.
#include "api/gateway.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "support/authd_process.hpp"
#include "support/command.hpp"
#include "support/http_client.hpp"
#include "support/server_fixture.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

using boost::json::object;

constexpr const char* kPassword = "correct horse battery";

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// Every credential one user holds: a /v1 access token (and its session), a seed 000 and a
// seed 003 JWT, and a seed 002 session token.
struct Credentials {
  std::int64_t id = 0;
  std::string access, session, seed000, seed003, seed002;
};

Credentials sign_in(HttpClient& client, const std::string& email) {
  const object user{{"email", email}, {"password", kPassword}};
  Credentials held;
  const auto v1 = client.post_json("/v1/sessions", user);
  EXPECT_EQ(v1.status, 201) << v1.body;
  if (v1.status != 201) return held;
  held.access = v1.json().at("access_token").as_string();
  held.session = v1.json().at("session_id").as_string();
  held.id = client.request("GET", "/v1/me", "", "", bearer(held.access)).json().at("id").as_int64();
  held.seed000 = client.post_json("/auth/login", user).json().at("token").as_string();
  held.seed003 = client.post_json("/api/auth/login", user).json().at("token").as_string();
  held.seed002 = client.put_json("/auth", user).json().at("sessionToken").as_string();
  return held;
}

void register_named(HttpClient& client, const std::string& email, const std::string& first,
                    const std::string& last) {
  const auto created = client.post_json(
      "/auth",
      object{
          {"email", email}, {"password", kPassword}, {"first_name", first}, {"last_name", last}});
  ASSERT_EQ(created.status, 201) << created.body;
}

int check(HttpClient& client, const std::string& token, const std::string& method = "GET",
          const std::string& query = "") {
  return client.request(method, "/v1/check" + query, "", "", bearer(token)).status;
}

// `authd ARGS` on the deployment's store; returns the exit status.
int cli(Deployment& deployment, const std::string& args) {
  std::string command = std::string(AUTHD_BINARY) + " " + args + " --database " +
                        deployment.instance(0).database_option();
  if (deployment.kind() != Deployment::Kind::sqlite) {
    command += std::string(" --key-encryption-key ") + kSharedTestKeyEncryptionKey;
  }
  const auto done = run_command(command);
  EXPECT_EQ(done.exit_status, 0) << command << "\n" << done.output;
  return done.exit_status;
}

class Gateway : public ServerFixture<> {};

TEST_F(Gateway, EveryCredentialKindNamesItsHolderToEveryMethod) {
  register_named(client(), "ada@gateway.example", "Ada", "Lovelace");
  const Credentials ada = sign_in(client(), "ada@gateway.example");
  struct Kind {
    const char* name;
    std::string token;
    std::string session;  // X-Auth-Session-Id, or "" when the credential has none
  };
  const auto seed002_session = [&] {
    return client()
        .request("GET", "/v1/check", "", "", bearer(ada.seed002))
        .header("x-auth-session-id");
  }();
  EXPECT_EQ(seed002_session.size(), 22u) << "the seed 002 token's session is named";
  for (const Kind& kind :
       {Kind{"v1 access token", ada.access, ada.session}, Kind{"seed 000 JWT", ada.seed000, ""},
        Kind{"seed 003 JWT", ada.seed003, ""},
        Kind{"seed 002 session token", ada.seed002, seed002_session}}) {
    std::vector<std::string> methods(std::begin(api::kCheckMethods), std::end(api::kCheckMethods));
    methods.emplace_back("HEAD");
    // The other targets are an Envoy ext_authz check's: the original path and query appended
    // (the last one for the app's "/"), both the app's and ignored (even a "role" in it).
    for (const auto& [method, target] : [&methods] {
           std::vector<std::pair<std::string, std::string>> pairs;
           for (const auto& method : methods) {
             for (const char* target : {"/v1/check", "/v1/check/orders?role=nobody",
                                        "/v1/check/app/orders/7?page=2", "/v1/check/?page=1"}) {
               pairs.emplace_back(method, target);
             }
           }
           return pairs;
         }()) {
      // A body, as a proxy might forward one, is ignored.
      const auto answer = client().request(method, target, "{\"ignored\":true}", "application/json",
                                           bearer(kind.token));
      ASSERT_EQ(answer.status, 200)
          << kind.name << " " << method << " " << target << ": " << answer.body;
      EXPECT_EQ(answer.body, "");
      EXPECT_EQ(answer.header("x-auth-user-id"), std::to_string(ada.id)) << kind.name;
      EXPECT_EQ(answer.header("x-auth-user-email"), "ada@gateway.example");
      EXPECT_EQ(answer.header("x-auth-user-roles"), "user");
      EXPECT_EQ(answer.header("x-auth-session-id"), kind.session) << kind.name;
      EXPECT_EQ(answer.header("remote-user"), "ada@gateway.example");
      EXPECT_EQ(answer.header("remote-email"), "ada@gateway.example");
      EXPECT_EQ(answer.header("remote-name"), "Ada Lovelace");
      EXPECT_EQ(answer.header("remote-groups"), "user");
      // All eight on every 200, empty when there is nothing to say (a seed JWT's session), so
      // a proxy that copies what authd sent always overwrites what a client sent.
      for (const char* name :
           {"x-auth-user-id", "x-auth-user-email", "x-auth-user-roles", "x-auth-session-id",
            "remote-user", "remote-email", "remote-name", "remote-groups"}) {
        EXPECT_TRUE(answer.headers.contains(name)) << kind.name << ": " << name;
      }
    }
  }
}

TEST_F(Gateway, RefusalsAreChallengesAndRolesAreAlternatives) {
  register_named(client(), "bob@gateway.example", "Bob", "Builder");
  const Credentials bob = sign_in(client(), "bob@gateway.example");
  for (const std::string_view view : api::kCheckMethods) {
    const std::string method(view);
    for (const char* target :
         {"/v1/check", "/v1/check/orders", "/v1/check/app/orders/7?a=b", "/v1/check/"}) {
      const auto missing = client().request(method, target, "", "");
      EXPECT_EQ(missing.status, 401) << method << " " << target;
      EXPECT_EQ(missing.header("www-authenticate"), "Bearer");
      for (const std::string& bad :
           {std::string("not-a-token"), bob.access + "x",
            bob.seed000.substr(0, bob.seed000.rfind('.') + 1) + "AAAA", std::string(43, 'A')}) {
        const auto refused = client().request(method, target, "", "", bearer(bad));
        EXPECT_EQ(refused.status, 401) << method << " " << target << " " << bad;
        EXPECT_EQ(refused.header("www-authenticate"), "Bearer error=\"invalid_token\"");
        EXPECT_EQ(refused.header("x-auth-user-id"), "");
      }
    }
    const auto forbidden =
        client().request(method, "/v1/check?role=seller&role=admin", "", "", bearer(bob.seed003));
    EXPECT_EQ(forbidden.status, 403) << method << " " << forbidden.body;
    EXPECT_EQ(forbidden.header("www-authenticate"), "Bearer error=\"insufficient_scope\"");
    EXPECT_EQ(forbidden.header("x-auth-user-id"), "");
    EXPECT_EQ(check(client(), bob.seed002, method, "?role=seller&role=user"), 200)
        << "any one of the roles suffices";
    for (const char* query :
         {"?roles=user", "?role=", "?role=a%20b", "?role=user&role=%FF", "?role=user&other=1"}) {
      const auto bad_query =
          client().request(method, std::string("/v1/check") + query, "", "", bearer(bob.access));
      EXPECT_EQ(bad_query.status, 400) << method << " " << query;
    }
  }
  // A bad credential is 401 before its roles are asked about.
  EXPECT_EQ(check(client(), "not-a-token", "GET", "?role=user"), 401);
}

TEST_F(Gateway, RevocationOnOneInstanceHoldsOnTheOtherAtOnce) {
  // Behind nginx, each instance is asked directly: the change on the first, the check on the
  // last (on SQLite and plain PostgreSQL they are one instance; GatewaySqlitePair has two).
  HttpClient first(server().instance(0).port());
  HttpClient last(server().instance(server().size() - 1).port());
  register_named(first, "carol@gateway.example", "Carol", "C");
  Credentials carol = sign_in(first, "carol@gateway.example");
  for (const std::string& token : {carol.access, carol.seed000, carol.seed003, carol.seed002}) {
    ASSERT_EQ(check(last, token), 200);
  }

  // Logout of the /v1 session.
  ASSERT_EQ(first.request("DELETE", "/v1/sessions/current", "", "", bearer(carol.access)).status,
            204);
  EXPECT_EQ(check(last, carol.access), 401);
  EXPECT_EQ(check(last, carol.seed000), 200) << "one session's logout leaves the others";

  // A seed 002 login replaces the earlier seed 002 session.
  const auto replaced =
      first.put_json("/auth", object{{"email", "carol@gateway.example"}, {"password", kPassword}});
  ASSERT_EQ(replaced.status, 200);
  EXPECT_EQ(check(last, carol.seed002), 401);
  const std::string seed002(replaced.json().at("sessionToken").as_string());
  EXPECT_EQ(check(last, seed002), 200);

  // Logout everywhere ends every credential, seed JWTs included.
  carol = sign_in(first, "carol@gateway.example");
  const auto everyone = sign_in(first, "carol@gateway.example");
  ASSERT_EQ(first.request("DELETE", "/v1/sessions", "", "", bearer(everyone.access)).status, 204);
  for (const std::string& token :
       {everyone.access, everyone.seed000, everyone.seed003, everyone.seed002, carol.seed000}) {
    EXPECT_EQ(check(last, token), 401) << token;
  }

  // Deactivation, by the CLI on the shared store: every credential, at once, and enabling the
  // account again revives none.
  const auto dave = [&] {
    register_named(first, "dave@gateway.example", "Dave", "D");
    return sign_in(first, "dave@gateway.example");
  }();
  for (const std::string& token : {dave.access, dave.seed000, dave.seed003, dave.seed002}) {
    ASSERT_EQ(check(last, token), 200);
  }
  ASSERT_EQ(cli(server(), "users disable dave@gateway.example"), 0);
  ASSERT_EQ(cli(server(), "users enable dave@gateway.example"), 0);
  for (const std::string& token : {dave.access, dave.seed000, dave.seed003, dave.seed002}) {
    EXPECT_EQ(check(last, token), 401) << token;
  }

  // A role given through one instance counts on the other from the next check. (A JWT from the
  // second of the deactivation would be refused too: iat has whole seconds.)
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto again = sign_in(first, "dave@gateway.example");
  EXPECT_EQ(check(last, again.seed003, "GET", "?role=gateway-auditor"), 403);
  ASSERT_EQ(cli(server(), "roles create gateway-auditor"), 0);
  ASSERT_EQ(cli(server(), "users roles add dave@gateway.example gateway-auditor"), 0);
  EXPECT_EQ(check(last, again.seed003, "GET", "?role=gateway-auditor"), 200);

  // Deletion.
  ASSERT_EQ(cli(server(), "users delete dave@gateway.example"), 0);
  for (const std::string& token : {again.access, again.seed000, again.seed003, again.seed002}) {
    EXPECT_EQ(check(last, token), 401) << token;
  }
}

// Two authd processes on one SQLite file (the same data folder, so the same secrets): a
// revocation through one holds on the other at once.
TEST(GatewaySqlitePair, RevocationThroughOneHoldsOnTheOtherAtOnce) {
  TempDir data;
  AuthdProcess one({.data_dir = data.path()});
  AuthdProcess two({.data_dir = data.path()});
  HttpClient first(one.port());
  HttpClient second(two.port());
  register_named(first, "erin@gateway.example", "Erin", "E");
  const Credentials erin = sign_in(first, "erin@gateway.example");
  for (const std::string& token : {erin.access, erin.seed000, erin.seed003, erin.seed002}) {
    ASSERT_EQ(check(second, token), 200);
  }
  ASSERT_EQ(first.request("DELETE", "/v1/sessions/current", "", "", bearer(erin.access)).status,
            204);
  EXPECT_EQ(check(second, erin.access), 401);
  ASSERT_EQ(first
                .request("DELETE", "/v1/sessions", "", "",
                         bearer(sign_in(first, "erin@gateway.example").access))
                .status,
            204);
  for (const std::string& token : {erin.seed000, erin.seed003, erin.seed002}) {
    EXPECT_EQ(check(second, token), 401) << token;
  }
}

}  // namespace
}  // namespace authd::test
