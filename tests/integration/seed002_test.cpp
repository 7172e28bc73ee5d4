// Seed 002 over real HTTP: POST /auth (register) and PUT /auth (login) with opaque session tokens
// kept hashed in the sessions table, and the document's exact error strings.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/digest.hpp"
#include "support/server_fixture.hpp"

namespace authd::test {
namespace {

using boost::json::object;

using Seed002 = ServerFixture<>;

object john(const std::string& email) {
  return object{{"password", "secure-Passphrase-2718"},
                {"first_name", "John"},
                {"last_name", "Doe"},
                {"email", email}};
}

TEST_F(Seed002, RegisterReturns201WithASessionToken) {
  auto response = client().post_json("/auth", john("john.doe@example.com"));
  ASSERT_EQ(response.status, 201) << response.body;
  const auto body = response.json().as_object();
  EXPECT_EQ(body.at("message"), "User registered successfully");
  const std::string token(body.at("sessionToken").as_string());
  EXPECT_EQ(token.size(), 43u) << "32 random bytes, base64url";

  // Only the SHA-256 of the token is stored, never the token itself.
  const auto rows = server().query(
      "SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id "
      "WHERE u.email = 'john.doe@example.com'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(*rows[0][0], crypto::sha256_hex(token));
  EXPECT_TRUE(server().query("SELECT 1 FROM sessions WHERE token_hash = '" + token + "'").empty());
}

TEST_F(Seed002, RegisterWithoutAFieldIs400AllFieldsRequired) {
  // The document's "Incorrect Body" example.
  auto response = client().post_json(
      "/auth", object{{"first_name", "John"}, {"last_name", "Doe"}, {"email", "jd@example.com"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.json(), (object{{"error", "All fields are required"}}));

  for (const char* field : {"password", "first_name", "last_name", "email"}) {
    object empty = john("empty@example.com");
    empty[field] = "";
    EXPECT_EQ(client().post_json("/auth", empty).json(),
              (object{{"error", "All fields are required"}}))
        << field << " empty";
    object wrong_type = john("type@example.com");
    wrong_type[field] = 42;
    auto typed = client().post_json("/auth", wrong_type);
    EXPECT_EQ(typed.status, 400) << field << " as a number";
    EXPECT_EQ(typed.json(), (object{{"error", "All fields are required"}}));
  }
}

TEST_F(Seed002, RegisterAnExistingEmailIs400) {
  ASSERT_EQ(client().post_json("/auth", john("taken@example.com")).status, 201);
  auto response = client().post_json("/auth", john("Taken@Example.com"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.json(), (object{{"error", "Account already exists with this email"}}));
}

TEST_F(Seed002, LoginReturns200AndReplacesTheSession) {
  auto registered = client().post_json("/auth", john("login@example.com"));
  ASSERT_EQ(registered.status, 201);
  const std::string first(registered.json().at("sessionToken").as_string());

  auto response = client().put_json(
      "/auth", object{{"email", "login@example.com"}, {"password", "secure-Passphrase-2718"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.json().at("message"), "User logged in successfully");
  const std::string second(response.json().at("sessionToken").as_string());
  EXPECT_NE(first, second);

  // "Updates the session token": the old one is revoked, the new one is live.
  const auto rows = server().query(
      "SELECT s.token_hash, CASE WHEN s.revoked_at IS NULL THEN 'live' ELSE 'revoked' END "
      "FROM sessions s "
      "JOIN users u ON u.id = s.user_id WHERE u.email = 'login@example.com' "
      "ORDER BY s.id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[0][0], crypto::sha256_hex(first));
  EXPECT_EQ(*rows[0][1], "revoked");
  EXPECT_EQ(*rows[1][0], crypto::sha256_hex(second));
  EXPECT_EQ(*rows[1][1], "live");
}

TEST_F(Seed002, LoginWithoutPasswordIs400) {
  auto response = client().put_json("/auth", object{{"email", "john.doe@example.com"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.json(), (object{{"error", "All fields are required"}}));
}

TEST_F(Seed002, LoginUnknownAccountIs404) {
  auto response = client().put_json(
      "/auth", object{{"email", "ghost@example.com"}, {"password", "secure-Passphrase-2718"}});
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.json(), (object{{"error", "Account not found"}}));
}

TEST_F(Seed002, LoginWrongPasswordIs401) {
  ASSERT_EQ(client().post_json("/auth", john("pw@example.com")).status, 201);
  auto response =
      client().put_json("/auth", object{{"email", "pw@example.com"}, {"password", "nope-nope"}});
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.json(), (object{{"error", "Incorrect password"}}));
}

TEST_F(Seed002, MalformedJsonIs400InTheErrorEnvelope) {
  auto response = client().request("POST", "/auth", "{\"email\": \"a@b.c\",");
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(response.json().as_object().at("error").is_string());
}

}  // namespace
}  // namespace authd::test
