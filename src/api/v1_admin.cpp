#include "api/v1_admin.hpp"

#include <boost/json/array.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
#include <charconv>
#include <map>

#include "api/admin_json.hpp"
#include "api/client_info.hpp"
#include "api/json_response.hpp"
#include "api/v1_common.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace authd::api {
namespace {

using boost::json::object;

constexpr std::size_t kDefaultPageSize = 50;

// A positive decimal int64 with nothing around it, written as the API writes ids (no sign, no
// leading zero: "01" is not another name for 1).
std::optional<std::int64_t> positive_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() == '0' || error != std::errc{} ||
      end != text.data() + text.size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

// The query's parameters, decoded, each named in `allowed` and given at most once; or the
// problem to answer with. An empty value is no value ("?role=&limit=" asks for no filter).
// Text that is not UTF-8, or holds a control character (NUL included), is refused before it
// reaches the store or an answer.
struct Query {
  std::map<std::string, std::string, std::less<>> values;
  std::optional<http::Response> error;

  const std::string* find(std::string_view name) const {
    const auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  }
};

Query read_query(const http::Request& request, std::initializer_list<std::string_view> allowed) {
  Query query;
  if (request.query.empty()) return query;
  const auto params = boost::urls::parse_query(request.query);
  if (!params) {
    query.error = problem(Problem::invalid_field, "the query string is malformed");
    return query;
  }
  for (const auto param : *params) {
    std::string key = param.key.decode();
    std::string value = param.has_value ? param.value.decode() : "";
    if (util::has_control_characters(key) || util::has_control_characters(value)) {
      query.error = problem(Problem::invalid_field,
                            "query parameters must be UTF-8 text without control characters");
      return query;
    }
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      query.error = problem(Problem::invalid_field, "unknown query parameter: " + key);
      return query;
    }
    if (value.empty()) continue;
    if (!query.values.emplace(key, std::move(value)).second) {
      query.error = problem(Problem::invalid_field, key + " is given twice");
      return query;
    }
  }
  return query;
}

// limit=1..kMaxPageSize (default kDefaultPageSize) and cursor=<a positive id>.
struct Paging {
  std::size_t limit = kDefaultPageSize;
  std::int64_t cursor = 0;
};

std::optional<http::Response> read_paging(const Query& query, Paging& paging) {
  if (const auto* limit = query.find("limit")) {
    const auto value = positive_integer(*limit);
    if (!value || *value > static_cast<std::int64_t>(core::kMaxPageSize)) {
      return problem(Problem::invalid_field, "limit must be an integer from 1 to 200");
    }
    paging.limit = static_cast<std::size_t>(*value);
  }
  if (const auto* cursor = query.find("cursor")) {
    const auto value = positive_integer(*cursor);
    if (!value) return problem(Problem::invalid_field, "cursor is not one this API gave");
    paging.cursor = *value;
  }
  return std::nullopt;
}

// "force": true in the query (DELETE has no body).
std::optional<http::Response> read_force(const Query& query, bool& force) {
  const auto* value = query.find("force");
  if (value == nullptr) return std::nullopt;
  if (*value != "true" && *value != "false") {
    return problem(Problem::invalid_field, "force must be true or false");
  }
  force = *value == "true";
  return std::nullopt;
}

// A JSON array of strings, or the problem to answer with.
std::optional<http::Response> string_list(const object& body, std::string_view name,
                                          std::optional<std::vector<std::string>>& out) {
  const auto* value = body.if_contains(name);
  if (value == nullptr) return std::nullopt;
  const auto wrong =
      problem(Problem::invalid_field, std::string(name).append(" must be an array of strings"));
  if (!value->is_array()) return wrong;
  std::vector<std::string> list;
  for (const auto& item : value->as_array()) {
    if (!item.is_string()) return wrong;
    list.emplace_back(item.as_string());
  }
  out = std::move(list);
  return std::nullopt;
}

std::optional<http::Response> boolean(const object& body, std::string_view name,
                                      std::optional<bool>& out) {
  const auto* value = body.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_bool()) {
    return problem(Problem::invalid_field, std::string(name).append(" must be true or false"));
  }
  out = value->as_bool();
  return std::nullopt;
}

// A name that may be cleared: absent (unchanged), null (cleared) or a string.
std::optional<http::Response> clearable_name(const object& body, std::string_view name,
                                             std::optional<std::optional<std::string>>& out) {
  const auto* value = body.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_null()) {
    out.emplace(std::nullopt);
  } else if (value->is_string()) {
    out.emplace(std::string(value->as_string()));
  } else {
    return problem(Problem::invalid_field, std::string(name).append(" must be a string or null"));
  }
  return std::nullopt;
}

class V1Admin {
 public:
  V1Admin(core::SessionService& sessions, core::UserAdmin& admin)
      : sessions_(sessions), admin_(admin) {}

  http::Response list_users(const http::Request& request) {
    return as_administrator(request, [&](const core::Actor&) {
      const Query query =
          read_query(request, {"email_prefix", "role", "active", "limit", "cursor"});
      if (query.error) return *query.error;
      Paging paging;
      if (auto refused = read_paging(query, paging)) return std::move(*refused);
      store::UserQuery filter{.after_id = paging.cursor, .limit = paging.limit};
      if (const auto* prefix = query.find("email_prefix")) filter.email_key_prefix = *prefix;
      if (const auto* role = query.find("role")) filter.role = *role;
      if (const auto* active = query.find("active")) {
        if (*active != "true" && *active != "false") {
          return problem(Problem::invalid_field, "active must be true or false");
        }
        filter.active = *active == "true";
      }
      auto page = admin_.list(filter);
      if (!page) return respond(kV1Admin, page.error());
      boost::json::array users;
      for (const auto& user : page->users) users.push_back(admin_user_json(user));
      return json_response(200, page_json("users", std::move(users), page->next_after_id));
    });
  }

  http::Response create_user(const http::Request& request) {
    return as_administrator(request, [&](const core::Actor& actor) {
      auto body = read_body(request, {"email", "password", "first_name", "last_name", "roles"});
      if (!body.fields) return std::move(body.error);
      StringField email, password;
      std::optional<std::string> first_name, last_name;
      std::optional<std::vector<std::string>> roles;
      if (auto refused = require_string(*body.fields, "email", email)) return std::move(*refused);
      if (auto refused = require_string(*body.fields, "password", password)) {
        return std::move(*refused);
      }
      if (auto refused = optional_string(*body.fields, "first_name", first_name)) {
        return std::move(*refused);
      }
      if (auto refused = optional_string(*body.fields, "last_name", last_name)) {
        return std::move(*refused);
      }
      if (auto refused = string_list(*body.fields, "roles", roles)) return std::move(*refused);
      auto user =
          admin_.create(actor, {.email = std::move(email.value),
                                .password = std::move(password.value),
                                .first_name = std::move(first_name),
                                .last_name = std::move(last_name),
                                .requested_roles = roles.value_or(std::vector<std::string>{}),
                                .client = actor.client});
      if (!user) return respond(kV1Admin, user.error());
      return json_response(201, admin_user_json(*user));
    });
  }

  http::Response get_user(const http::Request& request) {
    return for_user(request, [&](const core::Actor&, std::string_view id) {
      auto user = admin_.find(id);
      if (!user) return respond(kV1Admin, user.error());
      return json_response(200, admin_user_json(*user));
    });
  }

  http::Response update_user(const http::Request& request) {
    return for_user(request, [&](const core::Actor& actor, std::string_view id) {
      auto body =
          read_body(request, {"first_name", "last_name", "email", "is_active", "roles", "force"});
      if (!body.fields) return std::move(body.error);
      core::AccountChanges changes;
      std::optional<bool> force;
      std::optional<std::string> email;
      if (auto refused = clearable_name(*body.fields, "first_name", changes.first_name)) {
        return std::move(*refused);
      }
      if (auto refused = clearable_name(*body.fields, "last_name", changes.last_name)) {
        return std::move(*refused);
      }
      if (body.fields->contains("email")) {
        StringField field;
        if (auto refused = require_string(*body.fields, "email", field)) {
          return std::move(*refused);
        }
        changes.email = std::move(field.value);
      }
      if (auto refused = boolean(*body.fields, "is_active", changes.active)) {
        return std::move(*refused);
      }
      if (auto refused = string_list(*body.fields, "roles", changes.roles)) {
        return std::move(*refused);
      }
      if (auto refused = boolean(*body.fields, "force", force)) return std::move(*refused);
      auto user = admin_.update(actor, id, changes, force.value_or(false));
      if (!user) return respond(kV1Admin, user.error());
      return json_response(200, admin_user_json(*user));
    });
  }

  http::Response delete_user(const http::Request& request) {
    return for_user(request, [&](const core::Actor& actor, std::string_view id) {
      const Query query = read_query(request, {"force"});
      if (query.error) return *query.error;
      bool force = false;
      if (auto refused = read_force(query, force)) return std::move(*refused);
      auto deleted = admin_.remove(actor, id, force);
      if (!deleted) return respond(kV1Admin, deleted.error());
      return no_content();
    });
  }

  http::Response list_sessions(const http::Request& request) {
    return for_user(request, [&](const core::Actor&, std::string_view id) {
      auto sessions = admin_.sessions(id);
      if (!sessions) return respond(kV1Admin, sessions.error());
      boost::json::array list;
      for (const auto& session : *sessions) list.push_back(admin_session_json(session));
      return json_response(200, object{{"sessions", std::move(list)}});
    });
  }

  http::Response revoke_sessions(const http::Request& request) {
    return for_user(request, [&](const core::Actor& actor, std::string_view id) {
      auto revoked = admin_.revoke_sessions(actor, id);
      if (!revoked) return respond(kV1Admin, revoked.error());
      return no_content();
    });
  }

  http::Response revoke_session(const http::Request& request) {
    return for_user(request, [&](const core::Actor& actor, std::string_view id) {
      auto revoked = admin_.revoke_session(actor, id, http::path_param(request, "session_id"));
      if (!revoked) return respond(kV1Admin, revoked.error());
      return no_content();
    });
  }

  http::Response set_password(const http::Request& request) {
    return for_user(request, [&](const core::Actor& actor, std::string_view id) {
      auto body = read_body(request, {"password"});
      if (!body.fields) return std::move(body.error);
      StringField password;
      if (auto refused = require_string(*body.fields, "password", password)) {
        return std::move(*refused);
      }
      auto done = admin_.set_password(actor, id, password.value);
      if (!done) return respond(kV1Admin, done.error());
      return no_content();
    });
  }

  // {"send_email": true} (the default) mails the link; false returns it, once, to be handed over.
  http::Response recovery_link(const http::Request& request) {
    return for_user(request, [&](const core::Actor& actor, std::string_view id) {
      auto body = read_body(request, {"send_email"});
      if (!body.fields) return std::move(body.error);
      std::optional<bool> send_email;
      if (auto refused = boolean(*body.fields, "send_email", send_email)) {
        return std::move(*refused);
      }
      auto link = admin_.recovery_link(actor, id, send_email.value_or(true));
      if (!link) return respond(kV1Admin, link.error());
      object answer{{"expires_at", util::to_iso8601(link->expires_at)}};
      if (link->url) answer["url"] = *link->url;
      http::Response response = json_response(201, std::move(answer));
      response.headers.emplace_back("Cache-Control", "no-store");  // a live credential
      return response;
    });
  }

  http::Response list_roles(const http::Request& request) {
    return as_administrator(request, [&](const core::Actor&) {
      auto roles = admin_.roles();
      if (!roles) return respond(kV1Admin, roles.error());
      boost::json::array list;
      for (const auto& role : *roles) list.push_back(role_json(role));
      return json_response(200, object{{"roles", std::move(list)}});
    });
  }

  http::Response create_role(const http::Request& request) {
    return as_administrator(request, [&](const core::Actor& actor) {
      auto body = read_body(request, {"name"});
      if (!body.fields) return std::move(body.error);
      StringField name;
      if (auto refused = require_string(*body.fields, "name", name)) return std::move(*refused);
      if (auto created = admin_.create_role(actor, name.value); !created) {
        return respond(kV1Admin, created.error());
      }
      return json_response(201, role_json({.name = name.value, .users = 0}));
    });
  }

  http::Response delete_role(const http::Request& request) {
    return as_administrator(request, [&](const core::Actor& actor) {
      const Query query = read_query(request, {"force"});
      if (query.error) return *query.error;
      bool force = false;
      if (auto refused = read_force(query, force)) return std::move(*refused);
      const auto encoded = boost::urls::make_pct_string_view(http::path_param(request, "name"));
      // No role has a name that is not text (nor can a seed registration make one).
      if (!encoded || util::has_control_characters(encoded->decode())) {
        return problem(Problem::role_not_found);
      }
      auto deleted = admin_.delete_role(actor, encoded->decode(), force);
      if (!deleted) {
        // Here a missing role is what the path names: a 404, not a field in error.
        if (deleted.error() == core::AuthError::role_not_found) {
          return problem(Problem::role_not_found);
        }
        return respond(kV1Admin, deleted.error());
      }
      return no_content();
    });
  }

  http::Response list_audit(const http::Request& request) {
    return as_administrator(request, [&](const core::Actor&) {
      const Query query = read_query(request, {"limit", "cursor"});
      if (query.error) return *query.error;
      Paging paging;
      if (auto refused = read_paging(query, paging)) return std::move(*refused);
      auto page = admin_.audit(paging.cursor, paging.limit);
      if (!page) return respond(kV1Admin, page.error());
      boost::json::array events;
      for (const auto& event : page->events) events.push_back(audit_event_json(event));
      return json_response(200, page_json("events", std::move(events), page->next_before_id));
    });
  }

 private:
  // Runs `then` for an administrator, or answers 401 (no valid access token) or 403.
  template <class Then>
  http::Response as_administrator(const http::Request& request, Then&& then) {
    const auto token = bearer_token(request);
    if (!token) return problem(Problem::missing_token);
    auto principal = sessions_.authenticate(*token);
    if (!principal) return respond(kV1Admin, principal.error());
    auto actor = admin_.administrator(principal->user_id, client_of(request));
    if (!actor) return respond(kV1Admin, actor.error());
    return then(*actor);
  }

  // The same, for a route naming a user by id: an id that is not one is no user (404).
  template <class Then>
  http::Response for_user(const http::Request& request, Then&& then) {
    return as_administrator(request, [&](const core::Actor& actor) {
      const std::string_view id = http::path_param(request, "id");
      if (!positive_integer(id)) return problem(Problem::user_not_found);
      return then(actor, id);
    });
  }

  core::SessionService& sessions_;
  core::UserAdmin& admin_;
};

}  // namespace

void add_v1_admin_routes(http::Router& router, core::SessionService& sessions,
                         core::UserAdmin& admin) {
  MemberRoutes<kV1Admin, V1Admin> routes(router, std::make_shared<V1Admin>(sessions, admin));
  routes.add("GET", "/v1/admin/users", false, &V1Admin::list_users);
  routes.add("POST", "/v1/admin/users", true, &V1Admin::create_user);
  routes.add("GET", "/v1/admin/users/{id}", false, &V1Admin::get_user);
  routes.add("PATCH", "/v1/admin/users/{id}", true, &V1Admin::update_user);
  routes.add("DELETE", "/v1/admin/users/{id}", false, &V1Admin::delete_user);
  routes.add("GET", "/v1/admin/users/{id}/sessions", false, &V1Admin::list_sessions);
  routes.add("DELETE", "/v1/admin/users/{id}/sessions", false, &V1Admin::revoke_sessions);
  routes.add("DELETE", "/v1/admin/users/{id}/sessions/{session_id}", false,
             &V1Admin::revoke_session);
  routes.add("POST", "/v1/admin/users/{id}/password", true, &V1Admin::set_password);
  routes.add("POST", "/v1/admin/users/{id}/recovery", true, &V1Admin::recovery_link);
  routes.add("GET", "/v1/admin/roles", false, &V1Admin::list_roles);
  routes.add("POST", "/v1/admin/roles", true, &V1Admin::create_role);
  routes.add("DELETE", "/v1/admin/roles/{name}", false, &V1Admin::delete_role);
  routes.add("GET", "/v1/admin/audit", false, &V1Admin::list_audit);
}

}  // namespace authd::api
