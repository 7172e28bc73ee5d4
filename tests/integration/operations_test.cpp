// What operators rely on: /readyz, /metrics in the Prometheus format, and one JSON log line per
// request (authd writes JSON when its output is not a terminal, as here).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <sstream>

#include "support/authd_process.hpp"
#include "support/http_client.hpp"

namespace authd::test {
namespace {

using boost::json::object;

// The value of the sample line that starts with `series` ("name{labels}"), or -1.
double sample(const std::string& metrics, const std::string& series) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

class Operations : public ::testing::Test {
 protected:
  AuthdProcess server_{{.args = {"--login-failures-per-account", "2"}}};
  HttpClient client_{server_.port()};
};

TEST_F(Operations, ReadyzAnswersWhenTheStoreDoes) {
  auto ready = client_.request("GET", "/readyz", "", "");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json(), (object{{"status", "ready"}}));
}

TEST_F(Operations, MetricsCountRequestsLoginsAndLockouts) {
  const object ada{{"email", "Metrics@Example.com"}, {"password", "metrics-kettle-orbit"}};
  ASSERT_EQ(client_.post_json("/auth/register", ada).status, 201);
  const object wrong{{"email", "metrics@example.com"}, {"password", "not-the-password"}};
  EXPECT_EQ(client_.post_json("/auth/login", wrong).status, 409);
  EXPECT_EQ(client_.post_json("/auth/login", wrong).status, 409);
  EXPECT_EQ(client_.post_json("/auth/login", ada).status, 429);
  EXPECT_EQ(client_.request("GET", "/no/such/path", "", "").status, 404);

  auto response = client_.request("GET", "/metrics", "", "");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = response.body;
  EXPECT_EQ(
      sample(m, R"(authd_http_requests_total{route="/auth/register",method="POST",status="201"})"),
      1);
  EXPECT_EQ(
      sample(m, R"(authd_http_requests_total{route="/auth/login",method="POST",status="409"})"), 2);
  EXPECT_EQ(sample(m, R"(authd_http_requests_total{route="unmatched",method="GET",status="404"})"),
            1)
      << "unknown paths are not labels";
  EXPECT_EQ(sample(m, R"(authd_logins_total{outcome="failed"})"), 2);
  EXPECT_EQ(sample(m, R"(authd_logins_total{outcome="throttled"})"), 1);
  EXPECT_EQ(sample(m, R"(authd_lockouts_total{scope="account_network"})"), 1);
  EXPECT_EQ(sample(m, "authd_store_errors_total"), 0);
  EXPECT_EQ(sample(m, "authd_worker_queue_depth"), 0);
  EXPECT_EQ(sample(m, "authd_active_sessions"), 0);
  // A histogram as Prometheus expects it: cumulative buckets ending in +Inf == count.
  const double count =
      sample(m, R"(authd_http_request_duration_seconds_count{route="/auth/login"})");
  EXPECT_EQ(count, 3);
  EXPECT_EQ(
      sample(m, R"(authd_http_request_duration_seconds_bucket{route="/auth/login",le="+Inf"})"),
      count);
  EXPECT_GT(sample(m, "authd_worker_wait_seconds_count"), 0);
  EXPECT_NE(m.find("# TYPE authd_http_request_duration_seconds histogram"), std::string::npos);
  EXPECT_EQ(m.find("metrics@example.com"), std::string::npos) << "no user data in labels";
  EXPECT_EQ(m.find("/no/such/path"), std::string::npos);
}

TEST(OperationsMetricsListener, OnlyThePrivateListenerTellsUnknownAccountsFromWrongPasswords) {
  // Separate public counts would let anyone find out which emails have accounts: log in as an
  // unknown email, scrape, compare.
  AuthdProcess server({.args = {"--metrics-listen", "127.0.0.1:0"}});
  std::smatch found;
  const std::string log = server.log();
  ASSERT_TRUE(
      std::regex_search(log, found, std::regex(R"(metrics listening on http://[^:]+:(\d+))")))
      << log;
  const auto private_port = static_cast<std::uint16_t>(std::stoi(found[1]));
  HttpClient client(server.port());
  const object ada{{"email", "ada@example.com"}, {"password", "metrics-kettle-orbit"}};
  ASSERT_EQ(client.post_json("/v1/users", ada).status, 201);
  EXPECT_EQ(client
                .post_json("/v1/sessions",
                           object{{"email", "ada@example.com"}, {"password", "not-the-password"}})
                .status,
            401);
  EXPECT_EQ(client
                .post_json("/v1/sessions", object{{"email", "nobody@example.com"},
                                                  {"password", "not-the-password"}})
                .status,
            401);

  const std::string open = client.request("GET", "/metrics", "", "").body;
  EXPECT_EQ(sample(open, R"(authd_logins_total{outcome="failed"})"), 2);
  EXPECT_EQ(open.find("unknown_account"), std::string::npos);
  EXPECT_EQ(open.find("wrong_password"), std::string::npos);

  HttpClient operator_client(private_port);
  const auto scraped = operator_client.request("GET", "/metrics", "", "");
  ASSERT_EQ(scraped.status, 200);
  EXPECT_EQ(sample(scraped.body, R"(authd_logins_total{outcome="unknown_account"})"), 1);
  EXPECT_EQ(sample(scraped.body, R"(authd_logins_total{outcome="wrong_password"})"), 1);
  EXPECT_EQ(operator_client.request("GET", "/readyz", "", "").status, 200);
  EXPECT_EQ(operator_client.request("GET", "/healthz", "", "").status, 200);
  // Raw, so not logged: the OpenAPI document describes the public listener, not this one.
  operator_client.send_raw("GET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto private_me = operator_client.read_response();
  ASSERT_TRUE(private_me);
  EXPECT_EQ(private_me->status, 404) << "the private listener serves operations only";
  EXPECT_EQ(server.stop(), 0) << "SIGTERM stops both listeners";
}

TEST_F(Operations, EveryLogLineIsJsonAndEveryRequestHasOne) {
  auto health = client_.request("GET", "/healthz", "", "");
  ASSERT_EQ(health.status, 200);
  const std::string id = health.header("x-request-id");
  ASSERT_FALSE(id.empty());
  server_.stop();

  std::istringstream lines(server_.log());
  bool found = false;
  int count = 0;
  for (std::string line; std::getline(lines, line);) {
    ++count;
    boost::system::error_code ec;
    const auto value = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    ASSERT_TRUE(value.is_object()) << line;
    const auto& entry = value.as_object();
    EXPECT_TRUE(entry.contains("time") && entry.contains("level")) << line;
    if (entry.contains("request_id") && entry.at("request_id").as_string() == id) {
      found = true;
      EXPECT_EQ(entry.at("method"), "GET");
      EXPECT_EQ(entry.at("route"), "/healthz");
      EXPECT_EQ(entry.at("status"), 200);
      EXPECT_TRUE(entry.at("latency_ms").is_number());
      EXPECT_EQ(entry.at("client"), "127.0.0.1");
    }
  }
  EXPECT_GT(count, 3);
  EXPECT_TRUE(found) << "no access-log line for request " << id;
}

}  // namespace
}  // namespace authd::test
