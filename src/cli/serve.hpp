// `authd serve`: builds the object graph from the configuration and runs the server until it is
// told to stop.
#pragma once

#include "cli/config.hpp"

namespace authd::cli {

// Returns the process exit code.
int serve(const ServeOptions& options);

}  // namespace authd::cli
