// `authd users ...`: account administration, against the same store the servers use (also while
// they run). Exit codes as in admin_tool.hpp.
#pragma once

#include <CLI/App.hpp>
#include <functional>
#include <optional>

#include "cli/settings.hpp"

namespace authd::cli {

// Registers `authd users` and its subcommands on `app`, each with the store's settings. The
// returned function runs the one that was parsed and returns its exit code, or nullopt when none
// was.
std::function<std::optional<int>()> add_users_commands(CLI::App& app);

}  // namespace authd::cli
