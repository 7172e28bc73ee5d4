// `authd import` reading the SQL servers the Sequelize apps (seed 000, seed 003) also run on:
// PostgreSQL and MariaDB, each with the schema the app made there itself (make-fixtures.js
// --db-url runs the app against a fresh database of the server and registers its users through
// its own HTTP routes). The accounts then log in to authd with their old passwords and ids, and
// the old app's tokens pass the gateway check. CTest starts both servers once per run
// (fixtures "postgres" and "mariadb").
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <random>
#include <sstream>

#include "support/command.hpp"
#include "support/deployment.hpp"
#include "support/http_client.hpp"
#include "support/jwt_claims.hpp"
#include "support/pg_test_cluster.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

using boost::json::object;

const std::string kLegacyApps = std::string(AUTHD_SOURCE_DIR) + "/tests/legacy-apps";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A new empty database on the run's MariaDB server; returns its mysql:// URI.
std::string create_mariadb_database() {
  const std::string server = read_file(std::string(AUTHD_TEST_MARIADB_DIR) + "/uri");
  if (server.empty()) {
    throw std::runtime_error("MariaDB is not running (tests/mariadb/mariadb_server.sh start " +
                             std::string(AUTHD_TEST_MARIADB_DIR) + ")");
  }
  const std::string uri = server.substr(0, server.find_last_not_of("\n") + 1);
  static std::mt19937_64 random{std::random_device{}()};
  const std::string name = "app" + std::to_string(random() % 1000000000);
  const std::string port = read_file(std::string(AUTHD_TEST_MARIADB_DIR) + "/port");
  const CommandResult created = run_command(
      "mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P " + port.substr(0, port.find('\n')) +
      " -u authd -pauthd-test-password -e 'CREATE DATABASE " + name + "'");
  if (created.exit_status != 0) throw std::runtime_error("CREATE DATABASE: " + created.output);
  return uri + "/" + name;
}

struct Source {
  std::string server;  // "postgres" or "mariadb"
  std::string app;     // "seed000" or "seed003"
};

void PrintTo(const Source& source, std::ostream* out) {
  *out << source.app << " from " << source.server;
}

std::string source_name(const ::testing::TestParamInfo<Source>& info) {
  return info.param.app + "From" + (info.param.server == "postgres" ? "Postgres" : "MariaDb");
}

class ImportSource : public ::testing::TestWithParam<Source> {};

TEST_P(ImportSource, AccountsTheAppMadeThereLogInWithTheirOldPasswordsIdsAndTokens) {
  const Source source = GetParam();
  const std::string database =
      source.server == "postgres" ? create_test_database() : create_mariadb_database();
  TempDir fixtures;
  const CommandResult made =
      run_command("node " + kLegacyApps + "/make-fixtures.js " + fixtures.path().string() +
                  " --seed 11 --users 5 --apps " + source.app + " --db-url " + database);
  ASSERT_EQ(made.exit_status, 0) << made.output;
  const auto manifest = boost::json::parse(read_file(fixtures.file("manifest.json"))).as_object();
  const auto& app = manifest.at("apps").as_array().at(0).as_object();
  const std::string secret(app.at("jwt_secret").as_string());

  Deployment server(Deployment::Kind::sqlite, {"--jwt-secret", secret});
  const CommandResult imported =
      run_command(std::string(AUTHD_BINARY) + " import " + source.app + " " + database +
                  " --skip-conflicts --database " + server.instance(0).database_option());
  ASSERT_EQ(imported.exit_status, 0) << imported.output;

  HttpClient client(server.port());
  const std::string login_route = source.app == "seed000" ? "/auth/login" : "/api/auth/login";
  int logged_in = 0, tokens = 0;
  for (const auto& entry : app.at("users").as_array()) {
    const auto& user = entry.as_object();
    const std::string note =
        user.if_contains("note") ? std::string(user.at("note").as_string()) : std::string();
    // PostgreSQL, like SQLite, let the app register both case twins: the lower-case one is
    // skipped (MariaDB's collation made the app refuse it already).
    if (note.starts_with("case twin (lower")) {
      EXPECT_NE(imported.output.find("(id " + std::to_string(user.at("id").as_int64())),
                std::string::npos)
          << imported.output;
      continue;
    }
    const bool inactive = note.starts_with("deactivated");
    auto login = client.post_json(
        login_route, object{{"email", user.at("email")}, {"password", user.at("password")}});
    if (inactive) {
      EXPECT_EQ(login.status, 403) << login.body;
    } else {
      ASSERT_EQ(login.status, 200) << user.at("email") << " " << login.body;
      ++logged_in;
      const boost::json::value body = login.json();
      const std::int64_t id =
          source.app == "seed000"
              ? jwt_payload(std::string(body.at("token").as_string())).at("id").as_int64()
              : body.at("data").at("user").at("id").as_int64();
      EXPECT_EQ(id, user.at("id").as_int64()) << user.at("email");
      if (source.app == "seed003") {
        EXPECT_EQ(body.at("data").at("user").at("role"), user.at("role")) << user.at("email");
      }
    }
    if (const auto* token = user.if_contains("token")) {
      ++tokens;
      HttpClient checker(server.port());
      auto answer =
          checker.request("GET", "/v1/check", {}, {},
                          {{"Authorization", "Bearer " + std::string(token->as_string())}});
      EXPECT_EQ(answer.status, inactive ? 401 : 200) << user.at("email") << " " << answer.body;
      if (!inactive) {
        EXPECT_EQ(answer.header("x-auth-user-id"), std::to_string(user.at("id").as_int64()));
      }
    }
  }
  EXPECT_GE(logged_in, 10);
  EXPECT_GT(tokens, 0);
  // Every hash that logged in is argon2id now; the inactive account's is as it was.
  const auto legacy = server.query("SELECT COUNT(*) FROM users WHERE password_hash LIKE '$2%'");
  EXPECT_EQ(*legacy.at(0).at(0), source.app == "seed003" ? "1" : "0");
}

INSTANTIATE_TEST_SUITE_P(Servers, ImportSource,
                         ::testing::Values(Source{"postgres", "seed000"},
                                           Source{"postgres", "seed003"},
                                           Source{"mariadb", "seed000"},
                                           Source{"mariadb", "seed003"}),
                         source_name);

}  // namespace
}  // namespace authd::test
