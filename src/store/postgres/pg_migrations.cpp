#include "store/postgres/pg_migrations.hpp"

namespace authd::store::postgres {
namespace {

constexpr const char* kInitialSchema = R"sql(
CREATE TABLE users (
  id                        BIGSERIAL   PRIMARY KEY,
  email                     TEXT        NOT NULL,
  email_key                 TEXT        NOT NULL,
  password_hash             TEXT        NOT NULL,
  first_name                TEXT,
  last_name                 TEXT,
  is_active                 BOOLEAN     NOT NULL DEFAULT TRUE,
  last_login                TIMESTAMPTZ,
  password_reset_token_hash TEXT,
  password_reset_expires    TIMESTAMPTZ,
  created_at                TIMESTAMPTZ NOT NULL,
  updated_at                TIMESTAMPTZ NOT NULL,
  CONSTRAINT users_email_key_unique UNIQUE (email_key)
);

CREATE TABLE roles (
  id   SERIAL PRIMARY KEY,
  name TEXT   NOT NULL UNIQUE
);
INSERT INTO roles (name) VALUES ('user'), ('moderator'), ('admin'), ('seller'), ('buyer');

CREATE TABLE user_roles (
  user_id  BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role_id  INTEGER NOT NULL REFERENCES roles (id),
  position INTEGER NOT NULL,
  PRIMARY KEY (user_id, role_id)
);

CREATE TABLE sessions (
  id             BIGSERIAL   PRIMARY KEY,
  user_id        BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind           TEXT        NOT NULL,
  token_hash     TEXT        NOT NULL UNIQUE,  -- hex SHA-256 of the opaque token
  created_at     TIMESTAMPTZ NOT NULL,
  expires_at     TIMESTAMPTZ NOT NULL,
  last_used_at   TIMESTAMPTZ,
  revoked_at     TIMESTAMPTZ,
  user_agent     TEXT,
  client_address TEXT
);
CREATE INDEX sessions_live_by_user ON sessions (user_id, kind) WHERE revoked_at IS NULL;
)sql";

// Brute-force counters per key ("login:account:<email>", "login:address:<ip>", ...).
constexpr const char* kThrottles = R"sql(
CREATE TABLE throttles (
  key          TEXT        PRIMARY KEY,
  failures     BIGINT      NOT NULL,
  window_start TIMESTAMPTZ NOT NULL,
  locked_until TIMESTAMPTZ,
  lockouts     BIGINT      NOT NULL,
  version      BIGINT      NOT NULL
);
CREATE INDEX throttles_by_window ON throttles (window_start);
)sql";

// /v1: sessions get a public id and a rotating refresh token (every generation's hash is kept,
// so a rotated token presented again is recognised as reuse); signing keys live here so that
// every instance signs and verifies with the same set.
constexpr const char* kV1Sessions = R"sql(
ALTER TABLE sessions ADD COLUMN public_id TEXT;
ALTER TABLE sessions ADD COLUMN refresh_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN rotated_at TIMESTAMPTZ;
CREATE UNIQUE INDEX sessions_by_public_id ON sessions (public_id);

CREATE TABLE refresh_tokens (
  token_hash TEXT        PRIMARY KEY,  -- hex SHA-256 of the refresh token
  session_id BIGINT      NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  generation BIGINT      NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

CREATE TABLE signing_keys (
  kid                TEXT        PRIMARY KEY,
  public_key         TEXT        NOT NULL,  -- base64url, 32 bytes
  sealed_private_key TEXT        NOT NULL,  -- XChaCha20-Poly1305 under the key-encryption key
  created_at         TIMESTAMPTZ NOT NULL,
  activates_at       TIMESTAMPTZ NOT NULL
);
)sql";

// Throttle keys are now hashes of length-prefixed parts (core/throttle.hpp), so the records kept
// under the old plaintext keys are never read again: they are dropped (with the emails in them).
// A failure counter is forgotten after a quiet window rather than a fixed one, accounts count
// consecutive failures, and each record says when it may be purged.
constexpr const char* kThrottleWindows = R"sql(
DELETE FROM throttles;
ALTER TABLE throttles RENAME COLUMN window_start TO counted_at;
ALTER TABLE throttles ADD COLUMN consecutive BIGINT NOT NULL DEFAULT 0;
ALTER TABLE throttles ADD COLUMN last_success TIMESTAMPTZ;
ALTER TABLE throttles ADD COLUMN forget_at TIMESTAMPTZ NOT NULL DEFAULT now();
DROP INDEX throttles_by_window;
CREATE INDEX throttles_by_forget_at ON throttles (forget_at);
)sql";

// A rotating session keeps only what reuse detection needs: its live refresh token's hash (in
// token_hash) and the one before it (for the grace window), not every generation ever issued.
constexpr const char* kRefreshTokensInSessions = R"sql(
ALTER TABLE sessions ADD COLUMN previous_token_hash TEXT;
UPDATE sessions SET
  previous_token_hash = (SELECT r.token_hash FROM refresh_tokens r
                         WHERE r.session_id = sessions.id
                           AND r.generation = sessions.refresh_generation - 1),
  token_hash = (SELECT r.token_hash FROM refresh_tokens r
                WHERE r.session_id = sessions.id AND r.generation = sessions.refresh_generation)
WHERE kind = 'v1' AND refresh_generation > 0
  AND EXISTS (SELECT 1 FROM refresh_tokens r
              WHERE r.session_id = sessions.id AND r.generation = sessions.refresh_generation);
DROP TABLE refresh_tokens;
CREATE INDEX sessions_by_previous_token_hash ON sessions (previous_token_hash)
  WHERE previous_token_hash IS NOT NULL;
)sql";

// Deactivating a user ends their sessions, however is_active is changed (the API, the CLI, an
// import or an operator's SQL): re-enabling the account must not revive old tokens.
constexpr const char* kDeactivationEndsSessions = R"sql(
CREATE FUNCTION authd_end_sessions_of_deactivated_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE sessions SET revoked_at = now() WHERE user_id = NEW.id AND revoked_at IS NULL;
  RETURN NULL;
END
$$;
CREATE TRIGGER users_deactivation_ends_sessions AFTER UPDATE OF is_active ON users
FOR EACH ROW WHEN (OLD.is_active AND NOT NEW.is_active)
EXECUTE FUNCTION authd_end_sessions_of_deactivated_user();
UPDATE sessions SET revoked_at = now()
WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE NOT is_active);
)sql";

// A signing key can be withdrawn after a compromise; /readyz proves the store takes writes by
// committing one to the probe row.
constexpr const char* kKeyRevocationAndProbe = R"sql(
ALTER TABLE signing_keys ADD COLUMN revoked_at TIMESTAMPTZ;
CREATE TABLE readiness_probe (
  id         INTEGER     PRIMARY KEY CHECK (id = 1),
  checked_at TIMESTAMPTZ NOT NULL
);
)sql";

// Sessions are told apart by how they live, not by the API that opened them.
constexpr const char* kSessionFamilies = R"sql(
UPDATE sessions SET kind = 'opaque' WHERE kind = 'seed002';
UPDATE sessions SET kind = 'rotating' WHERE kind = 'v1';
)sql";

// The administrators' role. Its "authd:" prefix is reserved: self-registration never grants it,
// whatever --self-register-roles says (core::is_reserved_role).
constexpr const char* kAdministratorRole = R"sql(
INSERT INTO roles (name) VALUES ('authd:admin') ON CONFLICT (name) DO NOTHING;
)sql";

// Seed 000/003 JWTs belong to no session: a per-user instant voids every credential issued at or
// before it (the gateway check compares a JWT's iat). Deactivation sets it, however is_active is
// changed, as it ends the sessions (at the database's clock when the change did not set it, as
// an operator's SQL does not); so does ending every session of the user. It never moves back,
// whatever the clock of the instance that writes it: an earlier revocation must stay in force.
constexpr const char* kCredentialsRevokedAt = R"sql(
ALTER TABLE users ADD COLUMN credentials_revoked_at TIMESTAMPTZ;
CREATE OR REPLACE FUNCTION authd_end_sessions_of_deactivated_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE sessions SET revoked_at = now() WHERE user_id = NEW.id AND revoked_at IS NULL;
  IF NEW.credentials_revoked_at IS NOT DISTINCT FROM OLD.credentials_revoked_at THEN
    UPDATE users SET credentials_revoked_at = GREATEST(credentials_revoked_at, now())
    WHERE id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
UPDATE users SET credentials_revoked_at = now() WHERE NOT is_active;
)sql";

// The audit trail: who did what to whom, when, from where, and how it ended. No foreign key to
// users: the trail outlives the accounts it speaks of (and holds no email of theirs).
constexpr const char* kAuditTrail = R"sql(
CREATE TABLE audit_events (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at             TIMESTAMPTZ NOT NULL,
  actor          TEXT        NOT NULL,
  action         TEXT        NOT NULL,
  target_user_id BIGINT,
  client         TEXT,
  outcome        TEXT        NOT NULL,
  detail         TEXT
);
CREATE INDEX audit_events_by_time ON audit_events (at);
)sql";

// Account self-service: when the owner last proved their mailbox and last changed their password.
constexpr const char* kAccountLifecycle = R"sql(
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMPTZ;
)sql";

// Tokens mailed to users (only their hashes), and the mail waiting to be sent: a durable outbox
// that any instance's sender drains (claimed with FOR UPDATE SKIP LOCKED).
constexpr const char* kActionTokensAndOutbox = R"sql(
CREATE TABLE action_tokens (
  id         BIGSERIAL PRIMARY KEY,
  user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose    TEXT        NOT NULL,
  token_hash TEXT        NOT NULL UNIQUE,
  email_key  TEXT        NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at    TIMESTAMPTZ
);
CREATE INDEX action_tokens_by_user ON action_tokens (user_id, purpose);
CREATE TABLE mail_outbox (
  id              BIGSERIAL PRIMARY KEY,
  template        TEXT        NOT NULL,
  message_id      TEXT        NOT NULL UNIQUE,
  sealed_payload  TEXT,
  status          TEXT        NOT NULL DEFAULT 'pending',
  attempts        INTEGER     NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  not_after       TIMESTAMPTZ NOT NULL,
  locked_until    TIMESTAMPTZ,
  last_error      TEXT,
  created_at      TIMESTAMPTZ NOT NULL,
  finished_at     TIMESTAMPTZ
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
)sql";

// An email change's token carries the address it changes to (a revert's, the one it restores).
// A live revert holds its address for its account: the index finds it on every registration.
constexpr const char* kTokenEmails = R"sql(
ALTER TABLE action_tokens ADD COLUMN new_email TEXT;
ALTER TABLE action_tokens ADD COLUMN new_email_key TEXT;
CREATE INDEX action_tokens_held_addresses ON action_tokens (new_email_key)
  WHERE purpose = 'email_revert' AND used_at IS NULL;
)sql";

// A mail carrying a link names the token behind it: once that token is no longer live (spent,
// voided by a newer one or a new password, its account changed), the mail is never sent. No
// foreign key: a purged token voids its mail the same way.
constexpr const char* kMailTokens = R"sql(
ALTER TABLE mail_outbox ADD COLUMN action_token_id bigint;
)sql";

constexpr Migration kMigrations[] = {
    {1, "users, roles, user_roles, sessions", kInitialSchema},
    {2, "throttles", kThrottles},
    {3, "v1 sessions, refresh tokens, signing keys", kV1Sessions},
    {4, "throttle keys hashed, quiet windows, consecutive failures", kThrottleWindows},
    {5, "refresh tokens kept in their session", kRefreshTokensInSessions},
    {6, "deactivation ends sessions", kDeactivationEndsSessions},
    {7, "signing key revocation, readiness probe", kKeyRevocationAndProbe},
    {8, "sessions named by family: opaque, rotating", kSessionFamilies},
    {9, "the administrators' role", kAdministratorRole},
    {10, "audit trail", kAuditTrail},
    {11, "credentials revoked per user", kCredentialsRevokedAt},
    {12, "email verification and password change times", kAccountLifecycle},
    {13, "action tokens and the mail outbox", kActionTokensAndOutbox},
    {14, "the address an email change token changes to", kTokenEmails},
    {15, "the token behind each mailed link", kMailTokens},
};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

}  // namespace authd::store::postgres
