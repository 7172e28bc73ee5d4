#include "cli/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "crypto/random.hpp"

namespace authd::cli {
namespace {

constexpr std::size_t kMinSecretBytes = 32;

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// The checks ssh applies to a private key: a regular file (not a link that could point
// anywhere), owned by this user, that nobody else may read or write.
void check_private_file(const std::filesystem::path& file, const struct stat& info,
                        SecretOrigin origin) {
  if (!S_ISREG(info.st_mode)) {
    throw std::runtime_error(file.string() + " is not a regular file; it must hold a secret");
  }
  if (info.st_uid != ::geteuid()) {
    throw std::runtime_error(file.string() + " belongs to another user (uid " +
                             std::to_string(info.st_uid) + "); a secret must be its owner's alone");
  }
  if ((info.st_mode & 077) != 0) {
    throw std::runtime_error(
        file.string() + " can be read or written by others (mode " + octal_mode(info.st_mode) +
        "); run `chmod 600 " + file.string() + "`" +
        (origin == SecretOrigin::generated
             ? ", or delete it to generate a new secret (tokens signed with the old one stop "
               "working)"
             : ", and change the secret it holds if others may have read it"));
  }
}

SecretFile read_checked(const std::filesystem::path& file, int fd, SecretOrigin origin) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    throw std::runtime_error("cannot inspect " + file.string() + ": " + std::strerror(errno));
  }
  check_private_file(file, info, origin);
  std::string content;
  char chunk[512];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0)
      throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    content.append(chunk, static_cast<std::size_t>(n));
    if (content.size() > 4096) throw std::runtime_error(file.string() + " is too large");
  }
  SecretFile secret{.secret = content.substr(0, content.find('\n')),
                    .generated = false,
                    .mode = static_cast<unsigned>(info.st_mode & 07777)};
  // A password file written on Windows; a generated secret never has one.
  if (origin == SecretOrigin::given && secret.secret.ends_with('\r')) secret.secret.pop_back();
  if (origin == SecretOrigin::given && secret.secret.empty()) {
    throw std::runtime_error(file.string() + " is empty; its first line must hold the secret");
  }
  if (origin == SecretOrigin::generated && secret.secret.size() < kMinSecretBytes) {
    throw std::runtime_error(file.string() + " holds fewer than 32 bytes; delete it to regenerate");
  }
  return secret;
}

void check_directory(const std::filesystem::path& folder, const struct stat& info) {
  if (!S_ISDIR(info.st_mode)) {
    throw std::runtime_error(folder.string() + " is not a directory");
  }
  if (info.st_uid != ::geteuid() && info.st_uid != 0) {
    throw std::runtime_error("the data folder " + folder.string() +
                             " belongs to another user (uid " + std::to_string(info.st_uid) +
                             "); its secrets must be this user's alone");
  }
  if ((info.st_mode & 022) != 0) {
    throw std::runtime_error("others can write to the data folder " + folder.string() + " (mode " +
                             octal_mode(info.st_mode) + ") and replace its secrets; " +
                             "run `chmod 700 " + folder.string() + "`");
  }
}

}  // namespace

SecretFile load_or_create_secret(const std::filesystem::path& file) {
  // O_EXCL: of two processes starting at once, exactly one creates the file. O_NOFOLLOW: a link
  // planted in place of the file is refused, not followed.
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return load_secret(file);
    throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
  }
  const std::string secret = crypto::random_token(32);
  const std::string line = secret + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    std::filesystem::remove(file);
    throw std::runtime_error("cannot write " + file.string());
  }
  return {.secret = secret, .generated = true, .mode = 0600};
}

SecretFile load_secret(const std::filesystem::path& file, SecretOrigin origin) {
  // O_NONBLOCK: a FIFO planted in place of the file must not hang start-up (fstat then refuses
  // it as not a regular file).
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    const int error = errno;
    if (error == ELOOP) {
      throw std::runtime_error(file.string() + " is a symbolic link; a secret must be a file");
    }
    throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(error));
  }
  try {
    SecretFile secret = read_checked(file, fd, origin);
    ::close(fd);
    return secret;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

void ensure_private_directory(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::exists(folder, ec)) {
    std::filesystem::create_directories(folder);  // 0700 under authd's umask
  }
  check_private_directory(folder);
}

void check_private_directory(const std::filesystem::path& folder) {
  struct stat info {};
  if (::stat(folder.c_str(), &info) != 0) {
    throw std::runtime_error("no data folder " + folder.string() + ": " + std::strerror(errno));
  }
  check_directory(folder, info);
}

}  // namespace authd::cli
