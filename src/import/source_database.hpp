// The database of an app authd replaces, as `authd import` reads it: a query at a time, its rows
// streamed one by one (a source of millions of accounts is never held in memory), every value as
// text. Opened read-only where the driver allows: an import never writes to its source. Every
// query of one source sees the same snapshot (one read-only transaction held from the opening
// on), so the import's two passes read the same rows even while the old app writes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace authd::import {

// Why a source could not be opened or read; the message is for the operator and never holds
// the source's password.
struct SourceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class SqlDialect { sqlite, postgresql, mysql };

// One row: its columns in the query's order, NULL as nullopt.
using SourceRow = std::span<const std::optional<std::string>>;

class SourceDatabase {
 public:
  virtual ~SourceDatabase() = default;
  virtual SqlDialect dialect() const = 0;
  // Runs `sql` and calls `on_row` with each row as it arrives. Throws SourceError.
  virtual void for_each_row(const std::string& sql,
                            const std::function<void(SourceRow)>& on_row) = 0;
};

// `message` with the password of `uri` (user:PASSWORD@, raw or percent-decoded) blanked out:
// drivers quote the URI in their errors, and what the operator sees must not hold it.
std::string without_password(std::string message, std::string_view uri);

// sqlite:PATH, postgresql://... (or postgres://), mysql://... (or mariadb://). Throws
// SourceError for anything else or a source that cannot be opened.
std::unique_ptr<SourceDatabase> open_source_database(std::string_view url);

// The implementations open_source_database chooses from.
std::unique_ptr<SourceDatabase> open_sqlite_source(const std::string& path);
std::unique_ptr<SourceDatabase> open_postgres_source(const std::string& uri);
std::unique_ptr<SourceDatabase> open_mysql_source(const std::string& uri);

}  // namespace authd::import
