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

// The next code point of `text` (advancing it); a byte that does not start a well-formed UTF-8
// sequence stands for itself, as 0xDC00 + byte (never a real character).
char32_t next_code_point(std::string_view& text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  char32_t value = length == 1   ? lead
                   : length == 2 ? lead & 0x1F
                   : length == 3 ? lead & 0x0F
                                 : lead & 0x07;
  if (length == 0 || length > text.size()) length = 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) length = 0;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (length == 0) {
    text.remove_prefix(1);
    return 0xDC00 + lead;
  }
  text.remove_prefix(length);
  return value;
}

// Cyrillic and Greek letters that look like Latin ones.
char latin_lookalike(char32_t c) {
  static constexpr std::pair<char32_t, char> kLookalikes[] = {
      {U'а', 'a'}, {U'в', 'b'}, {U'е', 'e'}, {U'к', 'k'}, {U'м', 'm'}, {U'н', 'h'}, {U'о', 'o'},
      {U'р', 'p'}, {U'с', 'c'}, {U'т', 't'}, {U'у', 'y'}, {U'х', 'x'}, {U'і', 'i'}, {U'ј', 'j'},
      {U'ѕ', 's'}, {U'ԁ', 'd'}, {U'ԛ', 'q'}, {U'ԝ', 'w'}, {U'ү', 'y'}, {U'ӏ', 'l'}, {U'А', 'A'},
      {U'В', 'B'}, {U'Е', 'E'}, {U'К', 'K'}, {U'М', 'M'}, {U'Н', 'H'}, {U'О', 'O'}, {U'Р', 'P'},
      {U'С', 'C'}, {U'Т', 'T'}, {U'Х', 'X'}, {U'І', 'I'}, {U'Ј', 'J'}, {U'Ѕ', 'S'}, {U'Ү', 'Y'},
      {U'α', 'a'}, {U'ο', 'o'}, {U'ρ', 'p'}, {U'ν', 'v'}, {U'ι', 'i'}, {U'κ', 'k'}, {U'τ', 't'},
      {U'υ', 'u'}, {U'χ', 'x'}, {U'Α', 'A'}, {U'Β', 'B'}, {U'Ε', 'E'}, {U'Ζ', 'Z'}, {U'Η', 'H'},
      {U'Ι', 'I'}, {U'Κ', 'K'}, {U'Μ', 'M'}, {U'Ν', 'N'}, {U'Ο', 'O'}, {U'Ρ', 'P'}, {U'Τ', 'T'},
      {U'Υ', 'Y'}, {U'Χ', 'X'}};
  for (const auto& [from, to] : kLookalikes) {
    if (from == c) return to;
  }
  return 0;
}

// Characters that show nothing: zero-width spaces and joiners, word joiners, the byte-order mark,
// soft hyphens and the like.
bool is_invisible(char32_t c) {
  return c == 0xAD || c == 0x34F || c == 0x180E || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF;
}

// The password as a guesser would see it, for the estimate only: full-width forms as ASCII, the
// ideographic space as a space, invisible characters gone, Latin lookalikes as the letters they
// imitate, and every other character as a letter of its own (the same one each time it recurs,
// so a repeated emoji shows as a repetition). zxcvbn's dictionaries are ASCII; without this,
// "ＰＡＳＳＷＯＲＤ１２３" or a Cyrillic "а" in "password" would pass as unguessable.
std::string as_guessed(std::string_view password) {
  static constexpr std::string_view kStandIns = "QZXJKVWYFGHBNMLPRTDSCUOIEA";
  std::vector<char32_t> others;
  std::string out;
  while (!password.empty()) {
    const char32_t c = next_code_point(password);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c >= 0xFF01 && c <= 0xFF5E) {
      out.push_back(static_cast<char>(c - 0xFF01 + 0x21));
    } else if (c == 0x3000) {
      out.push_back(' ');
    } else if (is_invisible(c)) {
      continue;
    } else if (const char latin = latin_lookalike(c); latin != 0) {
      out.push_back(latin);
    } else {
      auto it = std::find(others.begin(), others.end(), c);
      if (it == others.end()) it = others.insert(others.end(), c);
      out.push_back(kStandIns[static_cast<std::size_t>(it - others.begin()) % kStandIns.size()]);
    }
  }
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
  // The lower of two estimates: the password as typed, and as a guesser would see it.
  const std::string text(password);  // NUL-terminated for the C API
  const std::string guessed = as_guessed(password);
  return std::min(ZxcvbnMatch(text.c_str(), dictionary.data(), nullptr),
                  ZxcvbnMatch(guessed.c_str(), dictionary.data(), nullptr));
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
  const std::string lowered = lower_ascii(as_guessed(password));
  for (const std::string& word : context) {
    if (!word.empty() && lowered == lower_ascii(word)) return AuthError::password_too_common;
  }
  if (guess_bits(password, context) < kMinGuessBits) return AuthError::password_too_common;
  return std::nullopt;
}

}  // namespace authd::core
