// Thin RAII layer over the SQLite C API: one connection with its prepared-statement cache, and a
// statement handle that binds and reads columns by index. Kept free of any domain knowledge.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/migration.hpp"

namespace authd::store::sqlite {

// Thrown only inside this backend and mapped to StoreError at the Store boundary.
struct SqliteFailure {
  int code;  // extended result code
  std::string message;
};

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();  // resets and clears bindings so the cached statement is ready for reuse
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind(int index, const std::optional<std::int64_t>& value);

  // Advances to the next row; false when done. Throws SqliteFailure on error.
  bool step();
  void run() {
    while (step()) {
    }
  }

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  std::optional<std::string> column_optional_text(int index) const;
  std::optional<std::int64_t> column_optional_int(int index) const;

 private:
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // `mode`: create_and_migrate makes the file when it does not exist and switches it to WAL;
  // existing and read_only open an existing file as it is (read_only without write access).
  explicit Connection(const std::string& path, OpenMode mode = OpenMode::create_and_migrate);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // `sql` must be a string with static storage: it is the cache key.
  Statement prepare(const char* sql);
  void exec(const char* sql);  // for migrations and transaction control
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  // For what the wrapper does not cover (the WAL index header).
  sqlite3* native_handle() const { return db_; }
  // Whether the database is in WAL mode (PRAGMA journal_mode).
  bool in_wal_mode();

 private:
  [[noreturn]] void fail(int code) const;
  void enable_wal();

  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// Begins a write transaction on construction (IMMEDIATE: take the write lock up front so two
// writers never deadlock upgrading read locks) and rolls back unless commit() was called.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit();

 private:
  Connection& db_;
  bool done_ = false;
};

}  // namespace authd::store::sqlite
