// The admin API's JSON shapes, which the administration commands print with --json too, so that
// a script reads the same document from either.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>

#include "core/user_admin.hpp"

namespace authd::api {

// /v1/me's shape plus is_active.
boost::json::object admin_user_json(const core::UserView& user);
boost::json::object admin_session_json(const core::SessionView& session);
boost::json::object audit_event_json(const store::AuditRecord& event);
boost::json::object role_json(const store::RoleRecord& role);

// {"<items>": [...], "next_cursor": "<id>" | null}
boost::json::object page_json(std::string_view items, boost::json::array list,
                              const std::optional<std::int64_t>& next);

}  // namespace authd::api
