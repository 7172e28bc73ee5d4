// `authd roles ...`: the roles accounts may hold, against the same store the servers use (also
// while they run). Exit codes as in admin_tool.hpp.
#pragma once

#include <CLI/App.hpp>
#include <functional>
#include <optional>

namespace authd::cli {

// Registers `authd roles` and its subcommands on `app`. The returned function runs the one that
// was parsed and returns its exit code, or nullopt when none was.
std::function<std::optional<int>()> add_roles_commands(CLI::App& app);

}  // namespace authd::cli
