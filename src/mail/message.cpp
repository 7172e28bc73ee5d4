#include "mail/message.hpp"

#include <array>
#include <ctime>

#include "crypto/base64url.hpp"
#include "util/text.hpp"

namespace authd::mail {
namespace {

constexpr std::size_t kMaxLine = 76;
constexpr std::string_view kCrlf = "\r\n";
constexpr char kHex[] = "0123456789ABCDEF";

bool has_line_break_or_nul(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// A header value from the caller: refused, not cleaned, when it could end the header.
void check_header_value(std::string_view name, std::string_view value) {
  if (has_line_break_or_nul(value)) {
    throw InvalidMessage(std::string(name) + " holds a line break or NUL");
  }
}

void check_text(std::string_view name, std::string_view value) {
  // Line breaks are the text's own; other controls (and bytes that are not UTF-8) are not.
  std::string without_breaks(value);
  for (char& c : without_breaks) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (util::has_control_characters(without_breaks)) {
    throw InvalidMessage(std::string(name) + " is not UTF-8 text");
  }
}

bool plain_ascii(std::string_view text) {
  for (const unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// Standard base64 (RFC 2045), from the base64url the crypto layer writes.
std::string base64(std::string_view bytes) {
  std::string text = crypto::base64url_encode(bytes);
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text += '=';
  return text;
}

// The length of the UTF-8 sequence starting with `lead` (1 for a stray byte, which
// check_text has already refused).
std::size_t sequence_length(unsigned char lead) {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

std::string header(std::string_view name, std::string_view value) {
  return std::string(name) + ": " + std::string(value) + std::string(kCrlf);
}

}  // namespace

bool valid_address(std::string_view address) {
  const auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos || address.size() > 254) {
    return false;
  }
  for (const unsigned char c : address) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') ||
                         std::string_view(".!#$%&'*+/=?^_`{|}~-@").find(static_cast<char>(c)) !=
                             std::string_view::npos;
    if (!allowed) return false;
  }
  return true;
}

std::string encode_header_text(std::string_view utf8) {
  if (plain_ascii(utf8)) return std::string(utf8);
  // Each encoded-word at most 75 characters: "=?UTF-8?B?" + base64 + "?=" leaves 63 for the
  // base64, so 45 bytes of text; a character is never split between two words (RFC 2047 §5).
  constexpr std::size_t kMaxBytesPerWord = 45;
  std::string out;
  std::size_t start = 0;
  while (start < utf8.size()) {
    std::size_t end = start;
    while (end < utf8.size()) {
      const std::size_t next = end + sequence_length(static_cast<unsigned char>(utf8[end]));
      if (next - start > kMaxBytesPerWord) break;
      end = next;
    }
    if (!out.empty()) out += "\r\n ";  // folding whitespace between words is not displayed
    out += "=?UTF-8?B?" + base64(utf8.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string quoted_printable(std::string_view utf8) {
  std::string out;
  std::string line;
  const auto flush = [&](bool hard_break) {
    // Whitespace at the end of a line would be lost in transit (RFC 2045 §6.7 rule 3).
    if (hard_break && !line.empty() && (line.back() == ' ' || line.back() == '\t')) {
      const unsigned char last = static_cast<unsigned char>(line.back());
      line.pop_back();
      line += {'=', kHex[last >> 4], kHex[last & 15]};
    }
    out += line;
    out += hard_break ? "\r\n" : "=\r\n";
    line.clear();
  };
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c == '\r' && i + 1 < utf8.size() && utf8[i + 1] == '\n') continue;  // CRLF: at the LF
    if (c == '\n' || c == '\r') {
      flush(true);
      continue;
    }
    std::string encoded;
    if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t') {
      encoded = static_cast<char>(c);
    } else {
      encoded = {'=', kHex[c >> 4], kHex[c & 15]};
    }
    // Room for a soft break's '=' at the end of the line.
    if (line.size() + encoded.size() > kMaxLine - 1) flush(false);
    line += encoded;
  }
  if (!line.empty()) flush(true);
  return out;
}

std::string rfc5322_date(util::TimePoint at) {
  const std::time_t seconds = util::to_unix_seconds(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 64> text{};
  // The names are English whatever the locale (RFC 5322 §3.3).
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::snprintf(text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d +0000",
                kDays[utc.tm_wday], utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900,
                utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text.data();
}

std::string compose(const Message& message, std::string_view boundary_token) {
  if (!valid_address(message.from)) throw InvalidMessage("From is not a plain address");
  if (!valid_address(message.to)) throw InvalidMessage("To is not a plain address");
  check_header_value("the sender's name", message.from_name);
  check_header_value("Subject", message.subject);
  check_header_value("Message-ID", message.message_id);
  check_text("the sender's name", message.from_name);
  check_text("Subject", message.subject);
  check_text("the text part", message.text);
  check_text("the HTML part", message.html);
  if (message.message_id.find_first_of("<> ") != std::string::npos ||
      message.message_id.find('@') == std::string::npos || !plain_ascii(message.message_id)) {
    throw InvalidMessage("Message-ID is not <local@domain>");
  }
  if (boundary_token.empty() || !plain_ascii(boundary_token) ||
      boundary_token.find_first_of("\" ") != std::string_view::npos) {
    throw InvalidMessage("the boundary token is not plain ASCII");
  }
  const std::string boundary = "=_" + std::string(boundary_token);

  std::string from = message.from;
  if (!message.from_name.empty()) {
    // A display name in plain ASCII goes in a quoted-string; anything else is encoded.
    std::string name = encode_header_text(message.from_name);
    if (name == message.from_name) {
      std::string quoted = "\"";
      for (const char c : name) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
      }
      name = quoted + "\"";
    }
    from = name + " <" + message.from + ">";
  }
  std::string out;
  out += header("Date", rfc5322_date(message.date));
  out += header("From", from);
  out += header("To", message.to);
  out += header("Subject", encode_header_text(message.subject));
  out += header("Message-ID", "<" + message.message_id + ">");
  out += header("Auto-Submitted", "auto-generated");
  out += header("MIME-Version", "1.0");
  out += header("Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
  out += kCrlf;
  const auto part = [&](std::string_view type, std::string_view body) {
    out += "--" + boundary + std::string(kCrlf);
    out += header("Content-Type", std::string(type) + "; charset=utf-8");
    out += header("Content-Transfer-Encoding", "quoted-printable");
    out += kCrlf;
    out += quoted_printable(body);
  };
  part("text/plain", message.text);
  part("text/html", message.html);
  out += "--" + boundary + "--" + std::string(kCrlf);
  return out;
}

}  // namespace authd::mail
