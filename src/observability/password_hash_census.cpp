#include "observability/password_hash_census.hpp"

namespace authd::observability {

StoreGauges PasswordHashCensus::read() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!counted_ || now - counted_at_ >= std::chrono::minutes(1)) {
    if (auto schemes = store_.count_password_schemes()) {
      counts_.clear();
      for (const auto& [scheme, count] : *schemes) {
        counts_[crypto::algorithm_of_scheme(scheme)] += count;
      }
      counted_ = true;
      counted_at_ = now;
    }
  }
  return {.password_hashes = counts_, .current_algorithm = current_};
}

}  // namespace authd::observability
