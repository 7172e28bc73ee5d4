// Reads (or, for set-up, writes) an authd SQLite file directly, so integration tests can check
// what was really stored: hashes instead of tokens, revoked sessions, upgraded password hashes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace authd::test {

using Row = std::vector<std::optional<std::string>>;

// Runs one statement and returns every row as text (NULL as nullopt). Throws on error.
std::vector<Row> sql(const std::filesystem::path& database, const std::string& statement);

}  // namespace authd::test
