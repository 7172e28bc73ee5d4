// The three seed dialects and the health route without HTTP: routes registered on a real Router,
// handlers called with hand-made requests, over a real AuthService on a temp SQLite file and a
// manual clock. Each documented response is checked byte for byte (key order included), and
// every hostile body must get a 4xx in the dialect's own error envelope.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/health.hpp"
#include "api/json_body.hpp"
#include "api/seed000.hpp"
#include "api/seed002.hpp"
#include "api/seed003.hpp"
#include "core/auth_service.hpp"
#include "core/credential_service.hpp"
#include "core/token_issuer.hpp"
#include "crypto/digest.hpp"
#include "crypto/jws.hpp"
#include "crypto/sealing.hpp"
#include "http/router.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/raw_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_doubles.hpp"

namespace authd::api {
namespace {

using namespace std::chrono_literals;
using test::fast_argon2;
using test::fast_bcrypt;
using test::ManualClock;
using test::RawDb;
using test::Row;
using test::TempDir;

bool is_base64url(std::string_view text) {
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> keys_of(const boost::json::object& object) {
  std::vector<std::string> keys;
  for (const auto& entry : object) keys.emplace_back(entry.key());
  return keys;
}

constexpr std::int64_t kT0 = 1742995117241;  // 2025-03-26T13:18:37.241Z, seed 003's example
const std::string kT0Iso = "2025-03-26T13:18:37.241Z";
constexpr std::string_view kSecret = "dialect-test-secret-0123456789";

struct Endpoint {
  const char* method;
  const char* path;
};
constexpr Endpoint kSeed000Register{"POST", "/auth/register"};
constexpr Endpoint kSeed000Login{"POST", "/auth/login"};
constexpr Endpoint kSeed002Register{"POST", "/auth"};
constexpr Endpoint kSeed002Login{"PUT", "/auth"};
constexpr Endpoint kSeed003Register{"POST", "/api/auth/register"};
constexpr Endpoint kSeed003Login{"POST", "/api/auth/login"};

class DialectTest : public ::testing::Test {
 protected:
  DialectTest() { rebuild(fast_argon2()); }

  // New service and router over the same store and clock, hashing with `hashing`.
  void rebuild(crypto::PasswordHashConfig hashing) {
    router_ = std::make_unique<http::Router>();
    // These tests are about wire mapping; short passwords keep them readable. The password
    // policy has tests of its own (auth_service_test, password_policy_test).
    auth_ = std::make_unique<core::AuthService>(
        store_, crypto::PasswordHasher(hashing), clock_,
        core::AuthConfig{.passwords = {.min_characters = 1, .forbid_guessable = false}});
    credentials_ = std::make_unique<core::CredentialService>(*auth_, tokens_, sessions_);
    add_seed000_routes(*router_, *credentials_);
    add_seed002_routes(*router_, *credentials_);
    add_seed003_routes(*router_, *credentials_);
    add_health_routes(*router_, *auth_);
    add_metrics_route(*router_, metrics_, observability::MetricsView::public_listener);
  }

  // Calls the route's handler as the server would, and checks what holds for every response.
  http::Response call(Endpoint endpoint, std::string body) {
    const http::RouteMatch match = router_->match(endpoint.method, endpoint.path);
    if (match.outcome != http::RouteMatch::Outcome::found) {
      ADD_FAILURE() << "no route for " << endpoint.method << " " << endpoint.path;
      return http::Response{.status = 0, .body = {}, .content_type = {}, .headers = {}};
    }
    http::Request request;
    request.method = endpoint.method;
    request.path = endpoint.path;
    request.content_type = "application/json";
    request.user_agent = "dialect-test/1";
    request.client_address = "203.0.113.9";
    request.body = std::move(body);
    http::Response response = match.route->handler(request);
    EXPECT_EQ(response.content_type, "application/json");
    for (std::string_view secret : {"password_hash", "$argon2id$", "$2b$", "$2a$"}) {
      EXPECT_EQ(response.body.find(secret), std::string::npos)
          << endpoint.path << " leaked " << secret << ": " << response.body;
    }
    boost::system::error_code ec;
    (void)boost::json::parse(response.body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << response.body;
    return response;
  }

  static boost::json::object object_of(const http::Response& response) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(response.body, ec);
    if (ec || !value.is_object()) return {};
    return value.as_object();
  }

  // Claims of a token issued at the current clock time; fails the test when it does not verify.
  boost::json::object claims_of(std::string_view token) {
    const std::int64_t now = util::to_unix_seconds(clock_.now());
    auto claims = crypto::verify_hs256(token, kSecret, crypto::VerifyOptions{now, 0});
    if (!claims) {
      ADD_FAILURE() << "token does not verify: " << claims.error().message();
      return {};
    }
    return *claims;
  }

  std::vector<Row> rows(const std::string& sql) { return RawDb(path_).query(sql); }

  TempDir dir_;
  std::string path_ = dir_.file("authd.db");
  store::sqlite::SqliteStore store_{path_, 2};
  ManualClock clock_{util::from_unix_millis(kT0)};
  core::TokenIssuer tokens_{std::string(kSecret), clock_};
  // The seed dialects issue no /v1 pair; the ring is never loaded.
  core::KeyRing keys_{store_, crypto::derive_sealing_key(std::string(32, 'k')), clock_, {}};
  core::SessionService sessions_{store_, keys_, clock_, {}, std::string(32, 'r')};
  std::unique_ptr<core::AuthService> auth_;
  std::unique_ptr<core::CredentialService> credentials_;
  observability::Metrics metrics_;
  std::unique_ptr<http::Router> router_;
};

// ---------------------------------------------------------------------------------------------
// Seed 000

TEST_F(DialectTest, Seed000RegisterReturnsTheNewUser) {
  const http::Response response =
      call(kSeed000Register, R"({"email":"ada@example.com","password":"pw-000"})");
  EXPECT_EQ(response.status, 201u);
  EXPECT_EQ(response.body, std::string(R"({"id":1,"email":"ada@example.com","createdAt":")") +
                               kT0Iso + R"(","updatedAt":")" + kT0Iso + R"("})");
}

TEST_F(DialectTest, Seed000DuplicateIs409) {
  ASSERT_EQ(call(kSeed000Register, R"({"email":"ada@example.com","password":"pw"})").status, 201u);
  const http::Response response =
      call(kSeed000Register, R"({"email":"Ada@Example.com","password":"other"})");
  EXPECT_EQ(response.status, 409u);
  EXPECT_EQ(response.body, R"({"message":"User already exists"})");
}

TEST_F(DialectTest, Seed000LoginFailures) {
  ASSERT_EQ(call(kSeed000Register, R"({"email":"ada@example.com","password":"pw"})").status, 201u);
  http::Response response = call(kSeed000Login, R"({"email":"bob@example.com","password":"pw"})");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.body, R"({"message":"User not found"})");

  response = call(kSeed000Login, R"({"email":"ada@example.com","password":"wrong"})");
  EXPECT_EQ(response.status, 409u);
  EXPECT_EQ(response.body, R"({"message":"Invalid email or password"})");
}

TEST_F(DialectTest, Seed000LoginReturnsAJwt) {
  ASSERT_EQ(call(kSeed000Register, R"({"email":"Ada@Example.com","password":"pw"})").status, 201u);
  clock_.advance(61'500ms);
  const http::Response response =
      call(kSeed000Login, R"({"email":"ada@example.com","password":"pw"})");
  ASSERT_EQ(response.status, 200u) << response.body;
  const boost::json::object body = object_of(response);
  ASSERT_EQ(keys_of(body), std::vector<std::string>{"token"});
  const boost::json::object claims = claims_of(body.at("token").as_string());
  EXPECT_EQ(keys_of(claims), (std::vector<std::string>{"id", "username", "iat", "exp"}));
  EXPECT_EQ(claims.at("id").as_int64(), 1);
  EXPECT_EQ(claims.at("username").as_string(), "Ada@Example.com");
  EXPECT_EQ(claims.at("iat").as_int64(), (kT0 + 61'500) / 1000);
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), kSeed000TokenTtl.count());
}

TEST_F(DialectTest, Seed000MissingOrMistypedFieldsAre400) {
  for (const char* body :
       {R"({"email":"ada@example.com"})", R"({"password":"pw"})", R"({"email":"","password":"pw"})",
        R"({"email":5,"password":"pw"})", R"({"email":"ada@example.com","password":null})",
        R"({"email":"ada@example.com","password":["pw"]})"}) {
    for (Endpoint endpoint : {kSeed000Register, kSeed000Login}) {
      const http::Response response = call(endpoint, body);
      EXPECT_EQ(response.status, 400u) << body;
      EXPECT_EQ(response.body, R"({"message":"email and password are required strings"})");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Seed 002

constexpr const char* kJohn002 =
    R"({"password":"secure-Passphrase-2718","first_name":"John","last_name":"Doe",)"
    R"("email":"john.doe@example.com"})";

TEST_F(DialectTest, Seed002RegisterOpensASession) {
  const http::Response response = call(kSeed002Register, kJohn002);
  ASSERT_EQ(response.status, 201u) << response.body;
  const boost::json::object body = object_of(response);
  ASSERT_EQ(keys_of(body), (std::vector<std::string>{"message", "sessionToken"}));
  const std::string token(body.at("sessionToken").as_string());
  EXPECT_EQ(token.size(), 43u);
  EXPECT_TRUE(is_base64url(token)) << token;
  EXPECT_EQ(response.body,
            std::string(R"({"message":"User registered successfully","sessionToken":")") + token +
                R"("})");
  EXPECT_EQ(rows("SELECT user_id, kind, token_hash, user_agent, client_address FROM sessions"),
            (std::vector<Row>{
                {"1", "opaque", crypto::sha256_hex(token), "dialect-test/1", "203.0.113.9"}}));
  EXPECT_EQ(rows("SELECT first_name, last_name, email FROM users"),
            (std::vector<Row>{{"John", "Doe", "john.doe@example.com"}}));
}

TEST_F(DialectTest, Seed002AllFieldsAreRequired) {
  const std::vector<std::string> register_bodies{
      R"({"first_name":"John","last_name":"Doe","email":"john.doe@example.com"})",  // the doc's
      R"({"password":"pw","last_name":"Doe","email":"john.doe@example.com"})",
      R"({"password":"pw","first_name":"John","email":"john.doe@example.com"})",
      R"({"password":"pw","first_name":"John","last_name":"Doe"})",
      R"({"password":"pw","first_name":"","last_name":"Doe","email":"john.doe@example.com"})",
      R"({"password":"","first_name":"John","last_name":"Doe","email":"john.doe@example.com"})",
      R"({"password":"pw","first_name":"John","last_name":"Doe","email":""})",
      R"({"password":"pw","first_name":42,"last_name":"Doe","email":"john.doe@example.com"})",
      R"({"password":"pw","first_name":"John","last_name":"Doe","email":123})",
      R"({"password":true,"first_name":"John","last_name":"Doe","email":"john.doe@example.com"})",
      R"({"password":"pw","first_name":"John","last_name":null,"email":"john.doe@example.com"})",
      R"({"password":"pw","first_name":"John","last_name":{},"email":"john.doe@example.com"})",
      R"({})",
  };
  for (const std::string& body : register_bodies) {
    const http::Response response = call(kSeed002Register, body);
    EXPECT_EQ(response.status, 400u) << body;
    EXPECT_EQ(response.body, R"({"error":"All fields are required"})") << body;
  }
  EXPECT_EQ(rows("SELECT COUNT(*) FROM users"), (std::vector<Row>{{"0"}}));

  const std::vector<std::string> login_bodies{
      R"({"email":"john.doe@example.com"})",  // the document's example
      R"({"password":"pw"})",
      R"({"email":"","password":"pw"})",
      R"({"email":"john.doe@example.com","password":""})",
      R"({"email":7,"password":"pw"})",
      R"({"email":"john.doe@example.com","password":1234})",
  };
  for (const std::string& body : login_bodies) {
    const http::Response response = call(kSeed002Login, body);
    EXPECT_EQ(response.status, 400u) << body;
    EXPECT_EQ(response.body, R"({"error":"All fields are required"})") << body;
  }
}

TEST_F(DialectTest, Seed002DuplicateAccount) {
  ASSERT_EQ(call(kSeed002Register, kJohn002).status, 201u);
  const http::Response response =
      call(kSeed002Register,
           R"({"password":"x","first_name":"J","last_name":"D","email":"JOHN.DOE@example.com"})");
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(response.body, R"({"error":"Account already exists with this email"})");

  // Fields are checked before existence, as the document orders them.
  const http::Response incomplete =
      call(kSeed002Register, R"({"password":"x","email":"john.doe@example.com"})");
  EXPECT_EQ(incomplete.status, 400u);
  EXPECT_EQ(incomplete.body, R"({"error":"All fields are required"})");
}

TEST_F(DialectTest, Seed002LoginReplacesTheSession) {
  const http::Response registered = call(kSeed002Register, kJohn002);
  ASSERT_EQ(registered.status, 201u);
  const std::string first(object_of(registered).at("sessionToken").as_string());

  clock_.advance(2500ms);
  const http::Response response = call(
      kSeed002Login, R"({"email":"john.doe@example.com","password":"secure-Passphrase-2718"})");
  ASSERT_EQ(response.status, 200u) << response.body;
  const std::string second(object_of(response).at("sessionToken").as_string());
  EXPECT_EQ(second.size(), 43u);
  EXPECT_TRUE(is_base64url(second));
  EXPECT_NE(second, first);
  EXPECT_EQ(response.body,
            std::string(R"({"message":"User logged in successfully","sessionToken":")") + second +
                R"("})");
  EXPECT_EQ(rows("SELECT token_hash, revoked_at FROM sessions ORDER BY id"),
            (std::vector<Row>{{crypto::sha256_hex(first), std::to_string(kT0 + 2500)},
                              {crypto::sha256_hex(second), std::nullopt}}));
}

TEST_F(DialectTest, Seed002LoginFailures) {
  ASSERT_EQ(call(kSeed002Register, kJohn002).status, 201u);
  http::Response response = call(
      kSeed002Login, R"({"email":"jane.doe@example.com","password":"secure-Passphrase-2718"})");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.body, R"({"error":"Account not found"})");

  response = call(kSeed002Login, R"({"email":"john.doe@example.com","password":"nope"})");
  EXPECT_EQ(response.status, 401u);
  EXPECT_EQ(response.body, R"({"error":"Incorrect password"})");
  EXPECT_EQ(rows("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL"),
            (std::vector<Row>{{"1"}}))
      << "a failed login must not touch sessions";
}

// ---------------------------------------------------------------------------------------------
// Seed 003

constexpr const char* kJohn003 =
    R"({"firstName":"johndoe","lastName":"johndoe","email":"john.doe@example.com",)"
    R"("password":"secure-Passphrase-2718","role":["admin","seller,buyer"]})";

TEST_F(DialectTest, Seed003RegisterEnvelope) {
  const http::Response response = call(kSeed003Register, kJohn003);
  ASSERT_EQ(response.status, 201u) << response.body;
  const boost::json::object body = object_of(response);
  ASSERT_TRUE(body.contains("token"));
  const std::string token(body.at("token").as_string());
  EXPECT_EQ(response.body,
            std::string(R"({"success":true,"token":")") + token +
                R"(","data":{"user":{"isActive":true,"id":1,"email":"john.doe@example.com",)" +
                R"("firstName":"johndoe","lastName":"johndoe","role":"admin","updatedAt":")" +
                kT0Iso + R"(","createdAt":")" + kT0Iso + R"("}}})");

  const boost::json::object claims = claims_of(token);
  EXPECT_EQ(keys_of(claims), (std::vector<std::string>{"id", "iat", "exp"}));
  EXPECT_EQ(claims.at("id").as_int64(), 1);
  EXPECT_EQ(claims.at("iat").as_int64(), kT0 / 1000);
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 86400);
}

TEST_F(DialectTest, Seed003RegisterDefaults) {
  const http::Response response =
      call(kSeed003Register, R"({"email":"ada@example.com","password":"pw"})");
  ASSERT_EQ(response.status, 201u) << response.body;
  const boost::json::object user = object_of(response).at("data").at("user").as_object();
  EXPECT_TRUE(user.at("firstName").is_null());
  EXPECT_TRUE(user.at("lastName").is_null());
  EXPECT_EQ(user.at("role").as_string(), "user");

  // A lone string is one role.
  const http::Response single =
      call(kSeed003Register, R"({"email":"bob@example.com","password":"pw","role":"seller"})");
  ASSERT_EQ(single.status, 201u) << single.body;
  EXPECT_EQ(object_of(single).at("data").at("user").at("role").as_string(), "seller");
}

TEST_F(DialectTest, Seed003LoginEnvelope) {
  ASSERT_EQ(call(kSeed003Register, kJohn003).status, 201u);
  clock_.advance(3'600'123ms);
  const std::string later = util::to_iso8601(util::from_unix_millis(kT0 + 3'600'123));
  ASSERT_EQ(later, "2025-03-26T14:18:37.364Z");

  const http::Response response = call(
      kSeed003Login, R"({"email":"john.doe@example.com","password":"secure-Passphrase-2718"})");
  ASSERT_EQ(response.status, 200u) << response.body;
  const std::string token(object_of(response).at("token").as_string());
  EXPECT_EQ(response.body,
            std::string(R"({"success":true,"token":")") + token +
                R"(","data":{"user":{"id":1,"email":"john.doe@example.com",)" +
                R"("firstName":"johndoe","lastName":"johndoe","role":"admin",)" +
                R"("isActive":true,"lastLogin":")" + later +
                R"(","passwordResetToken":null,"passwordResetExpires":null,"createdAt":")" +
                kT0Iso + R"(","updatedAt":")" + later + R"("}}})");
  const boost::json::object claims = claims_of(token);
  EXPECT_EQ(keys_of(claims), (std::vector<std::string>{"id", "iat", "exp"}));
  EXPECT_EQ(claims.at("iat").as_int64(), (kT0 + 3'600'123) / 1000);
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 86400);
}

TEST_F(DialectTest, Seed003LoginFailures) {
  ASSERT_EQ(call(kSeed003Register, kJohn003).status, 201u);
  http::Response response =
      call(kSeed003Login, R"({"email":"johndoe@gmail.com","password":"secure-Passphrase-2718"})");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.body, R"({"message":"User Not found."})");

  response = call(kSeed003Login, R"({"email":"john.doe@example.com","password":"nope"})");
  EXPECT_EQ(response.status, 401u);
  EXPECT_EQ(response.body,
            R"({"success":false,"error":{"message":"Incorrect email or password"}})");
}

TEST_F(DialectTest, Seed003MalformedJsonIs400InTheEnvelope) {
  for (Endpoint endpoint : {kSeed003Register, kSeed003Login}) {
    for (const char* body : {"{\"email\":\n}", "{", "{'email':'x'}", "", "nope"}) {
      const http::Response response = call(endpoint, body);
      EXPECT_EQ(response.status, 400u) << body;
      const boost::json::object object = object_of(response);
      ASSERT_EQ(keys_of(object), (std::vector<std::string>{"success", "error"})) << body;
      EXPECT_EQ(object.at("success"), false);
      ASSERT_EQ(keys_of(object.at("error").as_object()), std::vector<std::string>{"message"});
      EXPECT_TRUE(object.at("error").at("message").as_string().starts_with("Unexpected"))
          << response.body;
    }
  }
  const http::Response response = call(kSeed003Login, "{\"email\":\n}");
  EXPECT_EQ(response.body,
            R"({"success":false,"error":{"message":"Unexpected token } in JSON at position 10"}})");
}

TEST_F(DialectTest, Seed003WrongTypesAre400) {
  const std::vector<std::string> bodies{
      R"({"email":5,"password":"pw"})",
      R"({"email":"ada@example.com","password":false})",
      R"({"email":"ada@example.com","password":"pw","firstName":1})",
      R"({"email":"ada@example.com","password":"pw","lastName":["x"]})",
      R"({"email":"ada@example.com","password":"pw","role":7})",
      R"({"email":"ada@example.com","password":"pw","role":["admin",7]})",
  };
  for (const std::string& body : bodies) {
    const http::Response response = call(kSeed003Register, body);
    EXPECT_EQ(response.status, 400u) << body;
    const boost::json::object object = object_of(response);
    EXPECT_EQ(keys_of(object), (std::vector<std::string>{"success", "error"})) << body;
  }
  EXPECT_EQ(rows("SELECT COUNT(*) FROM users"), (std::vector<Row>{{"0"}}));
}

// ---------------------------------------------------------------------------------------------
// All dialects

// The dialect's error envelope: what a client of that dialect can always parse.
void expect_envelope(Endpoint endpoint, const http::Response& response, std::string_view body) {
  EXPECT_GE(response.status, 400u) << endpoint.path << " " << body;
  EXPECT_LT(response.status, 500u) << endpoint.path << " " << body << " -> " << response.body;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(response.body, ec);
  ASSERT_FALSE(ec);
  ASSERT_TRUE(value.is_object());
  const boost::json::object& object = value.as_object();
  const std::string_view path = endpoint.path;
  if (path == "/auth/register" || path == "/auth/login") {
    EXPECT_EQ(keys_of(object), std::vector<std::string>{"message"}) << response.body;
  } else if (path == "/auth") {
    EXPECT_EQ(keys_of(object), std::vector<std::string>{"error"}) << response.body;
  } else if (response.status == 404) {
    EXPECT_EQ(response.body, R"({"message":"User Not found."})");
  } else {
    EXPECT_EQ(keys_of(object), (std::vector<std::string>{"success", "error"})) << response.body;
    EXPECT_TRUE(object.at("error").at("message").is_string()) << response.body;
  }
}

TEST_F(DialectTest, HostileBodiesGet4xxInTheDialectsEnvelope) {
  // Complete bodies for every dialect (unknown fields are ignored), each with one defect.
  const std::string deep = std::string(R"({"email":)") + std::string(kMaxJsonDepth + 4, '[') +
                           std::string(kMaxJsonDepth + 4, ']') + "}";
  const std::vector<std::string> bodies{
      "{",
      "not json",
      "",
      "[]",
      R"([{"email":"ada@example.com","password":"pw"}])",
      R"("ada@example.com")",
      "null",
      R"({"email":"ada@example.com","password":"pw","first_name":"A","last_name":"B"} x)",
      R"({"email":5,"password":"pw","first_name":"A","last_name":"B"})",
      R"({"email":"ada\u0000@example.com","password":"pw","first_name":"A","last_name":"B"})",
      R"({"email":"ada@example.com","password":"p\u0000w","first_name":"A","last_name":"B"})",
      R"({"email":"ada@example.com","password":"pw","first_name":"A","last_name":"B","x":"\ud800"})",
      std::string("{\"email\":\"ada\xff@example.com\",\"password\":\"pw\"}"),
      deep,
      R"({"email":"ada @example.com","password":"pw","first_name":"A","last_name":"B"})",
      std::string(R"({"email":"ada@example.com","password":")") + std::string(2000, 'p') +
          R"(","first_name":"A","last_name":"B"})",
  };
  for (Endpoint endpoint : {kSeed000Register, kSeed000Login, kSeed002Register, kSeed002Login,
                            kSeed003Register, kSeed003Login}) {
    for (const std::string& body : bodies) {
      SCOPED_TRACE(std::string(endpoint.method) + " " + endpoint.path + " " + body.substr(0, 80));
      expect_envelope(endpoint, call(endpoint, body), body);
    }
  }
  EXPECT_EQ(rows("SELECT COUNT(*) FROM users"), (std::vector<Row>{{"0"}}));
}

TEST_F(DialectTest, UnknownFieldsAreIgnored) {
  const http::Response response = call(
      kSeed003Register,
      R"({"email":"ada@example.com","password":"pw","id":99,"isActive":false,)"
      R"("password_hash":"$2b$04$forged","createdAt":"1999-01-01T00:00:00.000Z","extra":{"a":[1]}})");
  ASSERT_EQ(response.status, 201u) << response.body;
  const boost::json::object user = object_of(response).at("data").at("user").as_object();
  EXPECT_EQ(user.at("id").as_int64(), 1);
  EXPECT_EQ(user.at("isActive"), true);
  EXPECT_EQ(user.at("createdAt").as_string(), kT0Iso);

  EXPECT_EQ(call(kSeed000Register,
                 R"({"email":"bob@example.com","password":"pw","role":["admin"],"id":7})")
                .status,
            201u);
  EXPECT_EQ(
      call(kSeed002Login, R"({"email":"bob@example.com","password":"pw","remember":true})").status,
      200u);

  // Only seed 003 knows roles: a "role" sent to seed 000 must not grant anything.
  const http::Response bob = call(kSeed003Login, R"({"email":"bob@example.com","password":"pw"})");
  ASSERT_EQ(bob.status, 200u) << bob.body;
  EXPECT_EQ(object_of(bob).at("data").at("user").at("role").as_string(), "user");
}

TEST_F(DialectTest, DisabledAccountIs403InEachDialect) {
  ASSERT_EQ(call(kSeed003Register, kJohn003).status, 201u);
  rows("UPDATE users SET is_active = 0");
  const std::string right =
      R"({"email":"john.doe@example.com","password":"secure-Passphrase-2718"})";
  http::Response response = call(kSeed000Login, right);
  EXPECT_EQ(response.status, 403u);
  EXPECT_EQ(response.body, R"({"message":"Account is disabled"})");
  response = call(kSeed002Login, right);
  EXPECT_EQ(response.status, 403u);
  EXPECT_EQ(response.body, R"({"error":"Account is disabled"})");
  response = call(kSeed003Login, right);
  EXPECT_EQ(response.status, 403u);
  EXPECT_EQ(response.body, R"({"success":false,"error":{"message":"Account is disabled"}})");

  // Without the right password nothing reveals that the account exists but is disabled.
  response = call(kSeed003Login, R"({"email":"john.doe@example.com","password":"guess"})");
  EXPECT_EQ(response.status, 401u);
  EXPECT_EQ(rows("SELECT COUNT(*) FROM sessions"), (std::vector<Row>{{"0"}}));
}

TEST_F(DialectTest, OneUserAcrossAllDialects) {
  ASSERT_EQ(call(kSeed002Register, R"({"password":"shared-pw","first_name":"John",)"
                                   R"("last_name":"Doe","email":"John.Doe@Example.com"})")
                .status,
            201u);

  const http::Response seed000 =
      call(kSeed000Login, R"({"email":"john.doe@example.com","password":"shared-pw"})");
  ASSERT_EQ(seed000.status, 200u) << seed000.body;
  EXPECT_EQ(claims_of(object_of(seed000).at("token").as_string()).at("username").as_string(),
            "John.Doe@Example.com");

  const http::Response seed003 =
      call(kSeed003Login, R"({"email":"JOHN.DOE@EXAMPLE.COM","password":"shared-pw"})");
  ASSERT_EQ(seed003.status, 200u) << seed003.body;
  const boost::json::object user = object_of(seed003).at("data").at("user").as_object();
  EXPECT_EQ(user.at("id").as_int64(), 1);
  EXPECT_EQ(user.at("firstName").as_string(), "John");
  EXPECT_EQ(user.at("lastName").as_string(), "Doe");
  EXPECT_EQ(user.at("role").as_string(), "user");

  http::Response taken =
      call(kSeed000Register, R"({"email":"JOHN.DOE@example.com","password":"x"})");
  EXPECT_EQ(taken.status, 409u);
  EXPECT_EQ(taken.body, R"({"message":"User already exists"})");
  taken = call(kSeed003Register, R"({"email":" john.doe@example.COM ","password":"x"})");
  EXPECT_EQ(taken.status, 409u);
  EXPECT_EQ(object_of(taken).at("success"), false);
  taken =
      call(kSeed002Register,
           R"({"password":"x","first_name":"J","last_name":"D","email":"john.doe@example.com"})");
  EXPECT_EQ(taken.status, 400u);
  EXPECT_EQ(taken.body, R"({"error":"Account already exists with this email"})");

  EXPECT_EQ(rows("SELECT COUNT(*) FROM users"), (std::vector<Row>{{"1"}}));
}

TEST_F(DialectTest, Seed003UserLogsInEverywhere) {
  ASSERT_EQ(call(kSeed003Register, kJohn003).status, 201u);
  const std::string credentials =
      R"({"email":"john.doe@example.com","password":"secure-Passphrase-2718"})";
  EXPECT_EQ(call(kSeed000Login, credentials).status, 200u);
  const http::Response seed002 = call(kSeed002Login, credentials);
  EXPECT_EQ(seed002.status, 200u);
  EXPECT_EQ(object_of(seed002).at("message").as_string(), "User logged in successfully");
}

TEST_F(DialectTest, BcryptDeploymentNeverEchoesHashes) {
  rebuild(fast_bcrypt());
  ASSERT_EQ(call(kSeed003Register, kJohn003).status, 201u);
  ASSERT_EQ(call(kSeed002Register, R"({"password":"pw","first_name":"A","last_name":"B",)"
                                   R"("email":"ada@example.com"})")
                .status,
            201u);
  ASSERT_EQ(call(kSeed000Register, R"({"email":"bob@example.com","password":"pw"})").status, 201u);
  EXPECT_TRUE(rows("SELECT password_hash FROM users WHERE id = 1")[0][0]->starts_with("$2b$04$"));
  EXPECT_EQ(
      call(kSeed003Login, R"({"email":"john.doe@example.com","password":"secure-Passphrase-2718"})")
          .status,
      200u);
  EXPECT_EQ(call(kSeed002Login, R"({"email":"ada@example.com","password":"pw"})").status, 200u);
  EXPECT_EQ(call(kSeed000Login, R"({"email":"bob@example.com","password":"pw"})").status, 200u);

  // 73 bytes is over bcrypt's limit: refused, not truncated, in each dialect's envelope.
  const std::string p73(73, 'p');
  expect_envelope(kSeed000Register,
                  call(kSeed000Register,
                       std::string(R"({"email":"c@example.com","password":")") + p73 + R"("})"),
                  "73 bytes");
  expect_envelope(kSeed003Login,
                  call(kSeed003Login,
                       std::string(R"({"email":"ada@example.com","password":")") + p73 + R"("})"),
                  "73 bytes");
}

TEST_F(DialectTest, NamesWithControlCharactersAre400) {
  http::Response response = call(kSeed002Register, R"({"password":"pw","first_name":"A\u0007",)"
                                                   R"("last_name":"B","email":"ada@example.com"})");
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(response.body, R"({"error":"Invalid name"})");
  response =
      call(kSeed003Register, R"({"email":"ada@example.com","password":"pw","lastName":"B\nC"})");
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(response.body,
            R"({"success":false,"error":{"message":"Invalid firstName or lastName"}})");
  EXPECT_EQ(rows("SELECT COUNT(*) FROM users"), (std::vector<Row>{{"0"}}));
}

TEST_F(DialectTest, NulInAnyStringIsRefusedBeforeItReachesTheStore) {
  // libpq stops at NUL: "admin\u0000junk" would have become the role "admin" on PostgreSQL.
  for (const auto& [endpoint, body] : std::vector<std::pair<Endpoint, std::string>>{
           {kSeed003Register,
            R"({"email":"ada@example.com","password":"pw","role":["admin\u0000junk"]})"},
           {kSeed003Register, R"({"email":"ada@example.com","password":"pw","x\u0000":1})"},
           {kSeed002Register,
            R"({"password":"pw","first_name":"A\u0000","last_name":"B","email":"a@b.c"})"},
           {kSeed000Login, R"({"email":"ada@example.com","password":"pw\u0000"})"},
       }) {
    const http::Response response = call(endpoint, body);
    EXPECT_EQ(response.status, 400u) << body;
    EXPECT_NE(response.body.find("U+0000"), std::string::npos) << response.body;
  }
  EXPECT_EQ(rows("SELECT COUNT(*) FROM users"), (std::vector<Row>{{"0"}}));
}

TEST_F(DialectTest, RoutesDeclareJsonBodiesAndWordLayerErrorsInTheirDialect) {
  struct Expected {
    Endpoint endpoint;
    const char* body415;
  };
  const Expected expected[] = {
      {kSeed000Register, R"({"message":"Unsupported Media Type"})"},
      {kSeed000Login, R"({"message":"Unsupported Media Type"})"},
      {kSeed002Register, R"({"error":"Unsupported Media Type"})"},
      {kSeed002Login, R"({"error":"Unsupported Media Type"})"},
      {kSeed003Register, R"({"success":false,"error":{"message":"Unsupported Media Type"}})"},
      {kSeed003Login, R"({"success":false,"error":{"message":"Unsupported Media Type"}})"},
  };
  for (const Expected& e : expected) {
    const http::RouteMatch match = router_->match(e.endpoint.method, e.endpoint.path);
    ASSERT_EQ(match.outcome, http::RouteMatch::Outcome::found) << e.endpoint.path;
    EXPECT_TRUE(match.route->json_body) << e.endpoint.path;
    const http::Response unsupported = match.route->errors(415, "Unsupported Media Type");
    EXPECT_EQ(unsupported.status, 415u);
    EXPECT_EQ(unsupported.body, e.body415);
    EXPECT_TRUE(unsupported.headers.empty());
    const http::Response busy = match.route->errors(503, "Busy");
    EXPECT_EQ(busy.status, 503u);
    EXPECT_EQ(busy.headers,
              (std::vector<std::pair<std::string, std::string>>{{"Retry-After", "1"}}));
  }
}

TEST_F(DialectTest, HealthIsOk) {
  const http::RouteMatch match = router_->match("GET", "/healthz");
  ASSERT_EQ(match.outcome, http::RouteMatch::Outcome::found);
  EXPECT_FALSE(match.route->json_body);
  const http::Response response = match.route->handler(http::Request{.method = "GET",
                                                                     .path = "/healthz",
                                                                     .content_type = {},
                                                                     .user_agent = {},
                                                                     .client_address = {},
                                                                     .body = {}});
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(response.body, R"({"status":"ok"})");
  EXPECT_EQ(response.content_type, "application/json");
}

}  // namespace
}  // namespace authd::api
