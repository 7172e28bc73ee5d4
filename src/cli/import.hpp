// `authd import FORMAT SOURCE`: takes over the accounts of an app authd replaces (the seed
// apps' databases, or JSON Lines exported from any other). Exit codes as in admin_tool.hpp:
// 0 imported (or, with --dry-run, nothing in the way), 1 the source or the store failed,
// 2 the command line is wrong, 4 rows cannot be imported and nothing was written.
#pragma once

#include <CLI/App.hpp>
#include <functional>
#include <optional>

namespace authd::cli {

// Registers `authd import` on `app`; the returned function runs it when it was parsed and
// returns its exit code, or nullopt when it was not.
std::function<std::optional<int>()> add_import_command(CLI::App& app);

}  // namespace authd::cli
