#include "core/user_admin.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/email.hpp"
#include "core/security_log.hpp"
#include "core/session_service.hpp"

namespace authd::core {
namespace {

// A role name as the trail may keep it: requested names are recorded before they are checked
// (a refused change is recorded too), so one that is not a valid role name (an email, control
// characters) is not copied in.
std::string safe_role(std::string_view role) {
  return valid_role_name(role) ? std::string(role) : std::string("(not a role name)");
}

std::string role_list(const std::vector<std::string>& roles) {
  std::string list;
  for (const auto& role : roles) list += (list.empty() ? "" : ",") + safe_role(role);
  return list;
}

bool holds(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// What an update changed, for the audit trail: field names, and the values that are not
// personal data (the active flag, role names). Never the email or the names themselves.
std::string changed_fields(const AccountChanges& changes) {
  std::string detail;
  const auto add = [&detail](std::string_view part) {
    if (!detail.empty()) detail += "; ";
    detail += part;
  };
  if (changes.first_name) add("first_name");
  if (changes.last_name) add("last_name");
  if (changes.email) add("email");
  if (changes.active) add(*changes.active ? "is_active=true" : "is_active=false");
  if (changes.roles) add("roles=" + role_list(*changes.roles));
  return detail;
}

std::string ascii_lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

}  // namespace

template <class T>
Result<T> UserAdmin::recorded(const Actor& actor, AdminAction action, std::int64_t target,
                              Result<T> result, std::optional<std::string> detail) {
  std::string_view outcome = "success";
  if (!result) {
    const AuthError code = result.error().code;
    outcome = code == AuthError::last_administrator || code == AuthError::confirmation_required ||
                      code == AuthError::role_protected
                  ? "refused"
                  : "failure";
    // Why, in the core's fixed words (never the request's).
    const std::string reason = make_error_code(code).message();
    detail = detail && !detail->empty() ? *detail + "; " + reason : reason;
  }
  note(actor, action, target == 0 ? std::nullopt : std::optional(target), outcome,
       std::move(detail));
  return result;
}

void UserAdmin::note(const Actor& actor, AdminAction action, std::optional<std::int64_t> target,
                     std::string_view outcome, std::optional<std::string> detail) {
  boost::json::object details{{"actor", actor.name}, {"outcome", outcome}};
  if (target) details["user_id"] = *target;
  if (detail) details["detail"] = *detail;
  log_security_event(action_name(action), actor.client, details);
  audit_.record(actor, action, target, outcome, std::move(detail));
}

Result<Actor> UserAdmin::administrator(std::int64_t user_id, const ClientInfo& client) {
  auto found = store_.find_user_by_id(user_id);
  if (!found) return from_store(found.error());
  if (!*found || !(*found)->is_active || !holds((*found)->roles, kAdministratorRole)) {
    log_security_event("admin_access_refused", client, {{"user_id", user_id}});
    return AuthError::not_administrator;
  }
  return Actor::user(user_id, client);
}

Result<store::UserRecord> UserAdmin::find_record(std::string_view who) {
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(who.data(), who.data() + who.size(), id);
  const bool by_id = !who.empty() && error == std::errc{} && end == who.data() + who.size();
  store::Result<std::optional<store::UserRecord>> found = std::optional<store::UserRecord>{};
  if (by_id) {
    found = store_.find_user_by_id(id);
  } else {
    const auto email = canonicalize_email(who);
    if (!email) return AuthError::invalid_email;
    found = store_.find_user_by_email(email->key);
  }
  if (!found) return from_store(found.error());
  if (!*found) return AuthError::user_not_found;
  return std::move(**found);
}

Result<UserView> UserAdmin::reread(std::int64_t id) {
  auto found = store_.find_user_by_id(id);
  if (!found) return from_store(found.error());
  if (!*found) return AuthError::user_not_found;  // deleted meanwhile
  return view_of(**found);
}

Result<UserView> UserAdmin::find(std::string_view who) {
  auto record = find_record(who);
  if (!record) return record.error();
  return view_of(*record);
}

Result<UserPage> UserAdmin::list(store::UserQuery query) {
  const std::size_t limit = std::clamp<std::size_t>(query.limit, 1, kMaxPageSize);
  query.limit = limit + 1;  // one more tells whether there is a next page
  query.email_key_prefix = ascii_lower(query.email_key_prefix);
  auto found = store_.list_users(query);
  if (!found) return from_store(found.error());
  UserPage page;
  if (found->size() > limit) {
    found->resize(limit);
    page.next_after_id = found->back().id;
  }
  for (auto& record : *found) page.users.push_back(view_of(std::move(record)));
  return page;
}

Result<UserView> UserAdmin::create(const Actor& actor, const RegistrationRequest& request) {
  auto created = auth_.create_account(request);
  Result<UserView> result =
      created ? Result<UserView>(view_of(created->user)) : Result<UserView>(created.error());
  // The roles given are the point of the record (an administrator made here is the riskiest
  // grant there is); the email is not recorded.
  return recorded(actor, AdminAction::user_created, created ? created->user.id : 0,
                  std::move(result),
                  "roles=" + role_list(created ? created->user.roles : request.requested_roles));
}

Result<void> UserAdmin::unlock(const Actor& actor, std::string_view email) {
  std::int64_t target = 0;
  if (const auto canonical = canonicalize_email(email)) {
    if (auto found = store_.find_user_by_email(canonical->key); found && *found) {
      target = (**found).id;
    }
  }
  return recorded(actor, AdminAction::account_unlocked, target, auth_.unlock(email));
}

Result<std::vector<std::string>> UserAdmin::checked_roles(const std::vector<std::string>& roles) {
  if (roles.size() > kMaxRequestedRoles ||
      std::set<std::string>(roles.begin(), roles.end()).size() != roles.size()) {
    return AuthError::invalid_roles;
  }
  auto existing = store_.existing_roles(roles);
  if (!existing) return from_store(existing.error());
  if (existing->size() != roles.size()) return AuthError::role_not_found;
  return std::move(*existing);
}

Result<UserView> UserAdmin::update(const Actor& actor, std::string_view who,
                                   const AccountChanges& changes, bool force) {
  auto record = find_record(who);
  if (!record) return record.error();
  const auto change = [&]() -> Result<UserView> {
    store::UserChanges stored{.first_name = changes.first_name,
                              .last_name = changes.last_name,
                              .active = changes.active,
                              .at = clock_.now()};
    for (const auto* name : {&changes.first_name, &changes.last_name}) {
      if (*name && !valid_name(**name)) return AuthError::invalid_name;
    }
    if (changes.email) {
      const auto email = canonicalize_email(*changes.email);
      if (!email) return AuthError::invalid_email;
      stored.email = email->display;
      stored.email_key = email->key;
    }
    if (changes.roles) {
      auto roles = checked_roles(*changes.roles);
      if (!roles) return roles.error();
      stored.roles = std::move(*roles);
    }
    const bool loses_access = (changes.active && !*changes.active) ||
                              (stored.roles && holds(record->roles, kAdministratorRole) &&
                               !holds(*stored.roles, kAdministratorRole));
    if (actor.user_id == record->id && loses_access && !force) {
      return AuthError::confirmation_required;
    }
    auto updated = store_.update_user(record->id, stored, kAdministratorRole);
    if (!updated) return from_store(updated.error());
    if (!*updated) return AuthError::user_not_found;
    return reread(record->id);
  };
  AdminAction action = AdminAction::user_updated;
  if (changes.active && !changes.first_name && !changes.last_name && !changes.email &&
      !changes.roles) {
    action = *changes.active ? AdminAction::account_enabled : AdminAction::account_disabled;
  }
  return recorded(actor, action, record->id, change(), changed_fields(changes));
}

Result<UserView> UserAdmin::set_active(const Actor& actor, std::string_view who, bool active,
                                       bool force) {
  return update(actor, who, {.active = active}, force);
}

Result<UserView> UserAdmin::add_role(const Actor& actor, std::string_view who,
                                     std::string_view role) {
  auto record = find_record(who);
  if (!record) return record.error();
  const auto change = [&]() -> Result<UserView> {
    auto exists = checked_roles({std::string(role)});
    if (!exists) return exists.error();
    auto added = store_.add_user_role(record->id, role);
    if (!added) return from_store(added.error());
    return reread(record->id);
  };
  return recorded(actor, AdminAction::role_granted, record->id, change(), safe_role(role));
}

Result<UserView> UserAdmin::remove_role(const Actor& actor, std::string_view who,
                                        std::string_view role, bool force) {
  auto record = find_record(who);
  if (!record) return record.error();
  const auto change = [&]() -> Result<UserView> {
    auto exists = checked_roles({std::string(role)});
    if (!exists) return exists.error();
    if (actor.user_id == record->id && role == kAdministratorRole && !force) {
      return AuthError::confirmation_required;
    }
    auto removed = store_.remove_user_role(record->id, role, kAdministratorRole);
    if (!removed) return from_store(removed.error());
    return reread(record->id);
  };
  return recorded(actor, AdminAction::role_revoked, record->id, change(), safe_role(role));
}

Result<void> UserAdmin::remove(const Actor& actor, std::string_view who, bool force) {
  auto record = find_record(who);
  if (!record) return record.error();
  const auto change = [&]() -> Result<void> {
    if (actor.user_id == record->id && !force) return AuthError::confirmation_required;
    auto deleted = store_.delete_user(record->id, kAdministratorRole);
    if (!deleted) return from_store(deleted.error());
    if (!*deleted) return AuthError::user_not_found;
    return {};
  };
  return recorded(actor, AdminAction::user_deleted, record->id, change());
}

Result<std::vector<SessionView>> UserAdmin::sessions(std::string_view who) {
  auto record = find_record(who);
  if (!record) return record.error();
  std::vector<SessionView> sessions;
  const util::TimePoint now = clock_.now();
  for (const auto family : {store::SessionFamily::opaque, store::SessionFamily::rotating}) {
    auto live = store_.list_live_sessions(record->id, family, now);
    if (!live) return from_store(live.error());
    for (auto& session : *live) {
      sessions.push_back({.id = std::move(session.public_id),
                          .family = family,
                          .created_at = session.created_at,
                          .last_used_at = session.last_used_at,
                          .expires_at = session.expires_at,
                          .user_agent = std::move(session.user_agent)});
    }
  }
  std::stable_sort(
      sessions.begin(), sessions.end(),
      [](const SessionView& a, const SessionView& b) { return a.created_at < b.created_at; });
  return sessions;
}

Result<std::int64_t> UserAdmin::revoke_sessions(const Actor& actor, std::string_view who) {
  auto record = find_record(who);
  if (!record) return record.error();
  auto revoked = store_.revoke_user_sessions(record->id, clock_.now());
  Result<std::int64_t> result =
      revoked ? Result<std::int64_t>(*revoked) : Result<std::int64_t>(from_store(revoked.error()));
  return recorded(actor, AdminAction::sessions_revoked, record->id, result,
                  revoked ? std::optional(std::to_string(*revoked) + " sessions") : std::nullopt);
}

Result<void> UserAdmin::revoke_session(const Actor& actor, std::string_view who,
                                       std::string_view session_id) {
  // A missing user is user_not_found whatever session id follows it.
  auto record = find_record(who);
  if (!record) return record.error();
  if (!is_session_id(session_id)) {
    // No session has such an id, and what was given (an email, control characters) is not
    // copied into the trail.
    return recorded(actor, AdminAction::session_revoked, record->id,
                    Result<void>(AuthError::session_not_found),
                    std::optional<std::string>("session (not a session id)"));
  }
  auto revoked = store_.revoke_session(record->id, session_id, clock_.now());
  Result<void> result;
  if (!revoked) {
    result = from_store(revoked.error());
  } else if (!*revoked) {
    result = AuthError::session_not_found;
  }
  // The session's id is no secret (the administrator just read it in the list), and it tells
  // which device the user lost.
  return recorded(actor, AdminAction::session_revoked, record->id, result,
                  std::optional<std::string>("session " + std::string(session_id)));
}

Result<void> UserAdmin::set_password(const Actor& actor, std::string_view who,
                                     const std::string& password) {
  auto record = find_record(who);
  if (!record) return record.error();
  const auto set = [&]() -> Result<void> {
    auto hash = auth_.hash_new_password(*record, password);
    if (!hash) return hash.error();
    const util::TimePoint now = clock_.now();
    auto notice =
        mail_ ? mail_->notice(mail::Template::password_changed, record->email, now) : std::nullopt;
    const bool notified = notice.has_value();
    auto changed = store_.change_password({.user_id = record->id,
                                           .password_hash = std::move(*hash),
                                           .at = now,
                                           .notice = std::move(notice)});
    if (!changed) return from_store(changed.error());
    if (!*changed) return AuthError::account_disabled;
    if (notified) mail_->mail_queued();
    return {};
  };
  return recorded(actor, AdminAction::password_set, record->id, set());
}

Result<RecoveryLink> UserAdmin::recovery_link(const Actor& actor, std::string_view who,
                                              bool send_email) {
  auto record = find_record(who);
  if (!record) return record.error();
  Result<RecoveryLink> link = mail_ ? mail_->recovery_link(*record, send_email)
                                    : Result<RecoveryLink>(AuthError::mail_not_configured);
  return recorded(actor, AdminAction::recovery_link_issued, record->id, std::move(link),
                  send_email ? "mailed" : "returned to the administrator");
}

Result<std::vector<store::RoleRecord>> UserAdmin::roles() {
  auto roles = store_.list_roles();
  if (!roles) return from_store(roles.error());
  return std::move(*roles);
}

Result<void> UserAdmin::create_role(const Actor& actor, std::string_view name) {
  const auto change = [&]() -> Result<void> {
    if (!valid_role_name(name) || is_reserved_role(name)) return AuthError::invalid_roles;
    auto created = store_.create_role(name);
    if (!created) return from_store(created.error());
    if (!*created) return AuthError::role_taken;
    return {};
  };
  return recorded(actor, AdminAction::role_created, 0, change(), safe_role(name));
}

Result<void> UserAdmin::delete_role(const Actor& actor, std::string_view name, bool force) {
  const auto change = [&]() -> Result<void> {
    // Without the default role, registrations would quietly get no role at all.
    if (is_reserved_role(name) || name == auth_.default_role()) return AuthError::role_protected;
    auto deleted = store_.delete_role(name, force);
    if (!deleted) return from_store(deleted.error());
    switch (*deleted) {
      case store::RoleDeletion::not_found:
        return AuthError::role_not_found;
      case store::RoleDeletion::in_use:
        return AuthError::role_in_use;
      case store::RoleDeletion::deleted:
        break;
    }
    return {};
  };
  return recorded(actor, AdminAction::role_deleted, 0, change(), safe_role(name));
}

Result<AuditPage> UserAdmin::audit(std::int64_t before_id, std::size_t limit) {
  limit = std::clamp<std::size_t>(limit, 1, kMaxPageSize);
  auto events = store_.list_audit(before_id, limit + 1);
  if (!events) return from_store(events.error());
  AuditPage page;
  if (events->size() > limit) {
    events->resize(limit);
    page.next_before_id = events->back().id;
  }
  page.events = std::move(*events);
  return page;
}

}  // namespace authd::core
