#include "util/time.hpp"

#include <cstdio>
#include <optional>

namespace authd::util {

std::string to_iso8601(TimePoint t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char out[80];  // large enough for any field width GCC can prove
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                long(hms.minutes().count()), long(hms.seconds().count()),
                long(hms.subseconds().count()));
  return out;
}

namespace {

// Reads exactly `digits` decimal digits at `at`, advancing it.
std::optional<int> read_number(std::string_view text, std::size_t& at, std::size_t digits) {
  if (at + digits > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  at += digits;
  return value;
}

bool expect(std::string_view text, std::size_t& at, char c) {
  if (at >= text.size() || text[at] != c) return false;
  ++at;
  return true;
}

}  // namespace

std::optional<TimePoint> parse_timestamp(std::string_view text) {
  using namespace std::chrono;
  std::size_t at = 0;
  const auto year = read_number(text, at, 4);
  if (!year || !expect(text, at, '-')) return std::nullopt;
  const auto month = read_number(text, at, 2);
  if (!month || !expect(text, at, '-')) return std::nullopt;
  const auto day = read_number(text, at, 2);
  if (!day || at >= text.size() || (text[at] != 'T' && text[at] != ' ')) return std::nullopt;
  ++at;
  const auto hour = read_number(text, at, 2);
  if (!hour || !expect(text, at, ':')) return std::nullopt;
  const auto minute = read_number(text, at, 2);
  if (!minute || !expect(text, at, ':')) return std::nullopt;
  const auto second = read_number(text, at, 2);
  if (!second) return std::nullopt;
  int millis = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    int scale = 100;
    const std::size_t first = at;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
      millis += (text[at] - '0') * scale;
      scale /= 10;
    }
    if (at == first) return std::nullopt;
  }
  if (at < text.size() && text[at] == ' ') ++at;
  minutes offset{0};
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '-' ? -1 : 1;
    ++at;
    const auto hours = read_number(text, at, 2);
    if (!hours) return std::nullopt;
    int mins = 0;
    if (at < text.size()) {
      expect(text, at, ':');
      const auto m = read_number(text, at, 2);
      if (!m) return std::nullopt;
      mins = *m;
    }
    offset = minutes(sign * (*hours * 60 + mins));
  }
  if (at != text.size()) return std::nullopt;
  const year_month_day date{std::chrono::year(*year), std::chrono::month(unsigned(*month)),
                            std::chrono::day(unsigned(*day))};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  return TimePoint{sys_days(date).time_since_epoch() + hours(*hour) + minutes(*minute) +
                   seconds(*second) + milliseconds(millis)} -
         offset;
}

}  // namespace authd::util
