#include "core/password_policy.hpp"

#include <zxcvbn.h>

#include <algorithm>
#include <vector>

namespace authd::core {
namespace {

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// UTF-8 code points: every byte that is not a continuation byte starts one.
std::size_t characters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

double guess_bits(std::string_view password, std::span<const std::string> context) {
  // zxcvbn matches its dictionaries in lower case; the context words are given the same way.
  std::vector<std::string> words;
  for (const std::string& word : context) {
    if (!word.empty() && word.find('\0') == std::string::npos) words.push_back(lower_ascii(word));
  }
  std::vector<const char*> dictionary;
  for (const std::string& word : words) dictionary.push_back(word.c_str());
  dictionary.push_back(nullptr);
  const std::string text(password);  // NUL-terminated for the C API
  return ZxcvbnMatch(text.c_str(), dictionary.data(), nullptr);
}

std::optional<AuthError> check_new_password(std::string_view password, const PasswordPolicy& policy,
                                            std::size_t max_bytes,
                                            std::span<const std::string> context) {
  if (password.empty() || password.size() > max_bytes ||
      password.find('\0') != std::string_view::npos) {
    return AuthError::invalid_password;
  }
  if (characters(password) < policy.min_characters) return AuthError::password_too_short;
  if (!policy.forbid_guessable) return std::nullopt;
  // The context itself, in any letter case, is refused outright (zxcvbn would also score it
  // low; this does not depend on how low).
  const std::string lowered = lower_ascii(password);
  for (const std::string& word : context) {
    if (!word.empty() && lowered == lower_ascii(word)) return AuthError::password_too_common;
  }
  if (guess_bits(password, context) < kMinGuessBits) return AuthError::password_too_common;
  return std::nullopt;
}

}  // namespace authd::core
