// `authd users ...`: account administration, against the same store the servers use (also while
// they run). Exit codes say what happened: 0 done, 1 the store failed, 2 refused input (an
// address outside the grammar, a weak password), 3 no such user or role, 4 the email is taken.
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
