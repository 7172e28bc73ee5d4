// Time representation shared by every layer: UTC instants with millisecond precision, and their
// wire form (ISO-8601 with milliseconds, as the seed documents show: 2025-03-26T13:18:37.241Z).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace authd::util {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

inline std::int64_t to_unix_millis(TimePoint t) {
  return t.time_since_epoch().count();
}
inline TimePoint from_unix_millis(std::int64_t ms) {
  return TimePoint{std::chrono::milliseconds{ms}};
}
inline std::int64_t to_unix_seconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

// "2025-03-26T13:18:37.241Z"
std::string to_iso8601(TimePoint t);

}  // namespace authd::util
