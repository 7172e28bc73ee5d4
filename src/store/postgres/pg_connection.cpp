#include "store/postgres/pg_connection.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <cstdio>

namespace authd::store::postgres {

std::string PgResult::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::optional<std::string> PgResult::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

std::int64_t PgResult::integer(int row, int column) const {
  const char* value = PQgetvalue(result_.get(), row, column);
  std::int64_t number = 0;
  std::from_chars(value, value + PQgetlength(result_.get(), row, column), number);
  return number;
}

std::optional<std::int64_t> PgResult::optional_integer(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return integer(row, column);
}

util::TimePoint PgResult::time(int row, int column) const {
  // "YYYY-MM-DD HH:MM:SS[.ffffff]+00": the session runs in UTC (ensure_connected).
  const std::string value = text(row, column);
  int year = 0;
  unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int consumed = 0;
  if (std::sscanf(value.c_str(), "%d-%u-%u %u:%u:%u%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6) {
    throw PgFailure{.message = "unexpected timestamp from the server: " + value};
  }
  std::size_t at = static_cast<std::size_t>(consumed);
  std::int64_t micros = 0;
  int digits = 0;
  if (at < value.size() && value[at] == '.') {
    for (++at; at < value.size() && value[at] >= '0' && value[at] <= '9'; ++at, ++digits) {
      if (digits < 6) micros = micros * 10 + (value[at] - '0');
    }
  }
  for (; digits < 6; ++digits) micros *= 10;
  // The zone offset ("+00", "-05:30"), should a connection URI have set another time zone.
  int offset_minutes = 0;
  if (at < value.size() && (value[at] == '+' || value[at] == '-')) {
    unsigned hours = 0, minutes = 0;
    std::sscanf(value.c_str() + at + 1, "%u:%u", &hours, &minutes);
    offset_minutes = static_cast<int>(hours * 60 + minutes) * (value[at] == '-' ? -1 : 1);
  }
  const auto date = std::chrono::sys_days{std::chrono::year{year} / std::chrono::month{month} /
                                          std::chrono::day{day}};
  const auto instant = date + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                       std::chrono::seconds(second) - std::chrono::minutes(offset_minutes);
  // Rounded: values written as ms/1000.0 by older releases read back as .240999.
  return std::chrono::time_point_cast<std::chrono::milliseconds>(instant) +
         std::chrono::milliseconds((micros + 500) / 1000);
}

std::optional<util::TimePoint> PgResult::optional_time(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return time(row, column);
}

PgConnection::~PgConnection() {
  disconnect();
}

void PgConnection::disconnect() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
  prepared_.clear();  // prepared statements live and die with the session
}

void PgConnection::ensure_connected() {
  if (conn_ && PQstatus(conn_) == CONNECTION_OK) return;
  disconnect();
  // Defaults first, then the operator's URI (expand_dbname), whose own settings win. A short
  // connect timeout, keepalives and a TCP user timeout make a vanished server fail requests
  // fast; the server-side timeouts bound how long a worker can wait on a statement, a row lock
  // another (dead) instance holds, or a transaction left open.
  const char* keywords[] = {"connect_timeout",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "tcp_user_timeout",
                            "options",
                            "dbname",
                            nullptr};
  // One server option string, split over lines (not a missing comma).
  constexpr const char* kServerOptions =
      "-c statement_timeout=5000 -c lock_timeout=3000 "
      "-c idle_in_transaction_session_timeout=15000 -c TimeZone=UTC -c DateStyle=ISO";
  const char* values[] = {"2", "10", "5", "2", "10000", kServerOptions, conninfo_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (PQstatus(conn_) != CONNECTION_OK) {
    PgFailure failure{.message = PQerrorMessage(conn_), .connection_lost = true};
    disconnect();
    throw failure;
  }
  // Server notices ("relation already exists, skipping") are not errors: debug log, not stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char* message) { spdlog::debug("postgresql: {}", message); }, nullptr);
  // PgResult::time reads timestamps as ISO 8601 in UTC. Set again here because an options=
  // parameter in the operator's URI replaces the defaults above, and PGDATESTYLE in the
  // environment is sent after them.
  PGresult* set = PQexec(conn_, "SET DateStyle = 'ISO'; SET TimeZone = 'UTC'");
  if (PQresultStatus(set) != PGRES_COMMAND_OK) fail(set);  // throws
  PQclear(set);
}

void PgConnection::fail(PGresult* result) {
  PgFailure failure;
  if (const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE)) failure.sqlstate = state;
  if (const char* name = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME)) {
    failure.constraint = name;
  }
  failure.message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
  if (result) PQclear(result);
  if (PQstatus(conn_) != CONNECTION_OK) {
    failure.connection_lost = true;
    disconnect();  // the next use reconnects
  }
  throw failure;
}

PgResult PgConnection::execute(const Query& query, const std::vector<Param>& params) {
  ++round_trips_;
  ensure_connected();
  if (!prepared_.contains(query.name)) {
    PGresult* prepared = PQprepare(conn_, query.name, query.sql, 0, nullptr);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) fail(prepared);
    PQclear(prepared);
    prepared_.insert(query.name);
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& param : params) values.push_back(param ? param->c_str() : nullptr);
  PGresult* result = PQexecPrepared(conn_, query.name, static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, 0);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(result);
  return PgResult(result);
}

void PgConnection::run(const char* sql) {
  ++round_trips_;
  ensure_connected();
  PGresult* result = PQexec(conn_, sql);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(result);
  PQclear(result);
}

void PgConnection::rollback() noexcept {
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return;
  PQclear(PQexec(conn_, "ROLLBACK"));
}

PgTransaction::~PgTransaction() {
  if (!done_) db_.rollback();
}

void PgTransaction::commit() {
  db_.run("COMMIT");
  done_ = true;
}

}  // namespace authd::store::postgres
