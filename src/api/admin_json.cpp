#include "api/admin_json.hpp"

#include <string>

#include "api/json_response.hpp"
#include "api/v1_common.hpp"
#include "util/time.hpp"

namespace authd::api {

using boost::json::object;

object admin_user_json(const core::UserView& user) {
  object json = user_json(user);
  json["is_active"] = user.is_active;
  return json;
}

object admin_session_json(const core::SessionView& session) {
  return object{{"id", session.id},
                {"kind", store::family_name(session.family)},
                {"created_at", util::to_iso8601(session.created_at)},
                {"last_used_at", optional_time(session.last_used_at)},
                {"expires_at", util::to_iso8601(session.expires_at)},
                {"user_agent", session.user_agent}};
}

object audit_event_json(const store::AuditRecord& event) {
  return object{{"id", event.id},
                {"at", util::to_iso8601(event.at)},
                {"actor", event.actor},
                {"action", event.action},
                {"target_user_id", event.target_user_id ? boost::json::value(*event.target_user_id)
                                                        : boost::json::value(nullptr)},
                {"client", optional_text(event.client)},
                {"outcome", event.outcome},
                {"detail", optional_text(event.detail)}};
}

object role_json(const store::RoleRecord& role) {
  return object{{"name", role.name}, {"users", role.users}};
}

object page_json(std::string_view items, boost::json::array list,
                 const std::optional<std::int64_t>& next) {
  return object{{items, std::move(list)},
                {"next_cursor",
                 next ? boost::json::value(std::to_string(*next)) : boost::json::value(nullptr)}};
}

}  // namespace authd::api
