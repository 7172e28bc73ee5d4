#include "core/security_log.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/serialize.hpp>

#include "core/audit_trail.hpp"

namespace authd::core {
namespace {

std::atomic<AuditTrail*> installed_trail{nullptr};

}  // namespace

void log_security_event(std::string_view event, const ClientInfo& client,
                        const boost::json::object& details) {
  boost::json::object line{
      {"security_event", event}, {"request_id", client.request_id}, {"client", client.address}};
  for (const auto& [key, value] : details) line[key] = value;
  spdlog::info("{}", boost::json::serialize(line));
  if (AuditTrail* trail = installed_trail.load(std::memory_order_acquire)) {
    trail->record_security_event(event, client, details);
  }
}

void record_security_events_in(AuditTrail* trail) {
  installed_trail.store(trail, std::memory_order_release);
}

}  // namespace authd::core
