#include "import/source_database.hpp"

#include <string>

namespace authd::import {

std::string without_password(std::string message, std::string_view uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return message;
  const auto authority = uri.substr(scheme_end + 3);
  const auto at = authority.rfind('@', authority.find('/'));
  if (at == std::string_view::npos) return message;
  const auto userinfo = authority.substr(0, at);
  const auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) return message;
  const std::string raw(userinfo.substr(colon + 1));
  std::string decoded;
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() + 1 && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
      decoded += static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
      i += 2;
    } else {
      decoded += raw[i];
    }
  }
  for (const std::string& secret : {raw, decoded}) {
    if (secret.empty()) continue;
    for (auto found = message.find(secret); found != std::string::npos;
         found = message.find(secret, found)) {
      message.replace(found, secret.size(), "***");
    }
  }
  return message;
}

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
