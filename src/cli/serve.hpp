// `authd serve`: builds the object graph from the configuration and runs the server until it is
// told to stop.
#pragma once

#include <memory>
#include <string>

#include "cli/config.hpp"
#include "store/store.hpp"

namespace authd::cli {

// Returns the process exit code.
int serve(const ServeOptions& options);

// Opens the configured store (applying migrations).
std::unique_ptr<store::Store> open_store(const ServeConfig& config);

// For an embedded (SQLite) installation: creates the data folder and reads or generates the
// secrets the configuration left empty (the seed JWT secret, the key-encryption key).
void load_generated_secrets(ServeConfig& config);

// The key that derives each next refresh token; every instance must derive the same.
std::string refresh_rotation_key(const ServeConfig& config);

}  // namespace authd::cli
