// A Store that hands every call to a real one, for unit tests that change a few operations
// (a store that stops taking writes, for one) while the rest runs against a real database.
#pragma once

#include "store/store.hpp"

namespace authd::test {

class ForwardingStore : public store::Store {
 public:
  explicit ForwardingStore(store::Store& inner) : inner_(inner) {}

  store::Result<store::UserRecord> create_user(
      const store::NewUser& user, const std::optional<store::NewSession>& session) override {
    return inner_.create_user(user, session);
  }
  store::Result<std::optional<store::UserRecord>> find_user_by_email(
      std::string_view email_key) override {
    return inner_.find_user_by_email(email_key);
  }
  store::Result<std::optional<store::UserRecord>> find_user_by_id(std::int64_t id) override {
    return inner_.find_user_by_id(id);
  }
  store::Result<std::vector<std::string>> existing_roles(
      std::span<const std::string> names) override {
    return inner_.existing_roles(names);
  }
  store::Result<bool> set_user_active(std::int64_t user_id, bool active, util::TimePoint at,
                                      std::string_view keep_holder_of) override {
    return inner_.set_user_active(user_id, active, at, keep_holder_of);
  }
  store::Result<bool> add_user_role(std::int64_t user_id, std::string_view role) override {
    return inner_.add_user_role(user_id, role);
  }
  store::Result<bool> remove_user_role(std::int64_t user_id, std::string_view role,
                                       std::string_view keep_holder_of) override {
    return inner_.remove_user_role(user_id, role, keep_holder_of);
  }
  store::Result<bool> update_user(std::int64_t user_id, const store::UserChanges& changes,
                                  std::string_view keep_holder_of) override {
    return inner_.update_user(user_id, changes, keep_holder_of);
  }
  store::Result<bool> delete_user(std::int64_t user_id, std::string_view keep_holder_of) override {
    return inner_.delete_user(user_id, keep_holder_of);
  }
  store::Result<std::vector<store::UserRecord>> list_users(const store::UserQuery& query) override {
    return inner_.list_users(query);
  }
  store::Result<std::vector<store::RoleRecord>> list_roles() override {
    return inner_.list_roles();
  }
  store::Result<bool> create_role(std::string_view name) override {
    return inner_.create_role(name);
  }
  store::Result<store::RoleDeletion> delete_role(std::string_view name, bool force) override {
    return inner_.delete_role(name, force);
  }
  store::Result<void> append_audit(const store::AuditRecord& event) override {
    return inner_.append_audit(event);
  }
  store::Result<std::vector<store::AuditRecord>> list_audit(std::int64_t before_id,
                                                            std::size_t limit) override {
    return inner_.list_audit(before_id, limit);
  }
  store::Result<std::int64_t> purge_audit(util::TimePoint before) override {
    return inner_.purge_audit(before);
  }
  store::Result<store::UserRecord> record_login(const store::LoginUpdate& update) override {
    return inner_.record_login(update);
  }
  store::Result<bool> change_password(const store::PasswordChange& change) override {
    return inner_.change_password(change);
  }
  store::Result<bool> issue_action_token(const store::NewActionToken& token,
                                         const std::optional<store::OutboxMessage>& mail) override {
    return inner_.issue_action_token(token, mail);
  }
  store::Result<std::optional<store::ActionTokenRecord>> find_action_token(
      std::string_view token_hash, std::string_view purpose, util::TimePoint now) override {
    return inner_.find_action_token(token_hash, purpose, now);
  }
  store::Result<std::optional<std::int64_t>> redeem_action_token(
      const store::TokenRedemption& redemption) override {
    return inner_.redeem_action_token(redemption);
  }
  store::Result<void> queue_mail(const store::OutboxMessage& mail) override {
    return inner_.queue_mail(mail);
  }
  store::Result<std::vector<store::ClaimedMail>> claim_mail(util::TimePoint now,
                                                            util::TimePoint lease_until,
                                                            std::size_t limit) override {
    return inner_.claim_mail(now, lease_until, limit);
  }
  store::Result<void> finish_mail(std::int64_t id, std::int64_t attempt, store::MailOutcome outcome,
                                  util::TimePoint next_attempt_at, std::string_view error,
                                  util::TimePoint at) override {
    return inner_.finish_mail(id, attempt, outcome, next_attempt_at, error, at);
  }
  store::Result<store::OutboxStats> outbox_stats() override { return inner_.outbox_stats(); }
  store::Result<std::int64_t> purge_mail(util::TimePoint before) override {
    return inner_.purge_mail(before);
  }
  store::Result<std::vector<store::ThrottleRecord>> get_throttles(
      std::span<const std::string> keys) override {
    return inner_.get_throttles(keys);
  }
  store::Result<bool> put_throttle(std::string_view key, std::int64_t expected_version,
                                   const store::ThrottleRecord& next) override {
    return inner_.put_throttle(key, expected_version, next);
  }
  store::Result<void> clear_throttle(std::string_view key) override {
    return inner_.clear_throttle(key);
  }
  store::Result<std::int64_t> purge_throttles(util::TimePoint now) override {
    return inner_.purge_throttles(now);
  }
  store::Result<std::optional<store::OwnedSession>> find_session(std::string_view public_id,
                                                                 std::string_view kid) override {
    return inner_.find_session(public_id, kid);
  }
  store::Result<std::optional<store::OwnedSession>> find_opaque_session(
      std::string_view token_hash) override {
    return inner_.find_opaque_session(token_hash);
  }
  store::Result<std::vector<store::SessionRecord>> list_live_sessions(
      std::int64_t user_id, store::SessionFamily family, util::TimePoint now) override {
    return inner_.list_live_sessions(user_id, family, now);
  }
  store::Result<bool> revoke_session(std::int64_t user_id, std::string_view public_id,
                                     util::TimePoint at) override {
    return inner_.revoke_session(user_id, public_id, at);
  }
  store::Result<std::int64_t> revoke_user_sessions(std::int64_t user_id,
                                                   util::TimePoint at) override {
    return inner_.revoke_user_sessions(user_id, at);
  }
  store::Result<std::optional<store::RefreshTokenRecord>> find_refresh_token(
      std::string_view token_hash) override {
    return inner_.find_refresh_token(token_hash);
  }
  store::Result<bool> rotate_refresh_token(std::int64_t session_id, std::int64_t from_generation,
                                           std::string_view next_token_hash,
                                           util::TimePoint at) override {
    return inner_.rotate_refresh_token(session_id, from_generation, next_token_hash, at);
  }
  store::Result<std::int64_t> purge_sessions(util::TimePoint before) override {
    return inner_.purge_sessions(before);
  }
  store::Result<void> add_signing_key(const store::SigningKeyRecord& key) override {
    return inner_.add_signing_key(key);
  }
  store::Result<std::vector<store::SigningKeyRecord>> signing_keys() override {
    return inner_.signing_keys();
  }
  store::Result<bool> revoke_signing_key(std::string_view kid, util::TimePoint at) override {
    return inner_.revoke_signing_key(kid, at);
  }
  store::Result<store::ImportClashes> find_import_clashes(
      std::span<const store::ImportedUser> users, util::TimePoint at) override {
    return inner_.find_import_clashes(users, at);
  }
  store::Result<void> import_users(std::span<const store::ImportedUser> users,
                                   util::TimePoint at) override {
    return inner_.import_users(users, at);
  }
  store::Result<void> reserve_user_ids(std::int64_t highest) override {
    return inner_.reserve_user_ids(highest);
  }
  store::Result<std::vector<std::pair<std::string, std::int64_t>>> count_password_schemes()
      override {
    return inner_.count_password_schemes();
  }
  store::Result<std::int64_t> count_active_sessions(util::TimePoint now) override {
    return inner_.count_active_sessions(now);
  }
  store::Result<void> ping() override { return inner_.ping(); }
  store::Result<void> check_writable(util::TimePoint now) override {
    return inner_.check_writable(now);
  }

 private:
  store::Store& inner_;
};

// Reads as the real store does; every write fails as unavailable, as a full disk, a read-only
// database file or a read-only PostgreSQL server would make it.
class ReadOnlyStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  store::Result<store::UserRecord> create_user(const store::NewUser&,
                                               const std::optional<store::NewSession>&) override {
    return store::StoreError::unavailable;
  }
  store::Result<store::UserRecord> record_login(const store::LoginUpdate&) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> change_password(const store::PasswordChange&) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> issue_action_token(const store::NewActionToken&,
                                         const std::optional<store::OutboxMessage>&) override {
    return store::StoreError::unavailable;
  }
  store::Result<std::optional<std::int64_t>> redeem_action_token(
      const store::TokenRedemption&) override {
    return store::StoreError::unavailable;
  }
  store::Result<void> queue_mail(const store::OutboxMessage&) override {
    return store::StoreError::unavailable;
  }
  store::Result<std::vector<store::ClaimedMail>> claim_mail(util::TimePoint, util::TimePoint,
                                                            std::size_t) override {
    return store::StoreError::unavailable;
  }
  store::Result<void> finish_mail(std::int64_t, std::int64_t, store::MailOutcome, util::TimePoint,
                                  std::string_view, util::TimePoint) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> set_user_active(std::int64_t, bool, util::TimePoint,
                                      std::string_view) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> add_user_role(std::int64_t, std::string_view) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> remove_user_role(std::int64_t, std::string_view, std::string_view) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> update_user(std::int64_t, const store::UserChanges&,
                                  std::string_view) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> delete_user(std::int64_t, std::string_view) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> create_role(std::string_view) override {
    return store::StoreError::unavailable;
  }
  store::Result<store::RoleDeletion> delete_role(std::string_view, bool) override {
    return store::StoreError::unavailable;
  }
  store::Result<void> append_audit(const store::AuditRecord&) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> put_throttle(std::string_view, std::int64_t,
                                   const store::ThrottleRecord&) override {
    return store::StoreError::unavailable;
  }
  store::Result<void> clear_throttle(std::string_view) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> rotate_refresh_token(std::int64_t, std::int64_t, std::string_view,
                                           util::TimePoint) override {
    return store::StoreError::unavailable;
  }
  store::Result<bool> revoke_session(std::int64_t, std::string_view, util::TimePoint) override {
    return store::StoreError::unavailable;
  }
  store::Result<void> check_writable(util::TimePoint) override {
    return store::StoreError::unavailable;
  }
};

}  // namespace authd::test
