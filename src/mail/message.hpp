// An email as authd writes it (RFC 5322 with MIME): a multipart/alternative of a plain-text and
// an HTML part, both UTF-8 in quoted-printable, a Subject in RFC 2047 encoded-words when it is
// not plain ASCII, a Message-ID fixed by the caller (every retry of one message carries the same
// one, so a receiver can drop a duplicate), and Auto-Submitted (RFC 3834: no auto-replies).
// Header values are checked, never repaired: a CR or LF in one would start a header of the
// sender's choosing (header injection), so compose() refuses it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "util/time.hpp"

namespace authd::mail {

struct Message {
  std::string from{};        // an address: "authd@example.com"
  std::string from_name{};   // shown with it; may be empty
  std::string to{};          // an address
  std::string subject{};     // UTF-8
  std::string text{};        // UTF-8
  std::string html{};        // UTF-8
  std::string message_id{};  // without the angle brackets: "<local>@<domain>"
  util::TimePoint date{};
};

// A message compose() refuses: a header value with CR, LF or NUL, text that is not UTF-8, an
// address that is not a plain ASCII addr-spec.
struct InvalidMessage : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// The message as it goes on the wire, with CRLF line endings. The MIME boundary is "=_" and
// `boundary_token` (random): quoted-printable writes every '=' as "=3D", so no body line can
// ever equal it, whatever the body says.
std::string compose(const Message& message, std::string_view boundary_token);

// An address compose() takes: ASCII letters, digits and the addr-spec punctuation, one '@',
// nothing that could end a header or an SMTP command.
bool valid_address(std::string_view address);

// RFC 2047 "B" encoded-words for a header value, folded to lines of at most 76 characters;
// plain ASCII without controls is returned as it is.
std::string encode_header_text(std::string_view utf8);

// RFC 2045 quoted-printable of UTF-8 text with CRLF line breaks (LF and CRLF in the input both
// become CRLF); lines at most 76 characters.
std::string quoted_printable(std::string_view utf8);

// RFC 5322 date-time in UTC: "Sun, 06 Dec 2026 16:03:31 +0000".
std::string rfc5322_date(util::TimePoint at);

}  // namespace authd::mail
