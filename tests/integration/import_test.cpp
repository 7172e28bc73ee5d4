// `authd import` on databases the legacy Express apps made themselves (tests/legacy-apps, run by
// make-fixtures.js through their own HTTP routes): every account logs in through its app's
// dialect with its old password and id, roles and inactive flags hold, the old tokens and live
// sessions pass the gateway check, hashes are argon2id after the first login, and rows that
// are one account under authd's rules stop the import unless skipped. One authd per app (each
// app has its own JWT secret and its own ids), on the deployment's store (SQLite or PostgreSQL).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "support/command.hpp"
#include "support/deployment.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

using boost::json::object;

const std::string kLegacyApps = std::string(AUTHD_SOURCE_DIR) + "/tests/legacy-apps";

// One app's database and what its manifest says about it.
struct LegacyDatabase {
  std::string app{};
  std::string path{};
  std::string jwt_secret{};
  boost::json::array users{};
};

// One app imported into its own authd.
struct ImportedApp {
  LegacyDatabase source{};
  std::unique_ptr<Deployment> server{};
  CommandResult refused{};   // the import without --skip-conflicts
  CommandResult dry_run{};   // --dry-run --skip-conflicts
  CommandResult imported{};  // --skip-conflicts --report
  CommandResult repeated{};  // the same import again
  boost::json::value report{};
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class Import : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      fixtures_ = std::make_unique<TempDir>();
      if (!std::filesystem::exists(kLegacyApps + "/node_modules")) {
        throw std::runtime_error(
            "tests/legacy-apps/node_modules is missing: scripts/test.sh runs "
            "npm ci there");
      }
      const CommandResult made = run_command("node " + kLegacyApps + "/make-fixtures.js " +
                                             fixtures_->path().string() + " --seed 7 --users 5");
      if (made.exit_status != 0) throw std::runtime_error("make-fixtures.js: " + made.output);
      const auto manifest =
          boost::json::parse(read_file(fixtures_->file("manifest.json"))).as_object();
      for (const auto& entry : manifest.at("apps").as_array()) {
        const auto& app = entry.as_object();
        LegacyDatabase source{.app = std::string(app.at("app").as_string()),
                              .path = fixtures_->file(app.at("database").as_string()),
                              .users = app.at("users").as_array()};
        if (const auto* secret = app.if_contains("jwt_secret")) {
          source.jwt_secret = std::string(secret->as_string());
        }
        const std::string name = source.app;
        apps_.emplace(name, import_app(std::move(source)));
      }
    } catch (const std::exception& e) {
      start_error_ = std::string("setting up the imports failed: ") + e.what();
    }
  }
  static void TearDownTestSuite() {
    apps_.clear();
    fixtures_.reset();
  }

  void SetUp() override {
    ASSERT_TRUE(start_error_.empty()) << start_error_;
    ASSERT_EQ(apps_.size(), 3u) << "one database per legacy app";
  }

  static std::string store_options(Deployment& server) {
    std::string options = " --database " + quoted(server.instance(0).database_option());
    if (server.kind() != Deployment::Kind::sqlite) {
      options += std::string(" --key-encryption-key ") + kSharedTestKeyEncryptionKey;
    }
    return options;
  }

  static CommandResult import(Deployment& server, const std::string& app, const std::string& path,
                              const std::string& flags) {
    return run_command(std::string(AUTHD_BINARY) + " import " + app + " sqlite:" + path + " " +
                       flags + store_options(server));
  }

  static ImportedApp import_app(LegacyDatabase source) {
    ImportedApp imported{.source = std::move(source)};
    std::vector<std::string> args;
    if (!imported.source.jwt_secret.empty()) args = {"--jwt-secret", imported.source.jwt_secret};
    imported.server = std::make_unique<Deployment>(Deployment::kind_from_environment(), args);
    Deployment& server = *imported.server;
    const std::string& app = imported.source.app;
    const std::string& path = imported.source.path;
    imported.refused = import(server, app, path, "");
    imported.dry_run = import(server, app, path, "--dry-run --skip-conflicts");
    const std::string report = fixtures_->file(app + "-report.json");
    imported.imported = import(server, app, path, "--skip-conflicts --report " + report);
    imported.report = boost::json::parse(read_file(report));
    imported.repeated = import(server, app, path, "");
    return imported;
  }

  static ImportedApp& app(const std::string& name) { return apps_.at(name); }

  // The manifest's users of `app`, but the lower-case case twin, which the import skips (the
  // lowest id of the two is kept).
  static std::vector<object> kept_users(const std::string& name) {
    std::vector<object> users;
    for (const auto& user : app(name).source.users) {
      const auto& u = user.as_object();
      if (std::string_view(u.at("email").as_string()).starts_with("case.twin.")) continue;
      users.push_back(u);
    }
    return users;
  }

  static object user_with_note(const std::string& name, std::string_view note_start) {
    for (const auto& user : app(name).source.users) {
      const auto& u = user.as_object();
      if (const auto* note = u.if_contains("note");
          note && std::string_view(note->as_string()).starts_with(note_start)) {
        return u;
      }
    }
    throw std::runtime_error("no user with the note " + std::string(note_start));
  }

  static HttpResponse check(Deployment& server, const std::string& credential) {
    HttpClient client(server.port());
    return client.request("GET", "/v1/check", {}, {}, {{"Authorization", "Bearer " + credential}});
  }

  static std::string stored_hash(Deployment& server, std::int64_t id) {
    const auto rows =
        server.query("SELECT password_hash FROM users WHERE id = " + std::to_string(id));
    return rows.size() == 1 && rows[0][0] ? *rows[0][0] : std::string("(none)");
  }

 private:
  static inline std::unique_ptr<TempDir> fixtures_;
  static inline std::map<std::string, ImportedApp> apps_;
  static inline std::string start_error_;
};

TEST_F(Import, RowsThatAreOneAccountUnderAuthdsRulesStopTheImportUnlessSkipped) {
  for (const std::string name : {"seed000", "seed002", "seed003"}) {
    ImportedApp& imported = app(name);
    const object twin = user_with_note(name, "case twin (lower case)");
    const object first = user_with_note(name, "case twin (mixed case");
    const std::string twin_id = std::to_string(twin.at("id").as_int64());
    // By default nothing is written, and the row is named: its id, its email and why.
    EXPECT_EQ(imported.refused.exit_status, 4) << name << imported.refused.output;
    EXPECT_NE(imported.refused.output.find("(id " + twin_id + ", " +
                                           std::string(twin.at("email").as_string()) + ")"),
              std::string::npos)
        << imported.refused.output;
    EXPECT_NE(imported.refused.output.find("the same account as id " +
                                           std::to_string(first.at("id").as_int64())),
              std::string::npos)
        << imported.refused.output;
    EXPECT_NE(imported.refused.output.find("nothing written"), std::string::npos);
    // A dry run says what would happen and writes nothing either.
    EXPECT_EQ(imported.dry_run.exit_status, 0) << imported.dry_run.output;
    EXPECT_NE(imported.dry_run.output.find("nothing written"), std::string::npos);
    // Then --skip-conflicts imports the rest: the report lists the skipped row.
    EXPECT_EQ(imported.imported.exit_status, 0) << imported.imported.output;
    const auto& report = imported.report.as_object();
    EXPECT_EQ(report.at("read").as_int64(),
              static_cast<std::int64_t>(imported.source.users.size()));
    EXPECT_EQ(report.at("imported").as_int64(),
              static_cast<std::int64_t>(imported.source.users.size()) - 1);
    ASSERT_EQ(report.at("problems").as_array().size(), 1u);
    const auto& skipped = report.at("problems").as_array()[0].as_object();
    EXPECT_EQ(skipped.at("id"), twin.at("id"));
    EXPECT_EQ(skipped.at("email"), twin.at("email"));
    // The accounts in the store are those of that one import: the refused and dry runs wrote
    // nothing, and a second run is refused whole (every id is taken).
    const auto rows = imported.server->query("SELECT COUNT(*) FROM users");
    EXPECT_EQ(*rows.at(0).at(0), std::to_string(imported.source.users.size() - 1)) << name;
    EXPECT_EQ(imported.repeated.exit_status, 4) << imported.repeated.output;
    EXPECT_NE(imported.repeated.output.find("the id is another account's in authd's store"),
              std::string::npos);
  }
}

TEST_F(Import, Seed000UsersLogInWithTheirOldPasswordsAndIdsAndGetArgon2id) {
  Deployment& server = *app("seed000").server;
  HttpClient client(server.port());
  for (const object& user : kept_users("seed000")) {
    const std::int64_t id = user.at("id").as_int64();
    EXPECT_TRUE(stored_hash(server, id).starts_with("$2")) << "bcrypt kept as it was";
    auto login = client.post_json(
        "/auth/login", object{{"email", user.at("email")}, {"password", user.at("password")}});
    ASSERT_EQ(login.status, 200) << user.at("email") << " " << login.body;
    const std::string token(login.json().at("token").as_string());
    EXPECT_EQ(check(server, token).header("x-auth-user-id"), std::to_string(id));
    EXPECT_TRUE(stored_hash(server, id).starts_with("$argon2id$")) << user.at("email");
  }
}

TEST_F(Import, Seed000TokensOfTheOldAppPassTheGatewayCheckAsTheSameUser) {
  Deployment& server = *app("seed000").server;
  int tokens = 0;
  for (const object& user : kept_users("seed000")) {
    const auto* token = user.if_contains("token");
    if (token == nullptr) continue;
    ++tokens;
    auto answer = check(server, std::string(token->as_string()));
    EXPECT_EQ(answer.status, 200) << user.at("email") << " " << answer.body;
    EXPECT_EQ(answer.header("x-auth-user-id"), std::to_string(user.at("id").as_int64()));
  }
  EXPECT_GT(tokens, 0) << "the fixtures hold tokens";
  // A token signed with another secret is not the old app's.
  EXPECT_EQ(check(*app("seed003").server,
                  std::string(kept_users("seed000").front().at("token").as_string()))
                .status,
            401);
}

TEST_F(Import, Seed002UsersLogInAndTheirLiveSessionsPassTheGatewayCheck) {
  Deployment& server = *app("seed002").server;
  int replaced = 0;
  for (const object& user : kept_users("seed002")) {
    const std::string id = std::to_string(user.at("id").as_int64());
    auto live = check(server, std::string(user.at("session_token").as_string()));
    EXPECT_EQ(live.status, 200) << user.at("email") << " " << live.body;
    EXPECT_EQ(live.header("x-auth-user-id"), id);
    EXPECT_EQ(live.header("remote-name"), std::string(user.at("first_name").as_string()) + " " +
                                              std::string(user.at("last_name").as_string()));
    // The token a later login of the old app replaced is dead there, and here.
    if (const auto* previous = user.if_contains("previous_session_token")) {
      ++replaced;
      EXPECT_EQ(check(server, std::string(previous->as_string())).status, 401);
    }
  }
  EXPECT_GT(replaced, 0);
  // Only the tokens' hashes are stored.
  const object any = kept_users("seed002").front();
  EXPECT_TRUE(server
                  .query("SELECT 1 FROM sessions WHERE token_hash = '" +
                         std::string(any.at("session_token").as_string()) + "'")
                  .empty());

  HttpClient client(server.port());
  for (const object& user : kept_users("seed002")) {
    auto login = client.put_json(
        "/auth", object{{"email", user.at("email")}, {"password", user.at("password")}});
    EXPECT_EQ(login.status, 200) << user.at("email") << " " << login.body;
    EXPECT_TRUE(stored_hash(server, user.at("id").as_int64()).starts_with("$argon2id$"));
  }
}

TEST_F(Import, Seed003RolesInactiveFlagsAndLastLoginComeAcross) {
  Deployment& server = *app("seed003").server;
  HttpClient client(server.port());
  const object inactive = user_with_note("seed003", "deactivated");
  // Before anyone logs in here: lastLogin as the old app left it.
  for (const object& user : kept_users("seed003")) {
    const auto* last = user.if_contains("lastLogin");
    const auto rows = server.query(
        server.kind() == Deployment::Kind::sqlite
            ? "SELECT last_login FROM users WHERE id = " + std::to_string(user.at("id").as_int64())
            : "SELECT (extract(epoch FROM last_login) * 1000)::bigint FROM users WHERE id = " +
                  std::to_string(user.at("id").as_int64()));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0].has_value(), last != nullptr && !last->is_null()) << user.at("email");
  }
  for (const object& user : kept_users("seed003")) {
    const std::int64_t id = user.at("id").as_int64();
    auto login = client.post_json(
        "/api/auth/login", object{{"email", user.at("email")}, {"password", user.at("password")}});
    if (user.at("id") == inactive.at("id")) {
      EXPECT_EQ(login.status, 403) << "an inactive account stays unable to log in";
      EXPECT_TRUE(stored_hash(server, id).starts_with("$2")) << "and keeps its old hash";
      continue;
    }
    ASSERT_EQ(login.status, 200) << user.at("email") << " " << login.body;
    const boost::json::value body = login.json();
    const auto& account = body.at("data").at("user").as_object();
    EXPECT_EQ(account.at("id").as_int64(), id);
    EXPECT_EQ(account.at("role"), user.at("role")) << user.at("email");
    EXPECT_TRUE(account.at("passwordResetToken").is_null());
    EXPECT_TRUE(stored_hash(server, id).starts_with("$argon2id$"));
    // Every granted role, each once.
    auto checked = check(server, std::string(body.at("token").as_string()));
    std::vector<std::string> roles;
    std::stringstream listed(checked.header("x-auth-user-roles"));
    for (std::string role; std::getline(listed, role, ',');) roles.push_back(role);
    std::vector<std::string> expected;
    for (const auto& role : user.at("roles").as_array()) expected.emplace_back(role.as_string());
    std::sort(roles.begin(), roles.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(roles, expected) << user.at("email");
  }
  // The old app's tokens: the inactive user's is refused, the others name their user.
  for (const object& user : kept_users("seed003")) {
    const auto* token = user.if_contains("token");
    if (token == nullptr) continue;
    auto answer = check(server, std::string(token->as_string()));
    if (user.at("id") == inactive.at("id")) {
      EXPECT_EQ(answer.status, 401) << answer.body;
    } else {
      EXPECT_EQ(answer.status, 200) << user.at("email") << " " << answer.body;
      EXPECT_EQ(answer.header("x-auth-user-id"), std::to_string(user.at("id").as_int64()));
    }
  }
}

TEST_F(Import, Seed003PendingResetTokenIsNeitherCarriedOverNorShown) {
  Deployment& server = *app("seed003").server;
  const object pending = user_with_note("seed003", "pending reset token");
  const auto rows = server.query(
      "SELECT password_reset_token_hash, password_reset_expires FROM users WHERE id = " +
      std::to_string(pending.at("id").as_int64()));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0][0].has_value());
  EXPECT_FALSE(rows[0][1].has_value());
  // Never shown, either.
  EXPECT_EQ(app("seed003").imported.output.find("legacy-reset"), std::string::npos);
  EXPECT_EQ(app("seed003").refused.output.find("legacy-reset"), std::string::npos);
}

TEST_F(Import, MetricsCountTheImportedHashesThatWaitForALogin) {
  Deployment& server = *app("seed003").server;
  // Every imported hash is bcrypt until its owner logs in (another test of this process may
  // have logged some in already, so the count is the store's; the inactive one never logs in).
  const std::string imported =
      *server.query("SELECT COUNT(*) FROM users WHERE password_hash LIKE '$2%'").at(0).at(0);
  ASSERT_NE(imported, "0");
  HttpClient client(server.port());
  auto metrics = client.request("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("authd_password_hashes{algorithm=\"bcrypt\"} " + imported + "\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("authd_legacy_password_hashes " + imported + "\n"),
            std::string::npos);
}

TEST_F(Import, NewAccountsGetIdsAboveTheImportedOnes) {
  Deployment& server = *app("seed000").server;
  std::int64_t highest = 0;
  for (const auto& user : app("seed000").source.users) {
    highest = std::max(highest, user.as_object().at("id").as_int64());
  }
  HttpClient client(server.port());
  auto registered = client.post_json(
      "/auth/register",
      object{{"email", "newcomer@example.org"}, {"password", "a-fresh-Passphrase-7319"}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  EXPECT_EQ(registered.json().at("id").as_int64(), highest + 1);
}

}  // namespace
}  // namespace authd::test
