#include "http/request_checks.hpp"

#include <algorithm>
#include <cctype>

namespace authd::http {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// A parameter value, unquoted (RFC 9110 §5.6.6: token or quoted-string).
std::string_view unquote(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return value;
}

}  // namespace

bool is_json_media_type(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  if (!iequals(trim(content_type.substr(0, semicolon)), "application/json")) return false;
  while (semicolon != std::string_view::npos) {
    content_type.remove_prefix(semicolon + 1);
    semicolon = content_type.find(';');
    const std::string_view parameter = trim(content_type.substr(0, semicolon));
    if (parameter.empty()) continue;  // "application/json;" is harmless
    const auto equals = parameter.find('=');
    if (equals == std::string_view::npos) return false;
    const std::string_view name = trim(parameter.substr(0, equals));
    const std::string_view value = unquote(trim(parameter.substr(equals + 1)));
    if (iequals(name, "charset") && !iequals(value, "utf-8")) return false;
  }
  return true;
}

namespace {

// The length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](std::size_t i) {
    return i < text.size() && (byte(i) & 0xC0) == 0x80;
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (lead == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (lead == 0xED && byte(1) >= 0xA0) return 0;  // a surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (lead == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (lead == 0xF4 && byte(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

std::string printable_text(std::string_view value, std::size_t max_bytes) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  while (!value.empty()) {
    const std::size_t length = utf8_sequence(value);
    std::string_view piece = length == 0 ? kReplacement : value.substr(0, length);
    value.remove_prefix(length == 0 ? 1 : length);
    if (piece.size() == 1 && (static_cast<unsigned char>(piece[0]) < 0x20 || piece[0] == 0x7F)) {
      continue;
    }
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece);
  }
  return out;
}

}  // namespace authd::http
