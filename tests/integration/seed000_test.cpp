// Seed 000 over real HTTP: POST /auth/register and POST /auth/login, every documented status.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/jwt_claims.hpp"
#include "support/server_fixture.hpp"

namespace authd::test {
namespace {

using boost::json::object;

using Seed000 = ServerFixture<>;

TEST_F(Seed000, RegisterReturns201WithTheNewUser) {
  auto response = client().post_json(
      "/auth/register", object{{"email", "ada@example.com"}, {"password", "s3cret-kettle-orbit"}});
  ASSERT_EQ(response.status, 201) << response.body;
  const auto body = response.json().as_object();
  EXPECT_TRUE(body.at("id").is_int64());
  EXPECT_EQ(body.at("email"), "ada@example.com");
  EXPECT_EQ(body.at("createdAt"), body.at("updatedAt"));
  EXPECT_EQ(body.size(), 4u) << "exactly id, email, createdAt, updatedAt; never the hash";
  EXPECT_EQ(response.header("content-type"), "application/json");
}

TEST_F(Seed000, RegisterTwiceIs409) {
  object user{{"email", "twice@example.com"}, {"password", "s3cret-kettle-orbit"}};
  ASSERT_EQ(client().post_json("/auth/register", user).status, 201);
  auto again = client().post_json("/auth/register", user);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json(), (object{{"message", "User already exists"}}));
}

TEST_F(Seed000, LoginReturnsAJwtWithIdAndUsername) {
  object user{{"email", "jwt@example.com"}, {"password", "s3cret-kettle-orbit"}};
  auto created = client().post_json("/auth/register", user);
  ASSERT_EQ(created.status, 201);
  auto response = client().post_json("/auth/login", user);
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = response.json().as_object();
  ASSERT_EQ(body.size(), 1u);
  const std::string token(body.at("token").as_string());
  const auto claims = jwt_payload(token);
  EXPECT_EQ(claims.at("id"), created.json().at("id"));
  EXPECT_EQ(claims.at("username"), "jwt@example.com");
  EXPECT_GT(claims.at("exp").as_int64(), claims.at("iat").as_int64());
}

TEST_F(Seed000, LoginUnknownEmailIs404) {
  auto response = client().post_json(
      "/auth/login", object{{"email", "nobody@example.com"}, {"password", "whatever1"}});
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.json(), (object{{"message", "User not found"}}));
}

TEST_F(Seed000, LoginWrongPasswordIs409) {
  ASSERT_EQ(client()
                .post_json("/auth/register", object{{"email", "wrong@example.com"},
                                                    {"password", "right-kettle-orbit"}})
                .status,
            201);
  auto response = client().post_json(
      "/auth/login", object{{"email", "wrong@example.com"}, {"password", "wrong-pass"}});
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.json(), (object{{"message", "Invalid email or password"}}));
}

}  // namespace
}  // namespace authd::test
