// The audit trail in the store: every administrator's action, and the security events that
// matter after the fact (logins, lockouts, refresh-token reuse, registrations, logouts), as
// rows an operator can page through with `authd audit list` or GET /v1/admin/audit.
//
// Security events reach it through the security log (security_log.hpp): whatever logs one also
// records it here once a trail is installed. Throttled attempts are not recorded (they are
// logged and counted): under a flood, writing a row per refused request would turn the
// attacker's cheap requests into the store's work.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/client_info.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"

namespace authd::core {

// Who acts: "cli" for the command line, "user:<id>" for an account (an administrator through
// the API, or a user on their own account), "anonymous" before anyone is authenticated.
struct Actor {
  std::string name{};
  std::int64_t user_id = 0;  // 0 for the CLI and for anonymous clients
  ClientInfo client{};

  static Actor cli() { return {.name = "cli"}; }
  static Actor user(std::int64_t id, ClientInfo client) {
    return {.name = "user:" + std::to_string(id), .user_id = id, .client = std::move(client)};
  }
};

// What administrators do, over the API or with the CLI, as the trail names it. The security
// events it keeps are named by whatever logs them (see kKeptEvents in audit_trail.cpp).
enum class AdminAction {
  user_created,
  user_updated,
  account_disabled,
  account_enabled,
  account_unlocked,
  role_granted,
  role_revoked,
  user_deleted,
  sessions_revoked,
  session_revoked,
  password_set,
  recovery_link_issued,
  role_created,
  role_deleted,
  accounts_imported,  // the last: kAdminActionCount counts up to it
};
inline constexpr int kAdminActionCount = static_cast<int>(AdminAction::accounts_imported) + 1;
std::string_view action_name(AdminAction action);

class AuditTrail {
 public:
  // Every action a row may name: the administrators' and the security events kept. The API
  // document's AuditEvent.action lists the same (a unit test compares them).
  static std::vector<std::string_view> actions();

  AuditTrail(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Appends one row (at = now). A row that cannot be written is logged as an error; the action
  // it records has happened and is not undone.
  void record(const Actor& actor, AdminAction action, std::optional<std::int64_t> target,
              std::string_view outcome, std::optional<std::string> detail = std::nullopt);

  // A security event as security_log.hpp logs it; recorded when it is one the trail keeps.
  void record_security_event(std::string_view event, const ClientInfo& client,
                             const boost::json::object& details);

  // Deletes rows older than `retention`; returns how many (or nothing when the store failed).
  std::optional<std::int64_t> purge(std::chrono::hours retention);
  // Purges now, then every `every`, until `stop` is requested (the background retention of
  // `authd serve`; every instance may run it, a purge being idempotent).
  void purge_until_stopped(const std::stop_token& stop, std::chrono::hours retention,
                           std::chrono::minutes every);

 private:
  void append(const Actor& actor, std::string_view action, std::optional<std::int64_t> target,
              std::string_view outcome, std::optional<std::string> detail);

  store::Store& store_;
  const Clock& clock_;
};

}  // namespace authd::core
