#include "store/sqlite/sqlite_connection.hpp"

#include <chrono>
#include <thread>

namespace authd::store::sqlite {

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  if (value) return bind(index, std::string_view(*value));
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  if (value) return bind(index, *value);
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  throw SqliteFailure{sqlite3_extended_errcode(db), sqlite3_errmsg(db)};
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

std::string Statement::column_text(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)))
              : std::string();
}

std::optional<std::string> Statement::column_optional_text(int index) const {
  if (sqlite3_column_type(stmt_, index) == SQLITE_NULL) return std::nullopt;
  return column_text(index);
}

std::optional<std::int64_t> Statement::column_optional_int(int index) const {
  if (sqlite3_column_type(stmt_, index) == SQLITE_NULL) return std::nullopt;
  return column_int(index);
}

namespace {

// Process-wide settings, which SQLite takes only before its first use. Memory statistics
// (on by default) put every allocation SQLite makes behind one global mutex; authd never reads
// them, and each credential check allocates. Refused (SQLITE_MISUSE) when something in the
// process used SQLite first: the defaults then stay, which is only slower.
void configure_sqlite_once() {
  static const bool configured = [] {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  }();
  (void)configured;
}

}  // namespace

Connection::Connection(const std::string& path, OpenMode mode) {
  configure_sqlite_once();
  const int access = mode == OpenMode::create_and_migrate
                         ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                     : mode == OpenMode::existing ? SQLITE_OPEN_READWRITE
                                                  : SQLITE_OPEN_READONLY;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, access | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteFailure{rc, message};
  }
  sqlite3_extended_result_codes(db_, 1);
  // A writer waits for another instead of failing at once; past this the caller gets 503.
  sqlite3_busy_timeout(db_, 5000);
  // WAL lets readers run beside the single writer. synchronous=FULL syncs the WAL on every
  // commit, so an acknowledged registration survives power loss, not only a process crash.
  // The journal mode is a property of the file, set when authd creates it: opening someone
  // else's file must not change it.
  if (mode == OpenMode::create_and_migrate) enable_wal();
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");
}

void Connection::enable_wal() {
  // Switching a new file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once
  // instead of applying the busy timeout: when several processes open a fresh database together,
  // retry for as long as the busy timeout would have waited.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    try {
      exec("PRAGMA journal_mode=WAL");
      return;
    } catch (const SqliteFailure& failure) {
      if ((failure.code & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) {
        throw;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

bool Connection::in_wal_mode() {
  auto stmt = prepare("PRAGMA journal_mode");
  return stmt.step() && stmt.column_text(0) == "wal";
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Statement Connection::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc);
    it = cache_.emplace(sql, stmt).first;
  }
  return Statement(it->second);
}

void Connection::exec(const char* sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteFailure{sqlite3_extended_errcode(db_), message};
  }
}

void Connection::fail(int code) const {
  throw SqliteFailure{sqlite3_extended_errcode(db_) ? sqlite3_extended_errcode(db_) : code,
                      sqlite3_errmsg(db_)};
}

WriteTransaction::~WriteTransaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (const SqliteFailure&) {
    // The transaction is already gone (SQLite rolls back by itself on some errors).
  }
}

void WriteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace authd::store::sqlite
