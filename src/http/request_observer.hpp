// What the HTTP server reports about each request, for metrics and the access log. Kept as an
// interface so the server does not depend on how it is recorded.
#pragma once

#include <chrono>
#include <string_view>

namespace authd::http {

struct RequestRecord {
  std::string_view method{};
  std::string_view route{};  // the matched route's path template, or "unmatched"
  unsigned status = 0;
  std::chrono::nanoseconds latency{0};  // from the complete request to the written response
  std::string_view request_id{};
  std::string_view client_address{};
};

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void on_request(const RequestRecord& record) = 0;
  virtual void on_worker_wait(std::chrono::nanoseconds wait) = 0;
};

}  // namespace authd::http
