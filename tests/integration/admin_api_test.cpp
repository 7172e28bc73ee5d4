// The admin API under /v1/admin/ over HTTP, in every deployment (one authd on SQLite, one on
// PostgreSQL, two behind nginx on one PostgreSQL): only an active holder of authd:admin, read
// from the store on every request, gets in; users are listed, created, changed, disabled and
// deleted, their sessions ended, roles created and deleted; no change leaves nobody able to
// administer; and the audit trail records each action without an email, a password or a token.
// The first administrator comes from `authd users create`, as an operator makes one.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "support/administrator.hpp"
#include "support/authd_process.hpp"
#include "support/command.hpp"
#include "support/deployment.hpp"
#include "support/http_client.hpp"
#include "support/pg_test_cluster.hpp"
#include "support/server_fixture.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr const char* kPassword = "correct horse battery";

// A problem response: status, media type, and the stable type.
void expect_problem(const HttpResponse& response, int status, const std::string& slug) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/problem+json");
  const auto body = response.json().as_object();
  EXPECT_EQ(body.at("type"), value("urn:authd:problem:" + slug)) << response.body;
  EXPECT_EQ(body.at("status"), status);
  EXPECT_TRUE(body.at("title").is_string());
}

std::string text(const value& v) {
  return std::string(v.as_string());
}

std::string user_path(std::int64_t id) {
  return "/v1/admin/users/" + std::to_string(id);
}

// For a query string: everything but the unreserved characters percent-encoded.
std::string url_encode(const std::string& raw) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : raw) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// `method target` with `token` as bearer (none when empty) and `body` as JSON when given.
HttpResponse call(HttpClient& client, const std::string& method, const std::string& target,
                  const std::string& token, const std::optional<value>& body = std::nullopt) {
  std::map<std::string, std::string> headers;
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  if (!body) return client.request(method, target, "", "", headers);
  return client.request(method, target, boost::json::serialize(*body), "application/json", headers);
}

// A user logged in through /v1: their id (from /v1/me) and tokens.
struct Login {
  std::int64_t id = 0;
  std::string access;
  std::string refresh;
  std::string session_id;
};

Login login(HttpClient& client, const std::string& email, const std::string& agent = "admin-test") {
  const auto response =
      client.request("POST", "/v1/sessions",
                     boost::json::serialize(object{{"email", email}, {"password", kPassword}}),
                     "application/json", {{"User-Agent", agent}});
  EXPECT_EQ(response.status, 201) << email << ": " << response.body;
  if (response.status != 201) return {};
  const auto tokens = response.json().as_object();
  Login result{.access = text(tokens.at("access_token")),
               .refresh = text(tokens.at("refresh_token")),
               .session_id = text(tokens.at("session_id"))};
  result.id = call(client, "GET", "/v1/me", result.access).json().at("id").as_int64();
  return result;
}

void register_user(HttpClient& client, const std::string& email) {
  const auto created =
      client.post_json("/v1/users", object{{"email", email}, {"password", kPassword}});
  EXPECT_EQ(created.status, 201) << created.body;
}

Login register_and_login(HttpClient& client, const std::string& email,
                         const std::string& agent = "admin-test") {
  register_user(client, email);
  return login(client, email, agent);
}

// The whole audit trail, newest first, paged through 200 at a time; `raw` collects the bodies.
std::vector<object> audit_trail(HttpClient& client, const std::string& token,
                                std::string* raw = nullptr) {
  std::vector<object> events;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    const auto response =
        call(client, "GET",
             "/v1/admin/audit?limit=200" + (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)),
             token);
    EXPECT_EQ(response.status, 200) << response.body;
    if (response.status != 200) break;
    if (raw) *raw += response.body;
    const value body = response.json();
    for (const auto& event : body.at("events").as_array()) events.push_back(event.as_object());
    if (body.at("next_cursor").is_null()) break;
    cursor = text(body.at("next_cursor"));
  }
  return events;
}

// The events naming `user_id` as their target, newest first.
std::vector<object> about(const std::vector<object>& events, std::int64_t user_id) {
  std::vector<object> found;
  for (const auto& event : events) {
    if (event.at("target_user_id") == value(user_id)) found.push_back(event);
  }
  return found;
}

struct Route {
  std::string method;
  std::string target;
  std::optional<value> body;
};

// The 14 operations, on user `user_id`; `unique` names what a request would create.
std::vector<Route> every_admin_route(std::int64_t user_id, const std::string& unique) {
  const std::string user = user_path(user_id);
  return {{"GET", "/v1/admin/users", std::nullopt},
          {"POST", "/v1/admin/users",
           object{{"email", unique + "@example.com"}, {"password", kPassword}}},
          {"GET", user, std::nullopt},
          {"PATCH", user, object{{"first_name", "Changed"}}},
          {"DELETE", user, std::nullopt},
          {"GET", user + "/sessions", std::nullopt},
          {"DELETE", user + "/sessions", std::nullopt},
          {"DELETE", user + "/sessions/AAAAAAAAAAAAAAAAAAAAAA", std::nullopt},
          {"POST", user + "/password", object{{"password", "a fresh long passphrase"}}},
          {"POST", user + "/recovery", object{{"send_email", false}}},
          {"GET", "/v1/admin/roles", std::nullopt},
          {"POST", "/v1/admin/roles", object{{"name", unique}}},
          {"DELETE", "/v1/admin/roles/" + unique, std::nullopt},
          {"GET", "/v1/admin/audit", std::nullopt}};
}

class AdminApi : public ServerFixture<> {
 protected:
  // A new administrator, made with the CLI and logged in through /v1.
  Login administrator(const std::string& email) {
    const std::int64_t id =
        create_administrator_with_cli(store_options(server()), email, kPassword);
    const Login admin = login(client(), email);
    EXPECT_EQ(admin.id, id);
    return admin;
  }
  HttpResponse as(const Login& who, const std::string& method, const std::string& target,
                  const std::optional<value>& body = std::nullopt) {
    return call(client(), method, target, who.access, body);
  }
  object created_user(const Login& admin, const object& body) {
    const auto response = as(admin, "POST", "/v1/admin/users", body);
    EXPECT_EQ(response.status, 201) << response.body;
    return response.json().as_object();
  }
};

std::vector<std::int64_t> ids_of(const HttpResponse& response) {
  std::vector<std::int64_t> ids;
  const value body = response.json();
  for (const auto& user : body.at("users").as_array()) ids.push_back(user.at("id").as_int64());
  return ids;
}

TEST_F(AdminApi, EveryRouteWantsAValidAccessToken) {
  for (const auto& route : every_admin_route(1, "no-token-role")) {
    SCOPED_TRACE(route.method + " " + route.target);
    const auto none = call(client(), route.method, route.target, "", route.body);
    expect_problem(none, 401, "missing-token");
    EXPECT_EQ(none.header("www-authenticate"), "Bearer");
    const auto bad = call(client(), route.method, route.target, "x.y.z", route.body);
    expect_problem(bad, 401, "invalid-token");
    EXPECT_EQ(bad.header("www-authenticate"), "Bearer error=\"invalid_token\"");
  }
}

TEST_F(AdminApi, ASeed003AdminIsForbiddenEverywhere) {
  const auto registered =
      client().post_json("/api/auth/register", object{{"firstName", "Mallory"},
                                                      {"lastName", "Seed"},
                                                      {"email", "seed-admin@example.com"},
                                                      {"password", kPassword},
                                                      {"role", array{"admin"}}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  const Login mallory = login(client(), "seed-admin@example.com");
  const auto me = as(mallory, "GET", "/v1/me");
  ASSERT_EQ(me.json().at("roles"), (array{"admin"})) << "seed 003's admin, not authd:admin";
  for (const auto& route : every_admin_route(mallory.id, "seed-admin-role")) {
    SCOPED_TRACE(route.method + " " + route.target);
    expect_problem(as(mallory, route.method, route.target, route.body), 403, "forbidden");
  }
  EXPECT_EQ(as(mallory, "GET", "/v1/me").json(), me.json()) << "nothing changed";
}

TEST_F(AdminApi, UsersAreListedByIdInPagesAndFiltered) {
  const Login admin = administrator("list-admin@example.com");
  const std::vector<std::pair<std::string, array>> people = {
      {"Lst-Ann@Example.com", array{"user"}},
      {"lst-bob@example.com", array{"seller"}},
      {"LST-cid@example.com", array{"seller", "user"}},
      {"lst-dee@example.com", array{"user"}},
      {"lst-eve@example.com", array{"buyer"}}};
  std::vector<std::int64_t> ids;
  for (const auto& [email, roles] : people) {
    ids.push_back(
        created_user(admin, object{{"email", email}, {"password", kPassword}, {"roles", roles}})
            .at("id")
            .as_int64());
  }
  for (const std::int64_t id : {ids[3], ids[4]}) {
    ASSERT_EQ(as(admin, "PATCH", user_path(id), object{{"is_active", false}}).status, 200);
  }
  const auto list = [&](const std::string& query) {
    return as(admin, "GET", "/v1/admin/users?" + query);
  };
  const auto all = list("email_prefix=lst-");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(ids_of(all), ids) << "ascending ids";
  EXPECT_TRUE(all.json().at("next_cursor").is_null());
  const auto ann = list("email_prefix=LST-ANN");
  ASSERT_EQ(ids_of(ann), std::vector<std::int64_t>{ids[0]}) << "any letter case";
  const value first = ann.json().at("users").as_array().at(0);
  EXPECT_EQ(first.at("email"), "Lst-Ann@Example.com");
  EXPECT_EQ(first.at("is_active"), true);
  EXPECT_EQ(ids_of(list("email_prefix=lst-&role=seller")),
            (std::vector<std::int64_t>{ids[1], ids[2]}));
  EXPECT_EQ(ids_of(list("active=false&email_prefix=lst-")),
            (std::vector<std::int64_t>{ids[3], ids[4]}));
  EXPECT_EQ(ids_of(list("email_prefix=lst-&active=true")),
            (std::vector<std::int64_t>{ids[0], ids[1], ids[2]}));
  EXPECT_TRUE(ids_of(list("email_prefix=lst-&role=moderator")).empty()) << "nobody holds it";
  const auto ghost = list("role=no-such-role");
  ASSERT_EQ(ghost.status, 200) << ghost.body;
  EXPECT_TRUE(ids_of(ghost).empty());
  EXPECT_TRUE(ghost.json().at("next_cursor").is_null());

  // Pages of 2, cursor after cursor: every user once, in order, then a null cursor.
  std::vector<std::int64_t> seen;
  std::string cursor;
  int pages = 0;
  while (pages < 10) {
    const auto page =
        list("email_prefix=lst-&limit=2" + (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
    ASSERT_EQ(page.status, 200) << page.body;
    ++pages;
    const auto page_ids = ids_of(page);
    EXPECT_LE(page_ids.size(), 2u);
    seen.insert(seen.end(), page_ids.begin(), page_ids.end());
    const value next = page.json().at("next_cursor");
    if (next.is_null()) break;
    cursor = text(next);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, ids) << "each once, in ascending order";

  EXPECT_EQ(list("limit=200").status, 200);
  for (const char* bad : {"limit=0", "limit=201", "limit=abc", "limit=2.5", "limit=-1",
                          "active=yes", "cursor=not*a*cursor", "sort=email", "limit=2&limit=3"}) {
    expect_problem(list(bad), 400, "invalid-field");
  }
}

TEST_F(AdminApi, AUserIsCreatedReadAndChanged) {
  const Login admin = administrator("crud-admin@example.com");
  register_user(client(), "crud-taken@example.com");
  const object grace = created_user(admin, object{{"email", "Grace@Example.com"},
                                                  {"password", kPassword},
                                                  {"first_name", "Grace"},
                                                  {"last_name", "Hopper"}});
  EXPECT_EQ(grace.at("email"), "Grace@Example.com");
  EXPECT_EQ(grace.at("roles"), (array{"user"})) << "the default role";
  EXPECT_EQ(grace.at("is_active"), true);
  EXPECT_TRUE(grace.at("last_login").is_null());
  EXPECT_FALSE(grace.contains("password"));
  const std::string path = user_path(grace.at("id").as_int64());
  EXPECT_EQ(as(admin, "GET", path).json(), value(grace));
  EXPECT_EQ(login(client(), "grace@example.com").id, grace.at("id").as_int64());
  for (const std::string& missing : {user_path(999999999), std::string("/v1/admin/users/abc"),
                                     std::string("/v1/admin/users/grace@example.com")}) {
    expect_problem(as(admin, "GET", missing), 404, "user-not-found");
    expect_problem(as(admin, "PATCH", missing, object{{"first_name", "X"}}), 404, "user-not-found");
  }

  const auto create = [&](const std::string& body) {
    return client().request("POST", "/v1/admin/users", body, "application/json",
                            {{"Authorization", "Bearer " + admin.access}});
  };
  const std::string x = R"("email":"crud-x@example.com","password":"correct horse battery")";
  for (const auto& [body, status, slug] : std::vector<std::tuple<std::string, int, std::string>>{
           {R"({"email":)", 400, "malformed-body"},
           {"{" + x + R"(,"admin":true})", 400, "invalid-field"},
           {R"({"password":"correct horse battery"})", 400, "invalid-field"},
           {R"({"email":"not-an-email","password":"correct horse battery"})", 400, "invalid-field"},
           {"{" + x + R"(,"roles":["ghost"]})", 400, "invalid-field"},
           {"{" + x + R"(,"roles":"user"})", 400, "invalid-field"},
           {R"({"email":"crud-x@example.com","password":"password123"})", 400, "weak-password"},
           {R"({"email":"GRACE@example.com","password":"correct horse battery"})", 409,
            "email-taken"}}) {
    expect_problem(create(body), status, slug);
  }
  EXPECT_TRUE(ids_of(as(admin, "GET", "/v1/admin/users?email_prefix=crud-x")).empty())
      << "nothing half-written";

  const auto patch = [&](const value& body) { return as(admin, "PATCH", path, body); };
  auto changed = patch(object{{"first_name", "Amazing"}, {"last_name", nullptr}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json().at("first_name"), "Amazing");
  EXPECT_TRUE(changed.json().at("last_name").is_null());
  EXPECT_EQ(changed.json().at("email"), "Grace@Example.com") << "what was not named stays";
  changed = patch(object{{"email", "Grace.Hopper@Example.com"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json().at("email"), "Grace.Hopper@Example.com");
  EXPECT_EQ(login(client(), "grace.hopper@example.com").id, grace.at("id").as_int64());
  const object old_email{{"email", "grace@example.com"}, {"password", kPassword}};
  expect_problem(client().post_json("/v1/sessions", old_email), 401, "invalid-credentials");
  for (const array& roles : {array{"seller", "moderator", "user"}, array{"user", "seller"}}) {
    changed = patch(object{{"roles", roles}});
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(changed.json().at("roles"), value(roles)) << "the whole list, in order";
  }
  for (const bool active : {false, true}) {
    changed = patch(object{{"is_active", active}});
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(changed.json().at("is_active"), active);
  }
  const value before = as(admin, "GET", path).json();
  expect_problem(client().request("PATCH", path, "[]", "application/json",
                                  {{"Authorization", "Bearer " + admin.access}}),
                 400, "malformed-body");
  for (const object& bad :
       {object{{"nickname", "x"}}, object{{"is_active", "no"}}, object{{"roles", array{"ghost"}}},
        object{{"roles", array{1}}}, object{{"email", "not-an-email"}}, object{{"first_name", 7}},
        object{{"force", "yes"}}}) {
    expect_problem(patch(bad), 400, "invalid-field");
  }
  expect_problem(patch(object{{"email", "CRUD-TAKEN@example.com"}, {"first_name", "Z"}}), 409,
                 "email-taken");
  EXPECT_EQ(as(admin, "GET", path).json(), before) << "a refused change writes nothing";
}

TEST_F(AdminApi, DisablingEndsEveryTokenAtOnceOnEveryInstanceAndRefusesEveryDialect) {
  // Behind nginx the change goes through one instance and the token is tried on the other.
  HttpClient first(server().instance(0).port());
  HttpClient last(server().instance(server().size() - 1).port());
  const Login admin = administrator("disabler@example.com");
  const object credentials{{"email", "bob@example.com"}, {"password", kPassword}};
  ASSERT_EQ(client()
                .post_json("/api/auth/register", object{{"firstName", "Bob"},
                                                        {"lastName", "Builder"},
                                                        {"email", "bob@example.com"},
                                                        {"password", kPassword}})
                .status,
            201);
  const Login bob = login(last, "bob@example.com");
  ASSERT_EQ(call(last, "GET", "/v1/me", bob.access).status, 200);
  ASSERT_EQ(client().put_json("/auth", credentials).status, 200);

  const auto disabled =
      call(first, "PATCH", user_path(bob.id), admin.access, object{{"is_active", false}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(disabled.json().at("is_active"), false);
  expect_problem(call(last, "GET", "/v1/me", bob.access), 401, "invalid-token");
  expect_problem(last.post_json("/v1/sessions/refresh", object{{"refresh_token", bob.refresh}}),
                 400, "invalid-refresh-token");
  const auto seed000 = client().post_json("/auth/login", credentials);
  EXPECT_EQ(seed000.status, 403);
  EXPECT_EQ(seed000.body, R"({"message":"Account is disabled"})");
  const auto seed002 = client().put_json("/auth", credentials);
  EXPECT_EQ(seed002.status, 403);
  EXPECT_EQ(seed002.body, R"({"error":"Account is disabled"})");
  const auto seed003 = client().post_json("/api/auth/login", credentials);
  EXPECT_EQ(seed003.status, 403);
  EXPECT_EQ(seed003.body, R"({"success":false,"error":{"message":"Account is disabled"}})");
  expect_problem(client().post_json("/v1/sessions", credentials), 401, "invalid-credentials");
  EXPECT_EQ(call(last, "GET", user_path(bob.id), admin.access).json().at("is_active"), false);
  EXPECT_TRUE(call(last, "GET", user_path(bob.id) + "/sessions", admin.access)
                  .json()
                  .at("sessions")
                  .as_array()
                  .empty())
      << "every session ended, seed 002's too";

  // Enabled again: new logins work, the old tokens stay dead.
  const auto enabled =
      call(first, "PATCH", user_path(bob.id), admin.access, object{{"is_active", true}});
  ASSERT_EQ(enabled.status, 200) << enabled.body;
  EXPECT_EQ(enabled.json().at("is_active"), true);
  expect_problem(call(last, "GET", "/v1/me", bob.access), 401, "invalid-token");
  expect_problem(last.post_json("/v1/sessions/refresh", object{{"refresh_token", bob.refresh}}),
                 400, "invalid-refresh-token");
  EXPECT_EQ(client().post_json("/auth/login", credentials).status, 200);
  EXPECT_EQ(call(last, "GET", "/v1/me", login(client(), "bob@example.com").access).status, 200);
}

TEST_F(AdminApi, ARoleChangeAppliesFromTheNextRequest) {
  HttpClient first(server().instance(0).port());
  HttpClient last(server().instance(server().size() - 1).port());
  const Login admin = administrator("role-changer@example.com");
  const Login ursula = register_and_login(client(), "ursula@example.com");
  ASSERT_EQ(call(first, "PATCH", user_path(ursula.id), admin.access,
                 object{{"roles", array{"user", "seller"}}})
                .status,
            200);
  EXPECT_EQ(call(last, "GET", "/v1/me", ursula.access).json().at("roles"),
            (array{"user", "seller"}))
      << "the same access token sees the new roles";

  const object second = created_user(admin, object{{"email", "second-admin@example.com"},
                                                   {"password", kPassword},
                                                   {"roles", array{"authd:admin"}}});
  EXPECT_EQ(second.at("roles"), (array{"authd:admin"}));
  const Login deputy = login(client(), "second-admin@example.com");
  ASSERT_EQ(call(last, "GET", "/v1/admin/roles", deputy.access).status, 200);
  const auto demoted =
      call(first, "PATCH", user_path(deputy.id), admin.access, object{{"roles", array{"user"}}});
  ASSERT_EQ(demoted.status, 200) << demoted.body << " (not their own access: no force needed)";
  expect_problem(call(last, "GET", "/v1/admin/roles", deputy.access), 403, "forbidden");
  expect_problem(call(last, "GET", "/v1/admin/users", deputy.access), 403, "forbidden");
  EXPECT_EQ(call(last, "GET", "/v1/me", deputy.access).json().at("roles"), (array{"user"}))
      << "still a user, with a valid token";
  ASSERT_EQ(call(first, "PATCH", user_path(deputy.id), admin.access,
                 object{{"roles", array{"user", "authd:admin"}}})
                .status,
            200);
  EXPECT_EQ(call(last, "GET", user_path(deputy.id), deputy.access).status, 200)
      << "given back: the same token works again";
}

TEST_F(AdminApi, TheLastActiveAdministratorCannotLockEveryoneOut) {
  // A store of its own, where the administrator made here is the only one.
  Deployment lone(server().kind());
  HttpClient lone_client(lone.port());
  const std::int64_t alice_id =
      create_administrator_with_cli(store_options(lone), "lone-alice@example.com", kPassword);
  const Login alice = login(lone_client, "lone-alice@example.com");
  ASSERT_EQ(alice.id, alice_id);
  const std::string self = user_path(alice.id);
  const auto as_alice = [&](const std::string& method, const std::string& target,
                            const std::optional<value>& body = std::nullopt) {
    return call(lone_client, method, target, alice.access, body);
  };
  expect_problem(as_alice("PATCH", self, object{{"is_active", false}}), 409,
                 "confirmation-required");
  expect_problem(as_alice("PATCH", self, object{{"is_active", false}, {"force", true}}), 409,
                 "last-administrator");
  expect_problem(as_alice("PATCH", self, object{{"roles", array{"user"}}}), 409,
                 "confirmation-required");
  expect_problem(as_alice("PATCH", self, object{{"roles", array{"user"}}, {"force", true}}), 409,
                 "last-administrator");
  expect_problem(as_alice("DELETE", self), 409, "confirmation-required");
  expect_problem(as_alice("DELETE", self + "?force=true"), 409, "last-administrator");
  const auto kept = as_alice("PATCH", self, object{{"roles", array{"authd:admin", "user"}}});
  ASSERT_EQ(kept.status, 200) << kept.body << " (keeping authd:admin needs no force)";
  const auto still = as_alice("GET", self);
  EXPECT_EQ(still.json().at("is_active"), true);
  EXPECT_EQ(still.json().at("roles"), (array{"authd:admin", "user"}));
  const auto refusals = about(audit_trail(lone_client, alice.access), alice.id);
  EXPECT_TRUE(std::any_of(refusals.begin(), refusals.end(), [&](const object& event) {
    return event.at("action") == "account_disabled" && event.at("outcome") == "refused" &&
           event.at("actor") == value("user:" + std::to_string(alice.id));
  })) << "refusals are in the trail";

  // A second administrator: Alice may disable Bob; a disabled holder does not count.
  ASSERT_EQ(as_alice("POST", "/v1/admin/users",
                     object{{"email", "lone-bob@example.com"},
                            {"password", kPassword},
                            {"roles", array{"authd:admin"}}})
                .status,
            201);
  const Login bob = login(lone_client, "lone-bob@example.com");
  ASSERT_EQ(as_alice("PATCH", user_path(bob.id), object{{"is_active", false}}).status, 200);
  expect_problem(call(lone_client, "GET", "/v1/me", bob.access), 401, "invalid-token");
  expect_problem(as_alice("PATCH", self, object{{"is_active", false}, {"force", true}}), 409,
                 "last-administrator");
  ASSERT_EQ(as_alice("PATCH", user_path(bob.id), object{{"is_active", true}}).status, 200);
  const Login bob_again = login(lone_client, "lone-bob@example.com");

  // With Bob active, Alice may step down herself; then Bob is the last.
  const auto stepped_down = as_alice("PATCH", self, object{{"is_active", false}, {"force", true}});
  ASSERT_EQ(stepped_down.status, 200) << stepped_down.body;
  expect_problem(as_alice("GET", "/v1/admin/roles"), 401, "invalid-token");
  expect_problem(call(lone_client, "PATCH", user_path(bob.id), bob_again.access,
                      object{{"roles", array{"user"}}, {"force", true}}),
                 409, "last-administrator");
}

TEST_F(AdminApi, DeletingAUserEndsTheirTokensAndFreesTheirEmail) {
  const Login admin = administrator("deleter@example.com");
  const Login leaving = register_and_login(client(), "leaving@example.com");
  const Login bystander = register_and_login(client(), "bystander@example.com");
  const std::string path = user_path(leaving.id);
  const auto deleted = as(admin, "DELETE", path);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());
  expect_problem(as(leaving, "GET", "/v1/me"), 401, "invalid-token");
  expect_problem(
      client().post_json("/v1/sessions/refresh", object{{"refresh_token", leaving.refresh}}), 400,
      "invalid-refresh-token");
  expect_problem(as(admin, "GET", path), 404, "user-not-found");
  expect_problem(as(admin, "DELETE", path), 404, "user-not-found");
  expect_problem(as(admin, "DELETE", "/v1/admin/users/abc"), 404, "user-not-found");
  expect_problem(as(admin, "GET", path + "/sessions"), 404, "user-not-found");
  expect_problem(as(admin, "DELETE", path + "/sessions"), 404, "user-not-found");
  for (const char* query : {"?force=maybe", "?colour=red"}) {
    expect_problem(as(admin, "DELETE", user_path(bystander.id) + query), 400, "invalid-field");
  }
  EXPECT_EQ(as(admin, "GET", user_path(bystander.id)).status, 200) << "not deleted";

  const auto again = client().post_json(
      "/v1/users", object{{"email", "leaving@example.com"}, {"password", kPassword}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_NE(again.json().at("id").as_int64(), leaving.id) << "a new account, a new id";

  std::string raw;
  const auto events = about(audit_trail(client(), admin.access, &raw), leaving.id);
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [&](const object& event) {
    return event.at("action") == "user_deleted" && event.at("outcome") == "success" &&
           event.at("actor") == value("user:" + std::to_string(admin.id));
  })) << raw.substr(0, 2000);
  EXPECT_EQ(raw.find("leaving@example.com"), std::string::npos) << "no email in the trail";
}

TEST_F(AdminApi, AnAdministratorSeesAndEndsEverySessionOfAUser) {
  const Login admin = administrator("session-admin@example.com");
  const Login laptop = register_and_login(client(), "devices2@example.com", "laptop/1.0");
  const Login phone = login(client(), "devices2@example.com", "phone/2.0");
  const object seed002{{"email", "devices2@example.com"}, {"password", kPassword}};
  ASSERT_EQ(client().put_json("/auth", seed002).status, 200);
  const std::string path = user_path(laptop.id) + "/sessions";
  const auto listed = as(admin, "GET", path);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const array sessions = listed.json().at("sessions").as_array();
  ASSERT_EQ(sessions.size(), 3u) << listed.body;
  for (std::size_t i = 0; i < 2; ++i) {
    const Login& device = i == 0 ? laptop : phone;
    EXPECT_EQ(sessions[i].at("id"), value(device.session_id)) << "oldest first";
    EXPECT_EQ(sessions[i].at("user_agent"), i == 0 ? "laptop/1.0" : "phone/2.0");
    EXPECT_EQ(sessions[i].at("kind"), "rotating");
  }
  EXPECT_EQ(sessions[2].at("kind"), "opaque") << "the seed 002 session";
  for (std::size_t i = 1; i < sessions.size(); ++i) {
    EXPECT_LE(text(sessions[i - 1].at("created_at")), text(sessions[i].at("created_at")));
  }
  expect_problem(as(admin, "GET", "/v1/admin/users/x1/sessions"), 404, "user-not-found");

  const auto revoked = as(admin, "DELETE", path);
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  EXPECT_TRUE(revoked.body.empty());
  for (const Login* tokens : {&laptop, &phone}) {
    expect_problem(as(*tokens, "GET", "/v1/me"), 401, "invalid-token");
  }
  expect_problem(
      client().post_json("/v1/sessions/refresh", object{{"refresh_token", phone.refresh}}), 400,
      "invalid-refresh-token");
  EXPECT_TRUE(as(admin, "GET", path).json().at("sessions").as_array().empty());
  EXPECT_EQ(server().query("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND user_id = " +
                           std::to_string(laptop.id))[0][0],
            "0")
      << "every kind";
  EXPECT_EQ(as(admin, "GET", "/v1/admin/roles").status, 200) << "the administrator's own live on";
}

TEST_F(AdminApi, AnAdministratorEndsOneSessionAndTheOthersLiveOn) {
  // Behind nginx the session is ended through one instance and its tokens tried on the other.
  HttpClient first(server().instance(0).port());
  HttpClient last(server().instance(server().size() - 1).port());
  const Login admin = administrator("one-session-admin@example.com");
  const Login laptop = register_and_login(client(), "devices3@example.com", "laptop/1.0");
  const Login phone = login(client(), "devices3@example.com", "phone/2.0");
  const auto seed002 = client().put_json(
      "/auth", object{{"email", "devices3@example.com"}, {"password", kPassword}});
  ASSERT_EQ(seed002.status, 200) << seed002.body;
  const std::string seed002_token(seed002.json().at("sessionToken").as_string());
  const std::string path = user_path(laptop.id) + "/sessions";
  const array listed = as(admin, "GET", path).json().at("sessions").as_array();
  ASSERT_EQ(listed.size(), 3u);
  const std::string seed002_session(listed[2].at("id").as_string());
  ASSERT_EQ(listed[2].at("kind"), "opaque");
  const auto lives = [&](const std::string& token) {
    return call(last, "GET", "/v1/check", token).status == 200;
  };
  ASSERT_TRUE(lives(phone.access) && lives(laptop.access) && lives(seed002_token));

  const auto ended = call(first, "DELETE", path + "/" + phone.session_id, admin.access);
  EXPECT_EQ(ended.status, 204) << ended.body;
  EXPECT_TRUE(ended.body.empty());
  expect_problem(call(last, "GET", "/v1/me", phone.access), 401, "invalid-token");
  expect_problem(last.post_json("/v1/sessions/refresh", object{{"refresh_token", phone.refresh}}),
                 400, "invalid-refresh-token");
  EXPECT_FALSE(lives(phone.access)) << "the gateway check too, whatever it remembered";
  EXPECT_EQ(call(last, "GET", "/v1/me", laptop.access).status, 200) << "the laptop lives on";
  EXPECT_TRUE(lives(seed002_token));

  // A seed 002 session is ended the same way, by the id the list shows.
  EXPECT_EQ(call(first, "DELETE", path + "/" + seed002_session, admin.access).status, 204);
  EXPECT_FALSE(lives(seed002_token));
  EXPECT_TRUE(lives(laptop.access));
  const array left = as(admin, "GET", path).json().at("sessions").as_array();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at("id"), value(laptop.session_id));

  // An ended session, another user's session, and ids that are none: 404, and nothing ends.
  expect_problem(as(admin, "DELETE", path + "/" + phone.session_id), 404, "session-not-found");
  const Login other = register_and_login(client(), "someone-else3@example.com");
  expect_problem(as(admin, "DELETE", user_path(other.id) + "/sessions/" + laptop.session_id), 404,
                 "session-not-found");
  expect_problem(as(admin, "DELETE", path + "/not-a-session"), 404, "session-not-found");
  expect_problem(as(admin, "DELETE", path + "/" + std::string(22, '~')), 404, "session-not-found");
  expect_problem(as(admin, "DELETE", "/v1/admin/users/x1/sessions/" + laptop.session_id), 404,
                 "user-not-found");
  // A missing user is user-not-found, whatever follows it.
  expect_problem(as(admin, "DELETE", "/v1/admin/users/999999999/sessions/not-a-session"), 404,
                 "user-not-found");
  EXPECT_EQ(call(last, "GET", "/v1/me", laptop.access).status, 200);
  EXPECT_EQ(call(last, "GET", "/v1/me", other.access).status, 200);

  // The trail says which session, and that the later tries found none; an id that is none is
  // not copied in.
  std::vector<std::string> details;
  for (const auto& event : about(audit_trail(client(), admin.access), laptop.id)) {
    if (event.at("action") == "session_revoked") {
      details.push_back(std::string(event.at("outcome").as_string()) + " " +
                        std::string(event.at("detail").as_string()));
    }
  }
  EXPECT_EQ(details, (std::vector<std::string>{
                         "failure session (not a session id); session not found",
                         "failure session (not a session id); session not found",
                         "failure session " + phone.session_id + "; session not found",
                         "success session " + seed002_session,
                         "success session " + phone.session_id,
                     }))
      << "newest first";
}

TEST_F(AdminApi, AnAdministratorSetsAPasswordAndEveryCredentialOfTheUserEnds) {
  const Login admin = administrator("password-admin@example.com");
  const Login laptop = register_and_login(client(), "forgot-it@example.com");
  const std::string path = user_path(laptop.id) + "/password";
  expect_problem(as(admin, "POST", path, object{{"password", "password"}}), 400, "weak-password");
  expect_problem(as(admin, "POST", path, object{{"password", 5}}), 400, "invalid-field");
  expect_problem(as(admin, "POST", "/v1/admin/users/999999/password",
                    object{{"password", "a fresh long passphrase"}}),
                 404, "user-not-found");
  EXPECT_EQ(as(laptop, "GET", "/v1/me").status, 200) << "nothing changed yet";

  const auto set = as(admin, "POST", path, object{{"password", "a fresh long passphrase"}});
  ASSERT_EQ(set.status, 204) << set.body;
  for (int i = 0; i < 4; ++i) expect_problem(as(laptop, "GET", "/v1/me"), 401, "invalid-token");
  EXPECT_EQ(client()
                .post_json("/v1/sessions",
                           object{{"email", "forgot-it@example.com"}, {"password", kPassword}})
                .status,
            401);
  EXPECT_EQ(client()
                .post_json("/v1/sessions", object{{"email", "forgot-it@example.com"},
                                                  {"password", "a fresh long passphrase"}})
                .status,
            201);

  // A disabled account stays disabled: enable it first.
  ASSERT_EQ(as(admin, "PATCH", user_path(laptop.id), object{{"is_active", false}}).status, 200);
  expect_problem(as(admin, "POST", path, object{{"password", "another long passphrase"}}), 400,
                 "invalid-field");
  const auto trail = audit_trail(client(), admin.access);
  EXPECT_TRUE(std::any_of(trail.begin(), trail.end(), [&](const object& event) {
    return event.at("action") == value("password_set") &&
           event.at("target_user_id") == value(laptop.id);
  }));
}

TEST_F(AdminApi, ARecoveryLinkIsReturnedOnceAndEndsTheUsersSessions) {
  const Login admin = administrator("recovery-admin@example.com");
  const Login locked_out = register_and_login(client(), "locked-out@example.com");
  const std::string path = user_path(locked_out.id) + "/recovery";
  // Mailed (the default) needs mail.
  expect_problem(as(admin, "POST", path, object{}), 501, "mail-not-configured");
  expect_problem(as(admin, "POST", path, object{{"send_email", "no"}}), 400, "invalid-field");
  expect_problem(
      as(admin, "POST", "/v1/admin/users/999999/recovery", object{{"send_email", false}}), 404,
      "user-not-found");

  const auto issued = as(admin, "POST", path, object{{"send_email", false}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  EXPECT_EQ(issued.header("cache-control"), "no-store");
  const std::string url = text(issued.json().at("url"));
  const auto at = url.find("/account/reset-password#token=rcv_");
  ASSERT_NE(at, std::string::npos) << url;
  EXPECT_TRUE(issued.json().at("expires_at").is_string());
  for (int i = 0; i < 4; ++i) {
    expect_problem(as(locked_out, "GET", "/v1/me"), 401, "invalid-token");
  }
  const std::string token = url.substr(url.find("#token=") + 7);
  const auto reset = client().post_json(
      "/v1/password/reset", object{{"token", token}, {"new_password", "back in control now"}});
  ASSERT_EQ(reset.status, 204) << reset.body;
  const auto back = client().post_json("/v1/sessions", object{{"email", "locked-out@example.com"},
                                                              {"password", "back in control now"}});
  ASSERT_EQ(back.status, 201) << back.body;
  EXPECT_EQ(call(client(), "GET", "/v1/me", text(back.json().at("access_token")))
                .json()
                .at("email_verified"),
            value(false))
      << "a link handed over proves no mailbox";
}

TEST_F(AdminApi, RolesAreCreatedCountedAndDeleted) {
  const Login admin = administrator("role-admin@example.com");
  const auto roles = [&] {
    std::map<std::string, std::int64_t> counts;
    std::vector<std::string> names;
    const value body = as(admin, "GET", "/v1/admin/roles").json();
    for (const auto& role : body.at("roles").as_array()) {
      names.push_back(text(role.at("name")));
      counts[names.back()] = role.at("users").as_int64();
    }
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end())) << "by name";
    return counts;
  };
  const auto before = roles();
  EXPECT_GE(before.at("authd:admin"), 1);
  EXPECT_TRUE(before.contains("user"));

  const auto create = [&](const value& body) { return as(admin, "POST", "/v1/admin/roles", body); };
  const auto auditors = create(object{{"name", "auditors"}});
  ASSERT_EQ(auditors.status, 201) << auditors.body;
  EXPECT_EQ(auditors.json(), value(object{{"name", "auditors"}, {"users", 0}}));
  expect_problem(create(object{{"name", "auditors"}}), 409, "role-taken");
  for (const value& bad : {value(""), value(std::string(65, 'r')), value("has space"),
                           value("authd:x"), value("na\xC3\xAFve"), value(42)}) {
    expect_problem(create(object{{"name", bad}}), 400, "invalid-field");
  }
  expect_problem(create(object{}), 400, "invalid-field");
  expect_problem(create(object{{"name", "ok"}, {"colour", "red"}}), 400, "invalid-field");
  expect_problem(client().request("POST", "/v1/admin/roles", "{\"name\"", "application/json",
                                  {{"Authorization", "Bearer " + admin.access}}),
                 400, "malformed-body");
  for (const std::string& good : {std::string(64, 'r'), std::string("qa.team_1-x:y")}) {
    ASSERT_EQ(create(object{{"name", good}}).status, 201) << good;
    EXPECT_EQ(as(admin, "DELETE", "/v1/admin/roles/" + good).status, 204) << "held by nobody";
  }

  std::vector<std::int64_t> holders;
  for (const char* email : {"holder1@example.com", "holder2@example.com"}) {
    holders.push_back(created_user(admin, object{{"email", email},
                                                 {"password", kPassword},
                                                 {"roles", array{"user", "auditors"}}})
                          .at("id")
                          .as_int64());
  }
  EXPECT_EQ(roles().at("auditors"), 2);
  expect_problem(as(admin, "DELETE", "/v1/admin/roles/auditors"), 409, "role-in-use");
  expect_problem(as(admin, "DELETE", "/v1/admin/roles/auditors?force=maybe"), 400, "invalid-field");
  EXPECT_EQ(roles().at("auditors"), 2) << "still there";
  EXPECT_EQ(as(admin, "DELETE", "/v1/admin/roles/auditors?force=true").status, 204);
  EXPECT_FALSE(roles().contains("auditors"));
  for (const std::int64_t id : holders) {
    EXPECT_EQ(as(admin, "GET", user_path(id)).json().at("roles"), (array{"user"}));
  }
  expect_problem(as(admin, "DELETE", "/v1/admin/roles/auditors"), 404, "role-not-found");
  expect_problem(as(admin, "DELETE", "/v1/admin/roles/never-was"), 404, "role-not-found");
  for (const char* reserved : {"authd:admin", "authd:admin?force=true", "authd%3Aadmin"}) {
    expect_problem(as(admin, "DELETE", std::string("/v1/admin/roles/") + reserved), 400,
                   "invalid-field");
  }
  EXPECT_EQ(roles().at("authd:admin"), before.at("authd:admin"));
  expect_problem(as(admin, "POST", "/v1/admin/users",
                    object{{"email", "holder3@example.com"},
                           {"password", kPassword},
                           {"roles", array{"auditors"}}}),
                 400, "invalid-field");
}

TEST_F(AdminApi, TheAuditTrailRecordsWhoDidWhatWithoutSecrets) {
  const Login admin = administrator("auditor@example.com");
  const std::string guess = "Tr0ub4dor-guess-1234";
  register_user(client(), "audited@example.com");
  expect_problem(client().post_json("/v1/sessions",
                                    object{{"email", "audited@example.com"}, {"password", guess}}),
                 401, "invalid-credentials");
  const Login user = login(client(), "audited@example.com");
  ASSERT_EQ(as(admin, "PATCH", user_path(user.id), object{{"is_active", false}}).status, 200);

  std::string raw;
  const auto trail = audit_trail(client(), admin.access, &raw);
  const auto events = about(trail, user.id);
  std::vector<std::string> actions;
  for (const auto& event : events) actions.push_back(text(event.at("action")));
  ASSERT_EQ(actions, (std::vector<std::string>{"account_disabled", "login_success", "login_failure",
                                               "registration"}))
      << "newest first";
  EXPECT_EQ(events[0].at("actor"), value("user:" + std::to_string(admin.id)));
  EXPECT_EQ(events[0].at("outcome"), "success");
  EXPECT_EQ(events[1].at("actor"), value("user:" + std::to_string(user.id)));
  EXPECT_EQ(events[1].at("outcome"), "success");
  EXPECT_EQ(events[2].at("actor"), "anonymous");
  EXPECT_EQ(events[2].at("outcome"), "failure");
  const auto by_cli = about(trail, admin.id);
  EXPECT_TRUE(std::any_of(by_cli.begin(), by_cli.end(), [](const object& event) {
    return event.at("action") == "user_created" && event.at("actor") == "cli";
  })) << "the administrator's creation by the CLI";
  for (std::size_t i = 1; i < trail.size(); ++i) {
    ASSERT_GT(trail[i - 1].at("id").as_int64(), trail[i].at("id").as_int64()) << "newest first";
  }
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_GE(text(events[i - 1].at("at")), text(events[i].at("at")));
  }
  for (const std::string& secret :
       {std::string(kPassword), guess, user.access, user.refresh,
        std::string("audited@example.com"), std::string("auditor@example.com")}) {
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret;
  }

  // Pages of one are the first page of two, split.
  const auto two = as(admin, "GET", "/v1/admin/audit?limit=2");
  ASSERT_EQ(two.status, 200) << two.body;
  const auto one = as(admin, "GET", "/v1/admin/audit?limit=1");
  ASSERT_EQ(one.status, 200);
  const value cursor = one.json().at("next_cursor");
  ASSERT_TRUE(cursor.is_string()) << one.body;
  const auto next = as(admin, "GET", "/v1/admin/audit?limit=1&cursor=" + url_encode(text(cursor)));
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(one.json().at("events").as_array().size(), 1u);
  const value pair = two.json().at("events");
  ASSERT_EQ(pair.as_array().size(), 2u);
  EXPECT_EQ(one.json().at("events").as_array().at(0), pair.as_array().at(0));
  EXPECT_EQ(next.json().at("events").as_array().at(0), pair.as_array().at(1));
  for (const char* bad : {"limit=0", "limit=201", "limit=x", "cursor=not*a*cursor"}) {
    expect_problem(as(admin, "GET", std::string("/v1/admin/audit?") + bad), 400, "invalid-field");
  }
}

TEST_F(AdminApi, JsonBodiesFollowTheRulesOfTheRestOfV1) {
  const Login admin = administrator("bodies-admin@example.com");
  const Login target = register_and_login(client(), "bodies-target@example.com");
  const std::map<std::string, std::string> bearer{{"Authorization", "Bearer " + admin.access}};
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"POST", "/v1/admin/users"},
      {"PATCH", user_path(target.id)},
      {"POST", "/v1/admin/roles"},
      {"POST", user_path(target.id) + "/password"},
      {"POST", user_path(target.id) + "/recovery"}};
  for (const auto& [method, target_path] : routes) {
    expect_problem(client().request(method, target_path, "name=bodies-role",
                                    "application/x-www-form-urlencoded", bearer),
                   415, "unsupported-media-type");
    if (server().kind() != Deployment::Kind::nginx) {  // behind nginx, nginx's own 413 answers
      expect_problem(client().request(method, target_path, std::string(70 * 1024, ' '),
                                      "application/json", bearer),
                     413, "payload-too-large");
    }
  }
  EXPECT_EQ(as(admin, "DELETE", "/v1/admin/roles/bodies-role").status, 404) << "nothing written";
}

// The database goes away: every admin route fails fast with 503, as the rest of /v1 does.
TEST_F(AdminApi, HostileQueriesNamesAndIdsAreRefusedBeforeTheStore) {
  const Login admin = administrator("hostile-admin@example.com");
  const auto problem_of = [](const HttpResponse& response) {
    return std::string(response.json().at("type").as_string());
  };
  // Not text: refused with a 400 that does not echo the bytes back (the body stays JSON).
  for (const char* query :
       {"email_prefix=%FF", "role=%FF", "email_prefix=b%00zzz", "%FF%FE=1", "role=%1B%5B2K"}) {
    const auto refused = as(admin, "GET", std::string("/v1/admin/users?") + query);
    ASSERT_EQ(refused.status, 400) << query << " " << refused.body;
    EXPECT_EQ(problem_of(refused), "urn:authd:problem:invalid-field");
  }
  EXPECT_EQ(as(admin, "DELETE", "/v1/admin/roles/%FF").status, 404);
  // An empty value is no value, as the README's list of parameters shows them.
  const auto empty = as(admin, "GET", "/v1/admin/users?email_prefix=&role=&active=&limit=&cursor=");
  EXPECT_EQ(empty.status, 200) << empty.body;
  EXPECT_FALSE(ids_of(empty).empty());
  EXPECT_EQ(as(admin, "GET", "/v1/admin/audit?limit=&cursor=").status, 200);
  // An id is written one way only.
  EXPECT_EQ(as(admin, "GET", "/v1/admin/users/0" + std::to_string(admin.id)).status, 404);
  // The reserved prefix in any letter case, and the default role, stay.
  const auto look_alike = as(admin, "POST", "/v1/admin/roles", object{{"name", "AUTHD:admin"}});
  EXPECT_EQ(look_alike.status, 400) << look_alike.body;
  const auto default_role = as(admin, "DELETE", "/v1/admin/roles/user?force=true");
  EXPECT_EQ(default_role.status, 400) << default_role.body;
  register_user(client(), "still-a-user@example.com");
  const auto me = login(client(), "still-a-user@example.com");
  EXPECT_EQ(call(client(), "GET", "/v1/me", me.access).json().at("roles"), (array{"user"}));
}

TEST_F(AdminApi, RefusalsAndFailuresAreInTheTrailWithoutWhatTheRequestSaid) {
  const Login admin = administrator("refusals-admin@example.com");
  const Login plain = register_and_login(client(), "refusals-plain@example.com");
  EXPECT_EQ(call(client(), "GET", "/v1/admin/users", plain.access).status, 403);
  EXPECT_EQ(as(admin, "POST", "/v1/admin/roles", object{{"name", "user"}}).status, 409);
  EXPECT_EQ(as(admin, "PATCH", user_path(plain.id),
               object{{"roles", array{"refusals-plain@example.com", "\x1b[2K"}}})
                .status,
            400);
  const auto made = as(admin, "POST", "/v1/admin/users",
                       object{{"email", "refusals-made@example.com"},
                              {"password", kPassword},
                              {"roles", array{"authd:admin", "user"}}});
  ASSERT_EQ(made.status, 201) << made.body;
  std::string raw;
  const auto events = audit_trail(client(), admin.access, &raw);
  const auto find = [&](const std::string& action, const value& target) -> const object* {
    for (const auto& event : events) {
      if (event.at("action") == value(action) && event.at("target_user_id") == target)
        return &event;
    }
    return nullptr;
  };
  const object* refused = find("admin_access_refused", value(plain.id));
  ASSERT_NE(refused, nullptr) << raw;
  EXPECT_EQ(refused->at("actor"), value("user:" + std::to_string(plain.id)));
  EXPECT_EQ(refused->at("outcome"), "refused");
  const object* taken = find("role_created", value(nullptr));
  ASSERT_NE(taken, nullptr) << raw;
  EXPECT_EQ(taken->at("outcome"), "failure");
  EXPECT_EQ(taken->at("detail"), "user; role already exists");
  const object* bad_roles = find("user_updated", value(plain.id));
  ASSERT_NE(bad_roles, nullptr) << raw;
  EXPECT_EQ(bad_roles->at("outcome"), "failure");
  const object* created = find("user_created", value(made.json().at("id")));
  ASSERT_NE(created, nullptr) << raw;
  EXPECT_EQ(created->at("detail"), "roles=authd:admin,user") << "an administrator's making shows";
  EXPECT_EQ(raw.find("refusals-plain@example.com"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("\\u001b"), std::string::npos) << "no control character copied in";
}

TEST(PostgresAdminApiOutage, EveryAdminRouteAnswers503WhileTheDatabaseIsDown) {
  PrivateCluster cluster;
  AuthdProcess server({.args = {"--jwt-secret", kSharedTestSecret, "--key-encryption-key",
                                kSharedTestKeyEncryptionKey},
                       .database = cluster.uri()});
  HttpClient client(server.port());
  const std::int64_t id = create_administrator_with_cli(
      "--database " + cluster.uri() + " --key-encryption-key " + kSharedTestKeyEncryptionKey,
      "outage-admin@example.com", kPassword);
  const Login admin = login(client, "outage-admin@example.com");
  ASSERT_EQ(admin.id, id);
  ASSERT_EQ(call(client, "GET", "/v1/admin/roles", admin.access).status, 200);

  cluster.pause();
  for (const auto& route : every_admin_route(admin.id, "outage-role")) {
    SCOPED_TRACE(route.method + " " + route.target);
    const auto response = call(client, route.method, route.target, admin.access, route.body);
    expect_problem(response, 503, "unavailable");
    EXPECT_EQ(response.header("retry-after"), "1");
  }
}

}  // namespace
}  // namespace authd::test
