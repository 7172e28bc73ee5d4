// Checks on request headers, as pure functions (unit-tested without a server).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace authd::http {

// True for application/json in any letter case, with no parameters or with charset=utf-8 (the
// only encoding JSON is exchanged in, RFC 8259 §8.1). Any other charset, or a parameter that
// does not parse, is false: a body in another encoding must not be read as UTF-8 (415).
bool is_json_media_type(std::string_view content_type);

// True when a Transfer-Encoding list (all its field lines joined with commas) names exactly one
// coding, chunked, in any letter case, empty elements aside. authd applies no other coding, so
// a body in "gzip, chunked" would be read as raw bytes: RFC 9112 §6.1 answers such requests 501.
bool is_chunked_only(std::string_view transfer_encoding);

// How often the fields that must appear at most once (or exactly once) came in a request.
struct FieldCounts {
  unsigned version = 11;  // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::size_t hosts = 0;
  std::size_t authorizations = 0;
  std::size_t content_types = 0;
};

// What is wrong with them, or nothing: HTTP/1.1 needs exactly one Host and no version may send
// two (RFC 9112 §3.2); two Authorization or Content-Type values leave anyone guessing which
// one counts.
std::optional<std::string_view> header_field_problem(const FieldCounts& counts);

}  // namespace authd::http
