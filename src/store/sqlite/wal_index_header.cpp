#include "store/sqlite/wal_index_header.hpp"

#include <atomic>
#include <cstring>

namespace authd::store::sqlite {
namespace {

// The WalIndexHdr: 48 bytes, twice, at the start of the index; isInit is its byte 12.
constexpr std::size_t kHeaderWords = 12;
constexpr std::size_t kIsInitByte = 12;
// The size SQLite maps the index in (WALINDEX_PGSZ); region 0 starts with the headers.
constexpr int kIndexRegionBytes = 32768;

ChangeStamp load(const volatile std::uint32_t* words) {
  ChangeStamp stamp;
  for (std::size_t i = 0; i < kHeaderWords; ++i) {
    // Another process writes these words: atomic loads, never a torn or cached read.
    stamp.words[i] = __atomic_load_n(words + i, __ATOMIC_ACQUIRE);
  }
  return stamp;
}

}  // namespace

std::unique_ptr<WalIndexHeader> WalIndexHeader::of(sqlite3* db) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr || file->pMethods->iVersion < 2 ||
      file->pMethods->xShmMap == nullptr) {
    return nullptr;
  }
  // bExtend 0: the region SQLite has mapped already, or nothing; never a new mapping.
  volatile void* region = nullptr;
  if (file->pMethods->xShmMap(file, 0, kIndexRegionBytes, 0, &region) != SQLITE_OK ||
      region == nullptr) {
    return nullptr;
  }
  return std::unique_ptr<WalIndexHeader>(
      new WalIndexHeader(static_cast<const volatile std::uint32_t*>(region)));
}

std::optional<ChangeStamp> WalIndexHeader::stamp() const {
  // The writer stores the second copy before the first; reading the first before the second
  // (acquire loads keep this order, and keep the caller's later reads of the database after
  // them) finds them equal only if neither was being changed.
  const ChangeStamp first = load(words_);
  const ChangeStamp second = load(words_ + kHeaderWords);
  if (first != second) return std::nullopt;
  unsigned char is_init = 0;
  std::memcpy(&is_init, reinterpret_cast<const unsigned char*>(first.words.data()) + kIsInitByte,
              1);
  if (is_init == 0) return std::nullopt;
  return first;
}

}  // namespace authd::store::sqlite
