// `authd audit list`: the audit trail, newest first, against the same store the servers use.
// Exit codes as in admin_tool.hpp.
#pragma once

#include <CLI/App.hpp>
#include <functional>
#include <optional>

namespace authd::cli {

// Registers `authd audit` on `app`. The returned function runs it when it was parsed and returns
// its exit code, or nullopt when it was not.
std::function<std::optional<int>()> add_audit_commands(CLI::App& app);

}  // namespace authd::cli
