// Several authd instances on one PostgreSQL: state lives in the store, so any instance serves
// any request, and instances starting together migrate the database exactly once.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "crypto/digest.hpp"
#include "crypto/jws.hpp"
#include "support/deployment.hpp"
#include "support/http_client.hpp"
#include "support/pg_test_cluster.hpp"

namespace authd::test {
namespace {

using boost::json::object;

class PostgresInstances : public ::testing::Test {
 protected:
  Deployment deployment_{Deployment::Kind::nginx};
  HttpClient a_{deployment_.instance(0).port()};
  HttpClient b_{deployment_.instance(1).port()};
};

TEST_F(PostgresInstances, UserRegisteredOnALogsInOnB) {
  const object credentials{{"email", "Shared@Example.com"}, {"password", "shared-kettle-orbit"}};
  ASSERT_EQ(a_.post_json("/api/auth/register", credentials).status, 201);
  auto login = b_.post_json("/api/auth/login", credentials);
  ASSERT_EQ(login.status, 200) << login.body;
  // Tokens from either instance verify with the one shared secret.
  const std::string token(login.json().at("token").as_string());
  EXPECT_TRUE(crypto::verify_hs256(token, kSharedTestSecret, {.now = std::time(nullptr)}));
  EXPECT_EQ(b_.post_json("/api/auth/register", credentials).status, 409) << "taken on B too";
}

TEST_F(PostgresInstances, Seed002SessionFromAIsReplacedByALoginOnB) {
  auto registered = a_.post_json("/auth", object{{"email", "session@example.com"},
                                                 {"password", "session-kettle-orbit"},
                                                 {"first_name", "Ses"},
                                                 {"last_name", "Sion"}});
  ASSERT_EQ(registered.status, 201);
  const std::string first(registered.json().at("sessionToken").as_string());
  auto login = b_.put_json(
      "/auth", object{{"email", "session@example.com"}, {"password", "session-kettle-orbit"}});
  ASSERT_EQ(login.status, 200);
  const std::string second(login.json().at("sessionToken").as_string());

  const auto rows = deployment_.query(
      "SELECT token_hash, CASE WHEN revoked_at IS NULL THEN 'live' ELSE 'revoked' END "
      "FROM sessions ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (Row{crypto::sha256_hex(first), "revoked"}));
  EXPECT_EQ(rows[1], (Row{crypto::sha256_hex(second), "live"}));
}

TEST(PostgresMigrations, InstancesStartingTogetherMigrateOnce) {
  const std::string database = create_test_database();
  std::vector<std::unique_ptr<AuthdProcess>> instances(4);
  std::vector<std::string> errors(4);
  std::vector<std::thread> starters;
  for (std::size_t i = 0; i < instances.size(); ++i) {
    starters.emplace_back([&, i] {
      try {
        instances[i] = std::make_unique<AuthdProcess>(
            AuthdProcess::Options{.args = {"--jwt-secret", kSharedTestSecret,
                                           "--key-encryption-key", kSharedTestKeyEncryptionKey},
                                  .database = database});
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& starter : starters) starter.join();
  for (std::size_t i = 0; i < instances.size(); ++i) {
    EXPECT_TRUE(instances[i]) << errors[i];
  }
  // Every migration recorded, none twice.
  EXPECT_EQ(pg_query(database,
                     "SELECT MIN(version), MAX(c) FROM (SELECT version, COUNT(*) AS c "
                     "FROM schema_migrations GROUP BY version) per_version"),
            (std::vector<Row>{{"1", "1"}}));
  EXPECT_EQ(pg_query(database, "SELECT COUNT(*) = MAX(version) FROM schema_migrations"),
            (std::vector<Row>{{"t"}}));
  EXPECT_EQ(pg_query(database, "SELECT COUNT(*) FROM roles"), (std::vector<Row>{{"6"}}));
}

TEST(PostgresConfiguration, AGeneratedSecretIsRefused) {
  // Each instance would generate its own and reject the others' tokens.
  AuthdProcess server({.expect_start = false, .database = create_test_database()});
  EXPECT_NE(server.wait_exit(), 0);
  EXPECT_NE(server.log().find("every instance must share one JWT secret"), std::string::npos)
      << server.log();
}

}  // namespace
}  // namespace authd::test
