#include "store/postgres/postgres_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_migrations.hpp"

namespace authd::store::postgres {
namespace {

// Every query as one raw string. Parameters travel as text (PgConnection::execute_with): instants
// in ISO 8601 UTC, which the server reads as timestamptz; the server prints timestamptz back in
// UTC (the session's TimeZone), which PgResult::time reads.

// One column list for every user query, in the order read_user() reads it, qualified so that a
// session query can read its owner with it.
#define AUTHD_USER_COLUMNS                                                                     \
  "users.id, users.email, users.password_hash, users.first_name, users.last_name, "            \
  "users.is_active, users.last_login, users.password_reset_token_hash, "                       \
  "users.password_reset_expires, users.created_at, users.updated_at, "                         \
  "COALESCE((SELECT json_agg(r.name ORDER BY ur.position) "                                    \
  "FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = users.id), '[]'), " \
  "users.credentials_revoked_at, users.email_verified_at, users.password_changed_at"
constexpr Query kSelectUserByEmailKey{
    "user_by_email_key", "SELECT " AUTHD_USER_COLUMNS " FROM users WHERE email_key = $1"};
constexpr Query kSelectUserById{"user_by_id",
                                "SELECT " AUTHD_USER_COLUMNS " FROM users WHERE id = $1"};
// Ids above $1, ascending; $2 a prefix of the canonical email ('' for any), $3 the active flag
// and $4 a role (NULL for any).
constexpr Query kListUsers{"list_users", "SELECT " AUTHD_USER_COLUMNS R"sql(
  FROM users
  WHERE id > $1 AND starts_with(email_key, $2)
    AND ($3::boolean IS NULL OR is_active = $3::boolean)
    AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                                     WHERE ur.user_id = users.id AND r.name = $4::text))
  ORDER BY id LIMIT $5)sql"};

constexpr Query kSelectRoleExists{"role_exists", "SELECT 1 FROM roles WHERE name = $1"};

constexpr Query kInsertUser{"insert_user", R"sql(
  INSERT INTO users (email, email_key, password_hash, first_name, last_name, is_active,
                     created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6)
  RETURNING id)sql"};

// An import writes a batch per statement: its rows travel as one JSON array (one round trip,
// however many rows), typed by jsonb_to_recordset.
constexpr Query kImportUsers{"import_users", R"sql(
  INSERT INTO users (id, email, email_key, password_hash, first_name, last_name, is_active,
                     last_login, created_at, updated_at, credentials_revoked_at)
  SELECT id, email, email_key, password_hash, first_name, last_name, is_active, last_login,
         created_at, updated_at, CASE WHEN is_active THEN NULL ELSE $2::timestamptz END
  FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, email text, email_key text,
       password_hash text, first_name text, last_name text, is_active boolean,
       last_login timestamptz, created_at timestamptz, updated_at timestamptz))sql"};
// The batch's roles in order of first appearance (new ones get ids in that order).
constexpr Query kImportRoles{"import_roles", R"sql(
  INSERT INTO roles (name)
  SELECT role FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS x(role, ord)
  ORDER BY ord
  ON CONFLICT DO NOTHING)sql"};
constexpr Query kImportUserRoles{"import_user_roles", R"sql(
  INSERT INTO user_roles (user_id, role_id, position)
  SELECT x.user_id, r.id, x.position
  FROM jsonb_to_recordset($1::jsonb) AS x(user_id bigint, role text, position integer)
  JOIN roles r ON r.name = x.role
  ON CONFLICT DO NOTHING)sql"};
constexpr Query kImportSessions{"import_sessions", R"sql(
  INSERT INTO sessions (user_id, kind, token_hash, created_at, expires_at, user_agent,
                        client_address, public_id)
  SELECT user_id, kind, token_hash, created_at, expires_at, '', '', public_id
  FROM jsonb_to_recordset($1::jsonb) AS x(user_id bigint, kind text, token_hash text,
       created_at timestamptz, expires_at timestamptz, public_id text))sql"};
constexpr Query kCountPasswordSchemes{"count_password_schemes", R"sql(
  SELECT CASE WHEN password_hash LIKE '$%$%' THEN split_part(password_hash, '$', 2) ELSE '' END
         AS scheme, COUNT(*)
  FROM users GROUP BY scheme ORDER BY scheme)sql"};
constexpr Query kImportClashes{"import_clashes", R"sql(
  SELECT id, email_key, id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)
  FROM users
  WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)
     OR email_key IN (SELECT jsonb_array_elements_text($2::jsonb)))sql"};
// An action token that is a live email change revert at `now`: it holds its new_email_key for
// its account (kEmailRevertPurpose).
#define AUTHD_REVERT_HOLDS_AT(now) \
  "purpose = 'email_revert' AND used_at IS NULL AND expires_at > " now
// Of the canonical emails $1 (a JSON array), those a live email change revert holds at $2. Run
// after the batch is written too: under READ COMMITTED, a revert committed meanwhile is seen then.
constexpr Query kImportHeld{"import_held",
                            "SELECT DISTINCT new_email_key FROM action_tokens "
                            "WHERE " AUTHD_REVERT_HOLDS_AT("$2") " AND new_email_key IN "
                            "(SELECT jsonb_array_elements_text($1::jsonb))"};
// Raises the id sequence to $1 (the next id is above it); never lowers it.
constexpr Query kReserveUserIds{"reserve_user_ids", R"sql(
  SELECT setval('users_id_seq', $1::bigint) FROM users_id_seq
  WHERE $1::bigint > last_value OR (NOT is_called AND $1::bigint = last_value))sql"};
constexpr Query kInsertUserRole{"insert_user_role", R"sql(
  INSERT INTO user_roles (user_id, role_id, position)
  SELECT $1, id, $2 FROM roles WHERE name = $3
  ON CONFLICT DO NOTHING
  RETURNING role_id)sql"};

// The upgraded hash replaces only the one the login verified ($4): a password changed meanwhile
// is not put back.
constexpr Query kUpdateLogin{"update_login", R"sql(
  UPDATE users SET last_login = $2, updated_at = $2,
    password_hash = CASE WHEN password_hash = $4 THEN COALESCE($3, password_hash)
                         ELSE password_hash END
  WHERE id = $1 AND is_active
  RETURNING id)sql"};

// A new password: every credential issued until $3 is void, and every live session but $4
// (NULL: all of them) ends.
constexpr Query kChangePassword{"change_password", R"sql(
  WITH changed AS (UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3,
                     credentials_revoked_at = GREATEST(credentials_revoked_at, $3)
                   WHERE id = $1 AND is_active RETURNING id),
       gone AS (UPDATE sessions SET revoked_at = $3
                WHERE user_id = (SELECT id FROM changed) AND revoked_at IS NULL
                  AND ($4::text IS NULL OR public_id IS DISTINCT FROM $4::text))
  SELECT id FROM changed)sql"};

constexpr Query kRevokeSessionsOfFamily{"revoke_sessions_of_family", R"sql(
  UPDATE sessions SET revoked_at = $3
  WHERE user_id = $1 AND kind = $2 AND revoked_at IS NULL)sql"};

constexpr Query kInsertSession{"insert_session", R"sql(
  INSERT INTO sessions (user_id, kind, token_hash, created_at, expires_at, user_agent,
                        client_address, public_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8))sql"};

// One column list for every session query, in the order read_session() reads it.
#define AUTHD_SESSION_COLUMNS                                                                 \
  " s.id, s.user_id, s.public_id, s.created_at, s.expires_at, s.last_used_at, s.revoked_at, " \
  "s.rotated_at, s.refresh_generation, COALESCE(s.user_agent, ''), users.is_active, "         \
  "s.token_hash, s.previous_token_hash "
// A session with its owner (read_owned_session): the session columns, whether $2 names a
// revoked signing key, then the owner's columns.
constexpr Query kSelectSession{"session_by_public_id", "SELECT" AUTHD_SESSION_COLUMNS R"sql(,
         EXISTS (SELECT 1 FROM signing_keys k WHERE k.kid = $2 AND k.revoked_at IS NOT NULL),
         )sql" AUTHD_USER_COLUMNS R"sql(
  FROM sessions s JOIN users ON users.id = s.user_id
  WHERE s.public_id = $1)sql"};

constexpr Query kSelectOpaqueSession{
    "opaque_session", "SELECT" AUTHD_SESSION_COLUMNS ", FALSE, " AUTHD_USER_COLUMNS R"sql(
  FROM sessions s JOIN users ON users.id = s.user_id
  WHERE s.token_hash = $1 AND s.kind = 'opaque')sql"};
#undef AUTHD_USER_COLUMNS

constexpr Query kSelectLiveSessions{"live_sessions", "SELECT" AUTHD_SESSION_COLUMNS R"sql(
  FROM sessions s JOIN users ON users.id = s.user_id
  WHERE s.user_id = $1 AND s.kind = $2 AND s.revoked_at IS NULL AND s.expires_at > $3
  ORDER BY s.id)sql"};

// The live token is in token_hash, the one it replaced in previous_token_hash.
constexpr Query kSelectRefreshToken{"refresh_token", R"sql(
  SELECT CASE WHEN s.token_hash = $1 THEN s.refresh_generation
              ELSE s.refresh_generation - 1 END,)sql" AUTHD_SESSION_COLUMNS R"sql(
  FROM sessions s JOIN users ON users.id = s.user_id
  WHERE s.kind = 'rotating' AND (s.token_hash = $1 OR s.previous_token_hash = $1))sql"};
#undef AUTHD_SESSION_COLUMNS

constexpr Query kRevokeSession{"revoke_session", R"sql(
  UPDATE sessions SET revoked_at = $3
  WHERE user_id = $1 AND public_id = $2 AND revoked_at IS NULL AND expires_at > $3
  RETURNING 1)sql"};

constexpr Query kRevokeUserSessions{"revoke_user_sessions", R"sql(
  WITH gone AS (UPDATE sessions SET revoked_at = $2
                WHERE user_id = $1 AND revoked_at IS NULL RETURNING 1),
       voided AS (UPDATE users SET credentials_revoked_at = GREATEST(credentials_revoked_at, $2)
                  WHERE id = $1)
  SELECT COUNT(*) FROM gone)sql"};

constexpr Query kAdvanceRefreshGeneration{"advance_refresh_generation", R"sql(
  UPDATE sessions
  SET refresh_generation = $2::bigint + 1, rotated_at = $3, last_used_at = $3,
      previous_token_hash = token_hash, token_hash = $4
  WHERE id = $1 AND refresh_generation = $2::bigint AND revoked_at IS NULL
  RETURNING 1)sql"};

// The live sessions of a family beyond the newest $4.
constexpr Query kRevokeSessionsBeyond{"revoke_sessions_beyond", R"sql(
  UPDATE sessions SET revoked_at = $3
  WHERE id IN (SELECT id FROM sessions
               WHERE user_id = $1 AND kind = $2 AND revoked_at IS NULL
               ORDER BY id DESC OFFSET $4))sql"};

constexpr Query kPurgeSessions{"purge_sessions", R"sql(
  WITH gone AS (DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1 RETURNING 1)
  SELECT COUNT(*) FROM gone)sql"};

constexpr Query kInsertSigningKey{"insert_signing_key", R"sql(
  INSERT INTO signing_keys (kid, public_key, sealed_private_key, created_at, activates_at)
  VALUES ($1, $2, $3, $4, $5))sql"};

constexpr Query kSelectSigningKeys{"signing_keys", R"sql(
  SELECT kid, public_key, sealed_private_key, created_at, activates_at, revoked_at
  FROM signing_keys
  ORDER BY activates_at, kid)sql"};

constexpr Query kSetUserActive{"set_user_active", R"sql(
  UPDATE users SET is_active = $2, updated_at = $3,
    credentials_revoked_at = CASE WHEN $2 THEN credentials_revoked_at
                                  ELSE GREATEST(credentials_revoked_at, $3) END
  WHERE id = $1
  RETURNING 1)sql"};

// Serialised per user by the row lock on the user, so that two grants cannot take one position.
constexpr Query kLockUser{"lock_user", "SELECT 1 FROM users WHERE id = $1 FOR UPDATE"};

constexpr Query kAddUserRole{"add_user_role", R"sql(
  INSERT INTO user_roles (user_id, role_id, position)
  SELECT $1, r.id, (SELECT COALESCE(MAX(position), -1) + 1 FROM user_roles WHERE user_id = $1)
  FROM roles r WHERE r.name = $2
  ON CONFLICT DO NOTHING
  RETURNING 1)sql"};

constexpr Query kRemoveUserRole{"remove_user_role", R"sql(
  DELETE FROM user_roles
  WHERE user_id = $1 AND role_id = (SELECT id FROM roles WHERE name = $2)
  RETURNING 1)sql"};

// The guard of a role's last active holder (Store's keep_holder_of). Changes that could take
// one away lock the role's row first, so that they take turns.
constexpr Query kLockRole{"lock_role", "SELECT 1 FROM roles WHERE name = $1 FOR UPDATE"};
constexpr Query kIsActiveHolder{"is_active_holder", R"sql(
  SELECT EXISTS (SELECT 1 FROM users u JOIN user_roles ur ON ur.user_id = u.id
                 JOIN roles r ON r.id = ur.role_id
                 WHERE u.id = $1 AND r.name = $2 AND u.is_active))sql"};
constexpr Query kHasActiveHolder{"has_active_holder", R"sql(
  SELECT EXISTS (SELECT 1 FROM users u JOIN user_roles ur ON ur.user_id = u.id
                 JOIN roles r ON r.id = ur.role_id
                 WHERE r.name = $1 AND u.is_active))sql"};
constexpr Query kUpdateFirstName{"update_first_name", R"sql(
  UPDATE users SET first_name = $2, updated_at = $3 WHERE id = $1)sql"};
constexpr Query kUpdateLastName{"update_last_name", R"sql(
  UPDATE users SET last_name = $2, updated_at = $3 WHERE id = $1)sql"};
// A new address is unverified until its owner proves the mailbox.
constexpr Query kUpdateEmail{"update_email", R"sql(
  UPDATE users SET email = $2, email_key = $3, updated_at = $4,
    email_verified_at = CASE WHEN email_key = $3 THEN email_verified_at END
  WHERE id = $1)sql"};
constexpr Query kTouchUser{"touch_user", "UPDATE users SET updated_at = $2 WHERE id = $1"};
constexpr Query kDeleteUserRoles{"delete_user_roles", "DELETE FROM user_roles WHERE user_id = $1"};
// Roles and sessions go with the user (ON DELETE CASCADE).
constexpr Query kDeleteUser{"delete_user", "DELETE FROM users WHERE id = $1 RETURNING 1"};
// The client addresses of what the deleted person did (or what was tried on their account) are
// theirs; an administrator's address on an action taken on them is not.
constexpr Query kForgetAuditAddresses{"forget_audit_addresses", R"sql(
  UPDATE audit_events SET client = NULL
  WHERE target_user_id = $1::bigint AND (actor = 'anonymous' OR actor = 'user:' || $1::text))sql"};
constexpr Query kListRoles{"list_roles", R"sql(
  SELECT r.name, (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = r.id)
  FROM roles r ORDER BY r.name COLLATE "C")sql"};
constexpr Query kCreateRole{"create_role", R"sql(
  INSERT INTO roles (name) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1)sql"};
constexpr Query kRoleHolders{"role_holders", R"sql(
  SELECT r.id, (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = r.id)
  FROM roles r WHERE r.name = $1 FOR UPDATE)sql"};
constexpr Query kDeleteRoleAssignments{"delete_role_assignments",
                                       "DELETE FROM user_roles WHERE role_id = $1"};
constexpr Query kDeleteRole{"delete_role", "DELETE FROM roles WHERE id = $1"};
constexpr Query kInsertAudit{"insert_audit", R"sql(
  INSERT INTO audit_events (at, actor, action, target_user_id, client, outcome, detail)
  VALUES ($1, $2, $3, $4, $5, $6, $7))sql"};
constexpr Query kListAudit{"list_audit", R"sql(
  SELECT id, at, actor, action, target_user_id, client, outcome, detail FROM audit_events
  WHERE $1::bigint = 0 OR id < $1::bigint ORDER BY id DESC LIMIT $2)sql"};
constexpr Query kPurgeAudit{"purge_audit", R"sql(
  WITH gone AS (DELETE FROM audit_events WHERE at < $1 RETURNING 1)
  SELECT COUNT(*) FROM gone)sql"};

constexpr Query kRevokeSigningKey{"revoke_signing_key", R"sql(
  UPDATE signing_keys SET revoked_at = $2
  WHERE kid = $1 AND revoked_at IS NULL
  RETURNING 1)sql"};

// Action tokens: only live ones (unused, unexpired) count. Spending or voiding a token sets
// used_at.
constexpr Query kVoidTokensOfPurpose{"void_tokens_of_purpose", R"sql(
  UPDATE action_tokens SET used_at = $3
  WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL)sql"};

// A new password voids every outstanding token but an email change's revert (see
// kEmailRevertPurpose), and with them the reset expiry seed 003 shows; a revert voids them all.
constexpr Query kVoidUserTokens{"void_user_tokens", R"sql(
  WITH voided AS (UPDATE action_tokens SET used_at = $2
                  WHERE user_id = $1 AND used_at IS NULL AND purpose <> 'email_revert')
  UPDATE users SET password_reset_expires = NULL WHERE id = $1)sql"};

// TokenRedemption::void_other_tokens; $3 the spent token's created_at.
constexpr Query kVoidOtherUserTokens{"void_other_user_tokens", R"sql(
  WITH voided AS (UPDATE action_tokens SET used_at = $2
                  WHERE user_id = $1 AND used_at IS NULL
                    AND NOT (purpose = 'email_revert' AND created_at < $3))
  UPDATE users SET password_reset_expires = NULL WHERE id = $1)sql"};

// The user a token names, locked before the token is spent: a concurrent change of the
// address (or the active flag) commits before this reads it, or waits for it.
constexpr Query kLockTokenUser{"lock_token_user", R"sql(
  SELECT 1 FROM users WHERE id = (SELECT user_id FROM action_tokens WHERE token_hash = $1)
  FOR UPDATE)sql"};

// Locks the user's row, so that a token is never issued for an address changing meanwhile.
constexpr Query kLockActiveWithEmail{"lock_active_with_email", R"sql(
  SELECT 1 FROM users WHERE id = $1 AND email_key = $2 AND is_active FOR UPDATE)sql"};

constexpr Query kInsertActionToken{"insert_action_token", R"sql(
  INSERT INTO action_tokens (user_id, purpose, token_hash, email_key, created_at, expires_at,
                             new_email, new_email_key)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  RETURNING id)sql"};

constexpr Query kSetPasswordResetExpires{"set_password_reset_expires", R"sql(
  UPDATE users SET password_reset_expires = $2 WHERE id = $1)sql"};

// Token t of user u is live at `now`: unspent, unexpired, its user active and still at the
// address it was sent to, and issued since the user's credentials were last revoked (a
// deactivation, a password change, a log-out everywhere); an email change's revert is bound to
// the account alone.
#define AUTHD_TOKEN_LIVE_AT(now)                                                       \
  "t.used_at IS NULL AND t.expires_at > " now                                          \
  " AND u.id = t.user_id AND u.is_active "                                             \
  "AND (t.purpose = 'email_revert' OR "                                                \
  "(u.email_key = t.email_key AND t.created_at >= COALESCE(u.credentials_revoked_at, " \
  "t.created_at)))"
// Spending a live token takes its row lock: a concurrent redemption of the same token waits,
// then finds it spent.
#define AUTHD_LIVE_TOKEN "t.token_hash = $1 AND t.purpose = $2 AND " AUTHD_TOKEN_LIVE_AT("$3")
constexpr Query kSpendLiveToken{"spend_live_token",
                                "UPDATE action_tokens t SET used_at = $3 FROM users u "
                                "WHERE " AUTHD_LIVE_TOKEN
                                " RETURNING t.user_id, t.new_email, t.new_email_key, t.created_at"};

constexpr Query kSelectLiveToken{"select_live_token",
                                 "SELECT t.user_id, t.new_email, t.new_email_key "
                                 "FROM action_tokens t, users u WHERE " AUTHD_LIVE_TOKEN};
#undef AUTHD_LIVE_TOKEN

constexpr Query kSetPassword{"set_password", R"sql(
  UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3,
    credentials_revoked_at = GREATEST(credentials_revoked_at, $3)
  WHERE id = $1)sql"};

constexpr Query kSelectEmailKeyTaken{"select_email_key_taken",
                                     "SELECT 1 FROM users WHERE email_key = $1"};
// An address a live email change revert holds for another account.
constexpr Query kSelectEmailKeyHeld{"select_email_key_held",
                                    "SELECT EXISTS (SELECT 1 FROM action_tokens "
                                    "WHERE new_email_key = $1 AND user_id <> $2 "
                                    "AND " AUTHD_REVERT_HOLDS_AT("$3") ")"};
#undef AUTHD_REVERT_HOLDS_AT

constexpr Query kPurgeMail{"purge_mail", R"sql(
  WITH mail AS (DELETE FROM mail_outbox
                WHERE status IN ('sent', 'failed', 'expired') AND finished_at < $1 RETURNING 1),
       tokens AS (DELETE FROM action_tokens WHERE used_at < $1 OR expires_at < $1 RETURNING 1)
  SELECT (SELECT COUNT(*) FROM mail) + (SELECT COUNT(*) FROM tokens))sql"};

constexpr Query kApplyNewEmail{"apply_new_email", R"sql(
  UPDATE users SET email = $2, email_key = $3, email_verified_at = $4, updated_at = $4
  WHERE id = $1)sql"};

constexpr Query kMarkEmailVerified{"mark_email_verified", R"sql(
  UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2
  WHERE id = $1)sql"};

// The outbox. A mail is 'pending' (due at next_attempt_at), 'sending' (claimed until
// locked_until) or final ('sent', 'failed', 'expired', its payload erased).
constexpr Query kQueueMail{"queue_mail", R"sql(
  INSERT INTO mail_outbox (template, message_id, sealed_payload, next_attempt_at, not_after,
                           created_at, action_token_id)
  VALUES ($1, $2, $3, $4, $5, $4, $6))sql"};

// SKIP LOCKED: a sender passes over the rows another instance is claiming, so no mail is
// claimed twice and no sender waits for another.
constexpr Query kClaimMail{"claim_mail", R"sql(
  WITH due AS (SELECT id FROM mail_outbox
               WHERE (status = 'pending' AND next_attempt_at <= $1)
                  OR (status = 'sending' AND locked_until <= $1)
               ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
  UPDATE mail_outbox m SET status = 'sending', attempts = attempts + 1, locked_until = $2
  FROM due WHERE m.id = due.id
  RETURNING m.id, m.template, m.message_id, m.sealed_payload, m.attempts, m.not_after,
    m.action_token_id IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM action_tokens t, users u
      WHERE t.id = m.action_token_id AND )sql" AUTHD_TOKEN_LIVE_AT("$1") ")"};
#undef AUTHD_TOKEN_LIVE_AT

// Only while the mail is still this attempt's ($5, $4): a sender whose lease ran out records
// nothing.
constexpr Query kFinishMail{"finish_mail", R"sql(
  UPDATE mail_outbox SET status = $2, sealed_payload = NULL, locked_until = NULL,
    last_error = $3, finished_at = $4
  WHERE id = $1 AND status = 'sending' AND attempts = $5)sql"};

constexpr Query kRetryMail{"retry_mail", R"sql(
  UPDATE mail_outbox SET status = 'pending', locked_until = NULL, last_error = $3,
    next_attempt_at = $2
  WHERE id = $1 AND status = 'sending' AND attempts = $4)sql"};

constexpr Query kOutboxStats{"outbox_stats", R"sql(
  SELECT COUNT(*), MIN(created_at) FROM mail_outbox WHERE status IN ('pending', 'sending'))sql"};

constexpr Query kWriteReadinessProbe{"write_readiness_probe", R"sql(
  INSERT INTO readiness_probe (id, checked_at) VALUES (1, $1)
  ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at)sql"};

constexpr Query kPing{"ping", "SELECT 1"};

// Up to kMaxThrottleKeys keys in one round trip; unused places hold '', which is never a key.
constexpr Query kSelectThrottles{"select_throttles", R"sql(
  SELECT key, failures, counted_at, locked_until, lockouts, consecutive, last_success,
         forget_at, version
  FROM throttles
  WHERE key IN ($1, $2, $3, $4))sql"};

constexpr Query kInsertThrottle{"insert_throttle", R"sql(
  INSERT INTO throttles (key, failures, counted_at, locked_until, lockouts, consecutive,
                         last_success, forget_at, version)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)
  ON CONFLICT (key) DO NOTHING
  RETURNING 1)sql"};

constexpr Query kUpdateThrottle{"update_throttle", R"sql(
  UPDATE throttles
  SET failures = $2, counted_at = $3, locked_until = $4, lockouts = $5, consecutive = $6,
      last_success = $7, forget_at = $8, version = version + 1
  WHERE key = $1 AND version = $9
  RETURNING 1)sql"};

constexpr Query kDeleteThrottle{"delete_throttle", "DELETE FROM throttles WHERE key = $1"};

constexpr Query kPurgeThrottles{"purge_throttles", R"sql(
  WITH gone AS (DELETE FROM throttles WHERE forget_at < $1 RETURNING 1)
  SELECT COUNT(*) FROM gone)sql"};

constexpr Query kCountActiveSessions{"count_active_sessions", R"sql(
  SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > $1)sql"};

constexpr Query kTryMigrationLock{"try_migration_lock", "SELECT pg_try_advisory_lock($1)"};
constexpr Query kUnlockMigrations{"unlock_migrations", "SELECT pg_advisory_unlock($1)"};
constexpr Query kSelectMigrationsTable{"migrations_table",
                                       "SELECT to_regclass('schema_migrations') IS NOT NULL"};
constexpr Query kSelectMigration{"migration_applied",
                                 "SELECT 1 FROM schema_migrations WHERE version = $1"};
constexpr Query kInsertMigration{"record_migration", R"sql(
  INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, now()))sql"};

constexpr const char* kUniqueViolation = "23505";
constexpr const char* kEmailConstraint = "users_email_key_unique";
constexpr const char* kIdConstraint = "users_pkey";

// Reads the user columns of `row` starting at `first`.
UserRecord read_user(const PgResult& rows, int row = 0, int first = 0) {
  UserRecord user;
  user.id = rows.integer(row, first);
  user.email = rows.text(row, first + 1);
  user.password_hash = rows.text(row, first + 2);
  user.first_name = rows.optional_text(row, first + 3);
  user.last_name = rows.optional_text(row, first + 4);
  user.is_active = rows.boolean(row, first + 5);
  user.last_login = rows.optional_time(row, first + 6);
  user.password_reset_token_hash = rows.optional_text(row, first + 7);
  user.password_reset_expires = rows.optional_time(row, first + 8);
  user.created_at = rows.time(row, first + 9);
  user.updated_at = rows.time(row, first + 10);
  const boost::json::value roles = boost::json::parse(rows.text(row, first + 11));
  for (const auto& role : roles.as_array()) user.roles.emplace_back(role.as_string());
  user.credentials_revoked_at = rows.optional_time(row, first + 12);
  user.email_verified_at = rows.optional_time(row, first + 13);
  user.password_changed_at = rows.optional_time(row, first + 14);
  return user;
}

template <class Key>
std::optional<UserRecord> load_user(PgConnection& db, const Query& query, const Key& key) {
  const PgResult result = db.execute_with(query, key);
  if (result.rows() == 0) return std::nullopt;
  return read_user(result);
}

// Asked after the write that takes the address, never before: under READ COMMITTED a check first
// would miss the revert of an email change committing meanwhile (the write then waits on the
// unique index for that change and succeeds), while the statement after the write sees it.
bool held_for_revert(PgConnection& db, std::string_view email_key, std::int64_t user_id,
                     util::TimePoint at) {
  return db.execute_with(kSelectEmailKeyHeld, email_key, user_id, at).boolean(0, 0);
}

// Runs `change` (which answers whether it found the user) in one transaction. With a guarded
// role, a change that leaves it without an active holder when the user was one rolls back.
template <class Change>
Result<bool> guarded_change(PgConnection& db, std::int64_t user_id, std::string_view keep_holder_of,
                            Change&& change) {
  PgTransaction tx(db);
  bool was_holder = false;
  if (!keep_holder_of.empty()) {
    db.execute_with(kLockRole, keep_holder_of);
    was_holder = db.execute_with(kIsActiveHolder, user_id, keep_holder_of).boolean(0, 0);
  }
  if (const Result<bool> changed = change(); !changed || !*changed) return changed;
  if (was_holder && !db.execute_with(kHasActiveHolder, keep_holder_of).boolean(0, 0)) {
    return StoreError::last_holder;
  }
  tx.commit();
  return true;
}

// Returns the new token's id.
std::int64_t insert_token(PgConnection& db, const NewActionToken& token) {
  return db
      .execute_with(kInsertActionToken, token.user_id, token.purpose, token.token_hash,
                    token.email_key, token.created_at, token.expires_at, token.new_email,
                    token.new_email_key)
      .integer(0, 0);
}

// `token_id`: the token behind the mail's link, if it has one.
void insert_mail(PgConnection& db, const OutboxMessage& mail,
                 std::optional<std::int64_t> token_id = std::nullopt) {
  db.execute_with(kQueueMail, mail.template_name, mail.message_id, mail.sealed_payload,
                  mail.created_at, mail.not_after, token_id);
}

void insert_session(PgConnection& db, std::int64_t user_id, const NewSession& session) {
  const std::optional<std::string> public_id =
      session.public_id.empty() ? std::nullopt : std::optional(session.public_id);
  db.execute_with(kInsertSession, user_id, family_name(session.family), session.token_hash,
                  session.created_at, session.expires_at, session.user_agent,
                  session.client_address, public_id);
}

// Reads the session columns of `row` starting at `first`.
SessionRecord read_session(const PgResult& rows, int row, int first = 0) {
  SessionRecord session;
  session.id = rows.integer(row, first);
  session.user_id = rows.integer(row, first + 1);
  session.public_id = rows.optional_text(row, first + 2).value_or("");
  session.created_at = rows.time(row, first + 3);
  session.expires_at = rows.time(row, first + 4);
  session.last_used_at = rows.optional_time(row, first + 5);
  session.revoked_at = rows.optional_time(row, first + 6);
  session.rotated_at = rows.optional_time(row, first + 7);
  session.refresh_generation = rows.integer(row, first + 8);
  session.user_agent = rows.text(row, first + 9);
  session.user_active = rows.boolean(row, first + 10);
  session.refresh_token_hash = rows.optional_text(row, first + 11).value_or("");
  session.previous_refresh_token_hash = rows.optional_text(row, first + 12).value_or("");
  return session;
}

// The row of kSelectSession or kSelectOpaqueSession.
OwnedSession read_owned_session(const PgResult& rows) {
  constexpr int kSigningKeyRevoked = 13;
  OwnedSession session{read_session(rows, 0)};
  session.signing_key_revoked = rows.boolean(0, kSigningKeyRevoked);
  session.owner = read_user(rows, 0, kSigningKeyRevoked + 1);
  return session;
}

StoreError classify(const PgFailure& failure) {
  if (failure.sqlstate == kUniqueViolation && failure.constraint == kEmailConstraint) {
    return StoreError::email_taken;
  }
  if (failure.sqlstate == kUniqueViolation && failure.constraint == kIdConstraint) {
    return StoreError::id_taken;
  }
  // Lost sessions, connection exceptions (08), server shutting down (57P0x) and resource
  // exhaustion (53) are outages: the client may retry.
  // So are the timeouts (57014 statement, 55P03 lock, 25P03 idle transaction), serialisation
  // failures (40001, 40P01) and a read-only server after a failover (25006).
  static constexpr std::string_view kRetryable[] = {"57014", "55P03", "25P03",
                                                    "40001", "40P01", "25006"};
  if (failure.connection_lost || failure.sqlstate.starts_with("08") ||
      failure.sqlstate.starts_with("57P") || failure.sqlstate.starts_with("53") ||
      std::find(std::begin(kRetryable), std::end(kRetryable), failure.sqlstate) !=
          std::end(kRetryable)) {
    return StoreError::unavailable;
  }
  return StoreError::internal;
}

void apply_migrations(PgConnection& db) {
  // A migration may take longer than any request should: no statement timeout for it.
  db.run("SET statement_timeout = 0");
  // Session-level lock: released by the unlock below or, if this process dies, with its session.
  // Waited for with a deadline and a log line, so a start-up stuck behind a dead instance says so.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (bool logged = false;;) {
    const PgResult locked = db.execute_with(kTryMigrationLock, std::int64_t{kMigrationLockKey});
    if (locked.boolean(0, 0)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      throw PgFailure{.message = "another instance held the migration lock for 60 s"};
    }
    if (!logged) spdlog::info("store: waiting for another instance to finish migrating");
    logged = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  db.run(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)");
  for (const Migration& migration : migrations()) {
    if (db.execute_with(kSelectMigration, migration.version).rows() > 0) continue;
    PgTransaction tx(db);
    db.run(migration.sql);
    db.execute_with(kInsertMigration, migration.version, migration.description);
    tx.commit();
    spdlog::info("store: applied migration {} ({})", migration.version, migration.description);
  }
  db.execute_with(kUnlockMigrations, std::int64_t{kMigrationLockKey});
  db.run("RESET statement_timeout");
}

// True when every migration this authd knows has been applied.
bool fully_migrated(PgConnection& db) {
  if (!db.execute(kSelectMigrationsTable).boolean(0, 0)) return false;
  for (const Migration& migration : migrations()) {
    if (db.execute_with(kSelectMigration, migration.version).rows() == 0) return false;
  }
  return true;
}

}  // namespace

PostgresStore::PostgresStore(const std::string& conninfo, std::size_t connections, OpenMode mode) {
  std::vector<std::unique_ptr<PgConnection>> opened;
  for (std::size_t i = 0; i < std::max<std::size_t>(connections, 1); ++i) {
    opened.push_back(std::make_unique<PgConnection>(conninfo));
  }
  try {
    if (mode == OpenMode::create_and_migrate) {
      apply_migrations(*opened.front());
    } else if (!fully_migrated(*opened.front())) {
      throw std::runtime_error(
          "the PostgreSQL database is not an authd database, or was made "
          "by an older authd: run `authd serve` on it once");
    }
  } catch (const PgFailure& failure) {
    throw std::runtime_error("cannot open PostgreSQL database: " + failure.message);
  }
  pool_ = std::make_unique<ConnectionPool<PgConnection>>(std::move(opened));
}

PostgresStore::~PostgresStore() = default;

template <class Fn>
auto PostgresStore::with_connection(const char* operation, Fn&& fn)
    -> decltype(fn(std::declval<PgConnection&>())) {
  try {
    ConnectionPool<PgConnection>::Lease lease(*pool_);
    const std::uint64_t before = (*lease).round_trips();
    try {
      return fn(*lease);
    } catch (const PgFailure& failure) {
      // A pooled session the server dropped (a restart, a failover) fails its first use even
      // when the database is back; nothing of the operation ran, so it runs again on a fresh
      // session. A session lost later is not retried: its COMMIT may have succeeded.
      if (!failure.connection_lost || (*lease).round_trips() != before + 1) throw;
      return fn(*lease);
    }
  } catch (const PgFailure& failure) {
    const StoreError error = classify(failure);
    if (error != StoreError::email_taken && error != StoreError::id_taken) {
      spdlog::error("store: {} failed: {} (sqlstate {})", operation, failure.message,
                    failure.sqlstate.empty() ? "none" : failure.sqlstate);
    }
    return error;
  }
}

Result<UserRecord> PostgresStore::create_user(const NewUser& user,
                                              const std::optional<NewSession>& session) {
  return with_connection("create_user", [&](PgConnection& db) -> Result<UserRecord> {
    PgTransaction tx(db);
    const std::int64_t id =
        db.execute_with(kInsertUser, user.email, user.email_key, user.password_hash,
                        user.first_name, user.last_name, user.now)
            .integer(0, 0);
    if (held_for_revert(db, user.email_key, id, user.now)) return StoreError::email_taken;
    std::vector<std::string> roles;
    for (std::size_t i = 0; i < user.roles.size(); ++i) {
      const PgResult inserted =
          db.execute_with(kInsertUserRole, id, static_cast<std::int64_t>(i), user.roles[i]);
      if (inserted.rows() > 0) roles.push_back(user.roles[i]);
    }
    if (session) insert_session(db, id, *session);
    tx.commit();
    return created_record(user, id, std::move(roles));
  });
}

Result<std::optional<UserRecord>> PostgresStore::find_user_by_email(std::string_view email_key) {
  return with_connection("find_user_by_email",
                         [&](PgConnection& db) -> Result<std::optional<UserRecord>> {
                           return load_user(db, kSelectUserByEmailKey, email_key);
                         });
}

Result<std::optional<UserRecord>> PostgresStore::find_user_by_id(std::int64_t id) {
  return with_connection("find_user_by_id",
                         [&](PgConnection& db) -> Result<std::optional<UserRecord>> {
                           return load_user(db, kSelectUserById, id);
                         });
}

Result<std::vector<std::string>> PostgresStore::existing_roles(std::span<const std::string> names) {
  return with_connection("existing_roles",
                         [&](PgConnection& db) -> Result<std::vector<std::string>> {
                           std::vector<std::string> found;
                           std::unordered_set<std::string_view> seen;
                           for (const std::string& name : names) {
                             if (!seen.insert(name).second) continue;
                             if (db.execute_with(kSelectRoleExists, name).rows() > 0) {
                               found.push_back(name);
                             }
                           }
                           return found;
                         });
}

Result<bool> PostgresStore::set_user_active(std::int64_t user_id, bool active, util::TimePoint at,
                                            std::string_view keep_holder_of) {
  return with_connection("set_user_active", [&](PgConnection& db) -> Result<bool> {
    return guarded_change(db, user_id, keep_holder_of, [&] {
      return db.execute_with(kSetUserActive, user_id, active, at).rows() == 1;
    });
  });
}

Result<bool> PostgresStore::add_user_role(std::int64_t user_id, std::string_view role) {
  return with_connection("add_user_role", [&](PgConnection& db) -> Result<bool> {
    PgTransaction tx(db);
    if (db.execute_with(kLockUser, user_id).rows() == 0) return false;
    const bool added = db.execute_with(kAddUserRole, user_id, role).rows() == 1;
    tx.commit();
    return added;
  });
}

Result<bool> PostgresStore::remove_user_role(std::int64_t user_id, std::string_view role,
                                             std::string_view keep_holder_of) {
  return with_connection("remove_user_role", [&](PgConnection& db) -> Result<bool> {
    return guarded_change(db, user_id, keep_holder_of, [&] {
      return db.execute_with(kRemoveUserRole, user_id, role).rows() == 1;
    });
  });
}

Result<bool> PostgresStore::update_user(std::int64_t user_id, const UserChanges& changes,
                                        std::string_view keep_holder_of) {
  return with_connection("update_user", [&](PgConnection& db) -> Result<bool> {
    return guarded_change(db, user_id, keep_holder_of, [&]() -> Result<bool> {
      if (db.execute_with(kLockUser, user_id).rows() == 0) return false;
      if (changes.first_name)
        db.execute_with(kUpdateFirstName, user_id, *changes.first_name, changes.at);
      if (changes.last_name)
        db.execute_with(kUpdateLastName, user_id, *changes.last_name, changes.at);
      if (changes.email) {
        db.execute_with(kUpdateEmail, user_id, *changes.email,
                        changes.email_key.value_or(*changes.email), changes.at);
        if (held_for_revert(db, changes.email_key.value_or(*changes.email), user_id, changes.at)) {
          return StoreError::email_taken;
        }
      }
      if (changes.active) db.execute_with(kSetUserActive, user_id, *changes.active, changes.at);
      if (changes.roles) {
        db.execute_with(kDeleteUserRoles, user_id);
        for (std::size_t i = 0; i < changes.roles->size(); ++i) {
          db.execute_with(kInsertUserRole, user_id, static_cast<std::int64_t>(i),
                          (*changes.roles)[i]);
        }
        db.execute_with(kTouchUser, user_id, changes.at);
      }
      return true;
    });
  });
}

Result<bool> PostgresStore::delete_user(std::int64_t user_id, std::string_view keep_holder_of) {
  return with_connection("delete_user", [&](PgConnection& db) -> Result<bool> {
    return guarded_change(db, user_id, keep_holder_of, [&] {
      if (db.execute_with(kDeleteUser, user_id).rows() != 1) return false;
      db.execute_with(kForgetAuditAddresses, user_id);
      return true;
    });
  });
}

Result<std::vector<UserRecord>> PostgresStore::list_users(const UserQuery& query) {
  return with_connection("list_users", [&](PgConnection& db) -> Result<std::vector<UserRecord>> {
    const PgResult rows =
        db.execute_with(kListUsers, query.after_id, query.email_key_prefix, query.active,
                        query.role, static_cast<std::int64_t>(query.limit));
    std::vector<UserRecord> users;
    for (int row = 0; row < rows.rows(); ++row) users.push_back(read_user(rows, row));
    return users;
  });
}

Result<std::vector<RoleRecord>> PostgresStore::list_roles() {
  return with_connection("list_roles", [&](PgConnection& db) -> Result<std::vector<RoleRecord>> {
    const PgResult rows = db.execute(kListRoles);
    std::vector<RoleRecord> roles;
    for (int row = 0; row < rows.rows(); ++row) {
      roles.push_back({rows.text(row, 0), rows.integer(row, 1)});
    }
    return roles;
  });
}

Result<bool> PostgresStore::create_role(std::string_view name) {
  return with_connection("create_role", [&](PgConnection& db) -> Result<bool> {
    return db.execute_with(kCreateRole, name).rows() == 1;
  });
}

Result<RoleDeletion> PostgresStore::delete_role(std::string_view name, bool force) {
  return with_connection("delete_role", [&](PgConnection& db) -> Result<RoleDeletion> {
    PgTransaction tx(db);
    const PgResult role = db.execute_with(kRoleHolders, name);
    if (role.rows() == 0) return RoleDeletion::not_found;
    if (role.integer(0, 1) > 0 && !force) return RoleDeletion::in_use;
    db.execute_with(kDeleteRoleAssignments, role.integer(0, 0));
    db.execute_with(kDeleteRole, role.integer(0, 0));
    tx.commit();
    return RoleDeletion::deleted;
  });
}

Result<void> PostgresStore::append_audit(const AuditRecord& event) {
  return with_connection("append_audit", [&](PgConnection& db) -> Result<void> {
    db.execute_with(kInsertAudit, event.at, event.actor, event.action, event.target_user_id,
                    event.client, event.outcome, event.detail);
    return {};
  });
}

Result<std::vector<AuditRecord>> PostgresStore::list_audit(std::int64_t before_id,
                                                           std::size_t limit) {
  return with_connection("list_audit", [&](PgConnection& db) -> Result<std::vector<AuditRecord>> {
    const PgResult rows = db.execute_with(kListAudit, before_id, static_cast<std::int64_t>(limit));
    std::vector<AuditRecord> events;
    for (int row = 0; row < rows.rows(); ++row) {
      events.push_back({.id = rows.integer(row, 0),
                        .at = rows.time(row, 1),
                        .actor = rows.text(row, 2),
                        .action = rows.text(row, 3),
                        .target_user_id = rows.optional_integer(row, 4),
                        .client = rows.optional_text(row, 5),
                        .outcome = rows.text(row, 6),
                        .detail = rows.optional_text(row, 7)});
    }
    return events;
  });
}

Result<std::int64_t> PostgresStore::purge_audit(util::TimePoint before) {
  return with_connection("purge_audit", [&](PgConnection& db) -> Result<std::int64_t> {
    return db.execute_with(kPurgeAudit, before).integer(0, 0);
  });
}

Result<UserRecord> PostgresStore::record_login(const LoginUpdate& update) {
  return with_connection("record_login", [&](PgConnection& db) -> Result<UserRecord> {
    PgTransaction tx(db);
    if (db.execute_with(kUpdateLogin, update.user_id, update.at, update.upgraded_password_hash,
                        update.verified_password_hash)
            .rows() == 0) {
      return StoreError::not_found;
    }
    if (update.session) {
      const char* family = family_name(update.session->family);
      if (update.replace_family) {
        db.execute_with(kRevokeSessionsOfFamily, update.user_id, family, update.at);
      }
      insert_session(db, update.user_id, *update.session);
      if (!update.replace_family && update.max_live_of_family) {
        db.execute_with(kRevokeSessionsBeyond, update.user_id, family, update.at,
                        *update.max_live_of_family);
      }
    }
    auto user = load_user(db, kSelectUserById, update.user_id);
    tx.commit();
    if (!user) return StoreError::not_found;
    return std::move(*user);
  });
}

Result<bool> PostgresStore::change_password(const PasswordChange& change) {
  return with_connection("change_password", [&](PgConnection& db) -> Result<bool> {
    PgTransaction tx(db);
    if (db.execute_with(kChangePassword, change.user_id, change.password_hash, change.at,
                        change.keep_session)
            .rows() != 1) {
      return false;
    }
    db.execute_with(kVoidUserTokens, change.user_id, change.at);
    if (change.notice) insert_mail(db, *change.notice);
    tx.commit();
    return true;
  });
}

Result<bool> PostgresStore::issue_action_token(const NewActionToken& token,
                                               const std::optional<OutboxMessage>& mail) {
  return with_connection("issue_action_token", [&](PgConnection& db) -> Result<bool> {
    PgTransaction tx(db);
    if (db.execute_with(kLockActiveWithEmail, token.user_id, token.email_key).rows() == 0) {
      return false;
    }
    if (token.new_email_key &&
        (db.execute_with(kSelectEmailKeyTaken, *token.new_email_key).rows() > 0 ||
         held_for_revert(db, *token.new_email_key, token.user_id, token.created_at))) {
      return false;
    }
    db.execute_with(kVoidTokensOfPurpose, token.user_id, token.purpose, token.created_at);
    const std::int64_t token_id = insert_token(db, token);
    if (token.purpose == kPasswordResetPurpose) {
      db.execute_with(kSetPasswordResetExpires, token.user_id, token.expires_at);
    }
    if (mail) insert_mail(db, *mail, token_id);
    tx.commit();
    return true;
  });
}

Result<std::optional<ActionTokenRecord>> PostgresStore::find_action_token(
    std::string_view token_hash, std::string_view purpose, util::TimePoint now) {
  using Found = std::optional<ActionTokenRecord>;
  return with_connection("find_action_token", [&](PgConnection& db) -> Result<Found> {
    const PgResult rows = db.execute_with(kSelectLiveToken, token_hash, purpose, now);
    if (rows.rows() == 0) return Found{};
    return Found{ActionTokenRecord{.user_id = rows.integer(0, 0),
                                   .new_email = rows.optional_text(0, 1),
                                   .new_email_key = rows.optional_text(0, 2)}};
  });
}

Result<std::optional<std::int64_t>> PostgresStore::redeem_action_token(
    const TokenRedemption& redemption) {
  using Redeemed = std::optional<std::int64_t>;
  return with_connection("redeem_action_token", [&](PgConnection& db) -> Result<Redeemed> {
    PgTransaction tx(db);
    db.execute_with(kLockTokenUser, redemption.token_hash);
    const PgResult spent =
        db.execute_with(kSpendLiveToken, redemption.token_hash, redemption.purpose, redemption.at);
    if (spent.rows() != 1) return Redeemed{};
    const std::int64_t user_id = spent.integer(0, 0);
    if (redemption.purpose == kPasswordResetPurpose) {
      db.execute_with(kSetPasswordResetExpires, user_id, std::optional<util::TimePoint>{});
    }
    if (redemption.password_hash) {
      db.execute_with(kSetPassword, user_id, *redemption.password_hash, redemption.at);
      db.execute_with(kVoidUserTokens, user_id, redemption.at);
    }
    if (redemption.mark_email_verified) {
      db.execute_with(kMarkEmailVerified, user_id, redemption.at);
    }
    if (redemption.apply_new_email) {
      const auto new_email = spent.optional_text(0, 1);
      const auto new_email_key = spent.optional_text(0, 2);
      if (!new_email || !new_email_key) return Redeemed{};  // not a token that carries one
      // Another account holding the address fails the unique index: email_taken.
      db.execute_with(kApplyNewEmail, user_id, *new_email, *new_email_key, redemption.at);
      if (held_for_revert(db, *new_email_key, user_id, redemption.at)) {
        return StoreError::email_taken;
      }
    }
    if (redemption.void_other_tokens) {
      db.execute_with(kVoidOtherUserTokens, user_id, redemption.at, spent.time(0, 3));
    }
    if (redemption.revoke_all_sessions) {
      db.execute_with(kRevokeUserSessions, user_id, redemption.at);
    }
    if (redemption.follow_up) insert_token(db, *redemption.follow_up);
    // The notice is news of the change first, its revert link second: it goes even if the revert
    // dies first (a deactivation voids it for good), so it is tied to no token.
    if (redemption.notice) insert_mail(db, *redemption.notice);
    tx.commit();
    return Redeemed{user_id};
  });
}

Result<void> PostgresStore::queue_mail(const OutboxMessage& mail) {
  return with_connection("queue_mail", [&](PgConnection& db) -> Result<void> {
    insert_mail(db, mail);
    return {};
  });
}

Result<std::vector<ClaimedMail>> PostgresStore::claim_mail(util::TimePoint now,
                                                           util::TimePoint lease_until,
                                                           std::size_t limit) {
  using Claimed = std::vector<ClaimedMail>;
  return with_connection("claim_mail", [&](PgConnection& db) -> Result<Claimed> {
    const PgResult rows =
        db.execute_with(kClaimMail, now, lease_until, static_cast<std::int64_t>(limit));
    Claimed claimed;
    for (int row = 0; row < rows.rows(); ++row) {
      claimed.push_back({.id = rows.integer(row, 0),
                         .template_name = rows.text(row, 1),
                         .message_id = rows.text(row, 2),
                         .sealed_payload = rows.optional_text(row, 3).value_or(""),
                         .attempts = rows.integer(row, 4),
                         .not_after = rows.time(row, 5),
                         .link_void = rows.boolean(row, 6)});
    }
    std::sort(claimed.begin(), claimed.end(),
              [](const ClaimedMail& a, const ClaimedMail& b) { return a.id < b.id; });
    return claimed;
  });
}

Result<void> PostgresStore::finish_mail(std::int64_t id, std::int64_t attempt, MailOutcome outcome,
                                        util::TimePoint next_attempt_at, std::string_view error,
                                        util::TimePoint at) {
  return with_connection("finish_mail", [&](PgConnection& db) -> Result<void> {
    const std::optional<std::string> last_error =
        error.empty() ? std::nullopt : std::optional<std::string>(error);
    if (outcome == MailOutcome::retry) {
      db.execute_with(kRetryMail, id, next_attempt_at, last_error, attempt);
    } else {
      db.execute_with(kFinishMail, id, mail_status_name(outcome), last_error, at, attempt);
    }
    return {};
  });
}

Result<OutboxStats> PostgresStore::outbox_stats() {
  return with_connection("outbox_stats", [&](PgConnection& db) -> Result<OutboxStats> {
    const PgResult rows = db.execute(kOutboxStats);
    return OutboxStats{.pending = rows.integer(0, 0), .oldest_pending = rows.optional_time(0, 1)};
  });
}

Result<std::int64_t> PostgresStore::purge_mail(util::TimePoint before) {
  return with_connection("purge_mail", [&](PgConnection& db) -> Result<std::int64_t> {
    return db.execute_with(kPurgeMail, before).integer(0, 0);
  });
}

Result<std::vector<ThrottleRecord>> PostgresStore::get_throttles(
    std::span<const std::string> keys) {
  if (keys.size() > kMaxThrottleKeys) throw std::invalid_argument("too many throttle keys");
  return with_connection("get_throttles",
                         [&](PgConnection& db) -> Result<std::vector<ThrottleRecord>> {
                           std::vector<Param> params;
                           for (std::size_t i = 0; i < kMaxThrottleKeys; ++i) {
                             params.emplace_back(i < keys.size() ? keys[i] : std::string());
                           }
                           const PgResult rows = db.execute(kSelectThrottles, params);
                           std::vector<ThrottleRecord> records(keys.size());
                           for (int row = 0; row < rows.rows(); ++row) {
                             const std::string key = rows.text(row, 0);
                             ThrottleRecord record{
                                 .failures = rows.integer(row, 1),
                                 .counted_at = rows.time(row, 2),
                                 .locked_until = rows.optional_time(row, 3),
                                 .lockouts = rows.integer(row, 4),
                                 .consecutive = rows.integer(row, 5),
                                 .last_success = rows.optional_time(row, 6),
                                 .forget_at = rows.time(row, 7),
                                 .version = rows.integer(row, 8),
                             };
                             for (std::size_t i = 0; i < keys.size(); ++i) {
                               if (keys[i] == key) records[i] = record;
                             }
                           }
                           return records;
                         });
}

Result<bool> PostgresStore::put_throttle(std::string_view key, std::int64_t expected_version,
                                         const ThrottleRecord& next) {
  return with_connection("put_throttle", [&](PgConnection& db) -> Result<bool> {
    const PgResult stored =
        expected_version == 0
            ? db.execute_with(kInsertThrottle, key, next.failures, next.counted_at,
                              next.locked_until, next.lockouts, next.consecutive, next.last_success,
                              next.forget_at)
            : db.execute_with(kUpdateThrottle, key, next.failures, next.counted_at,
                              next.locked_until, next.lockouts, next.consecutive, next.last_success,
                              next.forget_at, expected_version);
    return stored.rows() == 1;
  });
}

Result<void> PostgresStore::clear_throttle(std::string_view key) {
  return with_connection("clear_throttle", [&](PgConnection& db) -> Result<void> {
    db.execute_with(kDeleteThrottle, key);
    return {};
  });
}

Result<std::int64_t> PostgresStore::purge_throttles(util::TimePoint now) {
  return with_connection("purge_throttles", [&](PgConnection& db) -> Result<std::int64_t> {
    return db.execute_with(kPurgeThrottles, now).integer(0, 0);
  });
}

Result<std::optional<OwnedSession>> PostgresStore::find_session(std::string_view public_id,
                                                                std::string_view kid) {
  return with_connection("find_session",
                         [&](PgConnection& db) -> Result<std::optional<OwnedSession>> {
                           const PgResult rows = db.execute_with(kSelectSession, public_id, kid);
                           if (rows.rows() == 0) return std::nullopt;
                           return read_owned_session(rows);
                         });
}

Result<std::optional<OwnedSession>> PostgresStore::find_opaque_session(
    std::string_view token_hash) {
  return with_connection("find_opaque_session",
                         [&](PgConnection& db) -> Result<std::optional<OwnedSession>> {
                           const PgResult rows = db.execute_with(kSelectOpaqueSession, token_hash);
                           if (rows.rows() == 0) return std::nullopt;
                           return read_owned_session(rows);
                         });
}

Result<std::vector<SessionRecord>> PostgresStore::list_live_sessions(std::int64_t user_id,
                                                                     SessionFamily family,
                                                                     util::TimePoint now) {
  return with_connection(
      "list_live_sessions", [&](PgConnection& db) -> Result<std::vector<SessionRecord>> {
        const PgResult rows =
            db.execute_with(kSelectLiveSessions, user_id, family_name(family), now);
        std::vector<SessionRecord> sessions;
        for (int row = 0; row < rows.rows(); ++row) sessions.push_back(read_session(rows, row));
        return sessions;
      });
}

Result<bool> PostgresStore::revoke_session(std::int64_t user_id, std::string_view public_id,
                                           util::TimePoint at) {
  return with_connection("revoke_session", [&](PgConnection& db) -> Result<bool> {
    return db.execute_with(kRevokeSession, user_id, public_id, at).rows() == 1;
  });
}

Result<std::int64_t> PostgresStore::revoke_user_sessions(std::int64_t user_id, util::TimePoint at) {
  return with_connection("revoke_user_sessions", [&](PgConnection& db) -> Result<std::int64_t> {
    return db.execute_with(kRevokeUserSessions, user_id, at).integer(0, 0);
  });
}

Result<std::optional<RefreshTokenRecord>> PostgresStore::find_refresh_token(
    std::string_view token_hash) {
  return with_connection("find_refresh_token",
                         [&](PgConnection& db) -> Result<std::optional<RefreshTokenRecord>> {
                           const PgResult rows = db.execute_with(kSelectRefreshToken, token_hash);
                           if (rows.rows() == 0) return std::nullopt;
                           return RefreshTokenRecord{.generation = rows.integer(0, 0),
                                                     .session = read_session(rows, 0, 1)};
                         });
}

Result<bool> PostgresStore::rotate_refresh_token(std::int64_t session_id,
                                                 std::int64_t from_generation,
                                                 std::string_view next_token_hash,
                                                 util::TimePoint at) {
  return with_connection("rotate_refresh_token", [&](PgConnection& db) -> Result<bool> {
    return db.execute_with(kAdvanceRefreshGeneration, session_id, from_generation, at,
                           next_token_hash)
               .rows() == 1;
  });
}

Result<std::int64_t> PostgresStore::purge_sessions(util::TimePoint before) {
  return with_connection("purge_sessions", [&](PgConnection& db) -> Result<std::int64_t> {
    return db.execute_with(kPurgeSessions, before).integer(0, 0);
  });
}

Result<void> PostgresStore::add_signing_key(const SigningKeyRecord& key) {
  return with_connection("add_signing_key", [&](PgConnection& db) -> Result<void> {
    db.execute_with(kInsertSigningKey, key.kid, key.public_key, key.sealed_private_key,
                    key.created_at, key.activates_at);
    return {};
  });
}

Result<std::vector<SigningKeyRecord>> PostgresStore::signing_keys() {
  return with_connection("signing_keys",
                         [&](PgConnection& db) -> Result<std::vector<SigningKeyRecord>> {
                           const PgResult rows = db.execute(kSelectSigningKeys);
                           std::vector<SigningKeyRecord> keys;
                           for (int row = 0; row < rows.rows(); ++row) {
                             keys.push_back({.kid = rows.text(row, 0),
                                             .public_key = rows.text(row, 1),
                                             .sealed_private_key = rows.text(row, 2),
                                             .created_at = rows.time(row, 3),
                                             .activates_at = rows.time(row, 4),
                                             .revoked_at = rows.optional_time(row, 5)});
                           }
                           return keys;
                         });
}

Result<bool> PostgresStore::revoke_signing_key(std::string_view kid, util::TimePoint at) {
  return with_connection("revoke_signing_key", [&](PgConnection& db) -> Result<bool> {
    return db.execute_with(kRevokeSigningKey, kid, at).rows() == 1;
  });
}

Result<ImportClashes> PostgresStore::find_import_clashes(std::span<const ImportedUser> users,
                                                         util::TimePoint at) {
  boost::json::array ids, email_keys;
  for (const ImportedUser& user : users) {
    ids.emplace_back(user.id);
    email_keys.emplace_back(user.email_key);
  }
  return with_connection("find_import_clashes", [&](PgConnection& db) -> Result<ImportClashes> {
    const PgResult rows = db.execute_with(kImportClashes, boost::json::serialize(ids),
                                          boost::json::serialize(email_keys));
    std::unordered_set<std::string_view> asked(email_keys.size());
    for (const auto& key : email_keys) asked.insert(key.as_string());
    ImportClashes clashes;
    for (int row = 0; row < rows.rows(); ++row) {
      if (rows.boolean(row, 2)) clashes.ids.push_back(rows.integer(row, 0));
      std::string key = rows.text(row, 1);
      if (asked.contains(key)) clashes.email_keys.push_back(std::move(key));
    }
    const PgResult held = db.execute_with(kImportHeld, boost::json::serialize(email_keys), at);
    for (int row = 0; row < held.rows(); ++row) {
      std::string key = held.text(row, 0);
      if (std::find(clashes.email_keys.begin(), clashes.email_keys.end(), key) ==
          clashes.email_keys.end()) {
        clashes.held_email_keys.push_back(std::move(key));
      }
    }
    return clashes;
  });
}

Result<void> PostgresStore::import_users(std::span<const ImportedUser> users, util::TimePoint at) {
  boost::json::array accounts, email_keys, roles, role_names, sessions;
  std::unordered_set<std::string> named;
  std::int64_t highest = 0;
  const auto time_or_null = [](const std::optional<util::TimePoint>& t) -> boost::json::value {
    return t ? boost::json::value(util::to_iso8601(*t)) : boost::json::value(nullptr);
  };
  const auto text_or_null = [](const std::optional<std::string>& t) -> boost::json::value {
    return t ? boost::json::value(*t) : boost::json::value(nullptr);
  };
  for (const ImportedUser& user : users) {
    highest = std::max(highest, user.id);
    accounts.push_back(boost::json::object{{"id", user.id},
                                           {"email", user.email},
                                           {"email_key", user.email_key},
                                           {"password_hash", user.password_hash},
                                           {"first_name", text_or_null(user.first_name)},
                                           {"last_name", text_or_null(user.last_name)},
                                           {"is_active", user.is_active},
                                           {"last_login", time_or_null(user.last_login)},
                                           {"created_at", util::to_iso8601(user.created_at)},
                                           {"updated_at", util::to_iso8601(user.updated_at)}});
    email_keys.emplace_back(user.email_key);
    for (std::size_t i = 0; i < user.roles.size(); ++i) {
      if (named.insert(user.roles[i]).second) role_names.emplace_back(user.roles[i]);
      roles.push_back(
          boost::json::object{{"user_id", user.id}, {"role", user.roles[i]}, {"position", i}});
    }
    if (const auto& session = user.session) {
      sessions.push_back(boost::json::object{{"user_id", user.id},
                                             {"kind", family_name(session->family)},
                                             {"token_hash", session->token_hash},
                                             {"created_at", util::to_iso8601(session->created_at)},
                                             {"expires_at", util::to_iso8601(session->expires_at)},
                                             {"public_id", session->public_id}});
    }
  }
  return with_connection("import_users", [&](PgConnection& db) -> Result<void> {
    PgTransaction tx(db);
    db.execute_with(kImportUsers, boost::json::serialize(accounts), at);
    if (!roles.empty()) {
      db.execute_with(kImportRoles, boost::json::serialize(role_names));
      db.execute_with(kImportUserRoles, boost::json::serialize(roles));
    }
    if (!sessions.empty()) db.execute_with(kImportSessions, boost::json::serialize(sessions));
    if (db.execute_with(kImportHeld, boost::json::serialize(email_keys), at).rows() > 0) {
      return StoreError::email_taken;
    }
    db.execute_with(kReserveUserIds, highest);
    tx.commit();
    return {};
  });
}

Result<void> PostgresStore::reserve_user_ids(std::int64_t highest) {
  return with_connection("reserve_user_ids", [&](PgConnection& db) -> Result<void> {
    db.execute_with(kReserveUserIds, highest);
    return {};
  });
}

Result<std::vector<std::pair<std::string, std::int64_t>>> PostgresStore::count_password_schemes() {
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;
  return with_connection("count_password_schemes", [&](PgConnection& db) -> Result<Counts> {
    const PgResult rows = db.execute(kCountPasswordSchemes);
    Counts counts;
    for (int row = 0; row < rows.rows(); ++row) {
      counts.emplace_back(rows.text(row, 0), rows.integer(row, 1));
    }
    return counts;
  });
}

Result<std::int64_t> PostgresStore::count_active_sessions(util::TimePoint now) {
  return with_connection("count_active_sessions", [&](PgConnection& db) -> Result<std::int64_t> {
    return db.execute_with(kCountActiveSessions, now).integer(0, 0);
  });
}

Result<void> PostgresStore::ping() {
  return with_connection("ping", [&](PgConnection& db) -> Result<void> {
    db.execute(kPing);
    return {};
  });
}

Result<void> PostgresStore::check_writable(util::TimePoint now) {
  return with_connection("check_writable", [&](PgConnection& db) -> Result<void> {
    db.execute_with(kWriteReadinessProbe, now);
    return {};
  });
}

}  // namespace authd::store::postgres
