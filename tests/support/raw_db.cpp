#include "support/raw_db.hpp"

#include <stdexcept>

namespace authd::test {

RawDb::RawDb(const std::filesystem::path& file) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + file.string());
  }
  sqlite3_busy_timeout(db_, 5000);
}

RawDb::~RawDb() {
  sqlite3_close(db_);
}

std::vector<Row> RawDb::query(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("prepare failed: ") + sqlite3_errmsg(db_));
  }
  std::vector<Row> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      row.push_back(text ? std::optional<std::string>(text) : std::nullopt);
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) throw std::runtime_error("step failed: " + sql);
  return rows;
}

void RawDb::execute(const std::string& script) {
  char* error = nullptr;
  if (sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("script failed: " + message);
  }
}

std::string RawDb::scalar(const std::string& sql) {
  auto rows = query(sql);
  if (rows.size() != 1 || rows[0].empty() || !rows[0][0]) {
    throw std::runtime_error("not a scalar: " + sql);
  }
  return *rows[0][0];
}

}  // namespace authd::test
