#include "core/login_guard.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/security_log.hpp"

namespace authd::core {
namespace {

// A remembered network is refreshed at most this often, so that an owner logging in many
// times a day costs one extra write a day, not one per login.
constexpr std::chrono::hours kRefreshKnownNetworkAfter{24};

const store::ThrottleRecord* record_of(const LoginGuard::Attempt& attempt, ThrottleScope scope) {
  for (std::size_t i = 0; i < attempt.keys.size(); ++i) {
    if (attempt.keys[i].scope == scope) return &attempt.records[i];
  }
  return nullptr;
}

const FailurePolicy& rule_for(const LoginGuardPolicy& policy, ThrottleScope scope) {
  switch (scope) {
    case ThrottleScope::login_account_network:
      return policy.per_account_network;
    case ThrottleScope::login_account:
      return policy.per_account;
    default:
      return policy.per_network;
  }
}

// How long a record at or over the cap refuses: until a success resets it, or until it is old
// enough to forget.
std::chrono::seconds capped_for(const store::ThrottleRecord& record, std::int64_t cap,
                                util::TimePoint now) {
  if (record.version == 0 || record.consecutive < cap) return std::chrono::seconds(0);
  return std::max(std::chrono::ceil<std::chrono::seconds>(record.forget_at - now),
                  std::chrono::seconds(1));
}

std::string_view lockout_scope(ThrottleScope scope) {
  switch (scope) {
    case ThrottleScope::login_account_network:
      return "account_network";
    case ThrottleScope::login_account:
      return "account";
    default:
      return "address";
  }
}

}  // namespace

boost::system::result<LoginGuard::Attempt, AuthFailure> LoginGuard::admit(
    const std::string& account, const ClientInfo& client) {
  Attempt attempt;
  if (!client.network.empty()) {
    attempt.keys.push_back({ThrottleScope::login_account_network, account, client.network});
  }
  attempt.keys.push_back({ThrottleScope::login_account, account, {}});
  if (!client.network.empty()) {
    attempt.keys.push_back({ThrottleScope::login_network, {}, client.network});
  }
  auto records = throttle_.read(attempt.keys);
  if (!records) {
    events_.store_error();
    return AuthError::store_unavailable;
  }
  attempt.records = std::move(*records);

  const util::TimePoint now = throttle_.clock().now();
  const store::ThrottleRecord* pair = record_of(attempt, ThrottleScope::login_account_network);
  const store::ThrottleRecord& whole = *record_of(attempt, ThrottleScope::login_account);
  const store::ThrottleRecord* network = record_of(attempt, ThrottleScope::login_network);
  attempt.known_network = pair != nullptr && pair->version != 0 && pair->last_success &&
                          now < *pair->last_success + policy_.remember;

  std::chrono::seconds wait{0};
  if (pair != nullptr) wait = std::max(wait, locked_for(*pair, now));
  if (network != nullptr) wait = std::max(wait, locked_for(*network, now));
  if (attempt.known_network) {
    wait = std::max(wait, capped_for(*pair, policy_.consecutive_cap, now));
  } else {
    wait = std::max(wait, locked_for(whole, now));
    wait = std::max(wait, capped_for(whole, policy_.consecutive_cap, now));
  }
  if (wait.count() > 0) {
    log_security_event("login_throttled", client, {{"retry_after", wait.count()}});
    events_.login("throttled");
    return AuthFailure{AuthError::throttled, wait};
  }
  return attempt;
}

boost::system::result<void, AuthFailure> LoginGuard::failed(const Attempt& attempt,
                                                            bool account_exists,
                                                            const ClientInfo& client) {
  bool counted = true;
  for (const ThrottleKey& key : attempt.keys) {
    const FailurePolicy& rule = rule_for(policy_, key.scope);
    // Which counters must remember their consecutive failures for the cap: an existing
    // account's, and a known network's for that account.
    const bool remembers =
        account_exists &&
        (key.scope == ThrottleScope::login_account ||
         (key.scope == ThrottleScope::login_account_network && attempt.known_network));
    auto stored = throttle_.update(key, [&](store::ThrottleRecord record, util::TimePoint now) {
      record = after_failure(record, now, rule);
      if (remembers) record.forget_at = std::max(record.forget_at, now + policy_.remember);
      return record;
    });
    if (!stored) {
      // Keep counting the other keys: each one that holds is a limit that still works.
      spdlog::warn("auth: could not count a failed login: {}", stored.error().message());
      counted = false;
      continue;
    }
    const util::TimePoint now = throttle_.clock().now();
    const auto locked = locked_for(*stored, now);
    const bool cap_reached = remembers && stored->consecutive == policy_.consecutive_cap;
    if (locked.count() > 0 && stored->failures >= rule.max_failures) {
      events_.lockout(lockout_scope(key.scope));
      log_security_event("lockout", client,
                         {{"scope", lockout_scope(key.scope)}, {"seconds", locked.count()}});
    }
    if (cap_reached) {
      events_.lockout("account_cap");
      log_security_event("lockout", client,
                         {{"scope", "account_cap"}, {"consecutive_failures", stored->consecutive}});
    }
  }
  if (!counted) {
    events_.store_error();
    return AuthError::store_unavailable;
  }
  return {};
}

void LoginGuard::succeeded(const Attempt& attempt) {
  const util::TimePoint now = throttle_.clock().now();
  for (std::size_t i = 0; i < attempt.keys.size(); ++i) {
    const ThrottleKey& key = attempt.keys[i];
    const store::ThrottleRecord& seen = attempt.records[i];
    store::Result<void> done;
    if (key.scope == ThrottleScope::login_account_network) {
      const bool fresh = seen.version != 0 && seen.failures == 0 && !seen.locked_until &&
                         seen.last_success && now < *seen.last_success + kRefreshKnownNetworkAfter;
      if (fresh) continue;
      auto stored = throttle_.update(key, [this](store::ThrottleRecord record, util::TimePoint at) {
        record.failures = 0;
        record.lockouts = 0;
        record.consecutive = 0;
        record.locked_until.reset();
        record.counted_at = at;
        record.last_success = at;
        record.forget_at = at + policy_.remember;
        return record;
      });
      if (!stored) done = stored.error();
    } else if (key.scope == ThrottleScope::login_account) {
      // Forgotten when it holds anything a success clears (not the network counter: one good
      // login among many failures from a network does not clear that network).
      if (seen.version == 0) continue;
      done = throttle_.forget(key);
    }
    if (!done) spdlog::warn("auth: could not reset login counters: {}", done.error().message());
  }
}

}  // namespace authd::core
