// The accounts by password hash algorithm, for /metrics (how many imported hashes still wait for
// their owner's next login). Counting reads every account, so it is done at most once a minute,
// however often the metrics are scraped; a failed count keeps the last one.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "crypto/password_hasher.hpp"
#include "observability/metrics.hpp"
#include "store/store.hpp"

namespace authd::observability {

class PasswordHashCensus {
 public:
  PasswordHashCensus(store::Store& store, crypto::PasswordAlgorithm current)
      : store_(store), current_(crypto::name_of(current)) {}

  // The counts (password_hashes and current_algorithm of the gauges).
  StoreGauges read();

 private:
  store::Store& store_;
  const std::string current_;
  std::mutex mutex_;
  bool counted_ = false;
  std::chrono::steady_clock::time_point counted_at_{};
  std::map<std::string, std::int64_t> counts_;
};

}  // namespace authd::observability
