// The database goes away while authd serves: requests fail fast with 503 and a JSON body,
// /readyz turns 503 (/healthz, liveness, stays 200), nothing hangs or crashes; when the database is
// back authd recovers by itself, and everything acknowledged before the outage is still there.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/gateway.hpp"
#include "support/deployment.hpp"
#include "support/http_client.hpp"
#include "support/pg_test_cluster.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

using boost::json::object;

object user(int i) {
  return object{{"email", "outage" + std::to_string(i) + "@example.com"},
                {"password", "outage-kettle-orbit"}};
}

TEST(PostgresOutage, FailsFastDuringAnOutageAndRecoversAlone) {
  PrivateCluster cluster;
  TempDir maildir;
  AuthdProcess server({.args = {"--jwt-secret", kSharedTestSecret, "--key-encryption-key",
                                kSharedTestKeyEncryptionKey, "--mail-dir", maildir.path().string(),
                                "--mail-from", "accounts@authd.example"},
                       .database = cluster.uri()});
  HttpClient client(server.port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(client.post_json("/api/auth/register", user(i)).status, 201);
  }

  // A /v1 session from before the outage: its token is valid, but revocation needs the store.
  ASSERT_EQ(client.post_json("/v1/users", user(50)).status, 201);
  const auto session = client.post_json("/v1/sessions", user(50));
  ASSERT_EQ(session.status, 201);
  const std::map<std::string, std::string> bearer{
      {"Authorization", "Bearer " + std::string(session.json().at("access_token").as_string())}};
  const std::string session_path =
      "/v1/sessions/" + std::string(session.json().at("session_id").as_string());

  cluster.pause();
  std::vector<std::pair<std::string, std::string>> bearer_routes{
      {"GET", "/v1/me"},          {"GET", "/v1/sessions"},
      {"DELETE", session_path},   {"DELETE", "/v1/sessions/current"},
      {"DELETE", "/v1/sessions"}, {"POST", "/v1/email/verification"}};
  // The gateway check fails closed: no store, no answer but 503 (the proxy then refuses).
  for (const std::string_view method : api::kCheckMethods) {
    bearer_routes.emplace_back(method, "/v1/check");
    bearer_routes.emplace_back(method, "/v1/check/app");  // Envoy's form
  }
  for (const auto& [method, path] : bearer_routes) {
    auto response = client.request(method, path, "", "", bearer);
    EXPECT_EQ(response.status, 503) << method << " " << path;
    EXPECT_EQ(response.header("retry-after"), "1") << path;
    EXPECT_EQ(response.header("content-type"), "application/problem+json") << path;
  }
  // The owner's own account: proving the current password needs the store too.
  for (const char* path :
       {"/v1/me/password", "/v1/me/deactivate", "/v1/me/delete", "/v1/me/email"}) {
    auto response = client.request(
        "POST", path, R"({"current_password":"outage-kettle-orbit","new_password":"x"})",
        "application/json", bearer);
    EXPECT_EQ(response.status, 503) << path;
    EXPECT_EQ(response.header("content-type"), "application/problem+json") << path;
  }
  struct Case {
    const char* method;
    const char* path;
    object body;
  };
  const object named{{"email", "x@example.com"},
                     {"password", "outage-kettle-orbit"},
                     {"first_name", "X"},
                     {"last_name", "Y"}};
  for (const Case& c :
       {Case{"POST", "/api/auth/login", user(0)}, Case{"POST", "/auth/login", user(0)},
        Case{"POST", "/auth/register", user(0)}, Case{"POST", "/auth", named},
        Case{"PUT", "/auth", user(0)}, Case{"POST", "/v1/users", user(0)},
        Case{"POST", "/v1/sessions", user(0)},
        Case{"POST", "/v1/sessions/refresh", object{{"refresh_token", "x"}}},
        Case{"POST", "/v1/password/forgot", object{{"email", "x@example.com"}}},
        Case{"POST", "/v1/password/reset", object{{"token", "rst_x"}, {"new_password", "x"}}},
        Case{"POST", "/v1/email/verification/confirm", object{{"token", "vfy_x"}}},
        Case{"POST", "/v1/email/change/confirm", object{{"token", "eml_x"}}},
        Case{"POST", "/v1/email/change/revert", object{{"token", "rev_x"}}}}) {
    // A hang would exceed the client's read timeout and fail here.
    auto response = client.request(c.method, c.path, boost::json::serialize(c.body));
    EXPECT_EQ(response.status, 503) << c.method << " " << c.path;
    EXPECT_EQ(response.header("retry-after"), "1") << c.path;
    EXPECT_TRUE(response.json().is_object()) << c.path;
  }
  auto registration = client.post_json("/api/auth/register", user(99));
  EXPECT_EQ(registration.status, 503);
  EXPECT_EQ(registration.json().at("success"), false);
  EXPECT_EQ(client.request("GET", "/healthz", "", "").status, 200) << "alive, though not ready";
  EXPECT_EQ(client.request("GET", "/readyz", "", "").status, 503);
  const auto metrics = client.request("GET", "/metrics", "", "");
  EXPECT_EQ(metrics.status, 200) << "metrics stay available during an outage";
  EXPECT_EQ(metrics.body.find("authd_store_errors_total 0\n"), std::string::npos)
      << "the failed store calls are counted";

  cluster.resume();
  const auto back = std::chrono::steady_clock::now();
  int health = 0;
  while (std::chrono::steady_clock::now() - back < std::chrono::seconds(10)) {
    health = client.request("GET", "/readyz", "", "").status;
    if (health == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(health, 200) << "authd did not recover within 10 s";
  std::cout << "recovered "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - back)
                   .count()
            << " ms after the database came back\n";

  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.post_json("/api/auth/login", user(i)).status, 200) << "user " << i;
  }
  EXPECT_EQ(client.post_json("/api/auth/register", user(99)).status, 201)
      << "the refused registration was not half-written";
}

}  // namespace
}  // namespace authd::test
