// When the store cannot record a failed login (a read-only database file, a full disk, a
// read-only PostgreSQL), every login gets the same 503: a wrong guess must not be answered as a
// wrong guess (unlimited and free), nor differently from the right password (which would tell
// the attacker they found it). /readyz says not ready, and both recover by themselves.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/authd_process.hpp"
#include "support/command.hpp"
#include "support/deployment.hpp"
#include "support/http_client.hpp"
#include "support/pg_test_cluster.hpp"

namespace authd::test {
namespace {

using boost::json::object;

const object kAda{{"email", "ada@example.com"}, {"password", "fail-closed-kettle-orbit"}};
const object kWrong{{"email", "ada@example.com"}, {"password", "a-wrong-guess-42"}};
const object kUnknown{{"email", "nobody@example.com"}, {"password", "a-wrong-guess-42"}};

// Every login route with the right password, a wrong one and an unknown email: all 503.
void expect_every_login_refused_alike(HttpClient& client) {
  struct Route {
    const char* method;
    const char* path;
  };
  for (const Route& route : {Route{"POST", "/auth/login"}, Route{"PUT", "/auth"},
                             Route{"POST", "/api/auth/login"}, Route{"POST", "/v1/sessions"}}) {
    for (const object* body : {&kWrong, &kUnknown, &kAda}) {
      const auto response = client.request(route.method, route.path, boost::json::serialize(*body));
      EXPECT_EQ(response.status, 503) << route.path << " " << boost::json::serialize(*body);
      EXPECT_EQ(response.header("retry-after"), "1") << route.path;
    }
  }
}

// /readyz answers from a probe made at most once a second: asks until it answers `status`
// (true) or 10 s have passed (false).
bool readiness_becomes(HttpClient& client, int status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (client.request("GET", "/readyz", "", "").status == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// Asks until a login gets `status` (the server's sessions see a changed setting a moment after
// the reload), or 10 s have passed.
bool login_becomes(HttpClient& client, const object& body, int status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (client.post_json("/v1/sessions", body).status == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void chattr(const std::string& flag, const std::filesystem::path& file) {
  const auto result = run_command("chattr " + flag + " " + file.string() + " 2>&1");
  ASSERT_EQ(result.exit_status, 0) << "chattr " << flag << " " << file << ": " << result.output
                                   << " (this test needs root and a file system with chattr, "
                                      "such as ext4)";
}

TEST(FailClosed, AnUnwritableSqliteFileRefusesEveryLoginAlike) {
  AuthdProcess server;
  HttpClient client(server.port());
  ASSERT_EQ(client.post_json("/v1/users", kAda).status, 201);
  ASSERT_EQ(client.post_json("/v1/sessions", kAda).status, 201);
  ASSERT_EQ(client.request("GET", "/readyz", "", "").status, 200);

  // Immutable (even for root): every write fails, every read still works.
  const auto database = server.database();
  const std::filesystem::path wal = database.string() + "-wal";
  ASSERT_NO_FATAL_FAILURE(chattr("+i", database));
  ASSERT_NO_FATAL_FAILURE(chattr("+i", wal));
  expect_every_login_refused_alike(client);
  EXPECT_TRUE(readiness_becomes(client, 503));
  EXPECT_EQ(client.request("GET", "/healthz", "", "").status, 200) << "alive, not ready";

  ASSERT_NO_FATAL_FAILURE(chattr("-i", wal));
  ASSERT_NO_FATAL_FAILURE(chattr("-i", database));
  EXPECT_TRUE(readiness_becomes(client, 200));
  EXPECT_EQ(client.post_json("/v1/sessions", kAda).status, 201);
  EXPECT_EQ(client.post_json("/v1/sessions", kWrong).status, 401);
}

TEST(PostgresFailClosed, AReadOnlyServerRefusesEveryLoginAlike) {
  PrivateCluster cluster;
  AuthdProcess server({.args = {"--jwt-secret", kSharedTestSecret, "--key-encryption-key",
                                kSharedTestKeyEncryptionKey},
                       .database = cluster.uri()});
  HttpClient client(server.port());
  ASSERT_EQ(client.post_json("/v1/users", kAda).status, 201);
  ASSERT_EQ(client.request("GET", "/readyz", "", "").status, 200);

  // As after a failover to a standby, or a disk-full guard: sessions already open turn
  // read-only at the reload.
  pg_query(cluster.uri(), "ALTER SYSTEM SET default_transaction_read_only = on");
  pg_query(cluster.uri(), "SELECT pg_reload_conf()");
  ASSERT_TRUE(login_becomes(client, kAda, 503)) << "the server's sessions took the reload";
  expect_every_login_refused_alike(client);
  EXPECT_TRUE(readiness_becomes(client, 503));

  pg_query(cluster.uri(), "ALTER SYSTEM RESET default_transaction_read_only");
  pg_query(cluster.uri(), "SELECT pg_reload_conf()");
  EXPECT_TRUE(readiness_becomes(client, 200));
  EXPECT_TRUE(login_becomes(client, kAda, 201));
}

}  // namespace
}  // namespace authd::test
