// A SQLite source, opened read-only: the old app's database file is never changed.
#include <sqlite3.h>

#include <memory>
#include <vector>

#include "import/source_database.hpp"

namespace authd::import {
namespace {

class SqliteSource final : public SourceDatabase {
 public:
  explicit SqliteSource(const std::string& path) {
    // Immutable would skip locking, but the old app may still be running: read-only keeps the
    // usual locks, so a write of it in progress is never read half done.
    const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
    if (rc != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw SourceError("cannot open " + path + ": " + why);
    }
    sqlite3_busy_timeout(db_, 5000);
    // One read transaction for both passes of the import: the snapshot starts at the first read
    // and holds until the source is closed (a database in rollback-journal mode, unlike WAL,
    // keeps the old app from writing meanwhile).
    sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  }
  ~SqliteSource() override {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  SqliteSource(const SqliteSource&) = delete;
  SqliteSource& operator=(const SqliteSource&) = delete;

  SqlDialect dialect() const override { return SqlDialect::sqlite; }

  void for_each_row(const std::string& sql, const std::function<void(SourceRow)>& on_row) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw SourceError(std::string("the source's tables are not the old app's: ") +
                        sqlite3_errmsg(db_));
    }
    const std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> finalize(stmt,
                                                                              &sqlite3_finalize);
    const int columns = sqlite3_column_count(stmt);
    std::vector<std::optional<std::string>> row(static_cast<std::size_t>(columns));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      for (int i = 0; i < columns; ++i) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        if (text == nullptr) {
          row[i].reset();
        } else {
          row[i].emplace(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
        }
      }
      on_row(row);
    }
    if (rc != SQLITE_DONE) {
      throw SourceError(std::string("reading the source failed: ") + sqlite3_errmsg(db_));
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<SourceDatabase> open_sqlite_source(const std::string& path) {
  return std::make_unique<SqliteSource>(path);
}

}  // namespace authd::import
