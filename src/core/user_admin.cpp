#include "core/user_admin.hpp"

#include <charconv>

#include "core/email.hpp"
#include "core/security_log.hpp"

namespace authd::core {

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

Result<UserView> UserAdmin::create(const RegistrationRequest& request) {
  auto created = auth_.create_account(request);
  if (!created) return created.error();
  return view_of(created->user);
}

Result<UserView> UserAdmin::set_active(std::string_view who, bool active) {
  auto record = find_record(who);
  if (!record) return record.error();
  auto changed = store_.set_user_active(record->id, active, clock_.now());
  if (!changed) return from_store(changed.error());
  if (!*changed) return AuthError::user_not_found;
  log_security_event(active ? "account_enabled" : "account_disabled", {},
                     {{"user_id", record->id}, {"actor", "cli"}});
  return reread(record->id);
}

Result<UserView> UserAdmin::add_role(std::string_view who, std::string_view role) {
  return change_role(who, role, /*give=*/true);
}

Result<UserView> UserAdmin::remove_role(std::string_view who, std::string_view role) {
  return change_role(who, role, /*give=*/false);
}

Result<UserView> UserAdmin::change_role(std::string_view who, std::string_view role, bool give) {
  auto record = find_record(who);
  if (!record) return record.error();
  // A mistyped role is an error, not a quiet "done": the operator may be demoting someone.
  const std::string name(role);
  auto exists = store_.existing_roles(std::span<const std::string>(&name, 1));
  if (!exists) return from_store(exists.error());
  if (exists->empty()) return AuthError::role_not_found;
  auto changed =
      give ? store_.add_user_role(record->id, role) : store_.remove_user_role(record->id, role);
  if (!changed) return from_store(changed.error());
  if (*changed) {
    log_security_event(give ? "role_granted" : "role_revoked", {},
                       {{"user_id", record->id}, {"role", name}, {"actor", "cli"}});
  }
  return reread(record->id);
}

}  // namespace authd::core
