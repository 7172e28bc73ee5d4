#include "observability/metrics.hpp"

#include <algorithm>
#include <cstdio>

namespace authd::observability {
namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

// Label values here are route templates, methods and outcome names chosen by authd, but escape
// them anyway as the format requires.
std::string escaped(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

}  // namespace

void Histogram::observe(double seconds) {
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) {
      ++counts_[i];
      break;
    }
  }
  ++count_;
  sum_ += seconds;
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string separator = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += counts_[i];
    out.append(name).append("_bucket{").append(labels).append(separator);
    out.append("le=\"").append(number(kLatencyBuckets[i])).append("\"} ");
    out.append(std::to_string(cumulative)).append("\n");
  }
  out.append(name).append("_bucket{").append(labels).append(separator);
  out.append("le=\"+Inf\"} ").append(std::to_string(count_)).append("\n");
  std::string braces;
  if (!labels.empty()) braces.append("{").append(labels).append("}");
  out.append(name).append("_sum").append(braces).append(" ").append(number(sum_)).append("\n");
  out.append(name).append("_count").append(braces).append(" ");
  out.append(std::to_string(count_)).append("\n");
}

void Metrics::observe_request(std::string_view route, std::string_view method, unsigned status,
                              std::chrono::nanoseconds latency) {
  // A client chooses the method: only known ones become label values.
  static constexpr std::string_view kKnown[] = {"GET",   "POST", "PUT",     "DELETE",
                                                "PATCH", "HEAD", "OPTIONS", "-"};
  const bool known = std::find(std::begin(kKnown), std::end(kKnown), method) != std::end(kKnown);
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), known ? std::string(method) : std::string("OTHER"), status}];
  latency_by_route_[std::string(route)].observe(std::chrono::duration<double>(latency).count());
}

void Metrics::observe_worker_wait(std::chrono::nanoseconds wait) {
  std::lock_guard lock(mutex_);
  worker_wait_.observe(std::chrono::duration<double>(wait).count());
}

void Metrics::login(std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++logins_[std::string(outcome)];
}

void Metrics::lockout(std::string_view scope) {
  std::lock_guard lock(mutex_);
  ++lockouts_[std::string(scope)];
}

void Metrics::refresh(std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++refreshes_[std::string(outcome)];
}

void Metrics::store_error() {
  std::lock_guard lock(mutex_);
  ++store_errors_;
}

void Metrics::action_token(std::string_view purpose, std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++action_tokens_[{std::string(purpose), std::string(outcome)}];
}

void Metrics::mail_throttled(std::string_view scope) {
  std::lock_guard lock(mutex_);
  ++mail_throttled_[std::string(scope)];
}

void Metrics::mail(std::string_view template_name, std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++mails_[{std::string(template_name), std::string(outcome)}];
}

void Metrics::set_gauges(std::function<std::size_t()> worker_queue_depth,
                         std::function<StoreGauges()> store_gauges) {
  std::lock_guard lock(mutex_);
  worker_queue_depth_ = std::move(worker_queue_depth);
  store_gauges_ = std::move(store_gauges);
}

std::string Metrics::render(MetricsView view) const {
  // Gauges first, outside the lock: the store's are read from the store.
  std::function<std::size_t()> queue_depth;
  std::function<StoreGauges()> store_gauges;
  {
    std::lock_guard lock(mutex_);
    queue_depth = worker_queue_depth_;
    store_gauges = store_gauges_;
  }
  std::string out;
  if (queue_depth) {
    header(out, "authd_worker_queue_depth", "gauge",
           "Requests waiting for a worker (password hashing, store calls).");
    out.append("authd_worker_queue_depth ").append(std::to_string(queue_depth())).append("\n");
  }
  if (store_gauges) {
    const StoreGauges gauges = store_gauges();
    if (gauges.active_sessions) {
      header(out, "authd_active_sessions", "gauge", "Sessions neither expired nor revoked.");
      out.append("authd_active_sessions ")
          .append(std::to_string(*gauges.active_sessions))
          .append("\n");
    }
    if (!gauges.password_hashes.empty()) {
      header(out, "authd_password_hashes", "gauge",
             "Accounts by the algorithm of their password hash.");
      std::int64_t legacy = 0;
      for (const auto& [algorithm, count] : gauges.password_hashes) {
        out.append("authd_password_hashes{algorithm=\"").append(escaped(algorithm));
        out.append("\"} ").append(std::to_string(count)).append("\n");
        if (algorithm != gauges.current_algorithm) legacy += count;
      }
      header(out, "authd_legacy_password_hashes", "gauge",
             "Accounts whose password hash is of another algorithm than new passwords get "
             "(imported ones): each is replaced at its owner's next successful login.");
      out.append("authd_legacy_password_hashes ").append(std::to_string(legacy)).append("\n");
    }
    if (view == MetricsView::private_listener && gauges.mail_pending) {
      header(out, "authd_mail_pending", "gauge", "Mails in the outbox waiting or being sent.");
      out.append("authd_mail_pending ").append(std::to_string(*gauges.mail_pending)).append("\n");
      header(out, "authd_mail_oldest_pending_seconds", "gauge",
             "How long the oldest mail in the outbox has waited (0: none waits).");
      out.append("authd_mail_oldest_pending_seconds ")
          .append(std::to_string(gauges.oldest_pending_mail_seconds.value_or(0)))
          .append("\n");
    }
  }

  std::lock_guard lock(mutex_);
  header(out, "authd_http_requests_total", "counter", "HTTP requests answered.");
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out.append("authd_http_requests_total{route=\"").append(escaped(route));
    out.append("\",method=\"").append(escaped(method));
    out.append("\",status=\"").append(std::to_string(status)).append("\"} ");
    out.append(std::to_string(count)).append("\n");
  }
  header(out, "authd_http_request_duration_seconds", "histogram",
         "Time from a complete request to its response being written.");
  for (const auto& [route, histogram] : latency_by_route_) {
    std::string labels = "route=\"";
    labels.append(escaped(route)).append("\"");
    histogram.render(out, "authd_http_request_duration_seconds", labels);
  }
  header(out, "authd_worker_wait_seconds", "histogram",
         "Time requests waited in the worker queue before a worker took them.");
  worker_wait_.render(out, "authd_worker_wait_seconds", "");
  header(out, "authd_logins_total", "counter", "Login attempts by outcome.");
  std::map<std::string, std::uint64_t> logins = logins_;
  if (view == MetricsView::public_listener) {
    std::uint64_t failed = 0;
    for (const char* telling : {"unknown_account", "wrong_password", "disabled"}) {
      if (const auto it = logins.find(telling); it != logins.end()) {
        failed += it->second;
        logins.erase(it);
      }
    }
    if (failed > 0) logins["failed"] += failed;
  }
  for (const auto& [outcome, count] : logins) {
    out.append("authd_logins_total{outcome=\"").append(escaped(outcome)).append("\"} ");
    out.append(std::to_string(count)).append("\n");
  }
  header(out, "authd_lockouts_total", "counter", "Keys locked by brute-force protection.");
  for (const auto& [scope, count] : lockouts_) {
    out.append("authd_lockouts_total{scope=\"").append(escaped(scope)).append("\"} ");
    out.append(std::to_string(count)).append("\n");
  }
  header(out, "authd_refreshes_total", "counter",
         "/v1 refresh-token uses by outcome (reused: a rotated token came back; its session was "
         "revoked).");
  for (const auto& [outcome, count] : refreshes_) {
    out.append("authd_refreshes_total{outcome=\"").append(escaped(outcome)).append("\"} ");
    out.append(std::to_string(count)).append("\n");
  }
  if (view == MetricsView::private_listener) {
    const auto pairs = [&out](const char* name, const char* first, const char* second,
                              const auto& counts) {
      for (const auto& [key, count] : counts) {
        out.append(name).append("{").append(first).append("=\"").append(escaped(key.first));
        out.append("\",").append(second).append("=\"").append(escaped(key.second)).append("\"} ");
        out.append(std::to_string(count)).append("\n");
      }
    };
    header(out, "authd_action_tokens_total", "counter",
           "Mailed links by purpose: issued, consumed, or invalid (every bad token).");
    pairs("authd_action_tokens_total", "purpose", "outcome", action_tokens_);
    header(out, "authd_mail_throttled_total", "counter",
           "Mails not sent because their address had its share (the answer was the same).");
    for (const auto& [scope, count] : mail_throttled_) {
      out.append("authd_mail_throttled_total{scope=\"").append(escaped(scope)).append("\"} ");
      out.append(std::to_string(count)).append("\n");
    }
    header(out, "authd_mails_total", "counter",
           "Mail attempts by template and outcome: sent, retried (4xx, no answer), failed (5xx), "
           "expired (its link expired or was voided first).");
    pairs("authd_mails_total", "template", "outcome", mails_);
  }
  header(out, "authd_store_errors_total", "counter",
         "Store calls that failed (unreachable, or unexpected errors).");
  out.append("authd_store_errors_total ").append(std::to_string(store_errors_)).append("\n");
  return out;
}

}  // namespace authd::observability
