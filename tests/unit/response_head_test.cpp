// The hand-written response head against Beast's serializer, which wrote every answer before:
// for the same message, the same bytes. The one difference is on purpose: Beast wrote
// "Content-Length: 0" on 204 and 304 answers, which RFC 9110 §8.6 forbids for a 204 (and allows
// on a 304 only with the length a 200 would have had).
#include "http/response_head.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>
#include <sstream>
#include <string>

namespace authd::http {
namespace {

namespace bhttp = boost::beast::http;

// What Beast's serializer writes for `response`: the fields set as the server set them.
template <class Body>
void set_fields(bhttp::response<Body>& wire, const Response& response, bool keep_alive) {
  if (!response.content_type.empty()) wire.set(bhttp::field::content_type, response.content_type);
  wire.set(bhttp::field::cache_control, "no-store");
  wire.set("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : response.headers) wire.set(name, value);
  wire.keep_alive(keep_alive);
}

std::string beast_bytes(const Response& response, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> wire{static_cast<bhttp::status>(response.status), version};
  set_fields(wire, response, keep_alive);
  wire.body() = response.body;
  wire.prepare_payload();
  std::ostringstream out;
  out << wire;
  return out.str();
}

std::string beast_head_bytes(const Response& response, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::empty_body> wire{static_cast<bhttp::status>(response.status), version};
  set_fields(wire, response, keep_alive);
  wire.content_length(response.body.size());
  std::ostringstream out;
  out << wire;
  return out.str();
}

std::string ours(const Response& response, unsigned version, bool keep_alive) {
  std::string bytes = response_head(response, version, keep_alive);
  if (status_has_body(response.status)) bytes += response.body;
  return bytes;
}

Response check_answer() {
  return {.status = 200,
          .body = {},
          .content_type = "",
          .headers = {{"X-Auth-User-Id", "42"},
                      {"X-Auth-User-Email", "ada@example.com"},
                      {"X-Auth-User-Roles", "user,authd:admin"},
                      {"Remote-Name", "Ada Lovelace"},
                      {"X-Request-Id", "0123456789abcdef01234567"}}};
}

Response problem_answer() {
  return {.status = 401,
          .body = R"({"type":"about:blank","title":"Unauthorized","status":401})",
          .content_type = "application/problem+json",
          .headers = {{"WWW-Authenticate", R"(Bearer error="invalid_token")"}}};
}

TEST(ResponseHeadTest, TheBytesAreBeastsForEveryVersionAndConnectionChoice) {
  const Response answers[] = {
      check_answer(),
      problem_answer(),
      {.status = 201, .body = R"({"id":1})"},
      {.status = 503, .body = R"({"error":"busy"})", .headers = {{"Retry-After", "1"}}},
      {.status = 431, .body = R"({"error":"Request headers too large"})"},
      {.status = 599, .body = "unknown status"},
  };
  for (const Response& answer : answers) {
    for (const unsigned version : {10u, 11u}) {
      for (const bool keep_alive : {true, false}) {
        SCOPED_TRACE(testing::Message() << answer.status << " HTTP/" << version / 10 << "."
                                        << version % 10 << " keep-alive " << keep_alive);
        EXPECT_EQ(ours(answer, version, keep_alive), beast_bytes(answer, version, keep_alive));
      }
    }
  }
}

TEST(ResponseHeadTest, AHeadAnswerHasTheGetAnswersLengthAndNoBody) {
  const Response answer{.status = 200, .body = R"({"status":"ok"})"};
  EXPECT_EQ(response_head(answer, 11, true), beast_head_bytes(answer, 11, true));
  EXPECT_NE(response_head(answer, 11, true).find("Content-Length: 15\r\n"), std::string::npos);
}

TEST(ResponseHeadTest, ARoutesOwnCacheControlReplacesNoStore) {
  const Response jwks{.status = 200,
                      .body = R"({"keys":[]})",
                      .headers = {{"cache-control", "public, max-age=300"}}};
  const std::string head = response_head(jwks, 11, true);
  EXPECT_EQ(head.find("no-store"), std::string::npos);
  EXPECT_EQ(ours(jwks, 11, true), beast_bytes(jwks, 11, true));
}

TEST(ResponseHeadTest, NoContentAndNotModifiedCarryNoLengthAndNoBody) {
  for (const unsigned status : {204u, 304u}) {
    const Response empty{.status = status, .body = {}, .content_type = ""};
    const std::string head = response_head(empty, 11, true);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos) << status;
    std::string beast = beast_bytes(empty, 11, true);
    const std::string length = "Content-Length: 0\r\n";
    ASSERT_NE(beast.find(length), std::string::npos);
    beast.erase(beast.find(length), length.size());
    EXPECT_EQ(ours(empty, 11, true), beast) << status;
  }
}

}  // namespace
}  // namespace authd::http
