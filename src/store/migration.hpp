// A schema migration: each backend keeps an ordered list of these next to its SQL. Released
// migrations are never edited, only appended to.
#pragma once

namespace authd::store {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

}  // namespace authd::store
