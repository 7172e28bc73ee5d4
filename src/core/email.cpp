#include "core/email.hpp"

#include <algorithm>

namespace authd::core {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
bool is_control_or_space(unsigned char c) {
  return c <= 0x20 || c == 0x7f;
}

}  // namespace

std::optional<CanonicalEmail> canonicalize_email(std::string_view raw) {
  while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
  if (raw.size() > kMaxEmailBytes) return std::nullopt;
  if (std::any_of(raw.begin(), raw.end(),
                  [](char c) { return is_control_or_space(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  const auto at = raw.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == raw.size()) return std::nullopt;
  if (at > kMaxEmailLocalBytes) return std::nullopt;

  CanonicalEmail email{std::string(raw), std::string(raw)};
  std::transform(email.key.begin(), email.key.end(), email.key.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return email;
}

}  // namespace authd::core
