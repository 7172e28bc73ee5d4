#include "import/legacy_apps.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace authd::import {
namespace {

// Separates role names in one aggregated column: a role name never holds a line end.
constexpr char kRoleSeparator = '\n';

// A quoted identifier (Sequelize's camelCase columns need quoting outside MySQL).
std::string quoted(SqlDialect dialect, std::string_view name) {
  const char quote = dialect == SqlDialect::mysql ? '`' : '"';
  return quote + std::string(name) + quote;
}

std::optional<std::int64_t> parse_id(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

// Reads column `column` of `row` as a timestamp into `into`; notes a defect when it is not one.
void read_time(SourceRow row, std::size_t column, std::string_view name,
               std::optional<util::TimePoint>& into, SourceAccount& account) {
  if (!row[column]) return;
  into = util::parse_timestamp(*row[column]);
  if (!into && account.defect.empty()) {
    account.defect = std::string(name) + " is not a timestamp: " + *row[column];
  }
}

// A boolean as SQLite and MySQL (1/0) and PostgreSQL (t/f) print it.
std::optional<bool> parse_flag(std::string_view text) {
  if (text == "1" || text == "t" || text == "true") return true;
  if (text == "0" || text == "f" || text == "false") return false;
  return std::nullopt;
}

std::vector<std::string> split_roles(const std::optional<std::string>& joined) {
  std::vector<std::string> roles;
  if (!joined || joined->empty()) return roles;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = joined->find(kRoleSeparator, start);
    roles.push_back(joined->substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return roles;
}

// The statements that read one app's accounts from one kind of database.
struct Queries {
  std::string accounts;  // one row per account, ascending id
  std::string count;
  std::string highest_id_given;
};

// user_roles rows of users.id, as names joined by kRoleSeparator in the order they were granted
// (creation time, then role id: Sequelize grants several roles in one statement).
std::string seed003_roles(SqlDialect dialect) {
  switch (dialect) {
    case SqlDialect::sqlite:
      // SQLite 3.40's group_concat has no ORDER BY; it follows the subquery's order.
      return "(SELECT group_concat(name, char(10)) FROM (SELECT r.name FROM user_roles ur "
             "JOIN roles r ON r.id = ur.roleId WHERE ur.userId = u.id "
             "ORDER BY ur.createdAt, ur.roleId))";
    case SqlDialect::postgresql:
      return "(SELECT string_agg(r.name, chr(10) ORDER BY ur.\"createdAt\", ur.\"roleId\") "
             "FROM user_roles ur JOIN roles r ON r.id = ur.\"roleId\" WHERE ur.\"userId\" = u.id)";
    case SqlDialect::mysql:
      return "(SELECT GROUP_CONCAT(r.name ORDER BY ur.createdAt, ur.roleId SEPARATOR '\\n') "
             "FROM user_roles ur JOIN roles r ON r.id = ur.roleId WHERE ur.userId = u.id)";
  }
  return {};
}

// The highest id a table's sequence gave, by dialect.
std::string sequence_query(SqlDialect dialect, std::string_view table) {
  switch (dialect) {
    case SqlDialect::sqlite:
      return "SELECT seq FROM sqlite_sequence WHERE name = '" + std::string(table) + "'";
    case SqlDialect::postgresql:
      return "SELECT pg_sequence_last_value(pg_get_serial_sequence('" + quoted(dialect, table) +
             "', 'id')::regclass)";
    case SqlDialect::mysql:
      return "SELECT AUTO_INCREMENT - 1 FROM information_schema.TABLES "
             "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '" +
             std::string(table) + "'";
  }
  return {};
}

Queries queries_for(LegacyApp app, SqlDialect d) {
  const auto q = [d](std::string_view name) { return quoted(d, name); };
  switch (app) {
    case LegacyApp::seed000:
      return {.accounts = "SELECT u.id, u.email, u.password, u." + q("createdAt") + ", u." +
                          q("updatedAt") + " FROM users u ORDER BY u.id",
              .count = "SELECT COUNT(*) FROM users",
              .highest_id_given = sequence_query(d, "users")};
    case LegacyApp::seed002:
      // The plain-SQL app's tables, unquoted as it created them. SESSIONS.user_id is unique:
      // at most one session per account.
      return {.accounts =
                  "SELECT u.id, u.email, u.password, u.first_name, u.last_name, "
                  "u.created_at, s.session_token, s.updated_at "
                  "FROM USERS u LEFT JOIN SESSIONS s ON s.user_id = u.id ORDER BY u.id",
              .count = "SELECT COUNT(*) FROM USERS",
              .highest_id_given = sequence_query(d, "USERS")};
    case LegacyApp::seed003:
      return {.accounts = "SELECT u.id, u.email, u.password, u." + q("firstName") + ", u." +
                          q("lastName") + ", u.role, u." + q("isActive") + ", u." + q("lastLogin") +
                          ", u." + q("createdAt") + ", u." + q("updatedAt") + ", " +
                          seed003_roles(d) + " FROM users u ORDER BY u.id",
              .count = "SELECT COUNT(*) FROM users",
              .highest_id_given = sequence_query(d, "users")};
  }
  return {};
}

// Every app: id, email, password first.
SourceAccount common_columns(SourceRow row, std::int64_t ordinal) {
  SourceAccount account;
  account.ordinal = ordinal;
  account.id = parse_id(row[0]);
  if (!account.id) account.defect = "the id is not a positive integer";
  account.email = row[1].value_or("");
  account.password_hash = row[2].value_or("");
  return account;
}

SourceAccount read_seed000(SourceRow row, std::int64_t ordinal) {
  SourceAccount account = common_columns(row, ordinal);
  read_time(row, 3, "createdAt", account.created_at, account);
  read_time(row, 4, "updatedAt", account.updated_at, account);
  return account;
}

SourceAccount read_seed002(SourceRow row, std::int64_t ordinal) {
  SourceAccount account = common_columns(row, ordinal);
  account.first_name = row[3];
  account.last_name = row[4];
  read_time(row, 5, "created_at", account.created_at, account);
  account.updated_at = account.created_at;
  if (row[6]) {
    SourceSession session{.token = *row[6]};
    read_time(row, 7, "SESSIONS.updated_at", session.issued_at, account);
    account.session = std::move(session);
  }
  return account;
}

SourceAccount read_seed003(SourceRow row, std::int64_t ordinal) {
  SourceAccount account = common_columns(row, ordinal);
  account.first_name = row[3];
  account.last_name = row[4];
  if (row[6]) {
    // NULL is the column's default (true) as Sequelize defines it; anything unreadable is a
    // defect rather than a guess either way.
    const auto active = parse_flag(*row[6]);
    if (!active && account.defect.empty()) account.defect = "isActive is not a boolean";
    account.is_active = active.value_or(false);
  }
  read_time(row, 7, "lastLogin", account.last_login, account);
  read_time(row, 8, "createdAt", account.created_at, account);
  read_time(row, 9, "updatedAt", account.updated_at, account);
  // The roles granted (user_roles), with the primary one (users.role, what seed 003 answers as
  // `role`) first when it is among them, so that the account reads the same after the move.
  std::vector<std::string> granted = split_roles(row[10]);
  if (row[5]) {
    const auto primary = std::find(granted.begin(), granted.end(), *row[5]);
    if (primary != granted.end()) std::rotate(granted.begin(), primary, primary + 1);
  }
  account.roles = std::move(granted);
  return account;
}

class LegacyAppSource final : public AccountSource {
 public:
  LegacyAppSource(LegacyApp app, std::unique_ptr<SourceDatabase> database)
      : app_(app),
        database_(std::move(database)),
        queries_(queries_for(app, database_->dialect())) {}

  std::optional<std::int64_t> count() override {
    std::optional<std::int64_t> total;
    database_->for_each_row(queries_.count, [&](SourceRow row) { total = parse_id(row[0]); });
    return total;
  }

  void for_each(const std::function<void(SourceAccount&&)>& on_account) override {
    std::int64_t ordinal = 0;
    database_->for_each_row(queries_.accounts, [&](SourceRow row) {
      ++ordinal;
      switch (app_) {
        case LegacyApp::seed000:
          return on_account(read_seed000(row, ordinal));
        case LegacyApp::seed002:
          return on_account(read_seed002(row, ordinal));
        case LegacyApp::seed003:
          return on_account(read_seed003(row, ordinal));
      }
    });
  }

  std::optional<std::int64_t> highest_id_given() override {
    std::optional<std::int64_t> highest;
    try {
      database_->for_each_row(queries_.highest_id_given,
                              [&](SourceRow row) { highest = parse_id(row[0]); });
    } catch (const SourceError&) {
      // No sequence table (a database whose app never inserted a row): nothing to reserve.
    }
    return highest;
  }

 private:
  LegacyApp app_;
  std::unique_ptr<SourceDatabase> database_;
  Queries queries_;
};

}  // namespace

std::unique_ptr<AccountSource> legacy_app_source(LegacyApp app,
                                                 std::unique_ptr<SourceDatabase> database) {
  return std::make_unique<LegacyAppSource>(app, std::move(database));
}

}  // namespace authd::import
