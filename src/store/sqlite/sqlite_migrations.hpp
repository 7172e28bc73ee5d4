// The SQLite schema as an ordered list of migrations. A migration is never edited once released:
// changes are new entries. Applied at start-up, each in its own transaction, recorded in
// schema_migrations so running them again (or from two processes at once) is a no-op.
#pragma once

#include <span>

#include "store/migration.hpp"

namespace authd::store::sqlite {

using store::Migration;

std::span<const Migration> migrations();

}  // namespace authd::store::sqlite
