// The Prometheus exposition format of the metrics registry.
#include "observability/metrics.hpp"

#include <gtest/gtest.h>

namespace authd::observability {
namespace {

using namespace std::chrono_literals;

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics metrics;
  metrics.observe_request("/auth/login", "POST", 200, 3ms);
  metrics.observe_request("/auth/login", "POST", 200, 30ms);
  metrics.observe_request("/auth/login", "POST", 401, 20s);
  const std::string text = metrics.render(MetricsView::private_listener);
  const std::string prefix = R"(authd_http_request_duration_seconds_bucket{route="/auth/login",)";
  EXPECT_NE(text.find(prefix + R"(le="0.005"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find(prefix + R"(le="0.05"} 2)"), std::string::npos);
  EXPECT_NE(text.find(prefix + R"(le="10"} 2)"), std::string::npos);
  EXPECT_NE(text.find(prefix + R"(le="+Inf"} 3)"), std::string::npos);
  EXPECT_NE(text.find(R"(authd_http_request_duration_seconds_count{route="/auth/login"} 3)"),
            std::string::npos);
  EXPECT_NE(
      text.find(R"(authd_http_requests_total{route="/auth/login",method="POST",status="401"} 1)"),
      std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Metrics metrics;
  metrics.login("a\"b\\c\nd");
  EXPECT_NE(metrics.render(MetricsView::private_listener)
                .find(R"(authd_logins_total{outcome="a\"b\\c\nd"} 1)"),
            std::string::npos);
}

TEST(Metrics, GaugesAreReadAtScrapeTime) {
  Metrics metrics;
  std::size_t depth = 3;
  metrics.set_gauges([&] { return depth; },
                     [] {
                       return StoreGauges{
                           .active_sessions = 7,
                           .password_hashes = {{"argon2id", 4}, {"bcrypt", 30}, {"scrypt", 2}},
                           .current_algorithm = "argon2id"};
                     });
  EXPECT_NE(metrics.render(MetricsView::private_listener).find("authd_worker_queue_depth 3\n"),
            std::string::npos);
  depth = 5;
  EXPECT_NE(metrics.render(MetricsView::private_listener).find("authd_worker_queue_depth 5\n"),
            std::string::npos);
  EXPECT_NE(metrics.render(MetricsView::private_listener).find("authd_active_sessions 7\n"),
            std::string::npos);
  const std::string scraped = metrics.render(MetricsView::public_listener);
  EXPECT_NE(scraped.find("authd_password_hashes{algorithm=\"bcrypt\"} 30\n"), std::string::npos);
  EXPECT_NE(scraped.find("authd_legacy_password_hashes 32\n"), std::string::npos) << scraped;
}

TEST(Metrics, ThePublicViewDoesNotTellUnknownAccountsFromWrongPasswords) {
  Metrics metrics;
  metrics.login("unknown_account");
  metrics.login("wrong_password");
  metrics.login("wrong_password");
  metrics.login("disabled");
  metrics.login("success");
  const std::string open = metrics.render(MetricsView::public_listener);
  EXPECT_NE(open.find(R"(authd_logins_total{outcome="failed"} 4)"), std::string::npos) << open;
  EXPECT_EQ(open.find("disabled"), std::string::npos);
  EXPECT_NE(open.find(R"(authd_logins_total{outcome="success"} 1)"), std::string::npos);
  EXPECT_EQ(open.find("unknown_account"), std::string::npos);
  EXPECT_EQ(open.find("wrong_password"), std::string::npos);
  const std::string full = metrics.render(MetricsView::private_listener);
  EXPECT_NE(full.find(R"(authd_logins_total{outcome="unknown_account"} 1)"), std::string::npos);
  EXPECT_NE(full.find(R"(authd_logins_total{outcome="wrong_password"} 2)"), std::string::npos);
}

}  // namespace
}  // namespace authd::observability
