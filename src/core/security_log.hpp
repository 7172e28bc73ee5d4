// Security events (registrations, logins, failures, lockouts) as one structured JSON line each,
// for audit and alerting: {"security_event": "...", "request_id": ..., "client": ..., ...}.
// Never credentials, tokens or emails: user ids, the client address and outcomes only.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "core/client_info.hpp"

namespace authd::core {

void log_security_event(std::string_view event, const ClientInfo& client,
                        const boost::json::object& details = {});

}  // namespace authd::core
