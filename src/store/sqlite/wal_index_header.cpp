#include "store/sqlite/wal_index_header.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace authd::store::sqlite {
namespace {

// The WalIndexHdr: 48 bytes, twice, at the start of the -shm file; isInit is its byte 12.
constexpr std::size_t kHeaderWords = 12;
constexpr std::size_t kHeaderBytes = kHeaderWords * sizeof(std::uint32_t);
constexpr std::size_t kIsInitByte = 12;

ChangeStamp load(const std::uint32_t* words) {
  ChangeStamp stamp;
  for (std::size_t i = 0; i < kHeaderWords; ++i) {
    // Another process writes these words: atomic loads, never a torn or cached read.
    stamp.words[i] = __atomic_load_n(words + i, __ATOMIC_RELAXED);
  }
  return stamp;
}

}  // namespace

std::unique_ptr<WalIndexHeader> WalIndexHeader::map(const std::string& database_path) {
  if (database_path.empty()) return nullptr;  // an in-memory or temporary database
  const std::string shm = database_path + "-shm";
  const int fd = ::open(shm.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat info {};
  if (::fstat(fd, &info) != 0 || static_cast<std::size_t>(info.st_size) < 2 * kHeaderBytes) {
    ::close(fd);
    return nullptr;
  }
  const std::size_t size = 2 * kHeaderBytes;
  void* mapping = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (mapping == MAP_FAILED) {
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<WalIndexHeader>(new WalIndexHeader(fd, mapping, size));
}

WalIndexHeader::WalIndexHeader(int fd, const void* mapping, std::size_t size)
    : fd_(fd), mapping_(mapping), size_(size) {}

WalIndexHeader::~WalIndexHeader() {
  ::munmap(const_cast<void*>(mapping_), size_);
  ::close(fd_);
}

std::optional<ChangeStamp> WalIndexHeader::stamp() const {
  const auto* words = static_cast<const std::uint32_t*>(mapping_);
  const ChangeStamp first = load(words);
  // The writer stores the second copy before the first; reading the first before the second
  // (in this order, hence the fence) finds them equal only if neither was being changed.
  std::atomic_thread_fence(std::memory_order_acquire);
  const ChangeStamp second = load(words + kHeaderWords);
  if (first != second) return std::nullopt;
  unsigned char is_init = 0;
  std::memcpy(&is_init, reinterpret_cast<const unsigned char*>(first.words.data()) + kIsInitByte,
              1);
  if (is_init == 0) return std::nullopt;
  return first;
}

}  // namespace authd::store::sqlite
