// A user as the core hands it to the wire formats: everything a response may show, and by
// construction nothing it must not (no password hash, no reset-token hash). The store's record
// never leaves the core.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "util/time.hpp"

namespace authd::core {

struct UserView {
  std::int64_t id = 0;
  std::string email{};  // as the user typed it (trimmed)
  std::optional<std::string> first_name{};
  std::optional<std::string> last_name{};
  bool is_active = true;
  bool email_verified = false;  // the owner has proven the mailbox of `email`
  std::optional<util::TimePoint> last_login{};
  std::optional<util::TimePoint> password_reset_expires{};
  util::TimePoint created_at{};
  util::TimePoint updated_at{};
  std::vector<std::string> roles{};  // in the order they were assigned
};

inline UserView view_of(store::UserRecord record) {
  return {.id = record.id,
          .email = std::move(record.email),
          .first_name = std::move(record.first_name),
          .last_name = std::move(record.last_name),
          .is_active = record.is_active,
          .email_verified = record.email_verified_at.has_value(),
          .last_login = record.last_login,
          .password_reset_expires = record.password_reset_expires,
          .created_at = record.created_at,
          .updated_at = record.updated_at,
          .roles = std::move(record.roles)};
}

}  // namespace authd::core
