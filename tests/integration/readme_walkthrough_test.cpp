// The README's /v1 walkthrough is a script a newcomer runs by hand; this runs exactly that block
// with `bash -e` against a fresh authd, so every step keeps behaving as printed: each request
// that should succeed uses curl --fail-with-body, each that should fail runs under `fails`.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>

#include "support/authd_process.hpp"
#include "support/caddy_process.hpp"
#include "support/command.hpp"
#include "support/http_client.hpp"
#include "support/nginx_process.hpp"
#include "support/raw_db.hpp"
#include "support/smtp_server.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

// The README's block between <!-- NAME:begin --> and <!-- NAME:end -->, a fenced block in
// `language`.
std::string readme_block(const std::string& name, const std::string& language = "sh") {
  std::ifstream in(AUTHD_SOURCE_DIR "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string opening = "<!-- " + name + ":begin -->\n```" + language + "\n";
  const auto begin = readme.find(opening);
  const auto end = readme.find("```\n<!-- " + name + ":end -->");
  if (begin == std::string::npos || end == std::string::npos) return {};
  return readme.substr(begin + opening.size(), end - begin - opening.size());
}

// Replaces the line `line` of `script`; false when it has none.
bool replace_line(std::string& script, const std::string& line, const std::string& by) {
  const auto at = script.find(line + "\n");
  if (at == std::string::npos) return false;
  script.replace(at, line.size(), by);
  return true;
}

std::string readme_walkthrough() {
  return readme_block("walkthrough");
}

TEST(ReadmeWalkthrough, RunsAsPrinted) {
  std::string script = readme_walkthrough();
  ASSERT_FALSE(script.empty()) << "README.md has no walkthrough block";
  AuthdProcess server;
  const std::string base = "B=http://127.0.0.1:8080\n";
  const auto at = script.find(base);
  ASSERT_NE(at, std::string::npos) << "the walkthrough sets B=http://127.0.0.1:8080";
  script.replace(at, base.size(), "B=http://127.0.0.1:" + std::to_string(server.port()) + "\n");

  TempDir dir;
  std::ofstream(dir.file("walkthrough.sh")) << script;
  const auto [status, output] =
      run_command("cd " + dir.path().string() + " && bash -e -o pipefail walkthrough.sh");
  ASSERT_EQ(status, 0) << "a step did not behave as printed:\n" << output;
  // The steps meant to fail, failing for the reason shown.
  EXPECT_NE(output.find("urn:authd:problem:refresh-token-reused"), std::string::npos) << output;
  EXPECT_NE(output.find("\"type\":\"urn:authd:problem:invalid-token\""), std::string::npos)
      << output;
  EXPECT_NE(output.find("\"user_agent\":\"phone\",\"current\":true"), std::string::npos) << output;
}

// The README's password reset, as a user runs it, with authd sending through a real SMTP
// server (STARTTLS) and the script reading the link from that server's Maildir.
TEST(ReadmeReset, RunsAsPrintedAgainstARealSmtpServer) {
  std::string script = readme_block("reset-walkthrough");
  ASSERT_FALSE(script.empty()) << "README.md has no reset-walkthrough block";
  SmtpServer smtp;
  AuthdProcess server(
      {.args = {"--smtp-url", "smtp://127.0.0.1:" + std::to_string(smtp.port()), "--mail-ca-file",
                SmtpServer::certificate(), "--mail-from", "accounts@example.com"}});
  ASSERT_TRUE(replace_line(script, "B=http://127.0.0.1:8080",
                           "B=http://127.0.0.1:" + std::to_string(server.port())));
  ASSERT_TRUE(replace_line(script, "MAILDIR=./mail", "MAILDIR=" + smtp.maildir().string()));
  TempDir dir;
  std::ofstream(dir.file("reset.sh")) << script;
  const auto [status, output] =
      run_command("cd " + dir.path().string() + " && timeout 60 bash -e -o pipefail reset.sh");
  ASSERT_EQ(status, 0) << "a step did not behave as printed:\n" << output;
  EXPECT_NE(output.find("\"access_token\""), std::string::npos) << output;
}

// The administration walkthrough: the CLI (the binary under test, on the server's database)
// and the admin API, as an operator runs them.
TEST(ReadmeAdministration, RunsAsPrinted) {
  std::string script = readme_block("administration");
  ASSERT_FALSE(script.empty()) << "README.md has no administration block";
  AuthdProcess server;
  ASSERT_TRUE(replace_line(script, "B=http://127.0.0.1:8080",
                           "B=http://127.0.0.1:" + std::to_string(server.port())));
  ASSERT_TRUE(replace_line(script, "DB=sqlite:./authd-data/authd.db",
                           "DB=sqlite:" + server.database().string()));
  ASSERT_TRUE(replace_line(
      script, "export PATH=\"$PWD/build/server:$PATH\"   # the authd that scripts/serve.sh built",
      "export PATH=\"" + std::filesystem::path(AUTHD_BINARY).parent_path().string() + ":$PATH\""));

  TempDir dir;
  std::ofstream(dir.file("administration.sh")) << script;
  const auto [status, output] =
      run_command("cd " + dir.path().string() + " && bash -e -o pipefail administration.sh");
  ASSERT_EQ(status, 0) << "a step did not behave as printed:\n" << output;
  // What each step shows, as the README prints it.
  for (const char* shown :
       {"2   bob@example.com  yes     user", "\"next_cursor\":null",
        "[\"user\",\"seller\"]\n[\"user\",\"seller\"]", "{\"id\":2,\"is_active\":false}",
        "urn:authd:problem:invalid-token", "urn:authd:problem:last-administrator",
        "user:1  account_disabled  1", "cli     role_granted      2",
        "[\"user:1\",\"account_disabled\",\"refused\"]\n"
        "[\"user:1\",\"account_disabled\",\"success\"]"}) {
    EXPECT_NE(output.find(shown), std::string::npos) << shown << "\n" << output;
  }
}

// A port nothing listens on now (the kernel's pick for a socket bound and closed at once), for
// a server a README block starts itself.
std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

// A seed 003 database the legacy app made itself, and its manifest's app entry.
struct LegacyShop {
  TempDir dir;
  boost::json::object app;
  std::string database() const { return dir.file("seed003.sqlite"); }
};

std::unique_ptr<LegacyShop> make_legacy_shop() {
  auto shop = std::make_unique<LegacyShop>();
  const auto made = run_command("node " AUTHD_SOURCE_DIR "/tests/legacy-apps/make-fixtures.js " +
                                shop->dir.path().string() + " --seed 13 --users 5 --apps seed003");
  if (made.exit_status != 0) throw std::runtime_error("make-fixtures.js: " + made.output);
  std::ifstream in(shop->dir.file("manifest.json"));
  std::stringstream text;
  text << in.rdbuf();
  shop->app = boost::json::parse(text.str()).at("apps").at(0).as_object();
  return shop;
}

// Runs a README block with bash -e, the binary under test first on the PATH, `environment`
// exported first; jobs it left in the background are stopped when it ends.
CommandResult run_block(const std::string& script, const std::string& environment) {
  TempDir dir;
  std::ofstream(dir.file("block.sh")) << script;
  std::ofstream(dir.file("run.sh"))
      << "export PATH=\"" << std::filesystem::path(AUTHD_BINARY).parent_path().string()
      << ":$PATH\"\n"
      << environment
      << "trap 's=$?; jobs -p | xargs -r kill 2>/dev/null; wait 2>/dev/null; exit $s' EXIT\n"
      << ". ./block.sh\n";
  return run_command("cd " + dir.path().string() + " && bash -e -o pipefail run.sh");
}

TEST(ReadmeMigration, RunsAsPrinted) {
  const std::string script = readme_block("migration");
  ASSERT_FALSE(script.empty()) << "README.md has no migration block";
  const auto shop = make_legacy_shop();
  // An active user the old app gave a token.
  boost::json::object user;
  for (const auto& entry : shop->app.at("users").as_array()) {
    const auto& candidate = entry.as_object();
    if (candidate.contains("token") && !candidate.contains("note")) user = candidate;
  }
  ASSERT_FALSE(user.empty()) << "the fixture has an active user with a token";
  const std::string port = std::to_string(unused_port());
  const TempDir store;
  const std::string environment =
      "export AUTHD_DATABASE=sqlite:" + store.file("authd.db") + " AUTHD_LISTEN=127.0.0.1:" + port +
      " B=http://127.0.0.1:" + port + " OLD_DB=" + shop->database() + " JWT_SECRET='" +
      std::string(shop->app.at("jwt_secret").as_string()) + "' EMAIL='" +
      std::string(user.at("email").as_string()) + "' PASSWORD='" +
      std::string(user.at("password").as_string()) +
      "' OLD_TOKEN=" + std::string(user.at("token").as_string()) + "\n";
  const auto [status, output] = run_block(script, environment);
  ASSERT_EQ(status, 0) << "a step did not behave as printed:\n" << output;
  const std::string id = std::to_string(user.at("id").as_int64());
  for (const std::string& shown :
       {std::string("a dry run: "), std::string("exit status 4"), std::string("\"id\": ") + id,
        "\"role\": " + boost::json::serialize(user.at("role")), "X-Auth-User-Id: " + id,
        std::string("the same account as id")}) {
    EXPECT_NE(output.find(shown), std::string::npos) << shown << "\n" << output;
  }
}

TEST(ReadmeMigration, JsonLinesExportRunsAsPrinted) {
  const std::string script = readme_block("jsonl-export");
  ASSERT_FALSE(script.empty()) << "README.md has no jsonl-export block";
  const auto shop = make_legacy_shop();
  const TempDir store;
  const auto [status, output] =
      run_block(script, "export AUTHD_DATABASE=sqlite:" + store.file("authd.db") +
                            " OLD_DB=" + shop->database() + "\n");
  ASSERT_EQ(status, 0) << output;
  // Every account but the lower-case case twin, with its id, hash, active flag and role.
  const auto users = shop->app.at("users").as_array();
  EXPECT_NE(output.find("imported " + std::to_string(users.size() - 1) + " (1 inactive"),
            std::string::npos)
      << output;
  for (const auto& entry : users) {
    const auto& user = entry.as_object();
    const auto rows = RawDb(store.file("authd.db"))
                          .query(
                              "SELECT u.email, r.name FROM users u JOIN user_roles ur ON "
                              "ur.user_id = u.id JOIN roles r ON r.id = ur.role_id "
                              "WHERE u.id = " +
                              std::to_string(user.at("id").as_int64()));
    if (std::string_view(user.at("email").as_string()).starts_with("case.twin.")) {
      EXPECT_TRUE(rows.empty());
      continue;
    }
    ASSERT_EQ(rows.size(), 1u) << user.at("email");
    EXPECT_EQ(*rows[0][1], std::string(user.at("role").as_string()));
  }
}

// Every occurrence of `from` in `text` replaced with `to`; how many there were.
int replace_all(std::string& text, const std::string& from, const std::string& to) {
  int count = 0;
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
    ++count;
  }
  return count;
}

// The app a README proxy configuration guards: an nginx server on a Unix socket that echoes the
// identity headers it receives and logs every request it gets (in "@DIR@/app.log"). The
// "@PORT@" server only answers the start-up probe.
const char* const kEchoingApp = R"(
  log_format app '$request_method $request_uri|$http_x_auth_user_id|$http_x_auth_user_email|'
                 '$http_x_auth_user_roles|$http_x_auth_session_id|$http_remote_user|'
                 '$http_remote_groups|$http_remote_name';
  server {
    listen unix:@DIR@/app.sock;
    access_log @DIR@/app.log app;
    location / {
      return 200 "id=$http_x_auth_user_id email=$http_x_auth_user_email roles=$http_x_auth_user_roles session=$http_x_auth_session_id remote=$http_remote_user groups=$http_remote_groups name=$http_remote_name";
    }
  }
)";

std::string file_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What a proxy configured as the README shows must do, asked through `client` (the proxy, in
// front of `authd` and of the echoing app whose log `app_log` reads): the app sees the user
// authd vouched for, never a header a client forged, and never a request without a valid
// credential. `guards_admin`: the configuration also lets only the role admin reach /admin.
void expect_the_app_guarded(HttpClient& client, AuthdProcess& authd,
                            const std::function<std::string()>& app_log, bool guards_admin) {
  const std::map<std::string, std::string> forged = {{"X-Auth-User-Id", "999"},
                                                     {"X-Auth-User-Email", "mallory@example.com"},
                                                     {"X-Auth-User-Roles", "admin"},
                                                     {"X-Auth-Session-Id", "forged"},
                                                     {"Remote-User", "mallory@example.com"},
                                                     {"Remote-Groups", "admin"},
                                                     {"Remote-Name", "Mallory"}};
  const auto with = [&forged](const std::string& token) {
    auto headers = forged;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return headers;
  };

  // Nothing reaches the app without a valid credential, whatever the client claims.
  for (const std::string& token : {std::string(), std::string("not-a-token"),
                                   std::string("eyJhbGciOiJub25lIn0.eyJpZCI6MX0.")}) {
    for (const std::string method : {"GET", "POST", "DELETE"}) {
      const auto refused =
          client.request(method, "/orders/7", "{}", "application/json", with(token));
      EXPECT_EQ(refused.status, 401) << method << " " << token << ": " << refused.body;
    }
  }
  EXPECT_EQ(app_log(), "") << "the app saw a request without a valid credential";

  // The auth routes pass through the proxy to authd unchecked.
  using boost::json::object;
  ASSERT_EQ(client
                .post_json("/api/auth/register", object{{"firstName", "Ada"},
                                                        {"lastName", "Lovelace"},
                                                        {"email", "ada@example.com"},
                                                        {"password", "correct horse battery"}})
                .status,
            201);
  ASSERT_EQ(client
                .post_json("/api/auth/register", object{{"firstName", "Root"},
                                                        {"lastName", "Admin"},
                                                        {"email", "root@example.com"},
                                                        {"password", "correct horse battery"},
                                                        {"role", boost::json::array{"admin"}}})
                .status,
            201);
  const object ada{{"email", "ada@example.com"}, {"password", "correct horse battery"}};
  const auto seed003 = client.post_json("/api/auth/login", ada);
  ASSERT_EQ(seed003.status, 200) << seed003.body;
  const std::string jwt(seed003.json().at("token").as_string());
  const auto v1 = client.post_json("/v1/sessions", ada);
  ASSERT_EQ(v1.status, 201) << v1.body;
  const std::string access(v1.json().at("access_token").as_string());
  const std::string session(v1.json().at("session_id").as_string());
  const auto seed002 = client.put_json("/auth", ada);
  ASSERT_EQ(seed002.status, 200) << seed002.body;
  const std::string opaque(seed002.json().at("sessionToken").as_string());

  // The app sees the user authd vouched for, and none of the forged values.
  const auto seen = client.request("POST", "/orders/7", "{}", "application/json", with(access));
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(seen.body, "id=1 email=ada@example.com roles=user session=" + session +
                           " remote=ada@example.com groups=user name=Ada Lovelace");
  const auto by_jwt = client.request("GET", "/orders/7", "", "", with(jwt));
  ASSERT_EQ(by_jwt.status, 200) << by_jwt.body;
  EXPECT_EQ(by_jwt.body,
            "id=1 email=ada@example.com roles=user session= "
            "remote=ada@example.com groups=user name=Ada Lovelace")
      << "a seed JWT has no session, and the forged session id was dropped";
  // The app's own query is the app's: it reaches the app and decides nothing at authd.
  EXPECT_EQ(client.request("GET", "/orders/7?page=2&role=admin", "", "", with(opaque)).status, 200);

  if (guards_admin) {
    // The admin part: a role the user lacks is 403 and never reaches the app, however the path
    // is spelt (the apps behind route without case and with or without the slash).
    for (const char* path :
         {"/admin/users", "/ADMIN/users", "/admin", "/Admin/", "/%61dmin/users"}) {
      EXPECT_EQ(client.request("GET", path, "", "", with(access)).status, 403) << path;
    }
    const auto root = client.post_json(
        "/api/auth/login",
        object{{"email", "root@example.com"}, {"password", "correct horse battery"}});
    ASSERT_EQ(root.status, 200);
    const auto admin = client.request("GET", "/admin/users", "", "",
                                      with(std::string(root.json().at("token").as_string())));
    ASSERT_EQ(admin.status, 200) << admin.body;
    EXPECT_NE(admin.body.find("id=2 email=root@example.com roles=admin"), std::string::npos);
  }

  // A logout through the proxy holds from the next request.
  ASSERT_EQ(client.request("DELETE", "/v1/sessions/current", "", "", with(access)).status, 204);
  EXPECT_EQ(client.request("GET", "/orders/7", "", "", with(access)).status, 401);

  // The app saw exactly the checked requests, each with the user authd named.
  std::istringstream lines(app_log());
  std::vector<std::string> requests;
  for (std::string line; std::getline(lines, line);) requests.push_back(line);
  ASSERT_EQ(requests.size(), guards_admin ? 4u : 3u) << app_log();
  for (const auto& line : requests) {
    EXPECT_EQ(line.find("999"), std::string::npos) << line;
    EXPECT_EQ(line.find("mallory"), std::string::npos) << line;
    EXPECT_EQ(line.find("forged"), std::string::npos) << line;
    const char* holder =
        line.starts_with("GET /admin/") ? "|2|root@example.com|admin|" : "|1|ada@example.com|user|";
    EXPECT_NE(line.find(holder), std::string::npos) << line;
  }
  EXPECT_EQ(authd.log().find("ada@example.com"), std::string::npos)
      << "the access log names no one";
  EXPECT_EQ(authd.log().find(access), std::string::npos) << "nor any credential";
}

// The README's nginx configuration for the gateway check, run as printed in front of the echoing
// app.
TEST(ReadmeGateway, NginxConfigurationGuardsTheApp) {
  std::string server_block = readme_block("gateway-nginx", "nginx");
  ASSERT_FALSE(server_block.empty()) << "README.md has no gateway-nginx block";
  AuthdProcess authd;
  ASSERT_EQ(
      replace_all(server_block, "    listen 80;\n", "    listen 127.0.0.1:@PORT@;\n    @PROBE@\n"),
      1);
  ASSERT_GT(
      replace_all(server_block, "127.0.0.1:8080", "127.0.0.1:" + std::to_string(authd.port())), 0);
  ASSERT_GT(replace_all(server_block, "http://127.0.0.1:3000", "http://unix:@DIR@/app.sock:"), 0);
  NginxProcess proxy(NginxProcess::Configuration{.http = kEchoingApp + server_block});
  HttpClient client(proxy.port());
  expect_the_app_guarded(
      client, authd, [&proxy] { return file_text(proxy.dir() / "app.log"); }, true);
}

// The README's Caddy configuration, run as printed (its site address aside) in front of the
// echoing app, which an nginx of its own serves.
TEST(ReadmeGateway, CaddyConfigurationGuardsTheApp) {
  std::string site = readme_block("gateway-caddy", "caddy");
  ASSERT_FALSE(site.empty()) << "README.md has no gateway-caddy block";
  AuthdProcess authd;
  NginxProcess app(NginxProcess::Configuration{
      .http = std::string(kEchoingApp) + "  server { listen 127.0.0.1:@PORT@; @PROBE@ }\n"});
  ASSERT_EQ(replace_all(site, "example.com {\n", "http://127.0.0.1:@PORT@ {\n    @PROBE@\n"), 1);
  ASSERT_GT(replace_all(site, "127.0.0.1:8080", "127.0.0.1:" + std::to_string(authd.port())), 0);
  ASSERT_GT(replace_all(site, "127.0.0.1:3000", "unix/" + (app.dir() / "app.sock").string()), 0);
  CaddyProcess proxy(site);
  HttpClient client(proxy.port());
  expect_the_app_guarded(
      client, authd, [&app] { return file_text(app.dir() / "app.log"); }, false);
}

}  // namespace
}  // namespace authd::test
