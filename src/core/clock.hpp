// Time as a dependency: the service asks a Clock, so expiry and lockout rules are tested with a
// manual clock instead of sleeping.
#pragma once

#include "util/time.hpp"

namespace authd::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual util::TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  util::TimePoint now() const override {
    return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }
};

}  // namespace authd::core
