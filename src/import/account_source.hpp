// The accounts of an app authd replaces, as its database (or an export) holds them, before
// authd's rules are applied: what each import format reads, and what the importer checks.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "util/time.hpp"

namespace authd::import {

// A live session of the old app: its token as that app stored it (in clear).
struct SourceSession {
  std::string token{};
  std::optional<util::TimePoint> issued_at{};  // when the token was last set
};

struct SourceAccount {
  std::int64_t ordinal = 0;          // 1-based position in the source, for messages about a row
  std::optional<std::int64_t> id{};  // nullopt: the row's id is missing or not an integer
  std::string email{};               // as stored, untrimmed
  std::string password_hash{};
  std::optional<std::string> first_name{};
  std::optional<std::string> last_name{};
  bool is_active = true;
  std::optional<util::TimePoint> last_login{};
  std::optional<util::TimePoint> created_at{};
  std::optional<util::TimePoint> updated_at{};
  std::vector<std::string> roles{};  // in the order the old app granted them
  std::optional<SourceSession> session{};
  // Why this row cannot be read as an account (a value of the wrong type, a bad timestamp);
  // empty when it can.
  std::string defect{};
};

// A source read twice: once to check every row, once to write. Both passes see the same rows
// in the same order (ascending id for the databases).
class AccountSource {
 public:
  virtual ~AccountSource() = default;
  // How many accounts the source holds, if it can tell cheaply (for progress).
  virtual std::optional<std::int64_t> count() = 0;
  // Calls `on_account` for every account, in order. Throws SourceError.
  virtual void for_each(const std::function<void(SourceAccount&&)>& on_account) = 0;
  // The old app's id sequence: the highest id it ever gave, which may be above its highest
  // remaining one (deleted accounts), or nothing when the source does not say.
  virtual std::optional<std::int64_t> highest_id_given() = 0;
};

}  // namespace authd::import
