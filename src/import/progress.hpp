// How far a long import has come, on standard error: a bar with the rate and the time left when
// it is a terminal, a plain line every few seconds otherwise (a log file, CI).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace authd::import {

class Progress {
 public:
  virtual ~Progress() = default;
  // A new phase ("checking", "writing") over `total` rows when known.
  virtual void start(std::string phase, std::optional<std::int64_t> total) = 0;
  // `done` rows of the phase so far; cheap to call for every row.
  virtual void update(std::int64_t done) = 0;
  // The phase ended after `done` rows.
  virtual void finish(std::int64_t done) = 0;
};

// Standard error as a terminal or as a log, whichever it is; `quiet` shows nothing.
std::unique_ptr<Progress> progress_on_stderr(bool quiet);

}  // namespace authd::import
