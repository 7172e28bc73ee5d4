// Seed 003 over real HTTP: /api/auth/register and /api/auth/login with the
// {success, token, data: {user}} envelope, roles, lastLogin and a 24-hour HS256 JWT.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/jwt_claims.hpp"
#include "support/server_fixture.hpp"

namespace authd::test {
namespace {

using boost::json::object;

using Seed003 = ServerFixture<>;

object signup(const std::string& email) {
  return object{{"firstName", "johndoe"},
                {"lastName", "johndoe"},
                {"email", email},
                {"password", "secure-Passphrase-2718"},
                {"role", boost::json::array{"admin", "seller,buyer"}}};
}

std::vector<std::string> keys(const object& o) {
  std::vector<std::string> names;
  for (const auto& entry : o) names.emplace_back(entry.key());
  return names;
}

TEST_F(Seed003, RegisterReturnsTheDocumentedEnvelope) {
  auto response = client().post_json("/api/auth/register", signup("john.doe@example.com"));
  ASSERT_EQ(response.status, 201) << response.body;
  const auto body = response.json().as_object();
  EXPECT_EQ(keys(body), (std::vector<std::string>{"success", "token", "data"}));
  EXPECT_EQ(body.at("success"), true);
  const auto user = body.at("data").at("user").as_object();
  EXPECT_EQ(keys(user), (std::vector<std::string>{"isActive", "id", "email", "firstName",
                                                  "lastName", "role", "updatedAt", "createdAt"}));
  EXPECT_EQ(user.at("isActive"), true);
  EXPECT_EQ(user.at("email"), "john.doe@example.com");
  EXPECT_EQ(user.at("firstName"), "johndoe");
  EXPECT_EQ(user.at("role"), "admin") << "the first requested role that exists";
  EXPECT_EQ(user.at("createdAt").as_string().size(), 24u) << "2025-03-26T13:18:37.241Z";

  const std::string token(body.at("token").as_string());
  EXPECT_EQ(token.substr(0, token.find('.')), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  const auto claims = jwt_payload(token);
  EXPECT_EQ(keys(claims), (std::vector<std::string>{"id", "iat", "exp"}));
  EXPECT_EQ(claims.at("id"), user.at("id"));
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 86400);
}

TEST_F(Seed003, RegisterWithoutKnownRolesGetsUser) {
  object body = signup("plain@example.com");
  body.erase("role");
  auto response = client().post_json("/api/auth/register", body);
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(response.json().at("data").at("user").at("role"), "user");

  object unknown = signup("unknown-role@example.com");
  unknown["role"] = boost::json::array{"wizard"};
  EXPECT_EQ(
      client().post_json("/api/auth/register", unknown).json().at("data").at("user").at("role"),
      "user");
}

TEST_F(Seed003, LoginReturnsTheFullUser) {
  ASSERT_EQ(client().post_json("/api/auth/register", signup("full@example.com")).status, 201);
  auto response = client().post_json(
      "/api/auth/login",
      object{{"email", "full@example.com"}, {"password", "secure-Passphrase-2718"}});
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = response.json().as_object();
  EXPECT_EQ(body.at("success"), true);
  const auto user = body.at("data").at("user").as_object();
  EXPECT_EQ(keys(user),
            (std::vector<std::string>{"id", "email", "firstName", "lastName", "role", "isActive",
                                      "lastLogin", "passwordResetToken", "passwordResetExpires",
                                      "createdAt", "updatedAt"}));
  EXPECT_EQ(user.at("role"), "admin");
  EXPECT_TRUE(user.at("lastLogin").is_string());
  EXPECT_EQ(user.at("lastLogin"), user.at("updatedAt"));
  EXPECT_TRUE(user.at("passwordResetToken").is_null());
  EXPECT_TRUE(user.at("passwordResetExpires").is_null());
  const auto claims = jwt_payload(std::string(body.at("token").as_string()));
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 86400);
  EXPECT_EQ(response.body.find("password\""), std::string::npos);
  EXPECT_EQ(response.body.find("$argon2id$"), std::string::npos);
}

TEST_F(Seed003, LoginUnknownUserIs404WithTheDocumentedBody) {
  auto response = client().post_json(
      "/api/auth/login",
      object{{"email", "johndoe@gmail.com"}, {"password", "secure-Passphrase-2718"}});
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.json(), (object{{"message", "User Not found."}}));
}

TEST_F(Seed003, LoginWrongPasswordIs401) {
  ASSERT_EQ(client().post_json("/api/auth/register", signup("wrongpw@example.com")).status, 201);
  auto response = client().post_json(
      "/api/auth/login", object{{"email", "wrongpw@example.com"}, {"password", "not-it-at-all"}});
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(
      response.json(),
      (object{{"success", false}, {"error", object{{"message", "Incorrect email or password"}}}}));
}

TEST_F(Seed003, MalformedJsonIs400WithAParserMessage) {
  auto response = client().request("POST", "/api/auth/register", "{\"email\": \"a@b.c\"\n,}");
  EXPECT_EQ(response.status, 400);
  const auto body = response.json().as_object();
  EXPECT_EQ(body.at("success"), false);
  EXPECT_EQ(body.at("error").at("message"), "Unexpected token } in JSON at position 19");
}

TEST_F(Seed003, WrongTypesAre400NotServerErrors) {
  object numeric_email = signup("x@example.com");
  numeric_email["email"] = 12;
  object role_object = signup("role@example.com");
  role_object["role"] = object{{"admin", true}};
  object name_array = signup("name@example.com");
  name_array["firstName"] = boost::json::array{"a"};
  for (const auto& body : {numeric_email, role_object, name_array}) {
    auto response = client().post_json("/api/auth/register", body);
    EXPECT_EQ(response.status, 400) << boost::json::serialize(body);
    EXPECT_EQ(response.json().at("success"), false);
  }
  auto array_body = client().request("POST", "/api/auth/login", "[1,2]");
  EXPECT_EQ(array_body.status, 400);
}

TEST_F(Seed003, DuplicateRegistrationIs409) {
  ASSERT_EQ(client().post_json("/api/auth/register", signup("dup@example.com")).status, 201);
  auto response = client().post_json("/api/auth/register", signup("DUP@example.com"));
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.json().at("success"), false);
}

}  // namespace
}  // namespace authd::test
