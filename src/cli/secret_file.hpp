// The generated secrets of an embedded installation (the seed JWT secret, the key-encryption
// key): created once (256 random bits, base64url, mode 0600) in the data folder, then read back
// on every start so tokens stay valid across restarts. Like ssh with its keys, authd refuses a
// secret file or data folder that someone else could read or replace; the same checks apply to
// the secrets an operator gives authd in a file (the SMTP password).
#pragma once

#include <filesystem>
#include <string>

namespace authd::cli {

// Who wrote the secret: authd (a key of at least 256 bits; deleting the file makes a new one) or
// the operator (a password of theirs, any length but empty, that only they can replace).
enum class SecretOrigin { generated, given };

struct SecretFile {
  std::string secret;
  bool generated = false;  // created now, rather than read
  unsigned mode = 0600;    // the file's permission bits, for the log
};

// Reads `file`, or creates it when it does not exist. Throws std::runtime_error (with what to
// do) when it can be neither, or when it is not a regular file owned by this user with mode
// 0600 or stricter.
SecretFile load_or_create_secret(const std::filesystem::path& file);

// Reads an existing `file`, with the same checks; never creates it. The secret is the file's
// first line, without its line end (LF or CRLF).
SecretFile load_secret(const std::filesystem::path& file,
                       SecretOrigin origin = SecretOrigin::generated);

// Creates the data folder (mode 0700) when it does not exist. Throws std::runtime_error when
// it is not a directory owned by this user (or root) that only its owner can write.
void ensure_private_directory(const std::filesystem::path& folder);

// The same checks on an existing folder; never creates it.
void check_private_directory(const std::filesystem::path& folder);

}  // namespace authd::cli
