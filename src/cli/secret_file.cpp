#include "cli/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "crypto/random.hpp"

namespace authd::cli {
namespace {

std::string read_secret(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string secret;
  std::getline(in, secret);
  if (!in && !in.eof()) throw std::runtime_error("cannot read " + file.string());
  if (secret.size() < 32) {
    throw std::runtime_error(file.string() + " holds fewer than 32 bytes; delete it to regenerate");
  }
  return secret;
}

}  // namespace

std::string load_or_create_secret(const std::filesystem::path& file) {
  // O_EXCL: of two processes starting at once, exactly one creates the file.
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return read_secret(file);
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
  return secret;
}

}  // namespace authd::cli
