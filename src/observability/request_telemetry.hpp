// Turns each request the server reports into a metrics sample and one access-log line
// (time, request id, method, route, status, latency, client address — never bodies or headers).
#pragma once

#include "http/request_observer.hpp"
#include "observability/metrics.hpp"

namespace authd::observability {

class RequestTelemetry final : public http::RequestObserver {
 public:
  explicit RequestTelemetry(Metrics& metrics) : metrics_(metrics) {}
  void on_request(const http::RequestRecord& record) override;
  void on_worker_wait(std::chrono::nanoseconds wait) override {
    metrics_.observe_worker_wait(wait);
  }

 private:
  Metrics& metrics_;
};

}  // namespace authd::observability
