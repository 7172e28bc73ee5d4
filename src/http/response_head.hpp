// A Response's status line and header fields as they go on the wire, written by hand into one
// string: the answer then leaves in a single write of two buffers (head and body), where Beast's
// serializer allocated a node per field and walked them in several steps on the path every
// request takes (/v1/check answers with ten header fields). A unit test holds the bytes equal
// to what Beast's serializer writes for the same message.
#pragma once

#include <string>

#include "http/message.hpp"

namespace authd::http {

// Status line and fields of `response` for a request of HTTP `version` (10 or 11), ending with
// the empty line: Content-Type, the fields every answer carries (Cache-Control: no-store unless
// the route chose its own, X-Content-Type-Options: nosniff), the route's own fields in order,
// Connection as `keep_alive` needs it for that version, and Content-Length: the body's size (a
// HEAD answer says what GET would send), none for 1xx, 204 and 304, which have no body.
std::string response_head(const Response& response, unsigned version, bool keep_alive);

// Whether a response with this status carries a body (RFC 9110 §6.4.1).
bool status_has_body(unsigned status);

}  // namespace authd::http
