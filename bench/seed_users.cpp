// Pre-seeds an authd SQLite database with N users quickly, for the scale and memory benchmarks:
// the schema comes from SqliteStore itself (migrations), the rows go in through one prepared
// INSERT in large transactions with synchronous=OFF (a load, not a durability test). Every
// user gets the same valid argon2id hash, of "bench-password-1", computed once.
// Usage: authd_seed_users DATABASE_FILE COUNT [email-prefix]
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "crypto/password_hasher.hpp"
#include "store/sqlite/sqlite_store.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DATABASE_FILE COUNT [email-prefix]\n", argv[0]);
    return 2;
  }
  const std::string file = argv[1];
  const long count = std::atol(argv[2]);
  const std::string prefix = argc > 3 ? argv[3] : "user";
  { authd::store::sqlite::SqliteStore migrate(file, 1); }
  const std::string hash =
      authd::crypto::PasswordHasher(authd::crypto::PasswordHashConfig{}).hash("bench-password-1");

  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) return 1;
  sqlite3_exec(db, "PRAGMA synchronous=OFF", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO users (email, email_key, password_hash, is_active, created_at, "
                     "updated_at) VALUES (?1, ?1, ?2, 1, 0, 0)",
                     -1, &insert, nullptr);
  for (long i = 0; i < count; ++i) {
    if (i % 50000 == 0) sqlite3_exec(db, i ? "COMMIT; BEGIN" : "BEGIN", nullptr, nullptr, nullptr);
    std::string email = prefix;
    email.append(std::to_string(i)).append("@bench.example");
    sqlite3_bind_text(insert, 1, email.c_str(), static_cast<int>(email.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, hash.c_str(), static_cast<int>(hash.size()), SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE) {
      std::fprintf(stderr, "insert failed: %s\n", sqlite3_errmsg(db));
      return 1;
    }
    sqlite3_reset(insert);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return 0;
}
