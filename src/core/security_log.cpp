#include "core/security_log.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>

namespace authd::core {

void log_security_event(std::string_view event, const ClientInfo& client,
                        const boost::json::object& details) {
  boost::json::object line{
      {"security_event", event}, {"request_id", client.request_id}, {"client", client.address}};
  for (const auto& [key, value] : details) line[key] = value;
  spdlog::info("{}", boost::json::serialize(line));
}

}  // namespace authd::core
