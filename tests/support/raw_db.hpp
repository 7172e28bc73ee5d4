// A separate, plain SQLite connection to an authd database file, so tests check what was really
// stored (hashes instead of tokens, revoked sessions, upgraded hashes) without relying on the code
// under test to read it, and can set up rows authd would not write itself (imported users).
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace authd::test {

using Row = std::vector<std::optional<std::string>>;

class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file);
  ~RawDb();
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Every row as text, NULL as nullopt. Throws on error.
  std::vector<Row> query(const std::string& sql);
  // Runs a script of several statements (no rows). Throws on error.
  void execute(const std::string& script);
  // The single non-NULL value of a one-row, one-column result.
  std::string scalar(const std::string& sql);
  long count(const std::string& table) {
    return std::stol(scalar("SELECT COUNT(*) FROM " + table));
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace authd::test
