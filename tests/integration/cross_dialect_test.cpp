// One user store behind three dialects: an account made through any dialect logs in through the
// other two with the same password, and an email taken in one (in any letter case) is taken in all.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/server_fixture.hpp"

namespace authd::test {
namespace {

using boost::json::object;

using CrossDialect = ServerFixture<>;

constexpr const char* kPassword = "correct horse battery";

void expect_logins_everywhere(HttpClient& client, const std::string& email) {
  const object credentials{{"email", email}, {"password", kPassword}};
  EXPECT_EQ(client.post_json("/auth/login", credentials).status, 200) << "seed 000";
  EXPECT_EQ(client.put_json("/auth", credentials).status, 200) << "seed 002";
  EXPECT_EQ(client.post_json("/api/auth/login", credentials).status, 200) << "seed 003";
}

TEST_F(CrossDialect, Seed000UserLogsInEverywhere) {
  ASSERT_EQ(
      client()
          .post_json("/auth/register", object{{"email", "s0@example.com"}, {"password", kPassword}})
          .status,
      201);
  expect_logins_everywhere(client(), "s0@example.com");
}

TEST_F(CrossDialect, Seed002UserLogsInEverywhere) {
  ASSERT_EQ(client()
                .post_json("/auth", object{{"email", "s2@example.com"},
                                           {"password", kPassword},
                                           {"first_name", "Grace"},
                                           {"last_name", "Hopper"}})
                .status,
            201);
  expect_logins_everywhere(client(), "s2@example.com");
  // Names given to one dialect show in another's view of the user.
  auto seed003 = client().post_json("/api/auth/login",
                                    object{{"email", "s2@example.com"}, {"password", kPassword}});
  EXPECT_EQ(seed003.json().at("data").at("user").at("firstName"), "Grace");
  EXPECT_EQ(seed003.json().at("data").at("user").at("role"), "user");
}

TEST_F(CrossDialect, Seed003UserLogsInEverywhere) {
  ASSERT_EQ(client()
                .post_json("/api/auth/register",
                           object{{"email", "S3@Example.com"}, {"password", kPassword}})
                .status,
            201);
  expect_logins_everywhere(client(), "s3@example.com");
}

TEST_F(CrossDialect, ADisabledAccountIs403InEverySeedDialectAndUniformIn1) {
  const object credentials{{"email", "disabled@example.com"}, {"password", kPassword}};
  ASSERT_EQ(client().post_json("/api/auth/register", credentials).status, 201);
  server().query("UPDATE users SET is_active = (1 = 0) WHERE email = 'disabled@example.com'");
  EXPECT_EQ(client().post_json("/auth/login", credentials).status, 403) << "seed 000";
  EXPECT_EQ(client().put_json("/auth", credentials).status, 403) << "seed 002";
  EXPECT_EQ(client().post_json("/api/auth/login", credentials).status, 403) << "seed 003";
  EXPECT_EQ(client().post_json("/v1/sessions", credentials).status, 401)
      << "/v1 tells no reason apart";
}

TEST_F(CrossDialect, AnEmailTakenInOneDialectIsTakenInAll) {
  ASSERT_EQ(client()
                .post_json("/api/auth/register",
                           object{{"email", "Shared@Example.com"}, {"password", kPassword}})
                .status,
            201);
  EXPECT_EQ(client()
                .post_json("/auth/register",
                           object{{"email", "shared@example.com"}, {"password", kPassword}})
                .status,
            409);
  auto seed002 = client().post_json("/auth", object{{"email", "SHARED@example.com"},
                                                    {"password", kPassword},
                                                    {"first_name", "A"},
                                                    {"last_name", "B"}});
  EXPECT_EQ(seed002.status, 400);
  EXPECT_EQ(seed002.json(), (object{{"error", "Account already exists with this email"}}));
}

TEST_F(CrossDialect, WrongPasswordIsRejectedInEveryDialect) {
  ASSERT_EQ(client()
                .post_json("/auth/register",
                           object{{"email", "wrong-all@example.com"}, {"password", kPassword}})
                .status,
            201);
  const object wrong{{"email", "wrong-all@example.com"}, {"password", "incorrect horse"}};
  EXPECT_EQ(client().post_json("/auth/login", wrong).status, 409);
  EXPECT_EQ(client().put_json("/auth", wrong).status, 401);
  EXPECT_EQ(client().post_json("/api/auth/login", wrong).status, 401);
}

}  // namespace
}  // namespace authd::test
