#include "store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>
#include <unordered_set>

#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_migrations.hpp"
#include "store/sqlite/wal_index_header.hpp"

namespace authd::store::sqlite {
namespace {

// One column list for every user query, in the order read_user() reads it, qualified so that a
// session query can read its owner with it. The roles come in the same statement, as
// [[position, name]...] (SQLite 3.40's json_group_array has no ORDER BY, so read_user sorts
// them): one statement, one read lock, where a second query cost as much as the first.
#define AUTHD_USER_COLUMNS                                                                   \
  "users.id, users.email, users.password_hash, users.first_name, users.last_name, "          \
  "users.is_active, users.last_login, users.password_reset_token_hash, "                     \
  "users.password_reset_expires, users.created_at, users.updated_at, "                       \
  "users.credentials_revoked_at, (SELECT json_group_array(json_array(ur.position, r.name)) " \
  "FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = users.id), "      \
  "users.email_verified_at, users.password_changed_at "
#define AUTHD_USER_SELECT "SELECT " AUTHD_USER_COLUMNS "FROM users "
constexpr const char* kSelectUserByEmailKey = AUTHD_USER_SELECT "WHERE email_key = ?1";
constexpr const char* kSelectUserById = AUTHD_USER_SELECT "WHERE id = ?1";
constexpr const char* kSelectRoleExists = "SELECT 1 FROM roles WHERE name = ?1";
constexpr const char* kInsertUser =
    "INSERT INTO users (email, email_key, password_hash, first_name, last_name, is_active, "
    "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)";
// An imported account, as its old app kept it (ids, flags and times included).
constexpr const char* kImportUser =
    "INSERT INTO users (id, email, email_key, password_hash, first_name, last_name, is_active, "
    "last_login, created_at, updated_at, credentials_revoked_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
constexpr const char* kCountPasswordSchemes =
    "SELECT CASE WHEN substr(password_hash, 1, 1) = '$' AND instr(substr(password_hash, 2), '$') > "
    "0 "
    "THEN substr(password_hash, 2, instr(substr(password_hash, 2), '$') - 1) ELSE '' END AS "
    "scheme, "
    "COUNT(*) FROM users GROUP BY scheme ORDER BY scheme";
constexpr const char* kSelectIdTaken = "SELECT 1 FROM users WHERE id = ?1";
constexpr const char* kSelectEmailKeyTaken = "SELECT 1 FROM users WHERE email_key = ?1";
// An address a live email change revert holds for another account (kEmailRevertPurpose).
constexpr const char* kSelectEmailKeyHeld =
    "SELECT 1 FROM action_tokens WHERE new_email_key = ?1 AND purpose = 'email_revert' "
    "AND used_at IS NULL AND expires_at > ?3 AND user_id <> ?2";
// AUTOINCREMENT keeps the highest id ever used in sqlite_sequence; raising it reserves ids.
constexpr const char* kReserveUserIds =
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'users', ?1 "
    "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'users')";
constexpr const char* kRaiseUserSequence =
    "UPDATE sqlite_sequence SET seq = MAX(seq, ?1) WHERE name = 'users'";
constexpr const char* kInsertUserRole =
    "INSERT OR IGNORE INTO user_roles (user_id, role_id, position) "
    "SELECT ?1, id, ?2 FROM roles WHERE name = ?3";
constexpr const char* kSetUserActive =
    "UPDATE users SET is_active = ?2, updated_at = ?3, "
    "credentials_revoked_at = CASE WHEN ?2 THEN credentials_revoked_at "
    "ELSE MAX(COALESCE(credentials_revoked_at, 0), ?3) END WHERE id = ?1";
constexpr const char* kAddUserRole =
    "INSERT OR IGNORE INTO user_roles (user_id, role_id, position) "
    "SELECT u.id, r.id, (SELECT COALESCE(MAX(position), -1) + 1 FROM user_roles WHERE user_id = "
    "?1) "
    "FROM users u, roles r WHERE u.id = ?1 AND r.name = ?2";
constexpr const char* kRemoveUserRole =
    "DELETE FROM user_roles WHERE user_id = ?1 AND role_id = (SELECT id FROM roles WHERE name = "
    "?2)";
// The guard of a role's last active holder (Store's keep_holder_of).
constexpr const char* kIsActiveHolder =
    "SELECT EXISTS (SELECT 1 FROM users u JOIN user_roles ur ON ur.user_id = u.id "
    "JOIN roles r ON r.id = ur.role_id "
    "WHERE u.id = ?1 AND r.name = ?2 AND CAST(u.is_active AS INTEGER) <> 0)";
constexpr const char* kHasActiveHolder =
    "SELECT EXISTS (SELECT 1 FROM users u JOIN user_roles ur ON ur.user_id = u.id "
    "JOIN roles r ON r.id = ur.role_id WHERE r.name = ?1 AND CAST(u.is_active AS INTEGER) <> 0)";
constexpr const char* kUserExists = "SELECT 1 FROM users WHERE id = ?1";
constexpr const char* kUpdateFirstName =
    "UPDATE users SET first_name = ?2, updated_at = ?3 WHERE id = ?1";
constexpr const char* kUpdateLastName =
    "UPDATE users SET last_name = ?2, updated_at = ?3 WHERE id = ?1";
// A new address is unverified until its owner proves the mailbox.
constexpr const char* kUpdateEmail =
    "UPDATE users SET email = ?2, email_key = ?3, updated_at = ?4, "
    "email_verified_at = CASE WHEN email_key = ?3 THEN email_verified_at END WHERE id = ?1";
constexpr const char* kTouchUser = "UPDATE users SET updated_at = ?2 WHERE id = ?1";
constexpr const char* kDeleteUserRoles = "DELETE FROM user_roles WHERE user_id = ?1";
constexpr const char* kDeleteUser = "DELETE FROM users WHERE id = ?1";
// The client addresses of what the deleted person did (or what was tried on their account) are
// theirs; an administrator's address on an action taken on them is not.
constexpr const char* kForgetAuditAddresses =
    "UPDATE audit_events SET client = NULL "
    "WHERE target_user_id = ?1 AND (actor = 'anonymous' OR actor = 'user:' || ?1)";
// Ids above ?1, ascending; ?2 a prefix of the canonical email ('' for any), ?3 the active flag
// and ?4 a role (NULL for any).
constexpr const char* kListUsers = AUTHD_USER_SELECT
    "WHERE id > ?1 AND substr(email_key, 1, length(?2)) = ?2 "
    "AND (?3 IS NULL OR (CAST(is_active AS INTEGER) <> 0) = ?3) "
    "AND (?4 IS NULL OR EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
    "WHERE ur.user_id = users.id AND r.name = ?4)) "
    "ORDER BY id LIMIT ?5";
#undef AUTHD_USER_SELECT
constexpr const char* kListRoles =
    "SELECT r.name, (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = r.id) "
    "FROM roles r ORDER BY r.name";
constexpr const char* kCreateRole = "INSERT OR IGNORE INTO roles (name) VALUES (?1)";
constexpr const char* kRoleHolders =
    "SELECT r.id, (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = r.id) "
    "FROM roles r WHERE r.name = ?1";
constexpr const char* kDeleteRoleAssignments = "DELETE FROM user_roles WHERE role_id = ?1";
constexpr const char* kDeleteRole = "DELETE FROM roles WHERE id = ?1";
constexpr const char* kInsertAudit =
    "INSERT INTO audit_events (at, actor, action, target_user_id, client, outcome, detail) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kListAudit =
    "SELECT id, at, actor, action, target_user_id, client, outcome, detail FROM audit_events "
    "WHERE ?1 = 0 OR id < ?1 ORDER BY id DESC LIMIT ?2";
constexpr const char* kPurgeAudit = "DELETE FROM audit_events WHERE at < ?1";
// The upgraded hash replaces only the one the login verified (?4): a password changed meanwhile
// is not put back.
constexpr const char* kUpdateLogin =
    "UPDATE users SET last_login = ?2, updated_at = ?2, "
    "password_hash = CASE WHEN password_hash = ?4 THEN COALESCE(?3, password_hash) "
    "ELSE password_hash END "
    "WHERE id = ?1 AND CAST(is_active AS INTEGER) <> 0";
constexpr const char* kChangePassword =
    "UPDATE users SET password_hash = ?2, password_changed_at = ?3, updated_at = ?3, "
    "credentials_revoked_at = MAX(COALESCE(credentials_revoked_at, 0), ?3) "
    "WHERE id = ?1 AND CAST(is_active AS INTEGER) <> 0";
// Every live session of the user but ?3 (NULL: all of them).
constexpr const char* kRevokeOtherSessions =
    "UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL "
    "AND (?3 IS NULL OR public_id IS NOT ?3)";
constexpr const char* kRevokeSessionsOfFamily =
    "UPDATE sessions SET revoked_at = ?3 "
    "WHERE user_id = ?1 AND kind = ?2 AND revoked_at IS NULL";
constexpr const char* kInsertSession =
    "INSERT INTO sessions (user_id, kind, token_hash, created_at, expires_at, user_agent, "
    "client_address, public_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
// One column list for every session query, in the order read_session() reads it.
#define AUTHD_SESSION_COLUMNS                                                                 \
  " s.id, s.user_id, s.public_id, s.created_at, s.expires_at, s.last_used_at, s.revoked_at, " \
  "s.rotated_at, s.refresh_generation, COALESCE(s.user_agent, ''), users.is_active, "         \
  "s.token_hash, s.previous_token_hash "
// A session with its owner (read_owned_session): the session columns, whether ?2 names a
// revoked signing key, then the owner's columns.
constexpr const char* kSelectSession =
    "SELECT" AUTHD_SESSION_COLUMNS
    ", EXISTS (SELECT 1 FROM signing_keys k WHERE k.kid = ?2 AND k.revoked_at IS NOT "
    "NULL), " AUTHD_USER_COLUMNS
    "FROM sessions s JOIN users ON users.id = s.user_id WHERE s.public_id = ?1";
constexpr const char* kSelectOpaqueSession =
    "SELECT" AUTHD_SESSION_COLUMNS ", 0, " AUTHD_USER_COLUMNS
    "FROM sessions s JOIN users ON users.id = s.user_id "
    "WHERE s.token_hash = ?1 AND s.kind = 'opaque'";
#undef AUTHD_USER_COLUMNS
constexpr const char* kSelectLiveSessions =
    "SELECT" AUTHD_SESSION_COLUMNS
    "FROM sessions s JOIN users ON users.id = s.user_id "
    "WHERE s.user_id = ?1 AND s.kind = ?2 AND s.revoked_at IS NULL AND s.expires_at > ?3 "
    "ORDER BY s.id";
// The live token is in token_hash, the one it replaced in previous_token_hash.
constexpr const char* kSelectRefreshToken =
    "SELECT CASE WHEN s.token_hash = ?1 THEN s.refresh_generation "
    "ELSE s.refresh_generation - 1 END," AUTHD_SESSION_COLUMNS
    "FROM sessions s JOIN users ON users.id = s.user_id "
    "WHERE s.kind = 'rotating' AND (s.token_hash = ?1 OR s.previous_token_hash = ?1)";
#undef AUTHD_SESSION_COLUMNS
constexpr const char* kRevokeSession =
    "UPDATE sessions SET revoked_at = ?3 "
    "WHERE user_id = ?1 AND public_id = ?2 AND revoked_at IS NULL AND expires_at > ?3";
constexpr const char* kRevokeUserSessions =
    "UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL";
constexpr const char* kRevokeUserCredentials =
    "UPDATE users SET credentials_revoked_at = MAX(COALESCE(credentials_revoked_at, 0), ?2) "
    "WHERE id = ?1";
constexpr const char* kAdvanceRefreshGeneration =
    "UPDATE sessions SET refresh_generation = ?2 + 1, rotated_at = ?3, last_used_at = ?3, "
    "previous_token_hash = token_hash, token_hash = ?4 "
    "WHERE id = ?1 AND refresh_generation = ?2 AND revoked_at IS NULL";
// The live sessions of a kind beyond the newest ?4 (LIMIT -1: no limit, only the offset).
constexpr const char* kRevokeSessionsBeyond =
    "UPDATE sessions SET revoked_at = ?3 WHERE id IN (SELECT id FROM sessions "
    "WHERE user_id = ?1 AND kind = ?2 AND revoked_at IS NULL ORDER BY id DESC LIMIT -1 OFFSET ?4)";
constexpr const char* kPurgeSessions =
    "DELETE FROM sessions WHERE expires_at < ?1 OR revoked_at < ?1";
constexpr const char* kInsertSigningKey =
    "INSERT INTO signing_keys (kid, public_key, sealed_private_key, created_at, activates_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kSelectSigningKeys =
    "SELECT kid, public_key, sealed_private_key, created_at, activates_at, revoked_at "
    "FROM signing_keys ORDER BY activates_at, kid";
constexpr const char* kRevokeSigningKey =
    "UPDATE signing_keys SET revoked_at = ?2 WHERE kid = ?1 AND revoked_at IS NULL";
// Action tokens: only live ones (unused, unexpired) count; ?3 the time. Spending or voiding a
// token sets used_at.
constexpr const char* kVoidTokensOfPurpose =
    "UPDATE action_tokens SET used_at = ?3 "
    "WHERE user_id = ?1 AND purpose = ?2 AND used_at IS NULL";
// A new password voids every outstanding token but an email change's revert (see
// kEmailRevertPurpose); a revert voids them all.
constexpr const char* kVoidUserTokens =
    "UPDATE action_tokens SET used_at = ?2 WHERE user_id = ?1 AND used_at IS NULL "
    "AND purpose <> 'email_revert'";
// TokenRedemption::void_other_tokens; ?3 the spent token's created_at.
constexpr const char* kVoidOtherUserTokens =
    "UPDATE action_tokens SET used_at = ?2 WHERE user_id = ?1 AND used_at IS NULL "
    "AND NOT (purpose = 'email_revert' AND created_at < ?3)";
constexpr const char* kIsActiveWithEmail =
    "SELECT 1 FROM users WHERE id = ?1 AND email_key = ?2 AND CAST(is_active AS INTEGER) <> 0";
constexpr const char* kInsertActionToken =
    "INSERT INTO action_tokens (user_id, purpose, token_hash, email_key, created_at, expires_at, "
    "new_email, new_email_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kSetPasswordResetExpires =
    "UPDATE users SET password_reset_expires = ?2 WHERE id = ?1";
// Token t of user u is live at `now`: unspent, unexpired, its user active and still at the
// address it was sent to, and issued since the user's credentials were last revoked (a
// deactivation, a password change, a log-out everywhere); an email change's revert is bound to
// the account alone.
#define AUTHD_TOKEN_LIVE_AT(now)                                              \
  "t.used_at IS NULL AND t.expires_at > " now                                 \
  " AND u.id = t.user_id "                                                    \
  "AND CAST(u.is_active AS INTEGER) <> 0 AND (t.purpose = 'email_revert' OR " \
  "(u.email_key = t.email_key AND t.created_at >= COALESCE(u.credentials_revoked_at, 0)))"
constexpr const char* kSelectLiveToken =
    "SELECT t.id, t.user_id, t.new_email, t.new_email_key, t.created_at "
    "FROM action_tokens t, users u "
    "WHERE t.token_hash = ?1 AND t.purpose = ?2 AND " AUTHD_TOKEN_LIVE_AT("?3");
constexpr const char* kSpendToken =
    "UPDATE action_tokens SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL";
constexpr const char* kApplyNewEmail =
    "UPDATE users SET email = ?2, email_key = ?3, email_verified_at = ?4, updated_at = ?4 "
    "WHERE id = ?1";
constexpr const char* kMarkEmailVerified =
    "UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?2), updated_at = ?2 "
    "WHERE id = ?1";
// The outbox. A mail is 'pending' (due at next_attempt_at), 'sending' (claimed until
// locked_until) or final ('sent', 'failed', 'expired', its payload erased).
constexpr const char* kQueueMail =
    "INSERT INTO mail_outbox (template, message_id, sealed_payload, next_attempt_at, not_after, "
    "created_at, action_token_id) VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?6)";
constexpr const char* kClaimMail =
    "UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, locked_until = ?2 "
    "WHERE id IN (SELECT id FROM mail_outbox "
    "WHERE (status = 'pending' AND next_attempt_at <= ?1) "
    "OR (status = 'sending' AND locked_until <= ?1) ORDER BY id LIMIT ?3) "
    "RETURNING id, template, message_id, sealed_payload, attempts, not_after, "
    "action_token_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM action_tokens t, users u "
    "WHERE t.id = mail_outbox.action_token_id AND " AUTHD_TOKEN_LIVE_AT("?1") ")";
#undef AUTHD_TOKEN_LIVE_AT
// Only while the mail is still this attempt's (?5): a sender whose lease ran out records nothing.
constexpr const char* kFinishMail =
    "UPDATE mail_outbox SET status = ?2, sealed_payload = NULL, locked_until = NULL, "
    "last_error = ?3, finished_at = ?4 WHERE id = ?1 AND status = 'sending' AND attempts = ?5";
constexpr const char* kRetryMail =
    "UPDATE mail_outbox SET status = 'pending', locked_until = NULL, last_error = ?3, "
    "next_attempt_at = ?2 WHERE id = ?1 AND status = 'sending' AND attempts = ?4";
constexpr const char* kPurgeFinishedMail =
    "DELETE FROM mail_outbox WHERE status IN ('sent', 'failed', 'expired') AND finished_at < ?1";
constexpr const char* kPurgeDeadTokens =
    "DELETE FROM action_tokens WHERE used_at < ?1 OR expires_at < ?1";
constexpr const char* kOutboxStats =
    "SELECT COUNT(*), MIN(created_at) FROM mail_outbox WHERE status IN ('pending', 'sending')";
constexpr const char* kWriteReadinessProbe =
    "INSERT INTO readiness_probe (id, checked_at) VALUES (1, ?1) "
    "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at";
constexpr const char* kPing = "SELECT 1";
// Up to kMaxThrottleKeys keys in one read; unused places hold '', which is never a key.
constexpr const char* kSelectThrottles =
    "SELECT key, failures, counted_at, locked_until, lockouts, consecutive, last_success, "
    "forget_at, version FROM throttles WHERE key IN (?1, ?2, ?3, ?4)";
constexpr const char* kInsertThrottle =
    "INSERT INTO throttles (key, failures, counted_at, locked_until, lockouts, consecutive, "
    "last_success, forget_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1) "
    "ON CONFLICT (key) DO NOTHING";
constexpr const char* kUpdateThrottle =
    "UPDATE throttles SET failures = ?2, counted_at = ?3, locked_until = ?4, lockouts = ?5, "
    "consecutive = ?6, last_success = ?7, forget_at = ?8, version = version + 1 "
    "WHERE key = ?1 AND version = ?9";
constexpr const char* kDeleteThrottle = "DELETE FROM throttles WHERE key = ?1";
constexpr const char* kPurgeThrottles = "DELETE FROM throttles WHERE forget_at < ?1";
constexpr const char* kCountActiveSessions =
    "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > ?1";

constexpr const char* kSelectMigrationsTable =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)";
constexpr const char* kSelectMigration = "SELECT 1 FROM schema_migrations WHERE version = ?1";
constexpr const char* kInsertMigration =
    "INSERT INTO schema_migrations (version, description, applied_at) "
    "VALUES (?1, ?2, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))";

// Reads the user columns starting at `first`.
UserRecord read_user(const Statement& row, int first = 0) {
  UserRecord user;
  user.id = row.column_int(first);
  user.email = row.column_text(first + 1);
  user.password_hash = row.column_text(first + 2);
  user.first_name = row.column_optional_text(first + 3);
  user.last_name = row.column_optional_text(first + 4);
  user.is_active = row.column_int(first + 5) != 0;
  if (auto v = row.column_optional_int(first + 6)) user.last_login = util::from_unix_millis(*v);
  user.password_reset_token_hash = row.column_optional_text(first + 7);
  if (auto v = row.column_optional_int(first + 8))
    user.password_reset_expires = util::from_unix_millis(*v);
  user.created_at = util::from_unix_millis(row.column_int(first + 9));
  user.updated_at = util::from_unix_millis(row.column_int(first + 10));
  if (auto v = row.column_optional_int(first + 11))
    user.credentials_revoked_at = util::from_unix_millis(*v);
  if (auto v = row.column_optional_int(first + 13))
    user.email_verified_at = util::from_unix_millis(*v);
  if (auto v = row.column_optional_int(first + 14))
    user.password_changed_at = util::from_unix_millis(*v);
  // [[position, name]...], written by the query above; in position order, as granted. Rows
  // changed by hand could break that shape: a store failure then, never an exception that
  // escapes the store.
  std::vector<std::pair<std::int64_t, std::string>> roles;
  boost::system::error_code ec;
  const boost::json::value granted = boost::json::parse(row.column_text(first + 12), ec);
  const auto* list = ec ? nullptr : granted.if_array();
  if (list == nullptr) throw SqliteFailure{SQLITE_CORRUPT, "user roles: not a JSON array"};
  for (const auto& role : *list) {
    const auto* pair = role.if_array();
    if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_int64() || !(*pair)[1].is_string()) {
      throw SqliteFailure{SQLITE_CORRUPT, "user roles: not [position, name] pairs"};
    }
    roles.emplace_back((*pair)[0].get_int64(), std::string((*pair)[1].get_string()));
  }
  std::sort(roles.begin(), roles.end());
  for (auto& role : roles) user.roles.push_back(std::move(role.second));
  return user;
}

std::optional<UserRecord> load_user(Connection& db, const char* sql, auto key) {
  auto stmt = db.prepare(sql);
  stmt.bind(1, key);
  if (!stmt.step()) return std::nullopt;
  return read_user(stmt);
}

bool exists(Connection& db, const char* sql, auto... keys) {
  auto stmt = db.prepare(sql);
  int index = 0;
  (stmt.bind(++index, keys), ...);
  return stmt.step() && stmt.column_int(0) != 0;
}

// Runs `change` (which answers whether it found the user) in one write transaction. With a
// guarded role, a change that leaves it without an active holder when the user was one rolls
// back: BEGIN IMMEDIATE makes concurrent guarded changes take turns.
template <class Change>
Result<bool> guarded_change(Connection& db, std::int64_t user_id, std::string_view keep_holder_of,
                            Change&& change) {
  WriteTransaction tx(db);
  const bool was_holder =
      !keep_holder_of.empty() && exists(db, kIsActiveHolder, user_id, keep_holder_of);
  if (const Result<bool> changed = change(); !changed || !*changed) return changed;
  if (was_holder && !exists(db, kHasActiveHolder, keep_holder_of)) return StoreError::last_holder;
  tx.commit();
  return true;
}

// Asked after the write that takes the address, as the PostgreSQL store must (here BEGIN
// IMMEDIATE would make either order safe).
bool held_for_revert(Connection& db, std::string_view email_key, std::int64_t user_id,
                     util::TimePoint at) {
  return exists(db, kSelectEmailKeyHeld, email_key, user_id, util::to_unix_millis(at));
}

// `token_id`: the token behind the mail's link, if it has one.
void insert_mail(Connection& db, const OutboxMessage& mail,
                 std::optional<std::int64_t> token_id = std::nullopt) {
  db.prepare(kQueueMail)
      .bind(1, std::string_view(mail.template_name))
      .bind(2, std::string_view(mail.message_id))
      .bind(3, std::string_view(mail.sealed_payload))
      .bind(4, util::to_unix_millis(mail.created_at))
      .bind(5, util::to_unix_millis(mail.not_after))
      .bind(6, token_id)
      .run();
}

// Returns the new token's id.
std::int64_t insert_token(Connection& db, const NewActionToken& token) {
  db.prepare(kInsertActionToken)
      .bind(1, token.user_id)
      .bind(2, std::string_view(token.purpose))
      .bind(3, std::string_view(token.token_hash))
      .bind(4, std::string_view(token.email_key))
      .bind(5, util::to_unix_millis(token.created_at))
      .bind(6, util::to_unix_millis(token.expires_at))
      .bind(7, token.new_email)
      .bind(8, token.new_email_key)
      .run();
  return db.last_insert_rowid();
}

// A new password: every credential issued until `at` and every outstanding token void.
void void_user_tokens(Connection& db, std::int64_t user_id, std::int64_t at) {
  db.prepare(kVoidUserTokens).bind(1, user_id).bind(2, at).run();
  db.prepare(kSetPasswordResetExpires)
      .bind(1, user_id)
      .bind(2, std::optional<std::int64_t>{})
      .run();
}

std::optional<std::string> null_if_empty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional(text);
}

void insert_session(Connection& db, std::int64_t user_id, const NewSession& session) {
  db.prepare(kInsertSession)
      .bind(1, user_id)
      .bind(2, std::string_view(family_name(session.family)))
      .bind(3, std::string_view(session.token_hash))
      .bind(4, util::to_unix_millis(session.created_at))
      .bind(5, util::to_unix_millis(session.expires_at))
      .bind(6, std::string_view(session.user_agent))
      .bind(7, std::string_view(session.client_address))
      .bind(8, null_if_empty(session.public_id))
      .run();
}

std::optional<util::TimePoint> optional_time(const Statement& row, int column) {
  if (auto v = row.column_optional_int(column)) return util::from_unix_millis(*v);
  return std::nullopt;
}

// Reads the session columns starting at `first`.
SessionRecord read_session(const Statement& row, int first = 0) {
  SessionRecord session;
  session.id = row.column_int(first);
  session.user_id = row.column_int(first + 1);
  session.public_id = row.column_optional_text(first + 2).value_or("");
  session.created_at = util::from_unix_millis(row.column_int(first + 3));
  session.expires_at = util::from_unix_millis(row.column_int(first + 4));
  session.last_used_at = optional_time(row, first + 5);
  session.revoked_at = optional_time(row, first + 6);
  session.rotated_at = optional_time(row, first + 7);
  session.refresh_generation = row.column_int(first + 8);
  session.user_agent = row.column_text(first + 9);
  session.user_active = row.column_int(first + 10) != 0;
  session.refresh_token_hash = row.column_optional_text(first + 11).value_or("");
  session.previous_refresh_token_hash = row.column_optional_text(first + 12).value_or("");
  return session;
}

// A row of kSelectSession or kSelectOpaqueSession.
OwnedSession read_owned_session(const Statement& row) {
  constexpr int kSigningKeyRevoked = 13;
  OwnedSession session{read_session(row)};
  session.signing_key_revoked = row.column_int(kSigningKeyRevoked) != 0;
  session.owner = read_user(row, kSigningKeyRevoked + 1);
  return session;
}

std::optional<std::int64_t> optional_millis(const std::optional<util::TimePoint>& time) {
  if (time) return util::to_unix_millis(*time);
  return std::nullopt;
}

StoreError classify(const SqliteFailure& failure) {
  if (failure.code == SQLITE_CONSTRAINT_UNIQUE &&
      failure.message.find("users.email_key") != std::string::npos) {
    return StoreError::email_taken;
  }
  if (failure.code == SQLITE_CONSTRAINT_PRIMARYKEY &&
      failure.message.find("users.id") != std::string::npos) {
    return StoreError::id_taken;
  }
  switch (failure.code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return StoreError::unavailable;
    default:
      return StoreError::internal;
  }
}

void apply_migrations(Connection& db) {
  db.exec(kCreateMigrationsTable);
  for (const Migration& migration : migrations()) {
    WriteTransaction tx(db);
    bool applied = false;
    {
      auto check = db.prepare(kSelectMigration);
      check.bind(1, std::int64_t{migration.version});
      applied = check.step();
    }
    if (applied) continue;
    db.exec(migration.sql);
    db.prepare(kInsertMigration)
        .bind(1, std::int64_t{migration.version})
        .bind(2, std::string_view(migration.description))
        .run();
    tx.commit();
    spdlog::info("store: applied migration {} ({})", migration.version, migration.description);
  }
}

// True when every migration this authd knows has been applied.
bool fully_migrated(Connection& db) {
  {
    auto table = db.prepare(kSelectMigrationsTable);
    if (!table.step()) return false;
  }
  for (const Migration& migration : migrations()) {
    auto check = db.prepare(kSelectMigration);
    check.bind(1, std::int64_t{migration.version});
    if (!check.step()) return false;
  }
  return true;
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, std::size_t connections, OpenMode mode) {
  std::vector<std::unique_ptr<Connection>> opened;
  const bool create = mode == OpenMode::create_and_migrate;
  try {
    for (std::size_t i = 0; i < std::max<std::size_t>(connections, 1); ++i) {
      opened.push_back(std::make_unique<Connection>(path, mode));
    }
    if (create) {
      apply_migrations(*opened.front());
    } else if (!fully_migrated(*opened.front())) {
      throw std::runtime_error("'" + path +
                               "' is not an authd database, or was made by an older "
                               "authd: run `authd serve` on it once");
    }
    // Migrations or the check above have read the database through this connection, so in
    // WAL mode it has mapped the index now.
    if (opened.front()->in_wal_mode()) {
      wal_index_header_ = WalIndexHeader::of(opened.front()->native_handle());
    }
  } catch (const SqliteFailure& failure) {
    throw std::runtime_error("cannot open SQLite database '" + path + "': " + failure.message);
  }
  pool_ = std::make_unique<ConnectionPool<Connection>>(std::move(opened));
}

SqliteStore::~SqliteStore() = default;

std::optional<ChangeStamp> SqliteStore::change_stamp() const {
  if (!wal_index_header_) return std::nullopt;
  return wal_index_header_->stamp();
}

template <class Fn>
auto SqliteStore::with_connection(const char* operation, Fn&& fn)
    -> decltype(fn(std::declval<Connection&>())) {
  try {
    ConnectionPool<Connection>::Lease lease(*pool_);
    return fn(*lease);
  } catch (const SqliteFailure& failure) {
    const StoreError error = classify(failure);
    if (error != StoreError::email_taken && error != StoreError::id_taken) {
      spdlog::error("store: {} failed: {} (sqlite code {})", operation, failure.message,
                    failure.code);
    }
    return error;
  }
}

Result<UserRecord> SqliteStore::create_user(const NewUser& user,
                                            const std::optional<NewSession>& session) {
  return with_connection("create_user", [&](Connection& db) -> Result<UserRecord> {
    WriteTransaction tx(db);
    const std::int64_t now = util::to_unix_millis(user.now);
    db.prepare(kInsertUser)
        .bind(1, std::string_view(user.email))
        .bind(2, std::string_view(user.email_key))
        .bind(3, std::string_view(user.password_hash))
        .bind(4, user.first_name)
        .bind(5, user.last_name)
        .bind(6, now)
        .run();
    const std::int64_t id = db.last_insert_rowid();
    if (held_for_revert(db, user.email_key, id, user.now)) return StoreError::email_taken;
    std::vector<std::string> roles;
    for (std::size_t i = 0; i < user.roles.size(); ++i) {
      auto insert = db.prepare(kInsertUserRole);
      insert.bind(1, id)
          .bind(2, static_cast<std::int64_t>(i))
          .bind(3, std::string_view(user.roles[i]))
          .run();
      if (db.changes() > 0) roles.push_back(user.roles[i]);
    }
    if (session) insert_session(db, id, *session);
    tx.commit();
    return created_record(user, id, std::move(roles));
  });
}

Result<std::optional<UserRecord>> SqliteStore::find_user_by_email(std::string_view email_key) {
  return with_connection("find_user_by_email",
                         [&](Connection& db) -> Result<std::optional<UserRecord>> {
                           return load_user(db, kSelectUserByEmailKey, email_key);
                         });
}

Result<std::optional<UserRecord>> SqliteStore::find_user_by_id(std::int64_t id) {
  return with_connection("find_user_by_id",
                         [&](Connection& db) -> Result<std::optional<UserRecord>> {
                           return load_user(db, kSelectUserById, id);
                         });
}

Result<std::vector<std::string>> SqliteStore::existing_roles(std::span<const std::string> names) {
  return with_connection("existing_roles", [&](Connection& db) -> Result<std::vector<std::string>> {
    std::vector<std::string> found;
    std::unordered_set<std::string_view> seen;
    for (const std::string& name : names) {
      if (!seen.insert(name).second) continue;
      auto stmt = db.prepare(kSelectRoleExists);
      stmt.bind(1, std::string_view(name));
      if (stmt.step()) found.push_back(name);
    }
    return found;
  });
}

Result<bool> SqliteStore::set_user_active(std::int64_t user_id, bool active, util::TimePoint at,
                                          std::string_view keep_holder_of) {
  return with_connection("set_user_active", [&](Connection& db) -> Result<bool> {
    return guarded_change(db, user_id, keep_holder_of, [&] {
      db.prepare(kSetUserActive)
          .bind(1, user_id)
          .bind(2, std::int64_t{active ? 1 : 0})
          .bind(3, util::to_unix_millis(at))
          .run();
      return db.changes() == 1;
    });
  });
}

Result<bool> SqliteStore::add_user_role(std::int64_t user_id, std::string_view role) {
  return with_connection("add_user_role", [&](Connection& db) -> Result<bool> {
    db.prepare(kAddUserRole).bind(1, user_id).bind(2, role).run();
    return db.changes() == 1;
  });
}

Result<bool> SqliteStore::remove_user_role(std::int64_t user_id, std::string_view role,
                                           std::string_view keep_holder_of) {
  return with_connection("remove_user_role", [&](Connection& db) -> Result<bool> {
    return guarded_change(db, user_id, keep_holder_of, [&] {
      db.prepare(kRemoveUserRole).bind(1, user_id).bind(2, role).run();
      return db.changes() == 1;
    });
  });
}

Result<bool> SqliteStore::update_user(std::int64_t user_id, const UserChanges& changes,
                                      std::string_view keep_holder_of) {
  return with_connection("update_user", [&](Connection& db) -> Result<bool> {
    return guarded_change(db, user_id, keep_holder_of, [&]() -> Result<bool> {
      if (!exists(db, kUserExists, user_id)) return false;
      const std::int64_t at = util::to_unix_millis(changes.at);
      if (changes.first_name) {
        db.prepare(kUpdateFirstName)
            .bind(1, user_id)
            .bind(2, *changes.first_name)
            .bind(3, at)
            .run();
      }
      if (changes.last_name) {
        db.prepare(kUpdateLastName).bind(1, user_id).bind(2, *changes.last_name).bind(3, at).run();
      }
      if (changes.email) {
        db.prepare(kUpdateEmail)
            .bind(1, user_id)
            .bind(2, std::string_view(*changes.email))
            .bind(3, std::string_view(changes.email_key.value_or(*changes.email)))
            .bind(4, at)
            .run();
        if (held_for_revert(db, changes.email_key.value_or(*changes.email), user_id, changes.at)) {
          return StoreError::email_taken;
        }
      }
      if (changes.active) {
        db.prepare(kSetUserActive)
            .bind(1, user_id)
            .bind(2, std::int64_t{*changes.active ? 1 : 0})
            .bind(3, at)
            .run();
      }
      if (changes.roles) {
        db.prepare(kDeleteUserRoles).bind(1, user_id).run();
        for (std::size_t i = 0; i < changes.roles->size(); ++i) {
          db.prepare(kInsertUserRole)
              .bind(1, user_id)
              .bind(2, static_cast<std::int64_t>(i))
              .bind(3, std::string_view((*changes.roles)[i]))
              .run();
        }
        db.prepare(kTouchUser).bind(1, user_id).bind(2, at).run();
      }
      return true;
    });
  });
}

Result<bool> SqliteStore::delete_user(std::int64_t user_id, std::string_view keep_holder_of) {
  return with_connection("delete_user", [&](Connection& db) -> Result<bool> {
    return guarded_change(db, user_id, keep_holder_of, [&] {
      db.prepare(kDeleteUser).bind(1, user_id).run();  // roles and sessions cascade
      if (db.changes() != 1) return false;
      db.prepare(kForgetAuditAddresses).bind(1, user_id).run();
      return true;
    });
  });
}

Result<std::vector<UserRecord>> SqliteStore::list_users(const UserQuery& query) {
  return with_connection("list_users", [&](Connection& db) -> Result<std::vector<UserRecord>> {
    std::vector<UserRecord> users;
    {
      auto stmt = db.prepare(kListUsers);
      stmt.bind(1, query.after_id)
          .bind(2, std::string_view(query.email_key_prefix))
          .bind(3, query.active ? std::optional<std::int64_t>(*query.active ? 1 : 0)
                                : std::optional<std::int64_t>())
          .bind(4, query.role)
          .bind(5, static_cast<std::int64_t>(query.limit));
      while (stmt.step()) users.push_back(read_user(stmt));
    }
    return users;
  });
}

Result<std::vector<RoleRecord>> SqliteStore::list_roles() {
  return with_connection("list_roles", [&](Connection& db) -> Result<std::vector<RoleRecord>> {
    std::vector<RoleRecord> roles;
    auto stmt = db.prepare(kListRoles);
    while (stmt.step()) roles.push_back({stmt.column_text(0), stmt.column_int(1)});
    return roles;
  });
}

Result<bool> SqliteStore::create_role(std::string_view name) {
  return with_connection("create_role", [&](Connection& db) -> Result<bool> {
    db.prepare(kCreateRole).bind(1, name).run();
    return db.changes() == 1;
  });
}

Result<RoleDeletion> SqliteStore::delete_role(std::string_view name, bool force) {
  return with_connection("delete_role", [&](Connection& db) -> Result<RoleDeletion> {
    WriteTransaction tx(db);
    std::int64_t role_id = 0;
    {
      auto stmt = db.prepare(kRoleHolders);
      stmt.bind(1, name);
      if (!stmt.step()) return RoleDeletion::not_found;
      if (stmt.column_int(1) > 0 && !force) return RoleDeletion::in_use;
      role_id = stmt.column_int(0);
    }
    db.prepare(kDeleteRoleAssignments).bind(1, role_id).run();
    db.prepare(kDeleteRole).bind(1, role_id).run();
    tx.commit();
    return RoleDeletion::deleted;
  });
}

Result<void> SqliteStore::append_audit(const AuditRecord& event) {
  return with_connection("append_audit", [&](Connection& db) -> Result<void> {
    db.prepare(kInsertAudit)
        .bind(1, util::to_unix_millis(event.at))
        .bind(2, std::string_view(event.actor))
        .bind(3, std::string_view(event.action))
        .bind(4, event.target_user_id)
        .bind(5, event.client)
        .bind(6, std::string_view(event.outcome))
        .bind(7, event.detail)
        .run();
    return {};
  });
}

Result<std::vector<AuditRecord>> SqliteStore::list_audit(std::int64_t before_id,
                                                         std::size_t limit) {
  return with_connection("list_audit", [&](Connection& db) -> Result<std::vector<AuditRecord>> {
    std::vector<AuditRecord> events;
    auto stmt = db.prepare(kListAudit);
    stmt.bind(1, before_id).bind(2, static_cast<std::int64_t>(limit));
    while (stmt.step()) {
      events.push_back({.id = stmt.column_int(0),
                        .at = util::from_unix_millis(stmt.column_int(1)),
                        .actor = stmt.column_text(2),
                        .action = stmt.column_text(3),
                        .target_user_id = stmt.column_optional_int(4),
                        .client = stmt.column_optional_text(5),
                        .outcome = stmt.column_text(6),
                        .detail = stmt.column_optional_text(7)});
    }
    return events;
  });
}

Result<std::int64_t> SqliteStore::purge_audit(util::TimePoint before) {
  return with_connection("purge_audit", [&](Connection& db) -> Result<std::int64_t> {
    db.prepare(kPurgeAudit).bind(1, util::to_unix_millis(before)).run();
    return db.changes();
  });
}

Result<UserRecord> SqliteStore::record_login(const LoginUpdate& update) {
  return with_connection("record_login", [&](Connection& db) -> Result<UserRecord> {
    WriteTransaction tx(db);
    const std::int64_t at = util::to_unix_millis(update.at);
    db.prepare(kUpdateLogin)
        .bind(1, update.user_id)
        .bind(2, at)
        .bind(3, update.upgraded_password_hash)
        .bind(4, std::string_view(update.verified_password_hash))
        .run();
    if (db.changes() == 0) return StoreError::not_found;
    if (update.session) {
      if (update.replace_family) {
        db.prepare(kRevokeSessionsOfFamily)
            .bind(1, update.user_id)
            .bind(2, std::string_view(family_name(update.session->family)))
            .bind(3, at)
            .run();
      }
      insert_session(db, update.user_id, *update.session);
      if (!update.replace_family && update.max_live_of_family) {
        db.prepare(kRevokeSessionsBeyond)
            .bind(1, update.user_id)
            .bind(2, std::string_view(family_name(update.session->family)))
            .bind(3, at)
            .bind(4, *update.max_live_of_family)
            .run();
      }
    }
    auto user = load_user(db, kSelectUserById, update.user_id);
    tx.commit();
    if (!user) return StoreError::not_found;
    return std::move(*user);
  });
}

Result<bool> SqliteStore::change_password(const PasswordChange& change) {
  return with_connection("change_password", [&](Connection& db) -> Result<bool> {
    WriteTransaction tx(db);
    const std::int64_t at = util::to_unix_millis(change.at);
    db.prepare(kChangePassword)
        .bind(1, change.user_id)
        .bind(2, std::string_view(change.password_hash))
        .bind(3, at)
        .run();
    if (db.changes() == 0) return false;
    db.prepare(kRevokeOtherSessions)
        .bind(1, change.user_id)
        .bind(2, at)
        .bind(3, change.keep_session)
        .run();
    void_user_tokens(db, change.user_id, at);
    if (change.notice) insert_mail(db, *change.notice);
    tx.commit();
    return true;
  });
}

Result<bool> SqliteStore::issue_action_token(const NewActionToken& token,
                                             const std::optional<OutboxMessage>& mail) {
  return with_connection("issue_action_token", [&](Connection& db) -> Result<bool> {
    WriteTransaction tx(db);
    if (!exists(db, kIsActiveWithEmail, token.user_id, std::string_view(token.email_key))) {
      return false;
    }
    if (token.new_email_key &&
        (exists(db, kSelectEmailKeyTaken, std::string_view(*token.new_email_key)) ||
         held_for_revert(db, *token.new_email_key, token.user_id, token.created_at))) {
      return false;
    }
    const std::int64_t created = util::to_unix_millis(token.created_at);
    const std::int64_t expires = util::to_unix_millis(token.expires_at);
    db.prepare(kVoidTokensOfPurpose)
        .bind(1, token.user_id)
        .bind(2, std::string_view(token.purpose))
        .bind(3, created)
        .run();
    const std::int64_t token_id = insert_token(db, token);
    if (token.purpose == kPasswordResetPurpose) {
      db.prepare(kSetPasswordResetExpires).bind(1, token.user_id).bind(2, expires).run();
    }
    if (mail) insert_mail(db, *mail, token_id);
    tx.commit();
    return true;
  });
}

Result<std::optional<ActionTokenRecord>> SqliteStore::find_action_token(std::string_view token_hash,
                                                                        std::string_view purpose,
                                                                        util::TimePoint now) {
  using Found = std::optional<ActionTokenRecord>;
  return with_connection("find_action_token", [&](Connection& db) -> Result<Found> {
    auto live = db.prepare(kSelectLiveToken);
    live.bind(1, token_hash).bind(2, purpose).bind(3, util::to_unix_millis(now));
    if (!live.step()) return Found{};
    return Found{ActionTokenRecord{.user_id = live.column_int(1),
                                   .new_email = live.column_optional_text(2),
                                   .new_email_key = live.column_optional_text(3)}};
  });
}

Result<std::optional<std::int64_t>> SqliteStore::redeem_action_token(
    const TokenRedemption& redemption) {
  using Redeemed = std::optional<std::int64_t>;
  return with_connection("redeem_action_token", [&](Connection& db) -> Result<Redeemed> {
    WriteTransaction tx(db);
    const std::int64_t at = util::to_unix_millis(redemption.at);
    std::int64_t token_id = 0;
    std::int64_t user_id = 0;
    std::optional<std::string> new_email, new_email_key;
    std::int64_t issued_at = 0;
    {
      auto live = db.prepare(kSelectLiveToken);
      live.bind(1, std::string_view(redemption.token_hash))
          .bind(2, std::string_view(redemption.purpose))
          .bind(3, at);
      if (!live.step()) return Redeemed{};
      token_id = live.column_int(0);
      user_id = live.column_int(1);
      new_email = live.column_optional_text(2);
      new_email_key = live.column_optional_text(3);
      issued_at = live.column_int(4);
    }
    db.prepare(kSpendToken).bind(1, token_id).bind(2, at).run();
    if (redemption.purpose == kPasswordResetPurpose) {
      db.prepare(kSetPasswordResetExpires)
          .bind(1, user_id)
          .bind(2, std::optional<std::int64_t>{})
          .run();
    }
    if (redemption.password_hash) {
      db.prepare(kChangePassword)
          .bind(1, user_id)
          .bind(2, std::string_view(*redemption.password_hash))
          .bind(3, at)
          .run();
      void_user_tokens(db, user_id, at);
    }
    if (redemption.mark_email_verified) {
      db.prepare(kMarkEmailVerified).bind(1, user_id).bind(2, at).run();
    }
    if (redemption.apply_new_email) {
      if (!new_email || !new_email_key) return Redeemed{};  // not a token that carries one
      // Another account holding the address throws the unique violation: email_taken.
      db.prepare(kApplyNewEmail)
          .bind(1, user_id)
          .bind(2, std::string_view(*new_email))
          .bind(3, std::string_view(*new_email_key))
          .bind(4, at)
          .run();
      if (held_for_revert(db, *new_email_key, user_id, redemption.at)) {
        return StoreError::email_taken;
      }
    }
    if (redemption.void_other_tokens) {
      db.prepare(kVoidOtherUserTokens).bind(1, user_id).bind(2, at).bind(3, issued_at).run();
    }
    if (redemption.revoke_all_sessions) {
      db.prepare(kRevokeUserSessions).bind(1, user_id).bind(2, at).run();
      db.prepare(kRevokeUserCredentials).bind(1, user_id).bind(2, at).run();
    }
    if (redemption.follow_up) insert_token(db, *redemption.follow_up);
    // The notice is news of the change first, its revert link second: it goes even if the revert
    // dies first (a deactivation voids it for good), so it is tied to no token.
    if (redemption.notice) insert_mail(db, *redemption.notice);
    tx.commit();
    return Redeemed{user_id};
  });
}

Result<void> SqliteStore::queue_mail(const OutboxMessage& mail) {
  return with_connection("queue_mail", [&](Connection& db) -> Result<void> {
    insert_mail(db, mail);
    return {};
  });
}

Result<std::vector<ClaimedMail>> SqliteStore::claim_mail(util::TimePoint now,
                                                         util::TimePoint lease_until,
                                                         std::size_t limit) {
  using Claimed = std::vector<ClaimedMail>;
  return with_connection("claim_mail", [&](Connection& db) -> Result<Claimed> {
    WriteTransaction tx(db);
    Claimed claimed;
    {
      auto stmt = db.prepare(kClaimMail);
      stmt.bind(1, util::to_unix_millis(now))
          .bind(2, util::to_unix_millis(lease_until))
          .bind(3, static_cast<std::int64_t>(limit));
      while (stmt.step()) {
        claimed.push_back({.id = stmt.column_int(0),
                           .template_name = stmt.column_text(1),
                           .message_id = stmt.column_text(2),
                           .sealed_payload = stmt.column_optional_text(3).value_or(""),
                           .attempts = stmt.column_int(4),
                           .not_after = util::from_unix_millis(stmt.column_int(5)),
                           .link_void = stmt.column_int(6) != 0});
      }
    }
    tx.commit();
    std::sort(claimed.begin(), claimed.end(),
              [](const ClaimedMail& a, const ClaimedMail& b) { return a.id < b.id; });
    return claimed;
  });
}

Result<void> SqliteStore::finish_mail(std::int64_t id, std::int64_t attempt, MailOutcome outcome,
                                      util::TimePoint next_attempt_at, std::string_view error,
                                      util::TimePoint at) {
  return with_connection("finish_mail", [&](Connection& db) -> Result<void> {
    const std::optional<std::string> last_error =
        error.empty() ? std::nullopt : std::optional<std::string>(error);
    if (outcome == MailOutcome::retry) {
      db.prepare(kRetryMail)
          .bind(1, id)
          .bind(2, util::to_unix_millis(next_attempt_at))
          .bind(3, last_error)
          .bind(4, attempt)
          .run();
    } else {
      db.prepare(kFinishMail)
          .bind(1, id)
          .bind(2, std::string_view(mail_status_name(outcome)))
          .bind(3, last_error)
          .bind(4, util::to_unix_millis(at))
          .bind(5, attempt)
          .run();
    }
    return {};
  });
}

Result<OutboxStats> SqliteStore::outbox_stats() {
  return with_connection("outbox_stats", [&](Connection& db) -> Result<OutboxStats> {
    auto stmt = db.prepare(kOutboxStats);
    stmt.step();
    return OutboxStats{.pending = stmt.column_int(0), .oldest_pending = optional_time(stmt, 1)};
  });
}

Result<std::int64_t> SqliteStore::purge_mail(util::TimePoint before) {
  return with_connection("purge_mail", [&](Connection& db) -> Result<std::int64_t> {
    WriteTransaction tx(db);
    const std::int64_t cutoff = util::to_unix_millis(before);
    db.prepare(kPurgeFinishedMail).bind(1, cutoff).run();
    std::int64_t purged = db.changes();
    db.prepare(kPurgeDeadTokens).bind(1, cutoff).run();
    purged += db.changes();
    tx.commit();
    return purged;
  });
}

Result<std::vector<ThrottleRecord>> SqliteStore::get_throttles(std::span<const std::string> keys) {
  if (keys.size() > kMaxThrottleKeys) throw std::invalid_argument("too many throttle keys");
  return with_connection(
      "get_throttles", [&](Connection& db) -> Result<std::vector<ThrottleRecord>> {
        std::vector<ThrottleRecord> records(keys.size());
        auto stmt = db.prepare(kSelectThrottles);
        for (std::size_t i = 0; i < kMaxThrottleKeys; ++i) {
          stmt.bind(static_cast<int>(i + 1), i < keys.size() ? std::string_view(keys[i]) : "");
        }
        while (stmt.step()) {
          const std::string key = stmt.column_text(0);
          ThrottleRecord record{
              .failures = stmt.column_int(1),
              .counted_at = util::from_unix_millis(stmt.column_int(2)),
              .locked_until = optional_time(stmt, 3),
              .lockouts = stmt.column_int(4),
              .consecutive = stmt.column_int(5),
              .last_success = optional_time(stmt, 6),
              .forget_at = util::from_unix_millis(stmt.column_int(7)),
              .version = stmt.column_int(8),
          };
          for (std::size_t i = 0; i < keys.size(); ++i) {
            if (keys[i] == key) records[i] = record;
          }
        }
        return records;
      });
}

Result<bool> SqliteStore::put_throttle(std::string_view key, std::int64_t expected_version,
                                       const ThrottleRecord& next) {
  return with_connection("put_throttle", [&](Connection& db) -> Result<bool> {
    auto stmt = db.prepare(expected_version == 0 ? kInsertThrottle : kUpdateThrottle);
    stmt.bind(1, key)
        .bind(2, next.failures)
        .bind(3, util::to_unix_millis(next.counted_at))
        .bind(4, optional_millis(next.locked_until))
        .bind(5, next.lockouts)
        .bind(6, next.consecutive)
        .bind(7, optional_millis(next.last_success))
        .bind(8, util::to_unix_millis(next.forget_at));
    if (expected_version != 0) stmt.bind(9, expected_version);
    stmt.run();
    return db.changes() == 1;
  });
}

Result<void> SqliteStore::clear_throttle(std::string_view key) {
  return with_connection("clear_throttle", [&](Connection& db) -> Result<void> {
    db.prepare(kDeleteThrottle).bind(1, key).run();
    return {};
  });
}

Result<std::int64_t> SqliteStore::purge_throttles(util::TimePoint now) {
  return with_connection("purge_throttles", [&](Connection& db) -> Result<std::int64_t> {
    db.prepare(kPurgeThrottles).bind(1, util::to_unix_millis(now)).run();
    return db.changes();
  });
}

Result<std::optional<OwnedSession>> SqliteStore::find_session(std::string_view public_id,
                                                              std::string_view kid) {
  return with_connection("find_session",
                         [&](Connection& db) -> Result<std::optional<OwnedSession>> {
                           auto stmt = db.prepare(kSelectSession);
                           stmt.bind(1, public_id).bind(2, kid);
                           if (!stmt.step()) return std::nullopt;
                           return read_owned_session(stmt);
                         });
}

Result<std::optional<OwnedSession>> SqliteStore::find_opaque_session(std::string_view token_hash) {
  return with_connection("find_opaque_session",
                         [&](Connection& db) -> Result<std::optional<OwnedSession>> {
                           auto stmt = db.prepare(kSelectOpaqueSession);
                           stmt.bind(1, token_hash);
                           if (!stmt.step()) return std::nullopt;
                           return read_owned_session(stmt);
                         });
}

Result<std::vector<SessionRecord>> SqliteStore::list_live_sessions(std::int64_t user_id,
                                                                   SessionFamily family,
                                                                   util::TimePoint now) {
  return with_connection("list_live_sessions",
                         [&](Connection& db) -> Result<std::vector<SessionRecord>> {
                           auto stmt = db.prepare(kSelectLiveSessions);
                           stmt.bind(1, user_id)
                               .bind(2, std::string_view(family_name(family)))
                               .bind(3, util::to_unix_millis(now));
                           std::vector<SessionRecord> sessions;
                           while (stmt.step()) sessions.push_back(read_session(stmt));
                           return sessions;
                         });
}

Result<bool> SqliteStore::revoke_session(std::int64_t user_id, std::string_view public_id,
                                         util::TimePoint at) {
  return with_connection("revoke_session", [&](Connection& db) -> Result<bool> {
    db.prepare(kRevokeSession)
        .bind(1, user_id)
        .bind(2, public_id)
        .bind(3, util::to_unix_millis(at))
        .run();
    return db.changes() == 1;
  });
}

Result<std::int64_t> SqliteStore::revoke_user_sessions(std::int64_t user_id, util::TimePoint at) {
  return with_connection("revoke_user_sessions", [&](Connection& db) -> Result<std::int64_t> {
    WriteTransaction tx(db);
    db.prepare(kRevokeUserSessions).bind(1, user_id).bind(2, util::to_unix_millis(at)).run();
    const std::int64_t revoked = db.changes();
    db.prepare(kRevokeUserCredentials).bind(1, user_id).bind(2, util::to_unix_millis(at)).run();
    tx.commit();
    return revoked;
  });
}

Result<std::optional<RefreshTokenRecord>> SqliteStore::find_refresh_token(
    std::string_view token_hash) {
  return with_connection("find_refresh_token",
                         [&](Connection& db) -> Result<std::optional<RefreshTokenRecord>> {
                           auto stmt = db.prepare(kSelectRefreshToken);
                           stmt.bind(1, token_hash);
                           if (!stmt.step()) return std::nullopt;
                           return RefreshTokenRecord{.generation = stmt.column_int(0),
                                                     .session = read_session(stmt, 1)};
                         });
}

Result<bool> SqliteStore::rotate_refresh_token(std::int64_t session_id,
                                               std::int64_t from_generation,
                                               std::string_view next_token_hash,
                                               util::TimePoint at) {
  return with_connection("rotate_refresh_token", [&](Connection& db) -> Result<bool> {
    db.prepare(kAdvanceRefreshGeneration)
        .bind(1, session_id)
        .bind(2, from_generation)
        .bind(3, util::to_unix_millis(at))
        .bind(4, next_token_hash)
        .run();
    return db.changes() == 1;
  });
}

Result<std::int64_t> SqliteStore::purge_sessions(util::TimePoint before) {
  return with_connection("purge_sessions", [&](Connection& db) -> Result<std::int64_t> {
    db.prepare(kPurgeSessions).bind(1, util::to_unix_millis(before)).run();
    return db.changes();
  });
}

Result<void> SqliteStore::add_signing_key(const SigningKeyRecord& key) {
  return with_connection("add_signing_key", [&](Connection& db) -> Result<void> {
    db.prepare(kInsertSigningKey)
        .bind(1, std::string_view(key.kid))
        .bind(2, std::string_view(key.public_key))
        .bind(3, std::string_view(key.sealed_private_key))
        .bind(4, util::to_unix_millis(key.created_at))
        .bind(5, util::to_unix_millis(key.activates_at))
        .run();
    return {};
  });
}

Result<std::vector<SigningKeyRecord>> SqliteStore::signing_keys() {
  return with_connection(
      "signing_keys", [&](Connection& db) -> Result<std::vector<SigningKeyRecord>> {
        auto stmt = db.prepare(kSelectSigningKeys);
        std::vector<SigningKeyRecord> keys;
        while (stmt.step()) {
          keys.push_back({.kid = stmt.column_text(0),
                          .public_key = stmt.column_text(1),
                          .sealed_private_key = stmt.column_text(2),
                          .created_at = util::from_unix_millis(stmt.column_int(3)),
                          .activates_at = util::from_unix_millis(stmt.column_int(4)),
                          .revoked_at = optional_time(stmt, 5)});
        }
        return keys;
      });
}

Result<bool> SqliteStore::revoke_signing_key(std::string_view kid, util::TimePoint at) {
  return with_connection("revoke_signing_key", [&](Connection& db) -> Result<bool> {
    db.prepare(kRevokeSigningKey).bind(1, kid).bind(2, util::to_unix_millis(at)).run();
    return db.changes() == 1;
  });
}

Result<ImportClashes> SqliteStore::find_import_clashes(std::span<const ImportedUser> users,
                                                       util::TimePoint at) {
  return with_connection("find_import_clashes", [&](Connection& db) -> Result<ImportClashes> {
    ImportClashes clashes;
    for (const ImportedUser& user : users) {
      if (db.prepare(kSelectIdTaken).bind(1, user.id).step()) clashes.ids.push_back(user.id);
      if (db.prepare(kSelectEmailKeyTaken).bind(1, std::string_view(user.email_key)).step()) {
        clashes.email_keys.push_back(user.email_key);
      } else if (held_for_revert(db, user.email_key, user.id, at)) {
        clashes.held_email_keys.push_back(user.email_key);
      }
    }
    return clashes;
  });
}

Result<void> SqliteStore::import_users(std::span<const ImportedUser> users, util::TimePoint at) {
  return with_connection("import_users", [&](Connection& db) -> Result<void> {
    WriteTransaction tx(db);
    for (const ImportedUser& user : users) {
      if (db.prepare(kSelectIdTaken).bind(1, user.id).step()) return StoreError::id_taken;
      const std::optional<std::int64_t> revoked =
          user.is_active ? std::nullopt : std::optional(util::to_unix_millis(at));
      db.prepare(kImportUser)
          .bind(1, user.id)
          .bind(2, std::string_view(user.email))
          .bind(3, std::string_view(user.email_key))
          .bind(4, std::string_view(user.password_hash))
          .bind(5, user.first_name)
          .bind(6, user.last_name)
          .bind(7, std::int64_t{user.is_active ? 1 : 0})
          .bind(8, user.last_login ? std::optional(util::to_unix_millis(*user.last_login))
                                   : std::nullopt)
          .bind(9, util::to_unix_millis(user.created_at))
          .bind(10, util::to_unix_millis(user.updated_at))
          .bind(11, revoked)
          .run();
      for (std::size_t i = 0; i < user.roles.size(); ++i) {
        db.prepare(kCreateRole).bind(1, std::string_view(user.roles[i])).run();
        db.prepare(kInsertUserRole)
            .bind(1, user.id)
            .bind(2, static_cast<std::int64_t>(i))
            .bind(3, std::string_view(user.roles[i]))
            .run();
      }
      if (user.session) insert_session(db, user.id, *user.session);
      if (held_for_revert(db, user.email_key, user.id, at)) return StoreError::email_taken;
    }
    tx.commit();
    return {};
  });
}

Result<void> SqliteStore::reserve_user_ids(std::int64_t highest) {
  return with_connection("reserve_user_ids", [&](Connection& db) -> Result<void> {
    WriteTransaction tx(db);
    db.prepare(kReserveUserIds).bind(1, highest).run();
    db.prepare(kRaiseUserSequence).bind(1, highest).run();
    tx.commit();
    return {};
  });
}

Result<std::vector<std::pair<std::string, std::int64_t>>> SqliteStore::count_password_schemes() {
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;
  return with_connection("count_password_schemes", [&](Connection& db) -> Result<Counts> {
    Counts counts;
    auto stmt = db.prepare(kCountPasswordSchemes);
    while (stmt.step()) counts.emplace_back(stmt.column_text(0), stmt.column_int(1));
    return counts;
  });
}

Result<std::int64_t> SqliteStore::count_active_sessions(util::TimePoint now) {
  return with_connection("count_active_sessions", [&](Connection& db) -> Result<std::int64_t> {
    auto stmt = db.prepare(kCountActiveSessions);
    stmt.bind(1, util::to_unix_millis(now));
    stmt.step();
    return stmt.column_int(0);
  });
}

Result<void> SqliteStore::ping() {
  return with_connection("ping", [&](Connection& db) -> Result<void> {
    auto stmt = db.prepare(kPing);
    stmt.step();
    return {};
  });
}

Result<void> SqliteStore::check_writable(util::TimePoint now) {
  return with_connection("check_writable", [&](Connection& db) -> Result<void> {
    db.prepare(kWriteReadinessProbe).bind(1, util::to_unix_millis(now)).run();
    return {};
  });
}

}  // namespace authd::store::sqlite
