// An owner's changes to their own account over /v1, in every deployment (one authd on SQLite,
// one on PostgreSQL, two behind nginx on one PostgreSQL, where consecutive requests land on
// different instances): changing the password, deactivating and deleting the account, each
// proven with the current password; what each does to the owner's sessions and seed tokens, at
// once on every instance; and every error the routes document.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <thread>

#include "support/server_fixture.hpp"

namespace authd::test {
namespace {

using boost::json::object;
using boost::json::value;

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kNewPassword = "lantern quarry mosaic";

constexpr const char* kAccountRoutes[] = {"/v1/me/password", "/v1/me/deactivate", "/v1/me/delete"};

std::string text(const value& v) {
  return std::string(v.as_string());
}

class Account : public ServerFixture<> {
 protected:
  struct Tokens {
    std::string access;
    std::string refresh;
  };

  Tokens login(const std::string& email, const std::string& password = kPassword) {
    const auto response =
        client().post_json("/v1/sessions", object{{"email", email}, {"password", password}});
    EXPECT_EQ(response.status, 201) << response.body;
    if (response.status != 201) return {};
    return {text(response.json().at("access_token")), text(response.json().at("refresh_token"))};
  }

  Tokens register_and_login(const std::string& email) {
    const auto created =
        client().post_json("/v1/users", object{{"email", email}, {"password", kPassword}});
    EXPECT_EQ(created.status, 201) << created.body;
    return login(email);
  }

  // A seed 003 JWT for the same account (seed JWTs have no session).
  std::string seed_token(const std::string& email, const std::string& password = kPassword) {
    const auto response =
        client().post_json("/api/auth/login", object{{"email", email}, {"password", password}});
    EXPECT_EQ(response.status, 200) << response.body;
    return response.status == 200 ? text(response.json().at("token")) : "";
  }

  HttpResponse post(const std::string& target, const std::string& access, const object& body) {
    return client().request("POST", target, boost::json::serialize(body), "application/json",
                            {{"Authorization", "Bearer " + access}});
  }
  int status_with(const std::string& method, const std::string& target, const std::string& token) {
    return client().request(method, target, "", "", {{"Authorization", "Bearer " + token}}).status;
  }
  int login_status(const std::string& email, const std::string& password) {
    return client()
        .post_json("/v1/sessions", object{{"email", email}, {"password", password}})
        .status;
  }
};

void expect_problem(const HttpResponse& response, int status, const std::string& slug) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/problem+json");
  if (response.status == status) {
    EXPECT_EQ(response.json().at("type"), value("urn:authd:problem:" + slug)) << response.body;
  }
}

TEST_F(Account, ChangingThePasswordKeepsThisSessionAndEndsEveryOtherCredential) {
  const Tokens here = register_and_login("change@example.com");
  const Tokens elsewhere = login("change@example.com");
  const std::string seed = seed_token("change@example.com");
  ASSERT_EQ(status_with("GET", "/v1/check", seed), 200);
  ASSERT_EQ(status_with("GET", "/v1/me", elsewhere.access), 200);

  const auto changed =
      post("/v1/me/password", here.access,
           object{{"current_password", kPassword}, {"new_password", kNewPassword}});
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_TRUE(changed.body.empty());

  // Several requests each, so that behind nginx both instances answer.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(status_with("GET", "/v1/me", here.access), 200) << "the session it came from stays";
    EXPECT_EQ(status_with("GET", "/v1/me", elsewhere.access), 401) << "another device is out";
    EXPECT_EQ(status_with("GET", "/v1/check", seed), 401) << "seed JWTs issued before are void";
  }
  expect_problem(
      client().post_json("/v1/sessions/refresh", object{{"refresh_token", elsewhere.refresh}}), 400,
      "invalid-refresh-token");
  EXPECT_EQ(
      client().post_json("/v1/sessions/refresh", object{{"refresh_token", here.refresh}}).status,
      200);

  EXPECT_EQ(login_status("change@example.com", kPassword), 401);
  EXPECT_EQ(login_status("change@example.com", kNewPassword), 201);
  // Seed JWTs carry whole seconds: one from the second of the change is refused too.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const std::string fresh_seed = seed_token("change@example.com", kNewPassword);
  EXPECT_EQ(status_with("GET", "/v1/check", fresh_seed), 200) << "new seed JWTs work";
}

TEST_F(Account, AWrongCurrentPasswordChangesNothingAndCountsAsAFailedLogin) {
  const Tokens owner = register_and_login("guess@example.com");
  const object wrong{{"current_password", "not the password"}, {"new_password", kNewPassword}};
  expect_problem(post("/v1/me/password", owner.access, wrong), 400, "current-password-incorrect");
  expect_problem(
      post("/v1/me/deactivate", owner.access, object{{"current_password", "not the password"}}),
      400, "current-password-incorrect");
  expect_problem(
      post("/v1/me/delete", owner.access, object{{"current_password", "not the password"}}), 400,
      "current-password-incorrect");
  EXPECT_EQ(status_with("GET", "/v1/me", owner.access), 200) << "nothing was changed";
  EXPECT_EQ(login_status("guess@example.com", kPassword), 201);

  // A stolen access token does not become a free password oracle: wrong guesses lock the
  // account for this network as wrong logins do (10 by default), for every route alike.
  HttpResponse last;
  for (int i = 0; i < 12 && last.status != 429; ++i) {
    last = post("/v1/me/password", owner.access, wrong);
  }
  expect_problem(last, 429, "too-many-attempts");
  EXPECT_FALSE(last.header("retry-after").empty());
  for (const char* route : kAccountRoutes) {
    object body{{"current_password", kPassword}};
    if (std::string_view(route) == "/v1/me/password") body["new_password"] = kNewPassword;
    expect_problem(post(route, owner.access, body), 429, "too-many-attempts");
  }
  EXPECT_EQ(login_status("guess@example.com", kPassword), 429) << "the login is locked alike";
}

TEST_F(Account, TheNewPasswordMeetsThePolicyAndBodiesAreStrict) {
  const Tokens owner = register_and_login("policy@example.com");
  const auto attempt = [&](const object& body) {
    return post("/v1/me/password", owner.access, body);
  };
  expect_problem(attempt(object{{"current_password", kPassword}, {"new_password", "short"}}), 400,
                 "weak-password");
  expect_problem(attempt(object{{"current_password", kPassword}, {"new_password", "password123"}}),
                 400, "weak-password");
  expect_problem(
      attempt(object{{"current_password", kPassword}, {"new_password", "policy@example.com"}}), 400,
      "weak-password");
  expect_problem(attempt(object{{"current_password", kPassword}}), 400, "invalid-field");
  expect_problem(attempt(object{{"current_password", kPassword},
                                {"new_password", kNewPassword},
                                {"revoke_others", false}}),
                 400, "invalid-field");
  expect_problem(attempt(object{{"current_password", 42}, {"new_password", kNewPassword}}), 400,
                 "invalid-field");
  expect_problem(
      attempt(object{{"current_password", kPassword}, {"new_password", std::string(2000, 'x')}}),
      400, "invalid-field");
  EXPECT_EQ(login_status("policy@example.com", kPassword), 201) << "nothing was changed";

  for (const char* route : kAccountRoutes) {
    const std::map<std::string, std::string> bearer{{"Authorization", "Bearer " + owner.access}};
    expect_problem(client().request("POST", route, "[1,", "application/json", bearer), 400,
                   "malformed-body");
    expect_problem(client().request("POST", route, "{}", "text/plain", bearer), 415,
                   "unsupported-media-type");
    // Behind nginx, nginx's own body limit answers first.
    if (server().kind() != Deployment::Kind::nginx) {
      expect_problem(client().request("POST", route,
                                      "{\"current_password\":\"" + std::string(70'000, 'x') + "\"}",
                                      "application/json", bearer),
                     413, "payload-too-large");
    }
    expect_problem(
        client().request("POST", route, "{\"current_password\":\"x\"}", "application/json"), 401,
        "missing-token");
    expect_problem(post(route, "not-a-token", object{{"current_password", kPassword}}), 401,
                   "invalid-token");
  }
  EXPECT_EQ(status_with("GET", "/v1/me", owner.access), 200);
}

TEST_F(Account, DeactivatingEndsEverySessionAndRefusesLogins) {
  const Tokens here = register_and_login("leave@example.com");
  const Tokens elsewhere = login("leave@example.com");
  const std::string seed = seed_token("leave@example.com");
  ASSERT_EQ(post("/v1/me/deactivate", here.access, object{{"current_password", kPassword}}).status,
            204);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(status_with("GET", "/v1/me", here.access), 401);
    EXPECT_EQ(status_with("GET", "/v1/me", elsewhere.access), 401);
    EXPECT_EQ(status_with("GET", "/v1/check", seed), 401);
  }
  EXPECT_EQ(login_status("leave@example.com", kPassword), 401);
  const auto rows = server().query("SELECT is_active FROM users WHERE email = 'leave@example.com'");
  ASSERT_EQ(rows.size(), 1u);
  const std::string active = rows[0][0].value_or("");
  EXPECT_TRUE(active == "0" || active == "f") << active;
}

TEST_F(Account, DeletingRemovesTheAccountAndFreesItsEmail) {
  const Tokens here = register_and_login("gone@example.com");
  const Tokens elsewhere = login("gone@example.com");
  ASSERT_EQ(post("/v1/me/delete", here.access, object{{"current_password", kPassword}}).status,
            204);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(status_with("GET", "/v1/me", here.access), 401);
    EXPECT_EQ(status_with("GET", "/v1/me", elsewhere.access), 401);
  }
  EXPECT_EQ(login_status("gone@example.com", kPassword), 401);
  EXPECT_TRUE(server().query("SELECT id FROM users WHERE email = 'gone@example.com'").empty());
  EXPECT_EQ(
      client()
          .post_json("/v1/users", object{{"email", "gone@example.com"}, {"password", kPassword}})
          .status,
      201)
      << "the email can be registered again";
}

TEST_F(Account, TheLastAdministratorCannotLeave) {
  const Tokens admin = register_and_login("only-admin@example.com");
  server().query(
      "INSERT INTO user_roles (user_id, role_id, position) "
      "SELECT u.id, r.id, 1 FROM users u, roles r "
      "WHERE u.email = 'only-admin@example.com' AND r.name = 'authd:admin'");
  ASSERT_EQ(server()
                .query("SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
                       "WHERE r.name = 'authd:admin'")[0][0]
                .value_or(""),
            "1");
  for (const char* route : {"/v1/me/deactivate", "/v1/me/delete"}) {
    expect_problem(post(route, admin.access, object{{"current_password", kPassword}}), 409,
                   "last-administrator");
  }
  EXPECT_EQ(status_with("GET", "/v1/me", admin.access), 200) << "still there, still active";
  // A password change is no departure.
  EXPECT_EQ(post("/v1/me/password", admin.access,
                 object{{"current_password", kPassword}, {"new_password", kNewPassword}})
                .status,
            204);
}

TEST_F(Account, MeSaysWhetherTheEmailIsVerified) {
  const Tokens owner = register_and_login("unverified@example.com");
  const auto me =
      client().request("GET", "/v1/me", "", "", {{"Authorization", "Bearer " + owner.access}});
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json().at("email_verified"), false);
}

}  // namespace
}  // namespace authd::test
