// Brute-force and credential-stuffing protection: failures are counted per key (an account, a
// client address) in the store, so every instance sees the same counts. Past a threshold within
// a window the key is locked for a while, doubling with each further lockout up to a cap, so an
// attacker is slowed down without being able to lock a victim out for long.
#pragma once

#include <atomic>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace authd::core {

struct ThrottlePolicy {
  std::int64_t max_failures = 10;          // counted failures before the first lockout
  std::chrono::seconds window{15 * 60};    // a key is forgotten after this much quiet
  std::chrono::seconds first_lockout{60};  // then doubles with every further failure
  std::chrono::seconds max_lockout{15 * 60};
};

struct ThrottleStatus {
  std::chrono::seconds locked_for{0};  // zero when not locked
  bool tracked = false;                // a counter exists (so a success has one to reset)
};

class Throttle {
 public:
  Throttle(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Where `key` stands now; an empty key is never tracked (and costs no store call).
  store::Result<ThrottleStatus> status(std::string_view key);

  // Counts one failure (or, for rate limits, one attempt) against `key`.
  store::Result<void> record_failure(std::string_view key, const ThrottlePolicy& policy);

  // Forgets `key` (a successful login resets its account's counter).
  store::Result<void> reset(std::string_view key) { return store_.clear_throttle(key); }

 private:
  store::Store& store_;
  const Clock& clock_;
  std::atomic<std::uint64_t> recorded_{0};
};

// Records untouched for this long are deleted (every 1000th recorded failure purges), so
// failures against random keys cannot grow the table without bound. Longer than any window.
inline constexpr std::chrono::hours kThrottleRecordLifetime{24};

// The record after one more failure at `now`: the rule itself, free of storage for testing.
store::ThrottleRecord after_failure(store::ThrottleRecord record, util::TimePoint now,
                                    const ThrottlePolicy& policy);

}  // namespace authd::core
