// A deliberately small blocking HTTP/1.1 client over a raw socket, for integration tests: it can
// send exactly the bytes a test wants (malformed framing, pipelined requests) and read responses
// that carry Content-Length, which is all authd sends.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace authd::test {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  boost::json::value json() const;
  std::string header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One request on the kept-alive connection (reconnects if the server closed it). Every
  // response is logged for the OpenAPI checks that follow the integration tests (the coverage
  // check in tests/unit/openapi_test.cpp, tests/node/validate-responses.mjs): send only API
  // traffic through it. Hostile framing that the HTTP layer refuses before any route (duplicate
  // headers, a missing Host, a malformed request line) goes through send_raw + read_response,
  // which are not logged.
  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body = {},
                       const std::string& content_type = "application/json",
                       const std::map<std::string, std::string>& extra_headers = {});
  HttpResponse post_json(const std::string& target, const boost::json::value& body);
  HttpResponse put_json(const std::string& target, const boost::json::value& body);

  void send_raw(const std::string& bytes);
  // Reads one response; nullopt when the peer closed (or timed out) before a full response.
  // `to_head`: the answer to a HEAD request, whose Content-Length describes no body.
  std::optional<HttpResponse> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(10), bool to_head = false);
  // True when the server closes the connection within the timeout (EOF or reset).
  bool wait_for_close(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  void connect();
  bool fill(std::chrono::milliseconds timeout);

  std::uint16_t port_;
  int fd_ = -1;
  std::string buffer_;
  bool peer_closed_ = false;  // the last read ended at EOF or a reset, not a timeout
};

}  // namespace authd::test
