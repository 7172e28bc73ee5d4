// The embedded store: one SQLite file in WAL mode, a small pool of connections (one per worker
// thread, so readers never wait for each other) and migrations applied on open.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/connection_pool.hpp"
#include "store/migration.hpp"
#include "store/store.hpp"

namespace authd::store::sqlite {

class Connection;
class WalIndexHeader;

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database file and applies pending migrations; with
  // OpenMode::existing, opens an existing, fully migrated database and changes nothing.
  // Throws std::runtime_error when the file cannot be opened or migrated: a start-up failure.
  SqliteStore(const std::string& path, std::size_t connections,
              OpenMode mode = OpenMode::create_and_migrate);
  ~SqliteStore() override;

  // From the WAL index header, which every commit of every process changes.
  std::optional<ChangeStamp> change_stamp() const override;

  Result<UserRecord> create_user(const NewUser& user,
                                 const std::optional<NewSession>& session) override;
  Result<std::optional<UserRecord>> find_user_by_email(std::string_view email_key) override;
  Result<std::optional<UserRecord>> find_user_by_id(std::int64_t id) override;
  Result<std::vector<std::string>> existing_roles(std::span<const std::string> names) override;
  Result<bool> set_user_active(std::int64_t user_id, bool active, util::TimePoint at,
                               std::string_view keep_holder_of) override;
  Result<bool> add_user_role(std::int64_t user_id, std::string_view role) override;
  Result<bool> remove_user_role(std::int64_t user_id, std::string_view role,
                                std::string_view keep_holder_of) override;
  Result<bool> update_user(std::int64_t user_id, const UserChanges& changes,
                           std::string_view keep_holder_of) override;
  Result<bool> delete_user(std::int64_t user_id, std::string_view keep_holder_of) override;
  Result<std::vector<UserRecord>> list_users(const UserQuery& query) override;
  Result<std::vector<RoleRecord>> list_roles() override;
  Result<bool> create_role(std::string_view name) override;
  Result<RoleDeletion> delete_role(std::string_view name, bool force) override;
  Result<void> append_audit(const AuditRecord& event) override;
  Result<std::vector<AuditRecord>> list_audit(std::int64_t before_id, std::size_t limit) override;
  Result<std::int64_t> purge_audit(util::TimePoint before) override;
  Result<UserRecord> record_login(const LoginUpdate& update) override;
  Result<bool> change_password(const PasswordChange& change) override;
  Result<bool> issue_action_token(const NewActionToken& token,
                                  const std::optional<OutboxMessage>& mail) override;
  Result<std::optional<ActionTokenRecord>> find_action_token(std::string_view token_hash,
                                                             std::string_view purpose,
                                                             util::TimePoint now) override;
  Result<std::optional<std::int64_t>> redeem_action_token(
      const TokenRedemption& redemption) override;
  Result<void> queue_mail(const OutboxMessage& mail) override;
  Result<std::vector<ClaimedMail>> claim_mail(util::TimePoint now, util::TimePoint lease_until,
                                              std::size_t limit) override;
  Result<void> finish_mail(std::int64_t id, std::int64_t attempt, MailOutcome outcome,
                           util::TimePoint next_attempt_at, std::string_view error,
                           util::TimePoint at) override;
  Result<OutboxStats> outbox_stats() override;
  Result<std::int64_t> purge_mail(util::TimePoint before) override;
  Result<std::vector<ThrottleRecord>> get_throttles(std::span<const std::string> keys) override;
  Result<bool> put_throttle(std::string_view key, std::int64_t expected_version,
                            const ThrottleRecord& next) override;
  Result<void> clear_throttle(std::string_view key) override;
  Result<std::int64_t> purge_throttles(util::TimePoint now) override;
  Result<std::optional<OwnedSession>> find_session(std::string_view public_id,
                                                   std::string_view kid) override;
  Result<std::optional<OwnedSession>> find_opaque_session(std::string_view token_hash) override;
  Result<std::vector<SessionRecord>> list_live_sessions(std::int64_t user_id, SessionFamily family,
                                                        util::TimePoint now) override;
  Result<bool> revoke_session(std::int64_t user_id, std::string_view public_id,
                              util::TimePoint at) override;
  Result<std::int64_t> revoke_user_sessions(std::int64_t user_id, util::TimePoint at) override;
  Result<std::optional<RefreshTokenRecord>> find_refresh_token(
      std::string_view token_hash) override;
  Result<bool> rotate_refresh_token(std::int64_t session_id, std::int64_t from_generation,
                                    std::string_view next_token_hash, util::TimePoint at) override;
  Result<std::int64_t> purge_sessions(util::TimePoint before) override;
  Result<void> add_signing_key(const SigningKeyRecord& key) override;
  Result<std::vector<SigningKeyRecord>> signing_keys() override;
  Result<bool> revoke_signing_key(std::string_view kid, util::TimePoint at) override;
  Result<ImportClashes> find_import_clashes(std::span<const ImportedUser> users,
                                            util::TimePoint at) override;
  Result<void> import_users(std::span<const ImportedUser> users, util::TimePoint at) override;
  Result<void> reserve_user_ids(std::int64_t highest) override;
  Result<std::vector<std::pair<std::string, std::int64_t>>> count_password_schemes() override;
  Result<std::int64_t> count_active_sessions(util::TimePoint now) override;
  Result<void> ping() override;
  Result<void> check_writable(util::TimePoint now) override;

 private:
  template <class Fn>
  auto with_connection(const char* operation, Fn&& fn) -> decltype(fn(std::declval<Connection&>()));

  std::unique_ptr<ConnectionPool<Connection>> pool_;
  // Reads the mapping of one of the pool's connections: declared after the pool, so gone before
  // they close.
  std::unique_ptr<WalIndexHeader> wal_index_header_;
};

}  // namespace authd::store::sqlite
