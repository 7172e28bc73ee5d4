#include "core/account_service.hpp"

#include "core/security_log.hpp"

namespace authd::core {

Result<void> AccountService::change_password(const Principal& caller,
                                             const std::string& current_password,
                                             const std::string& new_password,
                                             const ClientInfo& client) {
  auto user = auth_.verify_current_password(caller.user_id, current_password, client);
  if (!user) return user.error();
  auto hash = auth_.hash_new_password(*user, new_password);
  if (!hash) return hash.error();
  const util::TimePoint now = clock_.now();
  auto notice =
      mail_ ? mail_->notice(mail::Template::password_changed, user->email, now) : std::nullopt;
  const bool notified = notice.has_value();
  auto changed = store_.change_password({.user_id = user->id,
                                         .password_hash = std::move(*hash),
                                         .at = now,
                                         .keep_session = caller.session_id,
                                         .notice = std::move(notice)});
  if (!changed) return from_store(changed.error());
  if (!*changed) return AuthError::invalid_token;  // deactivated or deleted meanwhile
  log_security_event("password_changed", client, {{"user_id", user->id}});
  if (notified) mail_->mail_queued();
  return {};
}

Result<void> AccountService::deactivate(const Principal& caller,
                                        const std::string& current_password,
                                        const ClientInfo& client) {
  auto user = auth_.verify_current_password(caller.user_id, current_password, client);
  if (!user) return user.error();
  const util::TimePoint now = clock_.now();
  auto done = store_.set_user_active(user->id, false, now, kAdministratorRole);
  if (!done) return from_store(done.error());
  if (!*done) return AuthError::invalid_token;
  log_security_event("account_deactivated", client, {{"user_id", user->id}});
  // After the change, in a write of its own: a notice lost to a store outage right here is the
  // price of not holding the deactivation for it.
  if (auto notice = mail_ ? mail_->notice(mail::Template::account_deactivated, user->email, now)
                          : std::nullopt) {
    if (store_.queue_mail(*notice)) mail_->mail_queued();
  }
  return {};
}

Result<void> AccountService::remove(const Principal& caller, const std::string& current_password,
                                    const ClientInfo& client) {
  auto user = auth_.verify_current_password(caller.user_id, current_password, client);
  if (!user) return user.error();
  auto done = store_.delete_user(user->id, kAdministratorRole);
  if (!done) return from_store(done.error());
  if (!*done) return AuthError::invalid_token;
  // Without the client's address: deletion forgets the addresses the trail held of this person
  // (Store::delete_user), and this row would otherwise be the one left behind.
  log_security_event("account_deleted", ClientInfo{}, {{"user_id", user->id}});
  return {};
}

}  // namespace authd::core
