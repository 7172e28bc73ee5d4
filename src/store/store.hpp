// The storage boundary: domain operations on users, roles and sessions, never SQL. Each backend
// (sqlite/ and postgres/) owns its SQL and migrations; the core only sees this interface, and
// one contract test suite runs against every implementation.
#pragma once

#include <array>
#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store_error.hpp"
#include "util/time.hpp"

namespace authd::store {

// get_throttles reads at most this many keys at once (one login touches three).
inline constexpr std::size_t kMaxThrottleKeys = 4;

template <class T>
using Result = boost::system::result<T>;

struct UserRecord {
  std::int64_t id = 0;
  std::string email{};  // as the user gave it (trimmed); uniqueness is on the canonical form
  std::string password_hash{};  // PHC/MCF string: $argon2id$... or $2b$...
  std::optional<std::string> first_name{};
  std::optional<std::string> last_name{};
  bool is_active = true;
  std::optional<util::TimePoint> last_login{};
  std::optional<std::string> password_reset_token_hash{};
  std::optional<util::TimePoint> password_reset_expires{};
  util::TimePoint created_at{};
  util::TimePoint updated_at{};
  std::vector<std::string> roles{};  // in the order they were assigned
  // Every credential of the user issued at or before this instant is void (set by deactivation
  // and by ending all of the user's sessions); what seed JWTs, which have no session, are
  // checked against.
  std::optional<util::TimePoint> credentials_revoked_at{};
  std::optional<util::TimePoint> email_verified_at{};    // when the owner last proved the mailbox
  std::optional<util::TimePoint> password_changed_at{};  // by the owner or for them
};

struct NewUser {
  std::string email;
  std::string email_key{};  // canonical form, unique across the store
  std::string password_hash;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::vector<std::string> roles;  // names of existing roles
  util::TimePoint now{};
};

// How a session lives, as the store must know it (the column `kind`):
// - opaque: one token, never rotated; a login that asks for it may replace the user's earlier
//   sessions of this family (seed 002's "updates the session token");
// - rotating: a refresh token that rotates on every use (find_refresh_token looks only at
//   these), many side by side (one per device), up to a cap.
enum class SessionFamily { opaque, rotating };

// The name stored in sessions.kind.
inline const char* family_name(SessionFamily family) {
  return family == SessionFamily::rotating ? "rotating" : "opaque";
}

// The record of a user a store has just created from `user`, with the id and the roles (those
// that exist, in order) it assigned: what create_user returns without reading the row back.
inline UserRecord created_record(const NewUser& user, std::int64_t id,
                                 std::vector<std::string> roles) {
  UserRecord record;
  record.id = id;
  record.email = user.email;
  record.password_hash = user.password_hash;
  record.first_name = user.first_name;
  record.last_name = user.last_name;
  record.created_at = record.updated_at = user.now;
  record.roles = std::move(roles);
  return record;
}

struct NewSession {
  SessionFamily family = SessionFamily::opaque;
  std::string public_id{};   // the id clients see and name the session by; random, unique
  std::string token_hash{};  // hex SHA-256 of the token; the token itself is never stored
  util::TimePoint created_at{};
  util::TimePoint expires_at{};
  std::string user_agent{};
  std::string client_address{};
};

struct LoginUpdate {
  std::int64_t user_id = 0;
  util::TimePoint at{};
  std::optional<std::string> upgraded_password_hash{};  // set when the hash is re-computed
  // The hash the login verified: the upgrade replaces only that one, never a password changed
  // while the login was verifying.
  std::string verified_password_hash{};
  std::optional<NewSession> session{};  // a session to start with this login
  // Revoke the user's live sessions of the new session's family first.
  bool replace_family = false;
  // Otherwise, when set: after starting the new session, revoke the oldest live sessions of its
  // family beyond this many (so that one account cannot pile up sessions without bound).
  std::optional<std::int64_t> max_live_of_family{};
};

// A mail waiting in the outbox. Its payload (recipient and the template's values, live tokens
// among them) is sealed by the core before it reaches the store; the store sees the template's
// name and the times only.
struct OutboxMessage {
  std::string template_name{};
  std::string message_id{};      // unique; the same on every attempt
  std::string sealed_payload{};  // with message_id as associated data
  util::TimePoint created_at{};
  util::TimePoint not_after{};  // never sent after this (a token's expiry: no dead links)
};

// A new password for an active user, in one transaction: the hash and password_changed_at; every
// credential issued until `at` void (UserRecord::credentials_revoked_at), every live session but
// `keep_session` revoked, every outstanding action token void, and the notice queued.
struct PasswordChange {
  std::int64_t user_id = 0;
  std::string password_hash{};
  util::TimePoint at{};
  std::optional<std::string> keep_session{};  // a public id: the session the change came from
  std::optional<OutboxMessage> notice{};
};

// The purpose of a password reset token: its expiry is the user's password_reset_expires
// (seed 003 shows it) while it is live.
inline constexpr std::string_view kPasswordResetPurpose = "reset";

// The purpose of an email change's revert link: bound to the account, not to an address (the
// address is what it restores), and void only when spent or expired, so that whoever changed the
// address cannot kill it by changing the password or the address again. While it is live, the
// address it restores stays its account's: another account taking it (by registration, an email
// change or an administrator) gets StoreError::email_taken, as if the account still had it, so
// whoever changed the address cannot block the revert by registering the old one.
inline constexpr std::string_view kEmailRevertPurpose = "email_revert";

// A single-use token mailed to a user (a password reset, an email verification), stored only as
// the hash of the token. The purpose is part of every lookup: a token of one purpose is no token
// of another. A token is bound to the address it was sent to: once the account's email changes,
// it is void.
struct NewActionToken {
  std::int64_t user_id = 0;
  std::string purpose{};     // "reset", "verify"
  std::string token_hash{};  // hex SHA-256 of the token
  std::string email_key{};   // the canonical email it was sent to
  util::TimePoint created_at{};
  util::TimePoint expires_at{};
  // An email change's (or revert's) address to set, as typed and canonical.
  std::optional<std::string> new_email{};
  std::optional<std::string> new_email_key{};
};

struct ActionTokenRecord {
  std::int64_t user_id = 0;
  std::optional<std::string> new_email{};
  std::optional<std::string> new_email_key{};
};

// What a token's redemption changes, in the same transaction that spends it.
struct TokenRedemption {
  std::string token_hash{};
  std::string purpose{};
  util::TimePoint at{};
  // A new password: also voids every credential issued until `at` and every other outstanding
  // token of the user (as PasswordChange does).
  std::optional<std::string> password_hash{};
  bool mark_email_verified = false;  // the mailbox was proven (a reset proves it too)
  // Sets the account's email to the token's new_email, verified (its mailbox was proven):
  // StoreError::email_taken, writing nothing, when another account has it now or holds it for
  // its revert.
  bool apply_new_email = false;
  // Every other outstanding token of the user, but the email change reverts issued before this
  // token: the oldest revert wins, so whoever changed the address twice cannot spend the newer
  // revert (mailed to their own address) to void the owner's.
  bool void_other_tokens = false;
  bool revoke_all_sessions = false;
  std::optional<NewActionToken> follow_up{};  // issued after the change (an email change's revert)
  // With a follow_up, the mail carrying its link; tied to no token all the same (news of the
  // change goes even if the link dies first).
  std::optional<OutboxMessage> notice{};
};

// A mail the sender has claimed: no other sender (instance) takes it until `lease_until`.
struct ClaimedMail {
  std::int64_t id = 0;
  std::string template_name{};
  std::string message_id{};
  std::string sealed_payload{};
  std::int64_t attempts = 0;  // including this one
  util::TimePoint not_after{};
  // The token behind its link is no longer live (spent, voided by a newer one or a new password,
  // its account changed or gone): the mail is finished unsent, as an expired one is.
  bool link_void = false;
};

enum class MailOutcome { sent, retry, failed, expired };

// The outbox's status for an outcome: a retry waits as 'pending' again.
constexpr const char* mail_status_name(MailOutcome outcome) {
  switch (outcome) {
    case MailOutcome::sent:
      return "sent";
    case MailOutcome::failed:
      return "failed";
    case MailOutcome::expired:
      return "expired";
    case MailOutcome::retry:
      break;
  }
  return "pending";
}

struct OutboxStats {
  std::int64_t pending = 0;  // waiting or being sent
  std::optional<util::TimePoint> oldest_pending{};
};

// An account of an app authd replaces, as `authd import` writes it: its id, password hash,
// flags and times as that app kept them, not as a registration would make them.
struct ImportedUser {
  std::int64_t id = 0;
  std::string email{};
  std::string email_key{};
  std::string password_hash{};
  std::optional<std::string> first_name{};
  std::optional<std::string> last_name{};
  bool is_active = true;
  std::optional<util::TimePoint> last_login{};
  util::TimePoint created_at{};
  util::TimePoint updated_at{};
  std::vector<std::string> roles{};     // in order; a role that does not exist yet is created
  std::optional<NewSession> session{};  // a live session of the old app, by its token's hash
};

// What an import would collide with: the ids and canonical emails, among those of a batch, that
// accounts in the store hold already.
struct ImportClashes {
  std::vector<std::int64_t> ids{};
  std::vector<std::string> email_keys{};
  // Addresses no account has, but a live email change revert holds for its account
  // (kEmailRevertPurpose): importing one would make that revert fail.
  std::vector<std::string> held_email_keys{};
};

// A session as the rotating lifecycle sees it, with its owner's is_active (a deactivated user's
// sessions stop working at once).
struct SessionRecord {
  std::int64_t id = 0;  // internal; clients know public_id
  std::int64_t user_id = 0;
  std::string public_id{};
  util::TimePoint created_at{};
  util::TimePoint expires_at{};
  std::optional<util::TimePoint> last_used_at{};
  std::optional<util::TimePoint> revoked_at{};
  std::optional<util::TimePoint> rotated_at{};  // when the refresh token last rotated
  std::int64_t refresh_generation = 0;          // the generation of the live refresh token
  std::string user_agent{};
  bool user_active = true;
  // Hex SHA-256 of the live refresh token and of the one it replaced (rotating sessions).
  std::string refresh_token_hash{};
  std::string previous_refresh_token_hash{};
  // find_session with a kid: whether that signing key has been revoked (so a token it signed
  // is refused by the same read that checks the session).
  bool signing_key_revoked = false;
};

// A session read together with its owner and the owner's roles, in one statement (one read
// lock on SQLite, one round trip on PostgreSQL): what checking a credential needs, on a path
// hit by every request of an app behind the gateway check.
struct OwnedSession : SessionRecord {
  UserRecord owner{};
};

// A refresh token found by its hash: the session's live token (generation ==
// session.refresh_generation) or the one it replaced (generation one less). Older generations
// are not kept, so they are not found.
struct RefreshTokenRecord {
  std::int64_t generation = 0;
  SessionRecord session{};
};

// An Ed25519 signing key. The private key is sealed (crypto/sealing.hpp) by the core before it
// reaches the store, with the kid as associated data.
struct SigningKeyRecord {
  std::string kid{};
  std::string public_key{};                     // base64url of the 32-byte key
  std::string sealed_private_key{};             // base64url, opaque to the store
  util::TimePoint created_at{};                 // published in the JWKS from here on
  util::TimePoint activates_at{};               // signs from here on (until a newer key activates)
  std::optional<util::TimePoint> revoked_at{};  // withdrawn: neither signs nor verifies
};

// A brute-force or rate-limit counter for one key. The core owns the rules and the meaning of
// each field (core/throttle.hpp); the store keeps the records and changes them atomically across
// every instance.
struct ThrottleRecord {
  std::int64_t failures = 0;
  util::TimePoint counted_at{};  // the last counted failure, or a rate window's start
  std::optional<util::TimePoint> locked_until{};
  std::int64_t lockouts = 0;
  std::int64_t consecutive = 0;                   // failures since the last success
  std::optional<util::TimePoint> last_success{};  // the last success this record saw
  util::TimePoint forget_at{};                    // purge_throttles deletes it after this
  std::int64_t version = 0;                       // 0: no record yet; put_throttle increments it
};

// Which accounts list_users returns: ids above after_id, ascending (a stable order for cursors),
// at most `limit`.
struct UserQuery {
  std::string email_key_prefix{};  // of the canonical email; empty: any
  std::optional<std::string> role{};
  std::optional<bool> active{};
  std::int64_t after_id = 0;
  std::size_t limit = 50;
};

// What an administrator changes in an account; what is not set stays as it is.
struct UserChanges {
  std::optional<std::optional<std::string>> first_name{};  // a set nullopt clears the name
  std::optional<std::optional<std::string>> last_name{};
  std::optional<std::string> email{};
  std::optional<std::string> email_key{};  // set with email
  std::optional<bool> active{};
  std::optional<std::vector<std::string>> roles{};  // the whole list, in order; all must exist
  util::TimePoint at{};
};

struct RoleRecord {
  std::string name{};
  std::int64_t users = 0;  // how many accounts hold it
};

enum class RoleDeletion { deleted, not_found, in_use };

// One row of the audit trail: who did what to whom, from where, and how it ended. Never a
// secret, a password or an email: ids, names of actions and roles, addresses.
struct AuditRecord {
  std::int64_t id = 0;  // assigned by append_audit
  util::TimePoint at{};
  std::string actor{};   // "cli", "user:<id>", "anonymous"
  std::string action{};  // "account_disabled", "login_failure", ...
  std::optional<std::int64_t> target_user_id{};
  std::optional<std::string> client{};  // the client address
  std::string outcome{};                // "success", "failure", "refused"
  std::optional<std::string> detail{};  // e.g. the role granted
};

// What a store says about its own state without reading it: a value that changes whenever a
// write commits, from this process or any other on the same database. Equal stamps taken at
// two moments mean nothing was committed between them, so an answer read after the first still
// holds at the second (what lets the gateway check answer from memory and stay exact).
struct ChangeStamp {
  std::array<std::uint32_t, 12> words{};
  bool operator==(const ChangeStamp&) const = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // The stamp now, or nothing when this store cannot tell without a read (PostgreSQL, where
  // other instances commit over the network) or not at this moment (a write is being
  // published). Never blocks and never fails; safe from any thread.
  virtual std::optional<ChangeStamp> change_stamp() const { return std::nullopt; }

  // Creates the user, its role assignments and (optionally) its first session in one
  // transaction: either all of it is stored or none. StoreError::email_taken on a duplicate key.
  virtual Result<UserRecord> create_user(const NewUser& user,
                                         const std::optional<NewSession>& session) = 0;

  virtual Result<std::optional<UserRecord>> find_user_by_email(std::string_view email_key) = 0;
  virtual Result<std::optional<UserRecord>> find_user_by_id(std::int64_t id) = 0;

  // The subset of `names` that are existing roles, in the given order, without duplicates.
  virtual Result<std::vector<std::string>> existing_roles(std::span<const std::string> names) = 0;
  // `keep_holder_of`, where the operations below take it, names a role that must keep an active
  // holder: a change that would take away its last one fails with StoreError::last_holder and
  // writes nothing (checked under a lock, so two concurrent changes cannot both pass). Empty:
  // no such rule.

  // Marks the user active or not (updated_at = at); deactivating ends every session of theirs
  // at once (the schema's trigger). False when there is no such user.
  virtual Result<bool> set_user_active(std::int64_t user_id, bool active, util::TimePoint at,
                                       std::string_view keep_holder_of = {}) = 0;
  // Gives the user an existing role, after the roles they hold. False when they held it already
  // or when the role or the user does not exist.
  virtual Result<bool> add_user_role(std::int64_t user_id, std::string_view role) = 0;
  // False when the user did not hold the role.
  virtual Result<bool> remove_user_role(std::int64_t user_id, std::string_view role,
                                        std::string_view keep_holder_of = {}) = 0;
  // Applies `changes` in one transaction. False when there is no such user;
  // StoreError::email_taken when the new email is another account's.
  virtual Result<bool> update_user(std::int64_t user_id, const UserChanges& changes,
                                   std::string_view keep_holder_of = {}) = 0;
  // Deletes the user with their roles and sessions, and forgets the client addresses of the
  // audit rows of what they did or what was tried on their account (an administrator's address
  // stays). False when there is no such user.
  virtual Result<bool> delete_user(std::int64_t user_id, std::string_view keep_holder_of = {}) = 0;
  virtual Result<std::vector<UserRecord>> list_users(const UserQuery& query) = 0;

  // Every role with how many accounts hold it, by name.
  virtual Result<std::vector<RoleRecord>> list_roles() = 0;
  // False when the role exists already.
  virtual Result<bool> create_role(std::string_view name) = 0;
  // A role held by someone is deleted (and taken from them) only with `force`.
  virtual Result<RoleDeletion> delete_role(std::string_view name, bool force) = 0;

  // Appends a row to the audit trail (its id and the order of rows are the store's).
  virtual Result<void> append_audit(const AuditRecord& event) = 0;
  // Rows with ids below `before_id` (0: from the newest), newest first, at most `limit`.
  virtual Result<std::vector<AuditRecord>> list_audit(std::int64_t before_id,
                                                      std::size_t limit) = 0;
  // Deletes rows older than `before`; returns how many.
  virtual Result<std::int64_t> purge_audit(util::TimePoint before) = 0;

  // Records a successful login atomically (last_login, updated_at, optional hash upgrade and
  // session replacement) and returns the updated user. StoreError::not_found, writing nothing,
  // if the user vanished or was deactivated since the login read it: the write holds the user's
  // row, so a deactivation either ends this session too or makes the login fail.
  virtual Result<UserRecord> record_login(const LoginUpdate& update) = 0;
  // See PasswordChange. False, writing nothing, when the user is gone or inactive.
  virtual Result<bool> change_password(const PasswordChange& change) = 0;

  // Stores `token` (voiding the user's outstanding tokens of its purpose) and queues `mail` (none:
  // an administrator hands the link over; the mail is tied to the token: ClaimedMail::link_void),
  // in one transaction. A reset token's expiry becomes the user's password_reset_expires. False,
  // writing nothing, when the user is gone or inactive, or their email is no longer
  // token.email_key, or (an email change) its new_email_key is another account's or held for one
  // (kEmailRevertPurpose).
  virtual Result<bool> issue_action_token(const NewActionToken& token,
                                          const std::optional<OutboxMessage>& mail) = 0;
  // The live token with this hash and purpose (as redeem_action_token finds it), without
  // spending it: what checks a new password against the account before the redemption.
  virtual Result<std::optional<ActionTokenRecord>> find_action_token(std::string_view token_hash,
                                                                     std::string_view purpose,
                                                                     util::TimePoint now) = 0;
  // Spends the token and applies `redemption` in one transaction; the user's id, or nothing
  // (writing nothing) when the token is not live (unknown, spent, expired, of another purpose),
  // its user is gone or inactive, or the user's email is no longer the one it was sent to.
  // Spending a reset token clears password_reset_expires.
  virtual Result<std::optional<std::int64_t>> redeem_action_token(
      const TokenRedemption& redemption) = 0;

  // Queues a mail on its own (a notice that is no part of another change).
  virtual Result<void> queue_mail(const OutboxMessage& mail) = 0;
  // Claims up to `limit` mails due at `now` (pending with next_attempt_at reached, or being
  // sent by a sender whose lease expired: it crashed), oldest first, for `lease_until`. Atomic
  // across instances: two senders never claim the same mail at once.
  virtual Result<std::vector<ClaimedMail>> claim_mail(util::TimePoint now,
                                                      util::TimePoint lease_until,
                                                      std::size_t limit) = 0;
  // Records how attempt `attempt` (ClaimedMail::attempts) ended: sent, failed and expired are
  // final (the payload is erased); retry makes the mail due again at `next_attempt_at`. Nothing
  // when the mail is no longer this attempt's (its lease ran out and another sender took it).
  virtual Result<void> finish_mail(std::int64_t id, std::int64_t attempt, MailOutcome outcome,
                                   util::TimePoint next_attempt_at, std::string_view error,
                                   util::TimePoint at) = 0;
  virtual Result<OutboxStats> outbox_stats() = 0;
  // Deletes what mailed links leave behind once it matters no more: outbox rows that ended
  // (sent, failed or expired) before `before`, and tokens spent or expired before it. Returns
  // how many rows went.
  virtual Result<std::int64_t> purge_mail(util::TimePoint before) = 0;

  // The records for `keys` (at most kMaxThrottleKeys), in the same order, in one read; a default
  // record (version 0) for a key that has none.
  virtual Result<std::vector<ThrottleRecord>> get_throttles(std::span<const std::string> keys) = 0;
  // Stores `next` only if the record is still at `expected_version` (0: still absent), so two
  // instances counting the same key never lose an update. False when another writer won: the
  // caller reads again and retries.
  virtual Result<bool> put_throttle(std::string_view key, std::int64_t expected_version,
                                    const ThrottleRecord& next) = 0;
  virtual Result<void> clear_throttle(std::string_view key) = 0;
  // Deletes the records whose forget_at is before `now`; returns how many.
  virtual Result<std::int64_t> purge_throttles(util::TimePoint now) = 0;

  // The session with this public id and its owner, or nothing. With a `kid`,
  // signing_key_revoked says whether that signing key has been revoked.
  virtual Result<std::optional<OwnedSession>> find_session(std::string_view public_id,
                                                           std::string_view kid = {}) = 0;
  // The opaque session (seed 002) whose token has this hash, live or not, and its owner.
  // Sessions of the rotating family are never found here.
  virtual Result<std::optional<OwnedSession>> find_opaque_session(std::string_view token_hash) = 0;
  // The user's sessions of `family` neither revoked nor expired at `now`, oldest first.
  virtual Result<std::vector<SessionRecord>> list_live_sessions(std::int64_t user_id,
                                                                SessionFamily family,
                                                                util::TimePoint now) = 0;
  // Revokes the user's live session `public_id`; false when the user has no such live session.
  virtual Result<bool> revoke_session(std::int64_t user_id, std::string_view public_id,
                                      util::TimePoint at) = 0;
  // Revokes every live session of the user, of every kind; returns how many.
  // Also voids every credential issued until `at` (UserRecord::credentials_revoked_at).
  virtual Result<std::int64_t> revoke_user_sessions(std::int64_t user_id, util::TimePoint at) = 0;

  // The rotating session whose live refresh token, or the one it replaced, has this hash.
  virtual Result<std::optional<RefreshTokenRecord>> find_refresh_token(
      std::string_view token_hash) = 0;
  // Moves the live session's refresh token from `from_generation` to the next one, whose hash is
  // `next_token_hash` (the live one becomes the previous one), and marks the session used at
  // `at`; all or nothing. False when another refresh moved it first or the session was revoked
  // (compare-and-set across instances).
  virtual Result<bool> rotate_refresh_token(std::int64_t session_id, std::int64_t from_generation,
                                            std::string_view next_token_hash,
                                            util::TimePoint at) = 0;

  // Deletes sessions (of every kind) that expired or were revoked before `before`; returns how
  // many.
  virtual Result<std::int64_t> purge_sessions(util::TimePoint before) = 0;

  virtual Result<void> add_signing_key(const SigningKeyRecord& key) = 0;
  // Every signing key, revoked ones included, oldest activation first.
  virtual Result<std::vector<SigningKeyRecord>> signing_keys() = 0;
  // Marks the key revoked at `at`; false when there is no such key or it was already revoked.
  virtual Result<bool> revoke_signing_key(std::string_view kid, util::TimePoint at) = 0;

  // Of `users`, the ids and canonical emails the store holds already, and the emails held at
  // `at` for an email change's revert.
  virtual Result<ImportClashes> find_import_clashes(std::span<const ImportedUser> users,
                                                    util::TimePoint at) = 0;
  // Writes `users` with their ids, roles (creating missing ones) and sessions in one
  // transaction: all of them or, with StoreError::id_taken or email_taken (an email another
  // account has or a revert holds at `at`), none. An inactive
  // user's credentials issued until `at` are void (the old app's tokens among them). New
  // accounts get ids above every imported one.
  virtual Result<void> import_users(std::span<const ImportedUser> users, util::TimePoint at) = 0;
  // New accounts get ids above `highest` from now on (the old app's sequence, which may be above
  // its highest remaining id); never lowers the sequence.
  virtual Result<void> reserve_user_ids(std::int64_t highest) = 0;

  // Accounts by the scheme of their password hash, the name between its first two '$'
  // ("argon2id", "2b", "scrypt", ...; "" for a hash of no such form): a gauge for operators of
  // how many hashes of an import still wait for their owner's next login.
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> count_password_schemes() = 0;
  // Sessions neither revoked nor expired at `now` (a gauge for operators).
  virtual Result<std::int64_t> count_active_sessions(util::TimePoint now) = 0;

  // Cheap reachability check.
  virtual Result<void> ping() = 0;
  // Commits a small real write (a probe row), so that a full disk, a read-only file or a
  // read-only server shows up: readiness means the store can record what a login must record.
  virtual Result<void> check_writable(util::TimePoint now) = 0;
};

}  // namespace authd::store
