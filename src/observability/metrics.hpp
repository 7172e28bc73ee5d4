// Counters and histograms for GET /metrics in the Prometheus text format (version 0.0.4):
// requests by route, method and status with a latency histogram, worker queue depth and wait,
// logins by outcome, lockouts, store errors. Labels carry route templates and outcomes only —
// never user data. Thread-safe; recording costs a mutex and a map lookup.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "core/auth_events.hpp"

namespace authd::observability {

// Cumulative buckets in seconds, Prometheus client libraries' defaults.
inline constexpr std::array<double, 11> kLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1.0,  2.5,   5.0,  10.0};

class Histogram {
 public:
  void observe(double seconds);
  void render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::array<std::uint64_t, kLatencyBuckets.size()> counts_{};  // per bucket, not cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

// What the store tells at a scrape; what it could not tell is left out.
struct StoreGauges {
  std::optional<std::int64_t> active_sessions{};
  // Accounts by the algorithm of their password hash ("argon2id", "bcrypt", ...), and the one
  // new passwords get: the others are legacy hashes (an import's), each replaced at its owner's
  // next successful login.
  std::map<std::string, std::int64_t> password_hashes{};
  std::string current_algorithm{};
  // The outbox: mails waiting or being sent, and how long the oldest has waited.
  std::optional<std::int64_t> mail_pending{};
  std::optional<double> oldest_pending_mail_seconds{};
};

// What a scrape may tell. Separate counts of wrong passwords, unknown accounts and disabled
// accounts would tell anyone who can read them which emails have accounts, or that a guess was
// right (log in, scrape, compare), so the public listener merges them into one "failed"
// outcome; the --metrics-listen address, which operators keep private, has the detail. Mail and
// mailed-link metrics are on the private listener alone: a reset link issued (or a mail queued)
// right after someone's forgot-password request would tell them the address has an account.
enum class MetricsView { public_listener, private_listener };

class Metrics final : public core::AuthEvents {
 public:
  // `route` is the matched route's template ("/auth/login"), or "unmatched".
  void observe_request(std::string_view route, std::string_view method, unsigned status,
                       std::chrono::nanoseconds latency);
  void observe_worker_wait(std::chrono::nanoseconds wait);

  // core::AuthEvents
  void login(std::string_view outcome) override;
  void lockout(std::string_view scope) override;
  void store_error() override;
  void refresh(std::string_view outcome) override;
  void action_token(std::string_view purpose, std::string_view outcome) override;
  void mail_throttled(std::string_view scope) override;
  void mail(std::string_view template_name, std::string_view outcome) override;

  // Gauges read when scraped.
  void set_gauges(std::function<std::size_t()> worker_queue_depth,
                  std::function<StoreGauges()> store_gauges);

  std::string render(MetricsView view) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_by_route_;
  Histogram worker_wait_;
  std::map<std::string, std::uint64_t> logins_;
  std::map<std::string, std::uint64_t> lockouts_;
  std::map<std::string, std::uint64_t> refreshes_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> action_tokens_;
  std::map<std::string, std::uint64_t> mail_throttled_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> mails_;
  std::uint64_t store_errors_ = 0;
  std::function<std::size_t()> worker_queue_depth_;
  std::function<StoreGauges()> store_gauges_;
};

}  // namespace authd::observability
