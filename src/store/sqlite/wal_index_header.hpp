// A SQLite database's change stamp, read from its WAL index without a read transaction.
//
// In WAL mode, SQLite keeps a header at the start of the WAL index (the "-shm" file, which every
// connection of every process maps) that readers check before each transaction: among other
// things the number of frames in the log, their checksum, the log's salt and a counter that
// every commit increments (https://www.sqlite.org/walformat.html, "The WAL-Index Header"). A
// commit becomes visible to readers only when a new header is published, so an unchanged header
// proves that nothing was committed. The header is kept twice; a writer updates the second
// copy, then the first, and a reader that finds both equal has read a consistent one (what
// SQLite's own walIndexTryHdr does). Taking a read lock costs two fcntl calls and a mutex;
// this is two 48-byte loads.
//
// The header is read through SQLite's own mapping of the index (the VFS's xShmMap), never a
// file handle of ours: closing a second handle on the file would drop every POSIX lock the
// process holds on it, SQLite's included. That mapping lives as long as the connection it was
// asked of: the store keeps that connection open for longer than this object.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>

#include "store/store.hpp"

namespace authd::store::sqlite {

class WalIndexHeader {
 public:
  // The header of the WAL index `db` has mapped, or nullptr when it has none (the database is
  // not in WAL mode, or `db` has not read it yet). Call it before `db` is shared between
  // threads.
  static std::unique_ptr<WalIndexHeader> of(sqlite3* db);

  // The header now; nothing while a writer is publishing a new one (the copies differ) or
  // before SQLite has initialised it.
  std::optional<ChangeStamp> stamp() const;

 private:
  explicit WalIndexHeader(const volatile std::uint32_t* words) : words_(words) {}

  const volatile std::uint32_t* words_;
};

}  // namespace authd::store::sqlite
