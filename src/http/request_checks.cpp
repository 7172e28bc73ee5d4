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

bool is_chunked_only(std::string_view transfer_encoding) {
  bool chunked = false;
  while (!transfer_encoding.empty()) {
    const auto comma = transfer_encoding.find(',');
    const std::string_view coding = trim(transfer_encoding.substr(0, comma));
    transfer_encoding.remove_prefix(comma == std::string_view::npos ? transfer_encoding.size()
                                                                    : comma + 1);
    if (coding.empty()) continue;
    if (!iequals(coding, "chunked") || chunked) return false;
    chunked = true;
  }
  return chunked;
}

std::optional<std::string_view> header_field_problem(const FieldCounts& counts) {
  if (counts.hosts > 1 || (counts.version >= 11 && counts.hosts == 0)) {
    return "Exactly one Host header is required";
  }
  if (counts.authorizations > 1) return "Duplicate Authorization header";
  if (counts.content_types > 1) return "Duplicate Content-Type header";
  return std::nullopt;
}

}  // namespace authd::http
