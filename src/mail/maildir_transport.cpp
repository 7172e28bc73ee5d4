#include "mail/maildir_transport.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "crypto/random.hpp"

namespace authd::mail {
namespace {

void make_folder(const std::filesystem::path& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    throw std::runtime_error("cannot create mail folder " + path.string() + ": " +
                             std::strerror(errno));
  }
}

// Writes all of `bytes` and flushes them to disk; false on any failure.
bool write_durably(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return ::fsync(fd) == 0;
}

bool sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

}  // namespace

MaildirTransport::MaildirTransport(std::filesystem::path folder) : folder_(std::move(folder)) {
  make_folder(folder_);
  for (const char* sub : {"tmp", "new", "cur"}) make_folder(folder_ / sub);
}

Delivery MaildirTransport::send(std::string_view /*from*/, std::string_view /*to*/,
                                std::string_view message) {
  // Unique without coordination, also between instances writing to one folder.
  const std::string name =
      std::to_string(::time(nullptr)) + "." + crypto::random_token(12) + ".authd";
  const auto temporary = folder_ / "tmp" / name;
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return {Delivery::Outcome::retry, std::string("open: ") + std::strerror(errno)};
  const bool written = write_durably(fd, message);
  const int saved = errno;
  ::close(fd);
  if (!written) {
    ::unlink(temporary.c_str());
    return {Delivery::Outcome::retry, std::string("write: ") + std::strerror(saved)};
  }
  if (::rename(temporary.c_str(), (folder_ / "new" / name).c_str()) != 0) {
    const std::string error = std::strerror(errno);
    ::unlink(temporary.c_str());
    return {Delivery::Outcome::retry, "rename: " + error};
  }
  if (!sync_folder(folder_ / "new")) return {Delivery::Outcome::retry, "fsync of new/ failed"};
  return {Delivery::Outcome::sent, "written to new/" + name};
}

}  // namespace authd::mail
