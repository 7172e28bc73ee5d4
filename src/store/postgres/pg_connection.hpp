// Thin RAII layer over libpq: one connection that (re)connects on demand, prepares each named
// statement once per session, and turns every failure into a PgFailure carrying its SQLSTATE.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "util/time.hpp"

namespace authd::store::postgres {

// Thrown only inside this backend and mapped to StoreError at the Store boundary.
struct PgFailure {
  std::string sqlstate{};    // empty when the connection itself failed
  std::string constraint{};  // for integrity violations
  std::string message{};
  bool connection_lost = false;
};

// A named, parameterised statement; `name` must have static storage (it keys the cache).
struct Query {
  const char* name;
  const char* sql;
};

class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column); }
  std::string text(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  std::optional<std::int64_t> optional_integer(int row, int column) const;
  // A timestamptz as the server prints it to a session in UTC with DateStyle ISO
  // ("2025-03-26 13:18:37.241+00"), to the millisecond.
  util::TimePoint time(int row, int column) const;
  std::optional<util::TimePoint> optional_time(int row, int column) const;
  bool boolean(int row, int column) const { return text(row, column) == "t"; }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// Parameters are sent as text; nullopt is SQL NULL.
using Param = std::optional<std::string>;

// The text form of each parameter type a query takes: numbers in decimal, booleans as
// true/false, instants in ISO 8601 UTC (the server reads them as timestamptz), optionals as
// NULL when empty.
inline Param to_param(std::int64_t value) {
  return std::to_string(value);
}
inline Param to_param(int value) {
  return std::to_string(value);
}
inline Param to_param(bool value) {
  return value ? "true" : "false";
}
inline Param to_param(std::string_view value) {
  return std::string(value);
}
inline Param to_param(const std::string& value) {
  return value;
}
inline Param to_param(const char* value) {
  return std::string(value);
}
inline Param to_param(util::TimePoint value) {
  return util::to_iso8601(value);
}
template <class T>
Param to_param(const std::optional<T>& value) {
  return value ? to_param(*value) : Param();
}

class PgConnection {
 public:
  explicit PgConnection(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects if there is no healthy session; throws PgFailure{connection_lost} when it cannot.
  void ensure_connected();
  PgResult execute(const Query& query, const std::vector<Param>& params = {});
  // The same with typed parameters, in order: execute(kQuery, user_id, email, at).
  template <class... Args>
  PgResult execute_with(const Query& query, const Args&... args) {
    return execute(query, std::vector<Param>{to_param(args)...});
  }
  void run(const char* sql);  // simple protocol: transaction control, migrations
  // Rolls back an open transaction; a lost session needs nothing (the server rolled it back).
  void rollback() noexcept;
  // Statements sent through execute() and run(), for telling a stale session (its first use
  // failed) from one lost later, when a COMMIT may already have succeeded.
  std::uint64_t round_trips() const { return round_trips_; }

 private:
  [[noreturn]] void fail(PGresult* result);
  void disconnect();

  std::string conninfo_;
  PGconn* conn_ = nullptr;
  std::unordered_set<const char*> prepared_;
  std::uint64_t round_trips_ = 0;
};

class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& db) : db_(db) { db_.run("BEGIN"); }
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void commit();

 private:
  PgConnection& db_;
  bool done_ = false;
};

}  // namespace authd::store::postgres
