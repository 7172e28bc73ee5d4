// Time representation shared by every layer: UTC instants with millisecond precision, and their
// wire form (ISO-8601 with milliseconds, as the seed documents show: 2025-03-26T13:18:37.241Z).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// An instant as SQL databases and JSON exports print one, to the millisecond:
//   2026-12-04T15:16:50.183Z        ISO 8601 (what to_iso8601 writes)
//   2026-12-04 15:16:50.183 +00:00  Sequelize on SQLite
//   2026-12-04 15:16:50.183+00      PostgreSQL's timestamptz (DateStyle ISO)
//   2026-12-04 15:16:56             SQLite's CURRENT_TIMESTAMP, MySQL's DATETIME: UTC
// nullopt for anything else (an impossible date included).
std::optional<TimePoint> parse_timestamp(std::string_view text);

}  // namespace authd::util
