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
  bool boolean(int row, int column) const { return text(row, column) == "t"; }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// Parameters are sent as text; nullopt is SQL NULL.
using Param = std::optional<std::string>;

class PgConnection {
 public:
  explicit PgConnection(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects if there is no healthy session; throws PgFailure{connection_lost} when it cannot.
  void ensure_connected();
  PgResult execute(const Query& query, const std::vector<Param>& params = {});
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
