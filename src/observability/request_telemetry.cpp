#include "observability/request_telemetry.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace authd::observability {

void RequestTelemetry::on_request(const http::RequestRecord& record) {
  metrics_.observe_request(record.route, record.method, record.status, record.latency);
  if (!spdlog::should_log(spdlog::level::info)) return;
  const boost::json::object line{
      {"request_id", record.request_id},
      {"method", record.method},
      {"route", record.route},
      {"status", record.status},
      {"latency_ms", std::chrono::duration<double, std::milli>(record.latency).count()},
      {"client", record.client_address},
  };
  spdlog::info("{}", boost::json::serialize(line));
}

}  // namespace authd::observability
