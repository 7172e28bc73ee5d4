#include "import/legacy_apps.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace authd::import {
namespace {

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

// The statements that read one app's accounts from one kind of database.
struct Queries {
  std::string accounts;  // one row per account, ascending id
  std::string count;
  std::string highest_id_given;
};

// The highest id a table's sequence gave, by dialect. `table` as the app created it: Sequelize
// quotes its names (PostgreSQL keeps their case), the plain-SQL app does not (folded to lower).
std::string sequence_query(SqlDialect dialect, std::string_view table, bool quoted_name) {
  switch (dialect) {
    case SqlDialect::sqlite:
      return "SELECT seq FROM sqlite_sequence WHERE name = '" + std::string(table) + "'";
    case SqlDialect::postgresql:
      return "SELECT pg_sequence_last_value(pg_get_serial_sequence('" +
             (quoted_name ? quoted(dialect, table) : std::string(table)) + "', 'id')::regclass)";
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
              .highest_id_given = sequence_query(d, "users", true)};
    case LegacyApp::seed002:
      // The plain-SQL app's tables, unquoted as it created them. SESSIONS.user_id is unique:
      // at most one session per account.
      return {.accounts =
                  "SELECT u.id, u.email, u.password, u.first_name, u.last_name, "
                  "u.created_at, s.session_token, s.updated_at "
                  "FROM USERS u LEFT JOIN SESSIONS s ON s.user_id = u.id ORDER BY u.id",
              .count = "SELECT COUNT(*) FROM USERS",
              .highest_id_given = sequence_query(d, "USERS", false)};
    case LegacyApp::seed003:
      // One row per granted role (or one with no role), in the order they were granted
      // (creation time, then role id: Sequelize grants several in one statement); read_seed003
      // folds the rows of one account together. A join sorted once, where a subquery per
      // account would scan user_roles, whose key (roleId, userId) does not lead by user.
      return {.accounts = "SELECT u.id, u.email, u.password, u." + q("firstName") + ", u." +
                          q("lastName") + ", u.role, u." + q("isActive") + ", u." + q("lastLogin") +
                          ", u." + q("createdAt") + ", u." + q("updatedAt") +
                          ", r.name FROM users u LEFT JOIN user_roles ur ON ur." + q("userId") +
                          " = u.id LEFT JOIN roles r ON r.id = ur." + q("roleId") +
                          " ORDER BY u.id, ur." + q("createdAt") + ", ur." + q("roleId"),
              .count = "SELECT COUNT(*) FROM users",
              .highest_id_given = sequence_query(d, "users", true)};
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

// The account of a seed 003 row, with the role of that row if any; the rows of one account
// differ only in that role (see queries_for).
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
  if (row[10]) account.roles.push_back(*row[10]);
  return account;
}

// The primary role (users.role, what seed 003 answers as `role`) first when it is among those
// granted, so that the account reads the same after the move.
void put_primary_role_first(SourceAccount& account, const std::optional<std::string>& primary) {
  if (!primary) return;
  const auto found = std::find(account.roles.begin(), account.roles.end(), *primary);
  if (found != account.roles.end()) std::rotate(account.roles.begin(), found, found + 1);
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
    if (app_ != LegacyApp::seed003) {
      database_->for_each_row(queries_.accounts, [&](SourceRow row) {
        ++ordinal;
        on_account(app_ == LegacyApp::seed000 ? read_seed000(row, ordinal)
                                              : read_seed002(row, ordinal));
      });
      return;
    }
    // Seed 003: one row per role; an account is complete when the next one's id begins.
    std::optional<SourceAccount> pending;
    std::optional<std::string> pending_id, pending_primary;
    const auto emit = [&] {
      if (!pending) return;
      put_primary_role_first(*pending, pending_primary);
      on_account(std::move(*pending));
      pending.reset();
    };
    database_->for_each_row(queries_.accounts, [&](SourceRow row) {
      if (pending && row[0] == pending_id) {
        if (row[10]) pending->roles.push_back(*row[10]);
        return;
      }
      emit();
      pending = read_seed003(row, ++ordinal);
      pending_id = row[0];
      pending_primary = row[5];
    });
    emit();
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
