// A MySQL or MariaDB source through MariaDB's C connector, streamed with mysql_use_result (the
// default, mysql_store_result, would copy the whole table into memory first).
#include <mysql.h>

#include <boost/url/parse.hpp>
#include <memory>
#include <vector>

#include "import/source_database.hpp"

namespace authd::import {
namespace {

class MysqlSource final : public SourceDatabase {
 public:
  explicit MysqlSource(const std::string& uri) {
    const auto url = boost::urls::parse_uri(uri);
    if (!url) throw SourceError("the MySQL source is not a URL: mysql://user:password@host/db");
    const std::string user = url->has_userinfo() ? std::string(url->user()) : std::string();
    const std::string password = url->has_password() ? std::string(url->password()) : "";
    const std::string host = url->host().empty() ? "localhost" : std::string(url->host());
    const unsigned port = url->has_port() ? static_cast<unsigned>(url->port_number()) : 3306u;
    std::string database(url->path());
    if (database.starts_with('/')) database.erase(0, 1);
    if (database.empty()) throw SourceError("the MySQL source names no database: mysql://.../db");
    conn_.reset(mysql_init(nullptr));
    if (!conn_) throw SourceError("cannot start the MySQL client (out of memory)");
    // Text as UTF-8, whatever the server's default; times as stored (Sequelize writes UTC).
    mysql_options(conn_.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (mysql_real_connect(conn_.get(), host.c_str(), user.c_str(), password.c_str(),
                           database.c_str(), port, nullptr, 0) == nullptr) {
      throw SourceError(without_password(
          std::string("cannot connect to the source: ") + mysql_error(conn_.get()), uri));
    }
    run("SET time_zone = '+00:00'");
    // One snapshot for both passes of the import.
    run("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  }

  SqlDialect dialect() const override { return SqlDialect::mysql; }

  void for_each_row(const std::string& sql, const std::function<void(SourceRow)>& on_row) override {
    MYSQL* db = conn_.get();
    if (mysql_real_query(db, sql.data(), sql.size()) != 0) {
      throw SourceError(std::string("the source's tables are not the old app's: ") +
                        mysql_error(db));
    }
    const std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> result(mysql_use_result(db),
                                                                          &mysql_free_result);
    if (!result) throw SourceError(std::string("reading the source failed: ") + mysql_error(db));
    const unsigned columns = mysql_num_fields(result.get());
    std::vector<std::optional<std::string>> row(columns);
    // Freeing the result fetches (and drops) any rows left if on_row throws.
    while (MYSQL_ROW values = mysql_fetch_row(result.get())) {
      const unsigned long* lengths = mysql_fetch_lengths(result.get());
      for (unsigned i = 0; i < columns; ++i) {
        if (values[i] == nullptr) {
          row[i].reset();
        } else {
          row[i].emplace(values[i], lengths[i]);
        }
      }
      on_row(row);
    }
    if (mysql_errno(db) != 0) {
      throw SourceError(std::string("reading the source failed: ") + mysql_error(db));
    }
  }

 private:
  void run(const char* sql) {
    if (mysql_query(conn_.get(), sql) != 0) {
      throw SourceError(std::string("cannot prepare the source session: ") +
                        mysql_error(conn_.get()));
    }
  }

  std::unique_ptr<MYSQL, decltype(&mysql_close)> conn_{nullptr, &mysql_close};
};

}  // namespace

std::unique_ptr<SourceDatabase> open_mysql_source(const std::string& uri) {
  return std::make_unique<MysqlSource>(uri);
}

}  // namespace authd::import
