// `authd import`: takes over the accounts of an app authd replaces, all or nothing.
//
// Two passes over the source. The first checks every row against authd's rules (a canonical
// email, a hash authd verifies, valid roles), against the other rows (two rows that are one
// account under authd's email rules, a repeated id) and against the store (an id or email that
// is taken), remembering only a 32-byte digest per row, so a source of millions of accounts
// needs tens of megabytes. Nothing is written when any row has a problem, unless the operator
// chose to skip those rows. The second pass writes the rows in batches, one transaction each.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "import/account_source.hpp"
#include "import/progress.hpp"
#include "store/store.hpp"

namespace authd::import {

struct ImportOptions {
  bool dry_run = false;         // check and report; write nothing
  bool skip_conflicts = false;  // import the rows without problems, list the others
  // An old app's session never expired; carried over, it lives this long from the import (as
  // if its owner had logged in then), like a session authd opens itself.
  std::chrono::seconds session_ttl{std::chrono::hours(24 * 7)};
  std::size_t batch_size = 1000;
};

// A row that was not (or, in a dry run, would not be) imported.
struct RowProblem {
  std::int64_t ordinal = 0;  // 1-based position in the source (the line of a JSON Lines file)
  std::optional<std::int64_t> id{};
  std::string email{};  // as the source holds it
  std::string reason{};
};

struct ImportReport {
  std::int64_t read = 0;
  std::int64_t imported = 0;                    // written, or that a dry run would write
  std::int64_t inactive = 0;                    // of those, accounts that stay unable to log in
  std::int64_t sessions = 0;                    // live sessions carried over
  std::optional<std::int64_t> next_id_above{};  // new accounts' ids start above this
  std::vector<RowProblem> problems{};           // by position in the source
  bool written = false;                         // whether anything was committed
  std::string failure{};  // why the store stopped the import part way (empty: it did not)
};

class Importer {
 public:
  Importer(store::Store& store, const core::Clock& clock, ImportOptions options, Progress& progress)
      : store_(store), clock_(clock), options_(options), progress_(progress) {}

  // Throws SourceError when the source cannot be read.
  ImportReport run(AccountSource& source);

 private:
  store::Store& store_;
  const core::Clock& clock_;
  ImportOptions options_;
  Progress& progress_;
};

}  // namespace authd::import
