// Counters against brute force and floods, kept in the store so every instance sees the same
// counts. Two kinds of rule share one record type:
// - failure counters (logins): past a threshold the key is locked for a while, doubling with
//   each further failure up to a cap; a key is forgotten only after a quiet window with no
//   failure (steady guessing, however slow, keeps being counted);
// - rate limits (registrations, refreshes): at most N attempts in a fixed window that starts
//   with the first one.
// Keys are built from separate fields and MACed with length prefixes under a server secret, so
// no email, session id or address can be crafted to name another key (or another kind of key),
// and the throttles table holds no email, not even one a dictionary could recover from a hash.
#pragma once

#include <atomic>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace authd::core {

enum class ThrottleScope {
  login_account_network,  // one account from one client network
  login_account,          // one account from every network
  login_network,          // one client network, any account
  registration_network,   // registrations from one client network
  refresh_session,        // refreshes of one /v1 session
  refresh_network,        // refreshes from one client network
  mail_network,           // the routes that send mail, from one client network
  mail_address_spacing,   // mails of one purpose to one address: the gap between two
  mail_address_hourly,    // mails of one purpose to one address in an hour
  mail_pace,              // every mail every instance sends (no subject, no network)
};

struct ThrottleKey {
  ThrottleScope scope;
  std::string subject{};  // the canonical email or the session id; empty when the scope has none
  std::string network{};  // the client network; empty when the scope has none

  // "<scope>:<base64url of HMAC-SHA256 under `secret` over the length-prefixed subject and
  // network>": injective in (scope, subject, network).
  std::string encode(std::string_view secret) const;
};

struct FailurePolicy {
  std::int64_t max_failures = 10;          // counted failures before the first lockout
  std::chrono::seconds quiet{15 * 60};     // forgotten after this long without a failure
  std::chrono::seconds first_lockout{60};  // then doubles with every further failure
  std::chrono::seconds max_lockout{15 * 60};
};

struct RatePolicy {
  std::int64_t max_attempts = 20;
  std::chrono::seconds window{60 * 60};  // fixed, from the window's first attempt
};

// The rules, free of storage for testing. Each returns the record to store.
// One more failure at `now`; `consecutive` counts on until a success resets it.
store::ThrottleRecord after_failure(store::ThrottleRecord record, util::TimePoint now,
                                    const FailurePolicy& policy);
// One more attempt at `now` against a rate limit; over the limit, the key is locked until the
// window ends.
store::ThrottleRecord after_attempt(store::ThrottleRecord record, util::TimePoint now,
                                    const RatePolicy& policy);
// How long the record refuses attempts from `now`, rounded up to whole seconds (a client that
// waits Retry-After seconds finds the lock gone); zero when it does not.
std::chrono::seconds locked_for(const store::ThrottleRecord& record, util::TimePoint now);
// The record as the rules see it at `now`: once its forget_at has passed it counts as new (its
// version kept, for the compare-and-set), whether or not a purge has deleted it yet.
store::ThrottleRecord as_of(store::ThrottleRecord record, util::TimePoint now);

class Throttle {
 public:
  using Change = std::function<store::ThrottleRecord(store::ThrottleRecord, util::TimePoint)>;

  // `key_secret` keys the MAC of every key (core::derive_secret from the key-encryption key; every
  // instance needs the same).
  Throttle(store::Store& store, const Clock& clock, std::string key_secret)
      : store_(store), clock_(clock), key_secret_(std::move(key_secret)) {}

  // The records of `keys` (at most store::kMaxThrottleKeys) in one read, as of now (as_of);
  // version 0 where there is none.
  store::Result<std::vector<store::ThrottleRecord>> read(std::span<const ThrottleKey> keys);

  // Applies `change` to the record of `key` by compare-and-set (another instance's concurrent
  // change makes it re-read and apply again) and returns what was stored.
  store::Result<store::ThrottleRecord> update(const ThrottleKey& key, const Change& change);

  struct Admission {
    std::chrono::seconds wait{0};    // zero when the attempt is allowed
    bool limit_reached_now = false;  // this attempt was the first one over the limit
  };
  // Counts one attempt against a rate limit.
  store::Result<Admission> admit(const ThrottleKey& key, const RatePolicy& policy);

  // Deletes the record of `key`.
  store::Result<void> forget(const ThrottleKey& key);

  const Clock& clock() const { return clock_; }

 private:
  store::Store& store_;
  const Clock& clock_;
  std::string key_secret_;
  std::atomic<std::uint64_t> updates_{0};
};

}  // namespace authd::core
