// A SQLite database's change stamp, read from its WAL index without a read transaction.
//
// In WAL mode, SQLite keeps a header at the start of the "-shm" file that every connection, in
// every process, maps and reads before each transaction: among other things the number of
// frames in the log, their checksum, the log's salt and a counter that every commit increments
// (https://www.sqlite.org/walformat.html, "The WAL-Index Header"). A commit becomes visible to
// readers only when a new header is published, so an unchanged header proves that nothing was
// committed. The header is kept twice; a writer updates the second copy, then the first, and a
// reader that finds both equal has read a consistent one (what SQLite's own walIndexTryHdr
// does). Taking a read lock costs two fcntl calls and a mutex; this is two 48-byte loads.
//
// The mapping is of the same file SQLite maps for the store's connections, opened after them
// and dropped before them: while they are open, SQLite never truncates or replaces the file.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "store/store.hpp"

namespace authd::store::sqlite {

class WalIndexHeader {
 public:
  // The header of the database at `database_path` (as SQLite names it, sqlite3_db_filename),
  // or nullptr when it has no WAL index to map (not in WAL mode, or the file cannot be read).
  static std::unique_ptr<WalIndexHeader> map(const std::string& database_path);
  ~WalIndexHeader();
  WalIndexHeader(const WalIndexHeader&) = delete;
  WalIndexHeader& operator=(const WalIndexHeader&) = delete;

  // The header now; nothing while a writer is publishing a new one (the copies differ) or
  // before SQLite has initialised it.
  std::optional<ChangeStamp> stamp() const;

 private:
  WalIndexHeader(int fd, const void* mapping, std::size_t size);

  int fd_;
  const void* mapping_;
  std::size_t size_;
};

}  // namespace authd::store::sqlite
