// Security events (registrations, logins, failures, lockouts) as one structured JSON line each,
// for audit and alerting: {"security_event": "...", "request_id": ..., "client": ..., ...}.
// Never credentials, tokens or emails: user ids, the client address and outcomes only.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "core/client_info.hpp"

namespace authd::core {

class AuditTrail;

void log_security_event(std::string_view event, const ClientInfo& client,
                        const boost::json::object& details = {});

// From now on, security events are also recorded in `trail` (nullptr: no longer). The server
// installs its trail once at start-up, before serving; one process has one store, so one trail
// for the whole process is what every service would be handed anyway.
void record_security_events_in(AuditTrail* trail);

}  // namespace authd::core
