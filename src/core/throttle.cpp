#include "core/throttle.hpp"

#include <algorithm>

namespace authd::core {

store::ThrottleRecord after_failure(store::ThrottleRecord record, util::TimePoint now,
                                    const ThrottlePolicy& policy) {
  const bool locked = record.locked_until && now < *record.locked_until;
  const bool quiet = record.version == 0 || now >= record.window_start + policy.window;
  if (quiet && !locked) {
    record.failures = 0;
    record.lockouts = 0;
    record.locked_until.reset();
    record.window_start = now;
  }
  ++record.failures;
  if (record.failures >= policy.max_failures) {
    // Every failure at or past the threshold locks again, each time twice as long.
    ++record.lockouts;
    const auto shift = std::min<std::int64_t>(record.lockouts - 1, 20);
    const auto lockout = std::min(policy.first_lockout * (std::int64_t{1} << shift),
                                  std::chrono::seconds(policy.max_lockout));
    record.locked_until = now + lockout;
    // Counting goes on for a whole window after the lock ends: the next failure in it locks
    // again for twice as long; only a quiet window forgets the key.
    record.window_start = *record.locked_until;
  }
  return record;
}

store::Result<ThrottleStatus> Throttle::status(std::string_view key) {
  if (key.empty()) return ThrottleStatus{};
  auto record = store_.get_throttle(key);
  if (!record) return record.error();
  ThrottleStatus status{.tracked = record->version != 0};
  const auto now = clock_.now();
  if (record->locked_until && now < *record->locked_until) {
    // Rounded up: a client that waits Retry-After seconds finds the lock gone.
    status.locked_for = std::chrono::ceil<std::chrono::seconds>(*record->locked_until - now);
  }
  return status;
}

store::Result<void> Throttle::record_failure(std::string_view key, const ThrottlePolicy& policy) {
  // Optimistic: read, compute, write if nobody wrote in between; another instance's concurrent
  // failure makes us recount on top of it.
  for (int attempt = 0; attempt < 32; ++attempt) {
    auto record = store_.get_throttle(key);
    if (!record) return record.error();
    const std::int64_t version = record->version;
    auto stored = store_.put_throttle(key, version, after_failure(*record, clock_.now(), policy));
    if (!stored) return stored.error();
    if (*stored) {
      if (++recorded_ % 1000 == 0) {
        const auto now = clock_.now();
        (void)store_.purge_throttles(now - kThrottleRecordLifetime, now);
      }
      return {};
    }
  }
  return store::StoreError::unavailable;  // sustained contention on one key: treat as overload
}

}  // namespace authd::core
