#include "import/source_database.hpp"

namespace authd::import {

std::unique_ptr<SourceDatabase> open_source_database(std::string_view url) {
  if (url.starts_with("sqlite:")) {
    const std::string path(url.substr(7));
    if (path.empty()) throw SourceError("sqlite: needs the path of the old app's database file");
    return open_sqlite_source(path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return open_postgres_source(std::string(url));
  }
  if (url.starts_with("mysql://") || url.starts_with("mariadb://")) {
    return open_mysql_source(std::string(url));
  }
  throw SourceError("the source must be sqlite:PATH, postgresql://... or mysql://...");
}

}  // namespace authd::import
