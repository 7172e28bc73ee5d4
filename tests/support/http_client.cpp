#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string_view>

namespace authd::test {

boost::json::value HttpResponse::json() const {
  return boost::json::parse(body);
}

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(std::uint16_t port) : port_(port) {
  connect();
}

HttpClient::~HttpClient() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpClient::connect() {
  if (fd_ >= 0) ::close(fd_);
  buffer_.clear();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot connect to authd on port " + std::to_string(port_));
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void HttpClient::send_raw(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    sent += static_cast<std::size_t>(n);
  }
}

bool HttpClient::fill(std::chrono::milliseconds timeout) {
  pollfd descriptor{fd_, POLLIN, 0};
  if (::poll(&descriptor, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char chunk[16384];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    peer_closed_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<HttpResponse> HttpClient::read_response(std::chrono::milliseconds timeout,
                                                      bool to_head) {
  std::size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(timeout)) return std::nullopt;
  }
  HttpResponse response;
  const std::string head = buffer_.substr(0, header_end);
  std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  response.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
  while (line_end != std::string::npos) {
    const std::size_t next = head.find("\r\n", line_end + 2);
    const std::string line = head.substr(line_end + 2, next - line_end - 2);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::size_t start = colon + 1;
      while (start < line.size() && line[start] == ' ') ++start;
      response.headers[name] = line.substr(start);
    }
    line_end = next;
  }
  const std::size_t length = to_head ? 0
                                     : std::stoul(response.header("content-length").empty()
                                                      ? "0"
                                                      : response.header("content-length"));
  const std::size_t total = header_end + 4 + length;
  while (buffer_.size() < total) {
    if (!fill(timeout)) return std::nullopt;
  }
  response.body = buffer_.substr(header_end + 4, length);
  buffer_.erase(0, total);
  return response;
}

bool HttpClient::wait_for_close(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd descriptor{fd_, POLLIN, 0};
    if (::poll(&descriptor, 1, 50) <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return true;
  }
  return false;
}

#ifdef AUTHD_TEST_RESPONSE_LOG_DIR
namespace {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const auto continuation = [&](std::size_t at) {
    return at < text.size() && (byte(at) & 0xC0) == 0x80;
  };
  while (i < text.size()) {
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    if (lead < 0x80) {
      length = 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = continuation(i + 1) ? 2 : 0;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      const bool ok = continuation(i + 1) && continuation(i + 2) &&
                      !(lead == 0xE0 && byte(i + 1) < 0xA0) &&  // overlong
                      !(lead == 0xED && byte(i + 1) >= 0xA0);   // a surrogate
      length = ok ? 3 : 0;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      const bool ok = continuation(i + 1) && continuation(i + 2) && continuation(i + 3) &&
                      !(lead == 0xF0 && byte(i + 1) < 0x90) &&  // overlong
                      !(lead == 0xF4 && byte(i + 1) >= 0x90);   // above U+10FFFF
      length = ok ? 4 : 0;
    }
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      group = (group << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    }
    for (std::size_t k = 0; k < 4; ++k) {
      out += k <= n ? kAlphabet[(group >> (18 - 6 * k)) & 0x3F] : '=';
    }
  }
  return out;
}

// One JSON object per line, in a file per test process, for every response request() received:
// {"method", "path" (the target without its query), "status", "content_type" ("" when there is
// none), "body"}; a body that is not valid UTF-8 is logged as "body_base64" instead of "body".
// After the integration tests, the OpenAPI coverage check (tests/unit/openapi_test.cpp) and
// tests/node/validate-responses.mjs (every response against the document) read them all.
void record_response(const std::string& method, const std::string& target,
                     const HttpResponse& response) {
  static const std::string file = [] {
    std::filesystem::create_directories(AUTHD_TEST_RESPONSE_LOG_DIR);
    return std::string(AUTHD_TEST_RESPONSE_LOG_DIR) + "/" + std::to_string(::getpid()) + ".jsonl";
  }();
  boost::json::object line{{"method", method},
                           {"path", target.substr(0, target.find('?'))},
                           {"status", response.status},
                           {"content_type", response.header("content-type")}};
  if (is_utf8(response.body)) {
    line["body"] = response.body;
  } else {
    line["body_base64"] = base64(response.body);
  }
  const std::string text = boost::json::serialize(line) + '\n';
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::ofstream(file, std::ios::app) << text;
}

}  // namespace
#else
static void record_response(const std::string&, const std::string&, const HttpResponse&) {}
#endif

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const std::string& body, const std::string& content_type,
                                 const std::map<std::string, std::string>& extra_headers) {
  std::string message = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!content_type.empty()) message += "Content-Type: " + content_type + "\r\n";
  for (const auto& [name, value] : extra_headers) message += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    message += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  message += "\r\n" + body;
  for (int attempt = 0; attempt < 2; ++attempt) {
    peer_closed_ = false;
    bool sent = true;
    try {
      send_raw(message);
    } catch (const std::runtime_error&) {
      sent = false;
    }
    if (sent) {
      // A generous wait: a loaded machine under a sanitizer is slow, and a hang still fails.
      if (auto response = read_response(std::chrono::seconds(60), method == "HEAD")) {
        record_response(method, target, *response);
        return *response;
      }
      // Resend only if the server closed a kept-alive connection before answering anything;
      // after a timeout the request may have been processed, and a resent write would
      // answer differently ("already exists").
      if (!peer_closed_ || !buffer_.empty()) break;
    }
    connect();
  }
  throw std::runtime_error("no response to " + method + " " + target);
}

HttpResponse HttpClient::post_json(const std::string& target, const boost::json::value& body) {
  return request("POST", target, boost::json::serialize(body));
}

HttpResponse HttpClient::put_json(const std::string& target, const boost::json::value& body) {
  return request("PUT", target, boost::json::serialize(body));
}

}  // namespace authd::test
