// The generated signing secret of an embedded installation: created once (256 random bits,
// base64url, mode 0600) in the data folder, then read back on every start so tokens stay valid
// across restarts.
#pragma once

#include <filesystem>
#include <string>

namespace authd::cli {

// Throws std::runtime_error when the file can neither be read nor created.
std::string load_or_create_secret(const std::filesystem::path& file);

}  // namespace authd::cli
