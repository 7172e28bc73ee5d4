// Stand-ins the core's unit tests share: a clock the test moves by hand, and password hashing
// parameters cheap enough to run hundreds of times (the algorithms are the real ones).
#pragma once

#include <chrono>

#include "core/clock.hpp"
#include "crypto/password_hasher.hpp"

namespace authd::test {

class ManualClock final : public core::Clock {
 public:
  explicit ManualClock(util::TimePoint now) : now_(now) {}
  util::TimePoint now() const override { return now_; }
  void set(util::TimePoint now) { now_ = now; }
  void advance(std::chrono::milliseconds by) { now_ += by; }

 private:
  util::TimePoint now_;
};

inline crypto::PasswordHashConfig fast_argon2() {
  return {.algorithm = crypto::PasswordAlgorithm::argon2id,
          .argon2_opslimit = 1,
          .argon2_memlimit = 8 * 1024 * 1024,
          .bcrypt_cost = 10};
}

inline crypto::PasswordHashConfig fast_bcrypt() {
  return {.algorithm = crypto::PasswordAlgorithm::bcrypt,
          .argon2_opslimit = 1,
          .argon2_memlimit = 8 * 1024 * 1024,
          .bcrypt_cost = 4};
}

}  // namespace authd::test
