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

}  // namespace

std::optional<std::string_view> framing_problem(std::optional<std::string_view> transfer_encoding,
                                                bool has_content_length) {
  if (!transfer_encoding) return std::nullopt;
  if (has_content_length) return "Transfer-Encoding together with Content-Length";
  std::string_view codings = trim(*transfer_encoding);
  // Empty list elements ("chunked, ,") are allowed and ignored (RFC 9110 §5.6.1).
  while (!codings.empty() && codings.back() == ',')
    codings = trim(codings.substr(0, codings.size() - 1));
  const auto comma = codings.rfind(',');
  const std::string_view last =
      trim(comma == std::string_view::npos ? codings : codings.substr(comma + 1));
  if (!iequals(last, "chunked")) return "Transfer-Encoding does not end in chunked";
  return std::nullopt;
}

bool is_json_media_type(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  return iequals(trim(content_type.substr(0, semicolon)), "application/json");
}

}  // namespace authd::http
