// `authd serve`: builds the object graph from the configuration and runs the server until it is
// told to stop.
#pragma once

#include <memory>
#include <string>

#include "cli/settings.hpp"
#include "store/migration.hpp"
#include "store/store.hpp"

namespace authd::cli {

// Returns the process exit code.
int serve(const GivenSettings& given);

// Opens the configured store: `authd serve` creates and migrates it; every other command needs
// it to exist already (store::OpenMode::existing).
std::unique_ptr<store::Store> open_store(
    const ServeConfig& config, store::OpenMode mode = store::OpenMode::create_and_migrate);

// For an embedded (SQLite) installation started by `authd serve`: creates the data folder and
// reads or generates the secrets the configuration left empty (the seed JWT secret, the
// key-encryption key). Refuses a folder or file others could read or replace.
void load_generated_secrets(ServeConfig& config);

// The same for the other commands, which never create anything: the folder and the
// key-encryption key file (unless configured) must exist.
void load_existing_secrets(ServeConfig& config);

}  // namespace authd::cli
