// What the administration commands (`authd users`, `authd roles`, `authd audit`) share: the
// store and core services they act through, their exit codes, and how they print. Exit codes
// say what happened: 0 done, 1 the store failed, 2 refused input (an address outside the
// grammar, a weak password, a bad role name), 3 no such user, role or session, 4 a conflict (the
// email or role name is taken, the role is in use, or the change would leave no active
// administrator).
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/serve.hpp"
#include "core/audit_trail.hpp"
#include "core/auth_service.hpp"
#include "core/user_admin.hpp"

namespace authd::cli {

enum Exit : int { done = 0, store_failed = 1, refused = 2, not_found = 3, conflict = 4 };

// The store and the core services an offline command needs; creates nothing (a mistyped
// --database is an error, not a new database). Changes are recorded as the CLI's.
struct AdminTool {
  explicit AdminTool(const GivenSettings& given);

  ServeConfig config;
  core::SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<core::AuthService> auth;
  std::unique_ptr<core::AuditTrail> audit;
  std::unique_ptr<core::UserAdmin> admin;
};

int exit_code(core::AuthError error);
// Says why `command` failed on standard error; returns its exit code.
int fail(std::string_view command, const core::AuthFailure& failure);

// Standard output carries the answer alone (an id, an account, a table) for scripts; the log,
// with the security events the changes record, goes to standard error.
void log_to_stderr();

// Rows under a header, in columns as wide as their widest cell.
void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

}  // namespace authd::cli
