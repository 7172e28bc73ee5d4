#include "http/response_head.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <ostream>  // before Beast: boost/core/detail/string_view.hpp 1.81 uses it undeclared

namespace authd::http {
namespace {

bool has_field(const Response& response, std::string_view name) {
  return std::any_of(response.headers.begin(), response.headers.end(), [name](const auto& field) {
    return boost::beast::iequals(field.first, name);
  });
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

void append_number(std::string& out, std::size_t value) {
  char digits[24];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
  out.append(digits, end);
}

}  // namespace

bool status_has_body(unsigned status) {
  return status >= 200 && status != 204 && status != 304;
}

std::string response_head(const Response& response, unsigned version, bool keep_alive) {
  std::string out;
  out.reserve(256);
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_number(out, response.status);
  out.push_back(' ');
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status));
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  if (!response.content_type.empty()) append_field(out, "Content-Type", response.content_type);
  // Every response may carry credentials or account data: never cached unless the route says
  // otherwise (public documents such as the JWKS), never sniffed.
  if (!has_field(response, "Cache-Control")) append_field(out, "Cache-Control", "no-store");
  append_field(out, "X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : response.headers) append_field(out, name, value);
  // HTTP/1.1 keeps a connection unless told otherwise, HTTP/1.0 closes one unless asked.
  if (version == 10 && keep_alive) append_field(out, "Connection", "keep-alive");
  if (version != 10 && !keep_alive) append_field(out, "Connection", "close");
  if (status_has_body(response.status)) {
    out.append("Content-Length: ");
    append_number(out, response.body.size());
    out.append("\r\n");
  }
  out.append("\r\n");
  return out;
}

}  // namespace authd::http
