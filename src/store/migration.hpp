// A schema migration: each backend keeps an ordered list of these next to its SQL. Released
// migrations are never edited, only appended to. How a store is opened decides whether it may
// create and migrate the database (`authd serve`) or must find it already there (every other
// command: a mistyped path must not leave an empty database behind).
#pragma once

namespace authd::store {

enum class OpenMode {
  create_and_migrate,  // create the database if needed, apply pending migrations
  existing,            // the database must exist with every migration applied; opening writes
                       // nothing (the command may write afterwards)
  read_only,           // the same, for commands that only read (SQLite opens the file read-only)
};

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

}  // namespace authd::store
