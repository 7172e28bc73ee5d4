#include "import/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace authd::import {
namespace {

using Clock = std::chrono::steady_clock;

std::string duration_text(double seconds) {
  const long whole = std::lround(seconds);
  char out[32];
  if (whole >= 3600) {
    std::snprintf(out, sizeof out, "%ldh%02ldm", whole / 3600, whole / 60 % 60);
  } else if (whole >= 60) {
    std::snprintf(out, sizeof out, "%ldm%02lds", whole / 60, whole % 60);
  } else {
    std::snprintf(out, sizeof out, "%lds", whole);
  }
  return out;
}

class StderrProgress final : public Progress {
 public:
  explicit StderrProgress(bool terminal)
      : terminal_(terminal),
        interval_(terminal ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000)) {}

  void start(std::string phase, std::optional<std::int64_t> total) override {
    phase_ = std::move(phase);
    total_ = total;
    started_ = last_shown_ = Clock::now();
  }

  void update(std::int64_t done) override {
    // Checked every 1,024 rows: reading the clock for each of millions of rows would show.
    if ((done & 1023) != 0) return;
    const auto now = Clock::now();
    if (now - last_shown_ < interval_) return;
    last_shown_ = now;
    show(done, now, /*final=*/false);
  }

  void finish(std::int64_t done) override { show(done, Clock::now(), /*final=*/true); }

 private:
  void show(std::int64_t done, Clock::time_point now, bool final) {
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    std::string line = phase_ + " ";
    char numbers[160];
    if (total_ && *total_ > 0) {
      const double fraction =
          std::min(1.0, static_cast<double>(done) / static_cast<double>(*total_));
      if (terminal_) {
        constexpr int kWidth = 30;
        const int filled = static_cast<int>(fraction * kWidth);
        line += "[" + std::string(static_cast<std::size_t>(filled), '#') +
                std::string(static_cast<std::size_t>(kWidth - filled), '.') + "] ";
      }
      const double left = rate > 0 ? static_cast<double>(*total_ - done) / rate : 0;
      std::snprintf(numbers, sizeof numbers, "%3.0f%% %lld/%lld users, %.0f/s", fraction * 100,
                    static_cast<long long>(done), static_cast<long long>(*total_), rate);
      line += numbers;
      line += final ? ", " + duration_text(elapsed) : ", ETA " + duration_text(left);
    } else {
      std::snprintf(numbers, sizeof numbers, "%lld users, %.0f/s, %s", static_cast<long long>(done),
                    rate, duration_text(elapsed).c_str());
      line += numbers;
    }
    if (terminal_) {
      std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  }

  bool terminal_;
  std::chrono::milliseconds interval_;
  std::string phase_;
  std::optional<std::int64_t> total_;
  Clock::time_point started_, last_shown_;
};

class NoProgress final : public Progress {
 public:
  void start(std::string, std::optional<std::int64_t>) override {}
  void update(std::int64_t) override {}
  void finish(std::int64_t) override {}
};

}  // namespace

std::unique_ptr<Progress> progress_on_stderr(bool quiet) {
  if (quiet) return std::make_unique<NoProgress>();
  return std::make_unique<StderrProgress>(::isatty(STDERR_FILENO) == 1);
}

}  // namespace authd::import
