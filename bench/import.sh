#!/usr/bin/env bash
# `authd import` of a large seed 003 database (USERS accounts, default 1,000,000, each with a
# bcrypt hash copied per row and one role) into SQLite and into PostgreSQL, next to the floor of
# each store: the same rows written by the database's own bulk path in the same run (sqlite3's
# INSERT ... SELECT from the attached source; psql's COPY). Prints accounts/s, the ratio to the
# floor and authd's peak memory. Needs sqlite3 and PostgreSQL (scripts/install-deps.sh test).
#   bench/import.sh
#   USERS=100000 bench/import.sh
#   PRESET=ci bench/import.sh      # an already built preset of the same flags (-O3, NDEBUG)
set -euo pipefail
cd "$(dirname "$0")/.."
users=${USERS:-1000000}
preset=${PRESET:-release}
[[ -f build/$preset/build.ninja ]] || cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target authd >/dev/null
authd=$PWD/build/$preset/authd

work=$(mktemp -d /tmp/authd-import-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
  tests/pg/pg_cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
rate() { awk -v n="$users" -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# The source: the tables Sequelize makes for seed 003 on SQLite, filled by SQL.
source=$work/shop.sqlite
hash='$2b$08$/YlgzGl1ZsSjkQcrRyDkTOM8G4VU.qPSZUDKiFjiDAwwipQsntQsC'
sqlite3 "$source" <<SQL
CREATE TABLE \`users\` (\`id\` INTEGER PRIMARY KEY AUTOINCREMENT, \`email\` VARCHAR(255) NOT NULL UNIQUE,
  \`firstName\` VARCHAR(255), \`lastName\` VARCHAR(255), \`password\` VARCHAR(255) NOT NULL,
  \`role\` VARCHAR(255) DEFAULT 'buyer', \`isActive\` TINYINT(1) DEFAULT 1, \`lastLogin\` DATETIME,
  \`passwordResetToken\` VARCHAR(255), \`passwordResetExpires\` DATETIME,
  \`createdAt\` DATETIME NOT NULL, \`updatedAt\` DATETIME NOT NULL);
CREATE TABLE \`roles\` (\`id\` INTEGER PRIMARY KEY, \`name\` VARCHAR(255));
CREATE TABLE \`user_roles\` (\`createdAt\` DATETIME NOT NULL, \`updatedAt\` DATETIME NOT NULL,
  \`roleId\` INTEGER NOT NULL REFERENCES \`roles\` (\`id\`) ON DELETE CASCADE ON UPDATE CASCADE,
  \`userId\` INTEGER NOT NULL REFERENCES \`users\` (\`id\`) ON DELETE CASCADE ON UPDATE CASCADE,
  PRIMARY KEY (\`roleId\`, \`userId\`));
INSERT INTO roles VALUES (1, 'buyer'), (2, 'seller'), (3, 'admin');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $users)
INSERT INTO users SELECT i, 'shopper' || i || '@example.com', 'Ada', 'Lovelace', '$hash',
  CASE i % 2 WHEN 0 THEN 'buyer' ELSE 'seller' END, 1, '2026-12-05 10:00:00.000 +00:00', NULL, NULL,
  '2026-12-04 15:16:50.183 +00:00', '2026-12-04 15:16:50.183 +00:00' FROM n;
INSERT INTO user_roles SELECT createdAt, updatedAt, 1 + id % 2, id FROM users;
SQL

# authd_import NAME --database STORE...: runs the import, prints its summary, sets $took and $rss.
authd_import() {
  local name=$1
  shift
  local started
  started=$(now)
  "$authd" import seed003 "sqlite:$source" "$@" 2>"$work/$name.log" >/dev/null ||
    { cat "$work/$name.log" >&2; exit 1; }
  took=$(rate "$started" "$(now)")
  rss=$(sed -n 's/.*peak memory \([0-9]*\) MiB.*/\1/p' "$work/$name.log")
}

# An empty store with authd's schema, for the floor (an import of nothing creates it).
empty_store() {
  "$authd" import jsonl /dev/null "$@" >/dev/null 2>&1
}

# SQLite.
authd_import sqlite --database "sqlite:$work/sqlite/authd.db"
sqlite_rate=$took sqlite_rss=$rss
empty_store --database "sqlite:$work/floor/authd.db"
started=$(now)
sqlite3 "$work/floor/authd.db" <<SQL
ATTACH '$source' AS old;
BEGIN;
INSERT INTO users (id, email, email_key, password_hash, first_name, last_name, is_active,
                   last_login, created_at, updated_at)
SELECT id, email, lower(email), password, firstName, lastName, isActive, 1796551200000,
       1796397410183, 1796397410183 FROM old.users ORDER BY id;
INSERT INTO roles (name) VALUES ('buyer'), ('seller') ON CONFLICT DO NOTHING;
INSERT INTO user_roles (user_id, role_id, position)
SELECT ur.userId, r.id, 0 FROM old.user_roles ur JOIN old.roles o ON o.id = ur.roleId
JOIN main.roles r ON r.name = o.name;
COMMIT;
SQL
sqlite_floor=$(rate "$started" "$(now)")

# PostgreSQL: a throwaway cluster, as the tests start one.
uri=$(tests/pg/pg_cluster.sh start "$work/pg")
base=${uri%/postgres}
psql "$uri" -qc "CREATE DATABASE imported" -c "CREATE DATABASE floor"
kek=bench-key-encryption-key-0123456789abcdef
authd_import postgres --database "$base/imported" --key-encryption-key "$kek"
pg_rate=$took pg_rss=$rss
empty_store --database "$base/floor" --key-encryption-key "$kek"
started=$(now)
{
  sqlite3 -csv "$source" "SELECT id, email, lower(email), password, firstName, lastName, 'true',
    '2026-12-05 10:00:00+00', '2026-12-04 15:16:50.183+00', '2026-12-04 15:16:50.183+00'
    FROM users ORDER BY id" |
    psql "$base/floor" -qc "COPY users (id, email, email_key, password_hash, first_name,
      last_name, is_active, last_login, created_at, updated_at) FROM STDIN (FORMAT csv)"
  sqlite3 -csv "$source" "SELECT ur.userId, o.name FROM user_roles ur JOIN roles o ON o.id = ur.roleId" |
    psql "$base/floor" -qc "CREATE TEMP TABLE g (user_id bigint, role text);
      COPY g FROM STDIN (FORMAT csv);
      INSERT INTO user_roles (user_id, role_id, position)
      SELECT g.user_id, r.id, 0 FROM g JOIN roles r ON r.name = g.role"
}
pg_floor=$(rate "$started" "$(now)")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\n%s accounts of seed 003 (bcrypt hash, one role each), from SQLite\n\n' "$users"
printf '| store | authd import (accounts/s) | floor (accounts/s) | ratio | authd peak memory |\n'
printf '|---|---|---|---|---|\n'
printf '| SQLite | %s | %s (sqlite3 INSERT ... SELECT) | %s | %s MiB |\n' \
  "$sqlite_rate" "$sqlite_floor" "$(ratio "$sqlite_rate" "$sqlite_floor")" "$sqlite_rss"
printf '| PostgreSQL | %s | %s (psql COPY) | %s | %s MiB |\n' \
  "$pg_rate" "$pg_floor" "$(ratio "$pg_rate" "$pg_floor")" "$pg_rss"
