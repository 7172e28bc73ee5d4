#include "core/email.hpp"

#include <algorithm>

namespace authd::core {
namespace {

// HTML's "ASCII whitespace": TAB, LF, FF, CR, SPACE.
bool is_ascii_whitespace(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

bool is_letter_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_local_character(char c) {
  constexpr std::string_view kSymbols = ".!#$%&'*+/=?^_`{|}~-";
  return is_letter_or_digit(c) || kSymbols.find(c) != std::string_view::npos;
}

bool is_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxEmailLabelBytes) return false;
  if (!is_letter_or_digit(label.front()) || !is_letter_or_digit(label.back())) return false;
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return is_letter_or_digit(c) || c == '-'; });
}

bool is_domain(std::string_view domain) {
  for (;;) {
    const auto dot = domain.find('.');
    if (!is_label(domain.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    domain.remove_prefix(dot + 1);
  }
}

}  // namespace

std::optional<CanonicalEmail> canonicalize_email(std::string_view raw) {
  while (!raw.empty() && is_ascii_whitespace(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_ascii_whitespace(raw.back())) raw.remove_suffix(1);
  if (raw.size() > kMaxEmailBytes) return std::nullopt;
  const auto at = raw.find('@');
  if (at == std::string_view::npos || at == 0 || at > kMaxEmailLocalBytes) return std::nullopt;
  const std::string_view local = raw.substr(0, at);
  if (!std::all_of(local.begin(), local.end(), is_local_character)) return std::nullopt;
  if (!is_domain(raw.substr(at + 1))) return std::nullopt;  // also refuses a second '@'

  CanonicalEmail email{std::string(raw), std::string(raw)};
  std::transform(email.key.begin(), email.key.end(), email.key.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return email;
}

}  // namespace authd::core
