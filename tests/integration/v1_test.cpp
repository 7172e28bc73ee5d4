// The /v1 API over HTTP, in every deployment (one authd on SQLite, one on PostgreSQL, two behind
// nginx on one PostgreSQL, where consecutive requests land on different instances): every
// endpoint and every error, rotation and reuse, concurrent refreshes, revocation that holds on
// every instance, the JWKS, and a token checked by an independent verifier (Node's crypto).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <latch>
#include <map>
#include <thread>

#include "support/authd_process.hpp"
#include "support/command.hpp"
#include "support/jwt_claims.hpp"
#include "support/server_fixture.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

using boost::json::object;
using boost::json::value;

constexpr const char* kPassword = "correct horse battery";

struct V1Server {
  // A short grace window keeps the reuse tests quick; concurrent refreshes, even on a loaded
  // machine under a sanitizer, still fit in it.
  static std::vector<std::string> args() { return {"--refresh-grace", "3"}; }
};

class V1 : public ServerFixture<V1Server> {
 protected:
  // Registers `email` through /v1 and returns its token response from a login.
  object register_and_login(const std::string& email, const std::string& agent = "test-agent") {
    auto created =
        client().post_json("/v1/users", object{{"email", email}, {"password", kPassword}});
    EXPECT_EQ(created.status, 201) << created.body;
    return login(email, agent);
  }

  object login(const std::string& email, const std::string& agent = "test-agent") {
    auto response =
        client().request("POST", "/v1/sessions",
                         boost::json::serialize(object{{"email", email}, {"password", kPassword}}),
                         "application/json", {{"User-Agent", agent}});
    EXPECT_EQ(response.status, 201) << response.body;
    return response.json().as_object();
  }

  HttpResponse get(const std::string& target, const std::string& access_token) {
    return client().request("GET", target, "", "", {{"Authorization", "Bearer " + access_token}});
  }
  HttpResponse remove(const std::string& target, const std::string& access_token) {
    return client().request("DELETE", target, "", "",
                            {{"Authorization", "Bearer " + access_token}});
  }
  HttpResponse refresh(const value& refresh_token) {
    return client().post_json("/v1/sessions/refresh", object{{"refresh_token", refresh_token}});
  }

  static std::string token(const object& tokens, const char* name) {
    return std::string(tokens.at(name).as_string());
  }
};

// A problem response: status, media type, and the stable type.
void expect_problem(const HttpResponse& response, int status, const std::string& slug) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/problem+json");
  const auto body = response.json().as_object();
  EXPECT_EQ(body.at("type"), value("urn:authd:problem:" + slug)) << response.body;
  EXPECT_EQ(body.at("status"), status);
  EXPECT_TRUE(body.at("title").is_string());
}

TEST_F(V1, RegisterLoginMe) {
  auto created = client().post_json("/v1/users", object{{"email", "Ada@Example.com"},
                                                        {"password", kPassword},
                                                        {"first_name", "Ada"},
                                                        {"last_name", nullptr}});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto user = created.json().as_object();
  EXPECT_EQ(user.at("email"), "Ada@Example.com");
  EXPECT_EQ(user.at("first_name"), "Ada");
  EXPECT_TRUE(user.at("last_name").is_null());
  EXPECT_EQ(user.at("roles"), (boost::json::array{"user"}));
  EXPECT_FALSE(user.contains("password")) << "no hash, ever";

  const object tokens = login("ada@example.com");
  EXPECT_EQ(tokens.at("token_type"), "Bearer");
  EXPECT_EQ(tokens.at("expires_in"), 900);
  EXPECT_EQ(token(tokens, "session_id").size(), 22u);
  const auto me = get("/v1/me", token(tokens, "access_token"));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("id"), user.at("id"));
  EXPECT_TRUE(me.json().at("last_login").is_string());
}

TEST_F(V1, AccessTokenIsAnEdDsaJwtWithTheDocumentedClaims) {
  const object tokens = register_and_login("claims@example.com");
  const std::string access = token(tokens, "access_token");
  const auto header = jwt_header(access);
  EXPECT_EQ(header.at("alg"), "EdDSA");
  EXPECT_EQ(header.at("typ"), "at+jwt");
  const auto claims = jwt_payload(access);
  EXPECT_EQ(claims.at("iss"), "authd");
  EXPECT_EQ(claims.at("aud"), "authd");
  EXPECT_EQ(claims.at("sid"), tokens.at("session_id"));
  for (const char* name : {"sub", "jti"}) EXPECT_TRUE(claims.at(name).is_string()) << name;
  EXPECT_EQ(claims.at("nbf"), claims.at("iat"));
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 900);

  // The kid names a key of the JWKS.
  const auto jwks = client().request("GET", "/.well-known/jwks.json", "", "");
  ASSERT_EQ(jwks.status, 200);
  EXPECT_EQ(jwks.header("cache-control"), "public, max-age=300");
  bool found = false;
  const value set = jwks.json();  // range-for over a temporary's member would dangle
  for (const auto& key : set.at("keys").as_array()) {
    EXPECT_EQ(key.at("kty"), "OKP");
    EXPECT_EQ(key.at("crv"), "Ed25519");
    EXPECT_EQ(key.at("alg"), "EdDSA");
    EXPECT_FALSE(key.as_object().contains("d")) << "never a private key";
    found = found || key.at("kid") == header.at("kid");
  }
  EXPECT_TRUE(found);
}

TEST_F(V1, NodeCryptoVerifiesTheTokenWithTheJwksKey) {
  const object tokens = register_and_login("interop@example.com");
  const auto jwks = client().request("GET", "/.well-known/jwks.json", "", "");
  ASSERT_EQ(jwks.status, 200);
  TempDir dir;
  std::ofstream(dir.file("jwks.json")) << jwks.body;
  std::ofstream(dir.file("token")) << token(tokens, "access_token");
  // A verifier independent of our JWS code: Node's built-in crypto (its own JWK import and
  // base64url handling; Ed25519 itself comes from Node's OpenSSL), given only the JWKS and the
  // token.
  std::ofstream(dir.file("verify.js")) << R"js(
const crypto = require('crypto'); const fs = require('fs');
const [jwksFile, tokenFile] = process.argv.slice(2);
const token = fs.readFileSync(tokenFile, 'utf8').trim();
const [h, p, s] = token.split('.');
const header = JSON.parse(Buffer.from(h, 'base64url'));
const jwk = JSON.parse(fs.readFileSync(jwksFile, 'utf8')).keys.find(k => k.kid === header.kid);
const key = crypto.createPublicKey({key: {kty: jwk.kty, crv: jwk.crv, x: jwk.x}, format: 'jwk'});
const ok = crypto.verify(null, Buffer.from(h + '.' + p), key, Buffer.from(s, 'base64url'));
const tampered = crypto.verify(null, Buffer.from(h + '.' + p + 'x'), key, Buffer.from(s, 'base64url'));
console.log(JSON.stringify({ok, tampered, alg: header.alg, sub: JSON.parse(Buffer.from(p, 'base64url')).sub}));
)js";
  const auto [status, output] = run_command("node " + dir.file("verify.js") + " " +
                                            dir.file("jwks.json") + " " + dir.file("token"));
  ASSERT_EQ(status, 0) << "node failed (is nodejs installed?): " << output;
  const auto result = boost::json::parse(output).as_object();
  EXPECT_EQ(result.at("ok"), true) << output;
  EXPECT_EQ(result.at("tampered"), false) << output;
  EXPECT_EQ(result.at("alg"), "EdDSA");
  EXPECT_EQ(result.at("sub"), jwt_payload(token(tokens, "access_token")).at("sub"));
}

TEST_F(V1, LoginFailureIsOneAnswerWhateverTheReason) {
  register_and_login("uniform@example.com");
  register_and_login("inactive@example.com");
  server().query("UPDATE users SET is_active = (1 = 0) WHERE email = 'inactive@example.com'");
  const auto attempt = [&](const char* email, const char* password) {
    return client().post_json("/v1/sessions", object{{"email", email}, {"password", password}});
  };
  const auto unknown = attempt("nobody@example.com", kPassword);
  const auto wrong = attempt("uniform@example.com", "wrong password!");
  const auto inactive = attempt("inactive@example.com", kPassword);
  expect_problem(unknown, 401, "invalid-credentials");
  EXPECT_EQ(unknown.header("www-authenticate"), "Bearer");
  for (const auto* other : {&wrong, &inactive}) {
    EXPECT_EQ(other->status, unknown.status);
    EXPECT_EQ(other->body, unknown.body) << "byte-identical bodies";
    EXPECT_EQ(other->header("content-type"), unknown.header("content-type"));
  }
}

TEST_F(V1, RegistrationErrorsAreProblems) {
  const auto post = [&](const std::string& body) {
    return client().request("POST", "/v1/users", body, "application/json");
  };
  expect_problem(post("{\"email\":"), 400, "malformed-body");
  expect_problem(post("[]"), 400, "malformed-body");
  expect_problem(post(R"({"email":"a@example.com","email":"b@example.com","password":"x"})"), 400,
                 "malformed-body");
  expect_problem(post(R"({"email":"a@example.com","password":"correct horse","admin":true})"), 400,
                 "invalid-field");
  expect_problem(post(R"({"password":"correct horse battery"})"), 400, "invalid-field");
  expect_problem(post(R"({"email":42,"password":"correct horse battery"})"), 400, "invalid-field");
  expect_problem(post(R"({"email":"a@example.com","password":"correct horse","first_name":7})"),
                 400, "invalid-field");
  expect_problem(post(R"({"email":"not-an-email","password":"correct horse battery"})"), 400,
                 "invalid-field");
  expect_problem(post(R"({"email":"a@example.com","password":"short"})"), 400, "weak-password");
  expect_problem(post(R"({"email":"a@example.com","password":"password123"})"), 400,
                 "weak-password");
  expect_problem(
      client().request("POST", "/v1/users", "email=a", "application/x-www-form-urlencoded"), 415,
      "unsupported-media-type");
  if (server().kind() != Deployment::Kind::nginx) {  // behind nginx, nginx's own 413 answers
    expect_problem(post(std::string(70 * 1024, ' ')), 413, "payload-too-large");
  }
  EXPECT_EQ(server().query("SELECT COUNT(*) FROM users WHERE email = 'a@example.com'")[0][0], "0")
      << "nothing half-written";

  ASSERT_EQ(post(R"({"email":"taken@example.com","password":"correct horse battery"})").status,
            201);
  expect_problem(post(R"({"email":"TAKEN@example.com","password":"correct horse battery"})"), 409,
                 "email-taken");
}

TEST_F(V1, RefreshRotatesAndReuseRevokesTheSession) {
  const object first = register_and_login("rotate@example.com");
  const auto second = refresh(first.at("refresh_token"));
  ASSERT_EQ(second.status, 200) << second.body;
  const auto rotated = second.json().as_object();
  EXPECT_NE(rotated.at("refresh_token"), first.at("refresh_token"));
  EXPECT_EQ(rotated.at("session_id"), first.at("session_id"));
  EXPECT_EQ(get("/v1/me", token(rotated, "access_token")).status, 200);

  std::this_thread::sleep_for(std::chrono::milliseconds(3300));  // past the 3 s grace window
  expect_problem(refresh(first.at("refresh_token")), 400, "refresh-token-reused");
  // The whole session is gone, on every instance.
  expect_problem(refresh(rotated.at("refresh_token")), 400, "invalid-refresh-token");
  const auto me = get("/v1/me", token(rotated, "access_token"));
  expect_problem(me, 401, "invalid-token");
  EXPECT_EQ(me.header("www-authenticate"), "Bearer error=\"invalid_token\"");
  if (server().size() == 1) {  // behind nginx, another instance may have counted it
    const auto metrics = client().request("GET", "/metrics", "", "").body;
    EXPECT_NE(metrics.find("authd_refreshes_total{outcome=\"reused\"} "), std::string::npos)
        << "operators can alert on reuse";
    EXPECT_NE(metrics.find("authd_refreshes_total{outcome=\"rotated\"} "), std::string::npos);
  }
}

TEST_F(V1, ConcurrentRefreshesWithOneTokenAllGetTheSamePair) {
  const object first = register_and_login("race@example.com");
  constexpr int kClients = 8;
  std::vector<HttpResponse> responses(kClients);
  std::latch start(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      HttpClient own(server().port());
      start.arrive_and_wait();
      responses[i] = own.post_json("/v1/sessions/refresh",
                                   object{{"refresh_token", first.at("refresh_token")}});
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kClients; ++i) {
    ASSERT_EQ(responses[i].status, 200) << "client " << i << ": " << responses[i].body;
    EXPECT_EQ(responses[i].body, responses[0].body) << "client " << i;
  }
  const auto pair = responses[0].json().as_object();
  EXPECT_EQ(get("/v1/me", token(pair, "access_token")).status, 200);
  EXPECT_EQ(refresh(pair.at("refresh_token")).status, 200) << "the shared pair is the live one";
}

TEST_F(V1, SessionsAreListedAndRevokedOneByOneOrAllAtOnce) {
  const object laptop = register_and_login("devices@example.com", "laptop/1.0");
  const object phone = login("devices@example.com", "phone/2.0");
  const object tablet = login("devices@example.com", "tablet/3.0");

  auto listed = get("/v1/sessions", token(phone, "access_token"));
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto sessions = listed.json().at("sessions").as_array();
  ASSERT_EQ(sessions.size(), 3u);
  EXPECT_EQ(sessions[0].at("user_agent"), "laptop/1.0");
  EXPECT_EQ(sessions[0].at("current"), false);
  EXPECT_EQ(sessions[1].at("id"), phone.at("session_id"));
  EXPECT_EQ(sessions[1].at("current"), true);
  for (const auto& session : sessions) {
    for (const char* field : {"created_at", "expires_at"}) {
      EXPECT_TRUE(session.at(field).is_string()) << field;
    }
    EXPECT_TRUE(session.as_object().contains("last_used_at"));
  }

  // One session, by id, from another device.
  const std::string laptop_id = token(laptop, "session_id");
  const auto removed = remove("/v1/sessions/" + laptop_id, token(phone, "access_token"));
  EXPECT_EQ(removed.status, 204);
  EXPECT_TRUE(removed.body.empty());
  expect_problem(get("/v1/me", token(laptop, "access_token")), 401, "invalid-token");
  expect_problem(remove("/v1/sessions/" + laptop_id, token(phone, "access_token")), 404,
                 "session-not-found");
  expect_problem(remove("/v1/sessions/not-a-session", token(phone, "access_token")), 404,
                 "session-not-found");

  // Another user cannot end these sessions, even knowing their ids.
  const object eve = register_and_login("eve@example.com");
  expect_problem(remove("/v1/sessions/" + token(phone, "session_id"), token(eve, "access_token")),
                 404, "session-not-found");
  EXPECT_EQ(get("/v1/me", token(phone, "access_token")).status, 200);

  // The current session.
  EXPECT_EQ(remove("/v1/sessions/current", token(tablet, "access_token")).status, 204);
  expect_problem(get("/v1/me", token(tablet, "access_token")), 401, "invalid-token");
  expect_problem(refresh(tablet.at("refresh_token")), 400, "invalid-refresh-token");
  EXPECT_EQ(
      get("/v1/sessions", token(phone, "access_token")).json().at("sessions").as_array().size(),
      1u);

  // Everywhere: also the seed 002 sessions of the same user.
  ASSERT_EQ(
      client()
          .put_json("/auth", object{{"email", "devices@example.com"}, {"password", kPassword}})
          .status,
      200);
  const object other = login("devices@example.com", "desktop");
  EXPECT_EQ(remove("/v1/sessions", token(other, "access_token")).status, 204);
  for (const object* tokens : {&phone, &other}) {
    expect_problem(get("/v1/me", token(*tokens, "access_token")), 401, "invalid-token");
  }
  EXPECT_EQ(server().query("SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                           "WHERE u.email = 'devices@example.com' AND s.revoked_at IS NULL")[0][0],
            "0");
  EXPECT_EQ(get("/v1/me", token(eve, "access_token")).status, 200) << "other users unaffected";
}

TEST_F(V1, DeactivationCutsTokensOffAtOnce) {
  const object tokens = register_and_login("leaver@example.com");
  ASSERT_EQ(get("/v1/me", token(tokens, "access_token")).status, 200);
  server().query("UPDATE users SET is_active = (1 = 0) WHERE email = 'leaver@example.com'");
  expect_problem(get("/v1/me", token(tokens, "access_token")), 401, "invalid-token");
  expect_problem(refresh(tokens.at("refresh_token")), 400, "invalid-refresh-token");

  // Deactivation ends the sessions: re-enabling the account does not revive old tokens.
  server().query("UPDATE users SET is_active = (1 = 1) WHERE email = 'leaver@example.com'");
  expect_problem(get("/v1/me", token(tokens, "access_token")), 401, "invalid-token");
  expect_problem(refresh(tokens.at("refresh_token")), 400, "invalid-refresh-token");
  const object fresh = login("leaver@example.com");
  EXPECT_EQ(get("/v1/me", token(fresh, "access_token")).status, 200) << "a new login works";
}

TEST_F(V1, HostileAndMissingTokensAre401) {
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/me"},
           {"GET", "/v1/sessions"},
           {"DELETE", "/v1/sessions"},
           {"DELETE", "/v1/sessions/current"},
           {"DELETE", "/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA"}}) {
    const auto none = client().request(method, path, "", "");
    expect_problem(none, 401, "missing-token");
    EXPECT_EQ(none.header("www-authenticate"), "Bearer") << method << " " << path;
  }
  expect_problem(client().request("GET", "/v1/me", "", "", {{"Authorization", "Basic YTpi"}}), 401,
                 "missing-token");
  for (const std::string& bad : std::vector<std::string>{
           "x", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", std::string(4000, 'A')}) {
    expect_problem(get("/v1/me", bad), 401, "invalid-token");
  }
  // A seed 000 HS256 token is no /v1 token.
  ASSERT_EQ(client()
                .post_json("/auth/register",
                           object{{"email", "seed@example.com"}, {"password", kPassword}})
                .status,
            201);
  const auto seed = client().post_json(
      "/auth/login", object{{"email", "seed@example.com"}, {"password", kPassword}});
  ASSERT_EQ(seed.status, 200);
  expect_problem(get("/v1/me", std::string(seed.json().at("token").as_string())), 401,
                 "invalid-token");
  // ...and that user logs in through /v1 with the same password: one user store.
  EXPECT_EQ(get("/v1/me", token(login("seed@example.com"), "access_token")).status, 200);
}

TEST_F(V1, RefreshErrors) {
  expect_problem(refresh("never-issued"), 400, "invalid-refresh-token");
  expect_problem(refresh(42), 400, "invalid-field");
  expect_problem(client().post_json("/v1/sessions/refresh", object{}), 400, "invalid-field");
  expect_problem(client().post_json("/v1/sessions", object{{"email", "x@example.com"}}), 400,
                 "invalid-field");
}

TEST_F(V1, OpenApiDocumentDescribesV1) {
  const auto response = client().request("GET", "/openapi.json", "", "");
  ASSERT_EQ(response.status, 200);
  const auto doc = response.json();
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  EXPECT_TRUE(doc.at("paths").as_object().contains("/v1/sessions/refresh"));
}

TEST_F(V1, UnknownRoutesAndMethodsAreProblems) {
  expect_problem(client().request("GET", "/v1/nothing", "", ""), 404, "not-found");
  const auto wrong = client().request("GET", "/v1/users", "", "");
  expect_problem(wrong, 405, "method-not-allowed");
  EXPECT_EQ(wrong.header("allow"), "POST");
  const auto refresh_get = client().request("DELETE", "/v1/sessions/refresh", "", "");
  expect_problem(refresh_get, 405, "method-not-allowed");
  EXPECT_EQ(refresh_get.header("allow"), "POST");
}

CommandResult run_authd(const std::string& arguments) {
  return run_command(std::string(AUTHD_BINARY) + " " + arguments);
}

TEST(V1Lifecycle, RevocationAndKeysSurviveRestartAndRotation) {
  TempDir data;
  const object ada{{"email", "ada@example.com"}, {"password", kPassword}};
  const auto bearer = [](const object& tokens) {
    return std::map<std::string, std::string>{
        {"Authorization", "Bearer " + std::string(tokens.at("access_token").as_string())}};
  };
  object kept, revoked;
  std::string first_kid;
  {
    AuthdProcess server({.data_dir = data.path()});
    HttpClient client(server.port());
    ASSERT_EQ(client.post_json("/v1/users", ada).status, 201);
    kept = client.post_json("/v1/sessions", ada).json().as_object();
    revoked = client.post_json("/v1/sessions", ada).json().as_object();
    ASSERT_EQ(client.request("DELETE", "/v1/sessions/current", "", "", bearer(revoked)).status,
              204);
    first_kid = std::string(
        jwt_header(std::string(kept.at("access_token").as_string())).at("kid").as_string());
  }

  const std::string database = "--database sqlite:" + (data.path() / "authd.db").string();
  auto refused = run_authd("keys rotate --activate-in 10 " + database);
  EXPECT_EQ(refused.exit_status, 2) << refused.output;
  EXPECT_NE(refused.output.find("--force"), std::string::npos) << refused.output;
  auto rotated = run_authd("keys rotate --activate-in 0 --force " + database);
  ASSERT_EQ(rotated.exit_status, 0) << rotated.output;

  AuthdProcess server({.data_dir = data.path()});
  HttpClient client(server.port());
  EXPECT_EQ(client.request("GET", "/v1/me", "", "", bearer(kept)).status, 200)
      << "a token of the retired key stays valid until it expires";
  EXPECT_EQ(client.request("GET", "/v1/me", "", "", bearer(revoked)).status, 401)
      << "a revocation outlives a restart";
  const auto fresh = client.post_json("/v1/sessions", ada).json().as_object();
  const std::string new_kid = std::string(
      jwt_header(std::string(fresh.at("access_token").as_string())).at("kid").as_string());
  EXPECT_NE(new_kid, first_kid) << "the new key signs";
  const value jwks = client.request("GET", "/.well-known/jwks.json", "", "").json();
  EXPECT_EQ(jwks.at("keys").as_array().size(), 2u) << "both keys published";

  auto listed = run_authd("keys list " + database);
  ASSERT_EQ(listed.exit_status, 0) << listed.output;
  EXPECT_NE(listed.output.find(first_kid), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find(new_kid + " "), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("retired"), std::string::npos) << listed.output;
}

TEST(V1Lifecycle, ARevokedKeysTokensAreRefusedAtOnceAndItLeavesTheJwks) {
  TempDir data;
  const object ada{{"email", "ada@example.com"}, {"password", kPassword}};
  const auto bearer = [](const object& tokens) {
    return std::map<std::string, std::string>{
        {"Authorization", "Bearer " + std::string(tokens.at("access_token").as_string())}};
  };
  AuthdProcess server({.data_dir = data.path()});
  HttpClient client(server.port());
  ASSERT_EQ(client.post_json("/v1/users", ada).status, 201);
  const object before = client.post_json("/v1/sessions", ada).json().as_object();
  ASSERT_EQ(client.request("GET", "/v1/me", "", "", bearer(before)).status, 200);
  const std::string kid = std::string(
      jwt_header(std::string(before.at("access_token").as_string())).at("kid").as_string());

  const std::string database = "--database sqlite:" + (data.path() / "authd.db").string();
  auto revoked = run_authd("keys revoke " + kid + " " + database);
  ASSERT_EQ(revoked.exit_status, 0) << revoked.output;
  EXPECT_NE(revoked.output.find("signs from now on"), std::string::npos) << revoked.output;

  // At once, while the server still holds the key in memory: the session read says it is
  // revoked. (The server's own copy of the key set is 30 s stale at most.)
  const auto refused = client.request("GET", "/v1/me", "", "", bearer(before));
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.header("www-authenticate"), "Bearer error=\"invalid_token\"");
  const value jwks = client.request("GET", "/.well-known/jwks.json", "", "").json();
  for (const auto& key : jwks.at("keys").as_array()) {
    EXPECT_NE(key.at("kid").as_string(), kid) << "the revoked key left the JWKS";
  }
  // The session itself lives on: a refresh gets a token signed by the new key.
  const auto refreshed = client.post_json("/v1/sessions/refresh",
                                          object{{"refresh_token", before.at("refresh_token")}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const object after = refreshed.json().as_object();
  EXPECT_NE(jwt_header(std::string(after.at("access_token").as_string())).at("kid").as_string(),
            kid);
  EXPECT_EQ(client.request("GET", "/v1/me", "", "", bearer(after)).status, 200);

  auto listed = run_authd("keys list " + database);
  EXPECT_NE(listed.output.find(kid), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("revoked"), std::string::npos) << listed.output;
  auto again = run_authd("keys revoke " + kid + " " + database);
  EXPECT_EQ(again.exit_status, 3) << again.output;
  auto unknown = run_authd("keys revoke no-such-kid " + database);
  EXPECT_EQ(unknown.exit_status, 3) << unknown.output;
}

TEST(V1Lifecycle, KeyCommandsOnAMistypedPathCreateNothing) {
  TempDir data;
  const auto missing = data.path() / "typo" / "authd.db";
  for (const std::string command :
       {"keys list", "keys rotate --activate-in 3600", "keys revoke x"}) {
    auto result = run_authd(command + " --database sqlite:" + missing.string());
    EXPECT_NE(result.exit_status, 0) << command;
    EXPECT_NE(result.output.find("typo"), std::string::npos) << command << ": " << result.output;
    EXPECT_FALSE(std::filesystem::exists(data.path() / "typo")) << command << " created files";
  }
  // An existing folder without a database: nothing appears in it either.
  auto listed = run_authd("keys list --database sqlite:" + (data.path() / "authd.db").string());
  EXPECT_NE(listed.exit_status, 0);
  EXPECT_TRUE(std::filesystem::is_empty(data.path())) << listed.output;
}

TEST(V1RefreshLimit, RefreshingOneSessionTooOftenIs429) {
  AuthdProcess server({.args = {"--refreshes-per-session", "2"}});
  HttpClient client(server.port());
  const object ada{{"email", "spinner@example.com"}, {"password", kPassword}};
  ASSERT_EQ(client.post_json("/v1/users", ada).status, 201);
  object tokens = client.post_json("/v1/sessions", ada).json().as_object();
  for (int i = 0; i < 2; ++i) {
    const auto refreshed = client.post_json("/v1/sessions/refresh",
                                            object{{"refresh_token", tokens.at("refresh_token")}});
    ASSERT_EQ(refreshed.status, 200) << refreshed.body;
    tokens = refreshed.json().as_object();
  }
  const auto refused = client.post_json("/v1/sessions/refresh",
                                        object{{"refresh_token", tokens.at("refresh_token")}});
  expect_problem(refused, 429, "too-many-attempts");
  EXPECT_EQ(refused.header("retry-after"), "60");
  // The session is not harmed: its access token still works.
  EXPECT_EQ(client
                .request("GET", "/v1/me", "", "",
                         {{"Authorization",
                           "Bearer " + std::string(tokens.at("access_token").as_string())}})
                .status,
            200);
}

}  // namespace
}  // namespace authd::test
