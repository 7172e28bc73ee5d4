// The PostgreSQL schema as an ordered list of migrations, applied at start-up under an advisory
// lock so that several authd instances starting at once apply each exactly once.
#pragma once

#include <span>

#include "store/migration.hpp"

namespace authd::store::postgres {

using store::Migration;

std::span<const Migration> migrations();

// pg_advisory_lock key that serialises migrations across instances ("authd" + 1).
inline constexpr long long kMigrationLockKey = 0x6175746864'01LL;

}  // namespace authd::store::postgres
