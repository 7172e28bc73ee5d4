// A PostgreSQL source, read in one read-only REPEATABLE READ transaction (one snapshot for both
// passes of the import) and streamed in single-row mode (libpq otherwise collects the whole
// result before handing over the first row). Each query runs under a savepoint, so one that
// fails (a sequence the old app's table does not have) leaves the transaction usable.
#include <libpq-fe.h>

#include <memory>
#include <vector>

#include "import/source_database.hpp"

namespace authd::import {
namespace {

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

class PostgresSource final : public SourceDatabase {
 public:
  explicit PostgresSource(const std::string& uri)
      : uri_(uri), connection_(PQconnectdb(uri.c_str()), &PQfinish) {
    conn_ = connection_.get();
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      throw SourceError("cannot connect to the source: " + message());
    }
    // Times in UTC and ISO form whatever the server's defaults; nothing written by mistake.
    run("SET TimeZone = 'UTC'");
    run("SET DateStyle = 'ISO, YMD'");
    run("SET statement_timeout = 0");
    run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  SqlDialect dialect() const override { return SqlDialect::postgresql; }

  void for_each_row(const std::string& sql, const std::function<void(SourceRow)>& on_row) override {
    run("SAVEPOINT source_query");
    if (PQsendQuery(conn_, sql.c_str()) == 0) {
      throw SourceError("reading the source failed: " + message());
    }
    if (PQsetSingleRowMode(conn_) == 0) {
      drain();
      throw SourceError("reading the source failed: " + message());
    }
    std::vector<std::optional<std::string>> row;
    std::string failure;
    // Every result must be taken, even after a failure, before the connection is usable again.
    while (PGresult* raw = PQgetResult(conn_)) {
      const Result result(raw, &PQclear);
      const ExecStatusType status = PQresultStatus(raw);
      if (status == PGRES_SINGLE_TUPLE && failure.empty()) {
        const int columns = PQnfields(raw);
        row.resize(static_cast<std::size_t>(columns));
        for (int i = 0; i < columns; ++i) {
          if (PQgetisnull(raw, 0, i)) {
            row[i].reset();
          } else {
            row[i].emplace(PQgetvalue(raw, 0, i), static_cast<std::size_t>(PQgetlength(raw, 0, i)));
          }
        }
        try {
          on_row(row);
        } catch (...) {
          drain();
          throw;
        }
      } else if (status != PGRES_TUPLES_OK && status != PGRES_SINGLE_TUPLE && failure.empty()) {
        failure = PQresultErrorMessage(raw);
      }
    }
    if (!failure.empty()) {
      run("ROLLBACK TO SAVEPOINT source_query");
      throw SourceError("the source's tables are not the old app's: " + trimmed(failure));
    }
    run("RELEASE SAVEPOINT source_query");
  }

 private:
  void run(const char* sql) {
    const Result result(PQexec(conn_, sql), &PQclear);
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      throw SourceError("cannot prepare the source session: " + message());
    }
  }
  void drain() {
    while (PGresult* raw = PQgetResult(conn_)) PQclear(raw);
  }
  static std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }
  // libpq quotes the URI in some errors: never its password.
  std::string message() const {
    return conn_ == nullptr ? "out of memory"
                            : without_password(trimmed(PQerrorMessage(conn_)), uri_);
  }

  std::string uri_;
  std::unique_ptr<PGconn, decltype(&PQfinish)> connection_{nullptr, &PQfinish};
  PGconn* conn_ = nullptr;
};

}  // namespace

std::unique_ptr<SourceDatabase> open_postgres_source(const std::string& uri) {
  return std::make_unique<PostgresSource>(uri);
}

}  // namespace authd::import
