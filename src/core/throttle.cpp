#include "core/throttle.hpp"

#include <algorithm>
#include <stdexcept>

#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"

namespace authd::core {
namespace {

// Records are purged (every this many updates) once their forget_at has passed, so counters
// for random keys cannot grow the table without bound.
constexpr std::uint64_t kPurgeEvery = 1000;
// Sustained contention on one key is treated as overload.
constexpr int kMaxCompareAndSetRounds = 32;

std::string_view scope_name(ThrottleScope scope) {
  switch (scope) {
    case ThrottleScope::login_account_network:
      return "login-account-network";
    case ThrottleScope::login_account:
      return "login-account";
    case ThrottleScope::login_network:
      return "login-network";
    case ThrottleScope::registration_network:
      return "registration-network";
    case ThrottleScope::refresh_session:
      return "refresh-session";
    case ThrottleScope::refresh_network:
      return "refresh-network";
    case ThrottleScope::mail_network:
      return "mail-network";
    case ThrottleScope::mail_address_spacing:
      return "mail-address-spacing";
    case ThrottleScope::mail_address_hourly:
      return "mail-address-hourly";
    case ThrottleScope::mail_pace:
      return "mail-pace";
  }
  throw std::logic_error("unknown throttle scope");
}

void append_length_prefixed(std::string& out, std::string_view part) {
  const auto size = static_cast<std::uint64_t>(part.size());
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  out.append(part);
}

}  // namespace

std::string ThrottleKey::encode(std::string_view secret) const {
  std::string parts;
  append_length_prefixed(parts, subject);
  append_length_prefixed(parts, network);
  return std::string(scope_name(scope))
      .append(":")
      .append(crypto::base64url_encode(crypto::hmac_sha256(secret, parts)));
}

store::ThrottleRecord after_failure(store::ThrottleRecord record, util::TimePoint now,
                                    const FailurePolicy& policy) {
  // Quiet is measured from the later of the last failure and the end of the last lock: the
  // next failure soon after a lock ends locks again, for twice as long.
  const util::TimePoint last =
      record.locked_until ? std::max(record.counted_at, *record.locked_until) : record.counted_at;
  if (record.version == 0 || now >= last + policy.quiet) {
    record.failures = 0;
    record.lockouts = 0;
    record.locked_until.reset();
  }
  ++record.failures;
  ++record.consecutive;
  record.counted_at = now;
  if (record.failures >= policy.max_failures) {
    // Every failure at or past the threshold locks again, each time twice as long.
    ++record.lockouts;
    const auto shift = std::min<std::int64_t>(record.lockouts - 1, 20);
    const auto lockout = std::min(policy.first_lockout * (std::int64_t{1} << shift),
                                  std::chrono::seconds(policy.max_lockout));
    record.locked_until = now + lockout;
  }
  record.forget_at = std::max(
      {record.forget_at, now + policy.quiet, record.locked_until.value_or(now) + policy.quiet});
  return record;
}

store::ThrottleRecord after_attempt(store::ThrottleRecord record, util::TimePoint now,
                                    const RatePolicy& policy) {
  if (record.version == 0 || now >= record.counted_at + policy.window) {
    record.failures = 0;
    record.counted_at = now;
    record.locked_until.reset();
  }
  ++record.failures;
  if (record.failures > policy.max_attempts) {
    record.locked_until = record.counted_at + policy.window;
  }
  record.forget_at = record.counted_at + policy.window;
  return record;
}

std::chrono::seconds locked_for(const store::ThrottleRecord& record, util::TimePoint now) {
  if (record.version == 0 || !record.locked_until || now >= *record.locked_until) {
    return std::chrono::seconds(0);
  }
  return std::chrono::ceil<std::chrono::seconds>(*record.locked_until - now);
}

store::ThrottleRecord as_of(store::ThrottleRecord record, util::TimePoint now) {
  if (record.version == 0 || now < record.forget_at) return record;
  return store::ThrottleRecord{.version = record.version};
}

store::Result<std::vector<store::ThrottleRecord>> Throttle::read(
    std::span<const ThrottleKey> keys) {
  std::vector<std::string> encoded;
  encoded.reserve(keys.size());
  for (const ThrottleKey& key : keys) encoded.push_back(key.encode(key_secret_));
  auto records = store_.get_throttles(encoded);
  if (!records) return records.error();
  const util::TimePoint now = clock_.now();
  for (auto& record : *records) record = as_of(record, now);
  return records;
}

store::Result<store::ThrottleRecord> Throttle::update(const ThrottleKey& key,
                                                      const Change& change) {
  const std::string encoded[] = {key.encode(key_secret_)};
  for (int round = 0; round < kMaxCompareAndSetRounds; ++round) {
    auto records = store_.get_throttles(encoded);
    if (!records) return records.error();
    const store::ThrottleRecord current = records->front();
    const util::TimePoint now = clock_.now();
    store::ThrottleRecord next = change(as_of(current, now), now);
    auto stored = store_.put_throttle(encoded[0], current.version, next);
    if (!stored) return stored.error();
    if (!*stored) continue;  // another writer won: apply the change to its record
    if (updates_.fetch_add(1, std::memory_order_relaxed) % kPurgeEvery == kPurgeEvery - 1) {
      (void)store_.purge_throttles(now);
    }
    next.version = current.version + 1;
    return next;
  }
  return store::StoreError::unavailable;
}

store::Result<Throttle::Admission> Throttle::admit(const ThrottleKey& key,
                                                   const RatePolicy& policy) {
  auto stored = update(key, [&policy](store::ThrottleRecord record, util::TimePoint now) {
    return after_attempt(record, now, policy);
  });
  if (!stored) return stored.error();
  return Admission{.wait = locked_for(*stored, clock_.now()),
                   .limit_reached_now = stored->failures == policy.max_attempts + 1};
}

store::Result<void> Throttle::forget(const ThrottleKey& key) {
  return store_.clear_throttle(key.encode(key_secret_));
}

}  // namespace authd::core
