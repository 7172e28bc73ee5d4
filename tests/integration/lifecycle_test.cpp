// authd as an operator meets it: secrets (generated and kept, or given and checked), restarts
// over the same database, imported bcrypt hashes, a full worker queue, graceful shutdown.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "crypto/jws.hpp"
#include "support/authd_process.hpp"
#include "support/http_client.hpp"
#include "support/raw_db.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

using boost::json::object;

const object kAda{{"email", "ada@example.com"}, {"password", "analytical-engine"}};

std::string login_token(std::uint16_t port) {
  HttpClient client(port);
  auto response = client.post_json("/api/auth/login", kAda);
  EXPECT_EQ(response.status, 200) << response.body;
  return std::string(response.json().at("token").as_string());
}

bool verifies(const std::string& token, const std::string& secret) {
  return crypto::verify_hs256(token, secret, {.now = std::time(nullptr)}).has_value();
}

std::string read_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(Lifecycle, GeneratedSecretIsPrivateAndSurvivesRestart) {
  TempDir data;
  std::string first_token;
  std::string secret;
  {
    AuthdProcess server({.data_dir = data.path()});
    HttpClient client(server.port());
    ASSERT_EQ(client.post_json("/api/auth/register", kAda).status, 201);
    first_token = login_token(server.port());
    secret = read_line(data.path() / "jwt-secret");
    EXPECT_EQ(server.stop(), 0);
  }
  struct stat info {};
  ASSERT_EQ(::stat((data.path() / "jwt-secret").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  EXPECT_GE(secret.size(), 43u) << "256 random bits, base64url";
  EXPECT_TRUE(verifies(first_token, secret));

  AuthdProcess restarted({.data_dir = data.path()});
  EXPECT_EQ(read_line(data.path() / "jwt-secret"), secret);
  const std::string second_token = login_token(restarted.port());  // the user is still there
  EXPECT_TRUE(verifies(second_token, secret));
  EXPECT_EQ(restarted.log().find(secret), std::string::npos) << "secrets never reach the log";
}

TEST(Lifecycle, ShortSecretIsRefusedAtStartUp) {
  AuthdProcess server({.env = {{"JWT_SECRET", "too-short"}}, .expect_start = false});
  EXPECT_NE(server.wait_exit(), 0);
  EXPECT_NE(server.log().find("at least 32"), std::string::npos) << server.log();
  EXPECT_EQ(server.log().find("too-short"), std::string::npos) << "not even a bad secret is logged";
}

TEST(Lifecycle, SeedSecretVariableIsHonoured) {
  const std::string secret(40, 's');
  AuthdProcess server({.env = {{"JWT_SECRET", secret}}});
  HttpClient client(server.port());
  ASSERT_EQ(client.post_json("/api/auth/register", kAda).status, 201);
  EXPECT_TRUE(verifies(login_token(server.port()), secret));
  EXPECT_FALSE(std::filesystem::exists(server.data_dir() / "jwt-secret"));
}

TEST(Lifecycle, FlagWinsOverEnvironment) {
  const std::string flag_secret(40, 'f');
  AuthdProcess server(
      {.args = {"--jwt-secret", flag_secret}, .env = {{"AUTHD_JWT_SECRET", std::string(40, 'e')}}});
  HttpClient client(server.port());
  ASSERT_EQ(client.post_json("/api/auth/register", kAda).status, 201);
  EXPECT_TRUE(verifies(login_token(server.port()), flag_secret));
}

TEST(Lifecycle, DataFilesAreOnlyForTheOwner) {
  TempDir data;
  const auto folder = data.path() / "data";
  {
    AuthdProcess server({.args = {"--database", "sqlite:" + (folder / "authd.db").string()},
                         .data_dir = data.path()});
    HttpClient client(server.port());
    ASSERT_EQ(client.post_json("/api/auth/register", kAda).status, 201);
  }
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".log") continue;  // the test harness's own output
    struct stat info {};
    ASSERT_EQ(::stat(entry.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 077, 0) << entry.path() << " is readable by others";
  }
  struct stat info {};
  ASSERT_EQ(::stat(folder.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 077, 0) << "the data folder itself";
}

TEST(Lifecycle, ConnectionsOverTheLimitAreClosed) {
  AuthdProcess server({.args = {"--max-connections", "2"}});
  HttpClient first(server.port());
  HttpClient second(server.port());
  EXPECT_EQ(first.request("GET", "/healthz", "", "").status, 200);
  EXPECT_EQ(second.request("GET", "/healthz", "", "").status, 200);
  HttpClient third(server.port());
  EXPECT_TRUE(third.wait_for_close()) << "a third connection is refused";
  EXPECT_EQ(first.request("GET", "/healthz", "", "").status, 200) << "the others keep working";
}

TEST(Lifecycle, DataFolderIsCreated) {
  TempDir data;
  const auto nested = data.path() / "a" / "b";
  AuthdProcess server({.args = {"--database", "sqlite:" + (nested / "users.db").string()},
                       .data_dir = data.path()});
  HttpClient client(server.port());
  EXPECT_EQ(client.request("GET", "/healthz", "", "").status, 200);
  EXPECT_TRUE(std::filesystem::exists(nested / "users.db"));
  EXPECT_TRUE(std::filesystem::exists(nested / "jwt-secret"));
}

TEST(Lifecycle, ImportedBcryptHashVerifiesAndIsUpgraded) {
  TempDir data;
  { AuthdProcess migrate({.data_dir = data.path()}); }  // creates the schema
  // Produced by bcryptjs (Node), as an Express app would have stored it.
  const std::string imported = "$2a$04$RYz8gS0ZmGrIMXpgtsiuuuosTSp2A8E9iP6j3ST3zM2P2eR0R/E/q";
  RawDb(data.path() / "authd.db")
      .query(
          "INSERT INTO users (email, email_key, password_hash, created_at, updated_at) VALUES "
          "('Legacy@Example.com', 'legacy@example.com', '" +
          imported + "', 0, 0)");

  AuthdProcess server({.data_dir = data.path()});
  HttpClient client(server.port());
  const object credentials{{"email", "legacy@example.com"},
                           {"password", "correct horse battery staple"}};
  EXPECT_EQ(client
                .post_json("/api/auth/login",
                           object{{"email", "legacy@example.com"}, {"password", "wrong"}})
                .status,
            401);
  EXPECT_EQ(RawDb(server.database()).query("SELECT password_hash FROM users")[0][0], imported)
      << "a failed login changes nothing";
  ASSERT_EQ(client.post_json("/auth/login", credentials).status, 200);
  const auto upgraded = *RawDb(server.database()).query("SELECT password_hash FROM users")[0][0];
  EXPECT_TRUE(upgraded.starts_with("$argon2id$")) << upgraded;
  EXPECT_EQ(client.put_json("/auth", credentials).status, 200) << "the upgraded hash verifies";
}

TEST(Lifecycle, BcryptCost8ReproducesSeed003Hashing) {
  AuthdProcess server({.args = {"--password-hash", "bcrypt", "--bcrypt-cost", "8"}});
  HttpClient client(server.port());
  ASSERT_EQ(client.post_json("/api/auth/register", kAda).status, 201);
  EXPECT_TRUE(RawDb(server.database())
                  .query("SELECT password_hash FROM users")[0][0]
                  ->starts_with("$2b$08$"));
  EXPECT_EQ(client.post_json("/api/auth/login", kAda).status, 200);
}

TEST(Lifecycle, FullWorkerQueueAnswers503WithRetryAfter) {
  // One worker, room for one waiting request, and hashes slow enough to keep both busy.
  AuthdProcess server({.args = {"--password-hash", "bcrypt", "--bcrypt-cost", "13",
                                "--worker-threads", "1", "--worker-queue", "1"}});
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<HttpClient>(server.port()));
    const std::string body = "{\"email\":\"busy" + std::to_string(i) +
                             "@example.com\",\"password\":\"busy-kettle-orbit\"}";
    clients.back()->send_raw(
        "POST /api/auth/register HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  int created = 0, busy = 0;
  for (auto& client : clients) {
    auto response = client->read_response(std::chrono::seconds(30));
    ASSERT_TRUE(response);
    if (response->status == 201) ++created;
    if (response->status == 503) {
      ++busy;
      EXPECT_EQ(response->header("retry-after"), "1");
      EXPECT_EQ(response->json().at("success"), false);
    }
  }
  EXPECT_GE(created, 1);
  EXPECT_GE(busy, 1);
  EXPECT_EQ(created + busy, 4);
}

TEST(Lifecycle, SigtermFinishesInFlightRequestsThenExits) {
  AuthdProcess server({.args = {"--password-hash", "bcrypt", "--bcrypt-cost", "14"}});
  HttpClient client(server.port());
  const std::string body = R"({"email":"late@example.com","password":"inflight-kettle-orbit"})";
  client.send_raw(
      "POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  // Wait until the request has reached a worker (a cost-14 hash keeps it there): every request,
  // /metrics included, records its worker wait before it runs, so once the count exceeds the
  // number of /metrics requests made, the registration is being hashed.
  HttpClient idle(server.port());
  for (int polls = 1;; ++polls) {
    const std::string metrics = idle.request("GET", "/metrics", "", "").body;
    const auto at = metrics.find("authd_worker_wait_seconds_count ");
    ASSERT_NE(at, std::string::npos);
    if (std::stoi(metrics.substr(at + 32)) > polls) break;
    ASSERT_LT(polls, 5000) << "the registration never reached a worker";
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::thread stopper([&] { EXPECT_EQ(server.stop(SIGTERM), 0) << server.log(); });
  auto response = client.read_response(std::chrono::seconds(30));
  stopper.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(idle.wait_for_close()) << "idle connections are closed on shutdown";
  EXPECT_NE(server.log().find("authd stopped"), std::string::npos);
}

}  // namespace
}  // namespace authd::test
