#include "core/password_policy.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>

namespace authd::core {

extern const std::string_view kCommonPasswordsText;  // generated from data/common-passwords.txt

namespace {

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

const std::unordered_set<std::string>& common_passwords() {
  static const std::unordered_set<std::string> list = [] {
    std::unordered_set<std::string> entries;
    std::string_view text = kCommonPasswordsText;
    while (!text.empty()) {
      const auto end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty() && line.front() != '#') entries.insert(lower_ascii(line));
    }
    return entries;
  }();
  return list;
}

// UTF-8 code points: every byte that is not a continuation byte starts one.
std::size_t characters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

bool is_common_password(std::string_view password) {
  return common_passwords().contains(lower_ascii(password));
}

std::optional<AuthError> check_new_password(std::string_view password, const PasswordPolicy& policy,
                                            std::size_t max_bytes) {
  if (password.empty() || password.size() > max_bytes ||
      password.find('\0') != std::string_view::npos) {
    return AuthError::invalid_password;
  }
  if (characters(password) < policy.min_characters) return AuthError::password_too_short;
  if (policy.forbid_common && is_common_password(password)) return AuthError::password_too_common;
  return std::nullopt;
}

}  // namespace authd::core
