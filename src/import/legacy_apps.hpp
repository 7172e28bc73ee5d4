// The three Express apps authd replaces, as sources: which tables and columns each left (see
// tests/legacy-apps/README.md) and how they map onto an account. Every database the apps run
// on is read the same way; only the SQL's quoting and aggregates differ.
#pragma once

#include <memory>

#include "import/account_source.hpp"
#include "import/source_database.hpp"

namespace authd::import {

enum class LegacyApp {
  seed000,  // users (id, email, password, createdAt, updatedAt): Sequelize
  seed002,  // USERS (id, first_name, last_name, email, password, created_at), SESSIONS
  seed003,  // users (… role, isActive, lastLogin …), roles, user_roles: Sequelize
};

std::unique_ptr<AccountSource> legacy_app_source(LegacyApp app,
                                                 std::unique_ptr<SourceDatabase> database);

}  // namespace authd::import
