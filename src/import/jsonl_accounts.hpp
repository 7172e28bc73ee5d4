// Accounts exported from any database as JSON Lines: one object per line,
//   {"id": 42, "email": "ada@example.com", "password_hash": "$2b$10$...",
//    "first_name": "Ada", "last_name": "Lovelace", "roles": ["admin"], "is_active": true,
//    "last_login": "2026-12-04T15:16:50.183Z", "created_at": "...", "updated_at": "..."}
// id, email and password_hash are required; the rest may be absent or null (is_active also
// takes 1 and 0). A key not listed
// here is a defect of its row (a misspelt "is_actve" must not silently mean "active").
#pragma once

#include <memory>
#include <string>

#include "import/account_source.hpp"

namespace authd::import {

// `path` names a file, or is "-" for standard input (copied aside, since it is read twice).
// Throws SourceError when it cannot be opened.
std::unique_ptr<AccountSource> jsonl_source(const std::string& path);

}  // namespace authd::import
