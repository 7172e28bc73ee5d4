// The HTTP edge against hostile or unusual clients: framing, limits, content types, unknown routes,
// keep-alive and pipelining, slow clients. Every answer is JSON; framing doubts close the
// connection.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "support/server_fixture.hpp"

namespace authd::test {
namespace {

using boost::json::object;

struct ShortTimeouts {
  static std::vector<std::string> args() {
    return {"--request-timeout", "1", "--idle-timeout", "2", "--max-requests-per-connection", "50"};
  }
};

using HttpEdge = ServerFixture<ShortTimeouts>;

const std::string kLogin = "{\"email\":\"edge@example.com\",\"password\":\"edge-kettle-orbit\"}";

std::string post(const std::string& target, const std::string& body,
                 const std::string& extra_headers = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
         extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST_F(HttpEdge, HealthzIs200) {
  auto response = client().request("GET", "/healthz", "", "");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.json(), (object{{"status", "ok"}}));
}

TEST_F(HttpEdge, EveryJsonRouteAnswers413And415InItsOwnShape) {
  struct Case {
    const char* method;
    const char* path;
    const char* media_type;  // of the error answer
  };
  for (const Case& c :
       {Case{"POST", "/auth/register", "application/json"},
        Case{"POST", "/auth/login", "application/json"}, Case{"POST", "/auth", "application/json"},
        Case{"PUT", "/auth", "application/json"},
        Case{"POST", "/api/auth/register", "application/json"},
        Case{"POST", "/api/auth/login", "application/json"},
        Case{"POST", "/v1/users", "application/problem+json"},
        Case{"POST", "/v1/sessions", "application/problem+json"},
        Case{"POST", "/v1/sessions/refresh", "application/problem+json"}}) {
    const auto wrong_type = client().request(c.method, c.path, "email=a", "text/plain");
    EXPECT_EQ(wrong_type.status, 415) << c.method << " " << c.path;
    EXPECT_EQ(wrong_type.header("content-type"), c.media_type) << c.path;
    EXPECT_TRUE(wrong_type.json().is_object()) << c.path;
    const auto too_large = client().request(c.method, c.path, std::string(70 * 1024, ' '));
    EXPECT_EQ(too_large.status, 413) << c.method << " " << c.path;
    EXPECT_EQ(too_large.header("content-type"), c.media_type) << c.path;
  }
}

TEST_F(HttpEdge, SecurityHeadersAndNoBanner) {
  auto response = client().request("GET", "/healthz", "", "");
  EXPECT_EQ(response.header("cache-control"), "no-store");
  EXPECT_EQ(response.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(response.header("server"), "");
}

TEST_F(HttpEdge, UnknownPathIs404Json) {
  auto response = client().request("GET", "/nope", "", "");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.json(), (object{{"error", "Not found"}}));
}

TEST_F(HttpEdge, WrongMethodIs405WithAllow) {
  auto response = client().request("GET", "/auth/login", "", "");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.header("allow"), "POST");
  EXPECT_TRUE(response.json().is_object());
  EXPECT_EQ(client().request("DELETE", "/auth", "", "").header("allow"), "POST, PUT");
}

TEST_F(HttpEdge, HostIsRequiredExactlyOnceInHttp11) {
  // RFC 9112 §3.2: 400 without Host, or with two, in the route's own error shape.
  for (const std::string& head :
       {std::string("GET /healthz HTTP/1.1\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        std::string("GET /v1/me HTTP/1.1\r\n\r\n")}) {
    HttpClient connection(server().port());
    connection.send_raw(head + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    auto response = connection.read_response();
    ASSERT_TRUE(response) << head;
    EXPECT_EQ(response->status, 400) << head;
    EXPECT_TRUE(response->json().is_object()) << head;
    EXPECT_TRUE(connection.wait_for_close()) << head;
  }
  HttpClient v1(server().port());
  v1.send_raw("GET /v1/me HTTP/1.1\r\n\r\n");
  auto problem = v1.read_response();
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->header("content-type"), "application/problem+json");

  HttpClient old(server().port());
  old.send_raw("GET /healthz HTTP/1.0\r\n\r\n");
  auto response = old.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << "HTTP/1.0 may leave Host out";
}

TEST_F(HttpEdge, TransferEncodingInHttp10IsFaultyFramingAndCloses) {
  // RFC 9112 §6.1: treated as faulty framing, even where chunked parses.
  client().send_raw(
      "POST /auth/login HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto response = client().read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(client().wait_for_close()) << "nothing after it is served";
}

TEST_F(HttpEdge, AJsonBodyInAnotherCharsetIs415) {
  std::string utf16;  // {"email":"x"} in UTF-16LE
  for (char c : std::string(R"({"email":"x"})")) utf16 += std::string{c, '\0'};
  for (const char* type : {"application/json; charset=utf-16", "application/json;charset=UTF-16LE",
                           "application/json; charset=iso-8859-1"}) {
    const auto seed000 = client().request("POST", "/auth/login", utf16, type);
    EXPECT_EQ(seed000.status, 415) << type;
    EXPECT_TRUE(seed000.json().at("message").is_string()) << type;
    const auto v1 = client().request("POST", "/v1/sessions", utf16, type);
    EXPECT_EQ(v1.status, 415) << type;
    EXPECT_EQ(v1.header("content-type"), "application/problem+json") << type;
  }
}

TEST_F(HttpEdge, TwoAuthorizationHeadersAreRefused) {
  // The HTTP layer refuses these before any route runs, as it does 414 and 431: raw bytes, so
  // that the OpenAPI checks, which read what request() logs, see API traffic only.
  HttpClient v1(server().port());
  v1.send_raw(
      "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\n"
      "authorization: Bearer b\r\n\r\n");
  const auto response = v1.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->header("content-type"), "application/problem+json");
  EXPECT_TRUE(v1.wait_for_close());
  HttpClient seed(server().port());
  seed.send_raw(post("/auth/login", kLogin, "Authorization: x\r\nAUTHORIZATION: y\r\n"));
  const auto refused = seed.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_TRUE(refused->json().at("message").is_string());
  EXPECT_TRUE(seed.wait_for_close());
}

TEST_F(HttpEdge, HeadAnswersCarryNoBody) {
  // RFC 9110 §9.3.2. Were a body sent, it would be read as the start of the next response.
  for (const std::string path : {"/healthz", "/openapi.json", "/auth/login", "/nope"}) {
    HttpClient connection(server().port());
    connection.send_raw("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n" +
                        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    auto head = connection.read_response(std::chrono::seconds(10), /*to_head=*/true);
    ASSERT_TRUE(head) << path;
    auto next = connection.read_response();
    ASSERT_TRUE(next) << path;
    EXPECT_EQ(next->status, 200) << path << ": the HEAD answer carried bytes after its header";
    EXPECT_EQ(next->json(), (object{{"status", "ok"}})) << path;
    if (path == "/healthz") {
      EXPECT_EQ(head->status, 200);
      EXPECT_EQ(head->header("content-length"), "15") << "the GET answer's length";
    }
    if (path == "/auth/login") {
      EXPECT_EQ(head->status, 405);
      EXPECT_EQ(head->header("allow"), "POST");
    }
  }
  EXPECT_EQ(client().request("DELETE", "/healthz", "", "").header("allow"), "GET, HEAD");
}

TEST_F(HttpEdge, Every401CarriesABearerChallenge) {
  // RFC 9110 §11.6.1, in every dialect that answers 401.
  ASSERT_EQ(client()
                .post_json("/v1/users", object{{"email", "challenge@example.com"},
                                               {"password", "edge-kettle-orbit"}})
                .status,
            201);
  const object wrong{{"email", "challenge@example.com"}, {"password", "not-the-password"}};
  for (const auto& response :
       {client().put_json("/auth", wrong), client().post_json("/api/auth/login", wrong),
        client().post_json("/v1/sessions", wrong), client().request("GET", "/v1/me", "", "")}) {
    EXPECT_EQ(response.status, 401) << response.body;
    EXPECT_TRUE(response.header("www-authenticate").starts_with("Bearer")) << response.body;
  }
}

TEST_F(HttpEdge, QueryStringIsIgnoredForRouting) {
  EXPECT_EQ(client().request("GET", "/healthz?verbose=1", "", "").status, 200);
}

TEST_F(HttpEdge, NonJsonContentTypeIs415InTheDialectsEnvelope) {
  auto seed003 = client().request("POST", "/api/auth/login", kLogin, "text/plain");
  EXPECT_EQ(seed003.status, 415);
  EXPECT_EQ(seed003.json().at("success"), false);
  auto seed002 = client().request("PUT", "/auth", kLogin, "");
  EXPECT_EQ(seed002.status, 415);
  EXPECT_TRUE(seed002.json().at("error").is_string());
  auto charset = client().request("POST", "/auth/login", kLogin, "application/json; charset=utf-8");
  EXPECT_EQ(charset.status, 404) << "a JSON body with parameters is accepted";
}

TEST_F(HttpEdge, OversizeBodyIs413AndCloses) {
  const std::string big(70 * 1024, 'a');
  client().send_raw(post("/api/auth/login", "{\"email\":\"" + big + "\"}"));
  auto response = client().read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->json().at("success"), false);
  EXPECT_TRUE(client().wait_for_close());
}

TEST_F(HttpEdge, OversizeHeadersAre431) {
  client().send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(16 * 1024, 'b') +
                    "\r\n\r\n");
  auto response = client().read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_TRUE(client().wait_for_close());
}

TEST_F(HttpEdge, TransferEncodingNotEndingInChunkedIs400AndCloses) {
  client().send_raw(
      "POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: gzip\r\n\r\n" +
      kLogin);
  auto response = client().read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(response->json().is_object());
  EXPECT_TRUE(client().wait_for_close());
}

TEST_F(HttpEdge, TransferEncodingWithContentLengthIs400AndCloses) {
  client().send_raw(post("/auth/login", "0\r\n\r\n", "Transfer-Encoding: chunked\r\n") +
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto response = client().read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(client().wait_for_close()) << "the smuggled second request must not be served";
}

std::string chunked_register(const std::string& email, const std::string& transfer_encoding) {
  const std::string body = "{\"email\":\"" + email + "\",\"password\":\"chunky-pass\"}";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  return "POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
         "Transfer-Encoding: " +
         transfer_encoding + "\r\n\r\n" + size + "\r\n" + body + "\r\n0\r\n\r\n";
}

TEST_F(HttpEdge, TransferEncodingBeastWouldNotFrameIs400AndCloses) {
  // Each of these ends in "chunked" yet Beast 1.81 reads the request as body-less: answering it
  // would serve the body as a second, smuggled request.
  for (const std::string coding : {"chunked, chunked", "a;b, chunked", "\"x\", chunked"}) {
    HttpClient connection(server().port());
    connection.send_raw(chunked_register("smuggle@example.com", coding) +
                        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    auto response = connection.read_response();
    ASSERT_TRUE(response) << coding;
    EXPECT_EQ(response->status, 400) << coding;
    EXPECT_TRUE(connection.wait_for_close()) << coding;
  }
}

TEST_F(HttpEdge, ATransferCodingAuthdDoesNotApplyIs501AndCloses) {
  // "gzip, chunked" frames as chunked, but the body would be read as raw bytes.
  client().send_raw(chunked_register("gzip@example.com", "gzip, chunked") +
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto response = client().read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 501);
  EXPECT_TRUE(response->json().is_object());
  EXPECT_TRUE(client().wait_for_close());
}

TEST_F(HttpEdge, EndlessChunkExtensionIsCutOffWithBoundedMemory) {
  // Beast does not limit a chunk-size line; the connection's bounded buffer does.
  client().send_raw(
      "POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n1;a=");
  const std::string flood(64 * 1024, 'x');
  bool closed = false;
  try {
    for (int i = 0; i < 64 && !closed; ++i) client().send_raw(flood);  // up to 4 MiB
  } catch (const std::runtime_error&) {
    closed = true;  // the server closed while we were still sending
  }
  if (!closed) {
    auto response = client().read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
  }
  EXPECT_TRUE(closed || client().wait_for_close());
}

TEST_F(HttpEdge, ChunkedWithEmptyListElementsIsFramedAsChunked) {
  // Our framing check and Beast's parser must agree, or the body would be read as a request.
  client().send_raw(chunked_register("empty-element@example.com", "chunked, ,") +
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto registered = client().read_response();
  auto health = client().read_response();
  ASSERT_TRUE(registered && health);
  EXPECT_EQ(registered->status, 201) << registered->body;
  EXPECT_EQ(health->status, 200);
}

TEST_F(HttpEdge, ChunkedBodyIsAccepted) {
  std::string chunked =
      "POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  const std::string body = "{\"email\":\"chunked@example.com\",\"password\":\"chunky-pass\"}";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  chunked += std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n";
  client().send_raw(chunked);
  auto response = client().read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201) << response->body;
}

TEST_F(HttpEdge, MalformedRequestLineIs400) {
  client().send_raw("THIS IS NOT HTTP\r\n\r\n");
  auto response = client().read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(client().wait_for_close());
}

TEST_F(HttpEdge, PipelinedRequestsAreAnsweredInOrder) {
  client().send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + post("/auth/login", "{}") +
                    "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = client().read_response();
  auto second = client().read_response();
  auto third = client().read_response();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 400);
  EXPECT_EQ(third->status, 404);
}

TEST_F(HttpEdge, KeepAliveServesManyRequestsOnOneConnection) {
  for (int i = 0; i < 20; ++i) {
    client().send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    auto response = client().read_response();
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->status, 200);
  }
}

TEST_F(HttpEdge, ALongRequestTargetIs414) {
  auto response = client().request("GET", "/healthz?" + std::string(3000, 'q'), "", "");
  EXPECT_EQ(response.status, 414);
  EXPECT_TRUE(response.json().is_object());
}

TEST_F(HttpEdge, TooManyHeaderFieldsAre431) {
  std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 120; ++i) request += "X-H" + std::to_string(i) + ": v\r\n";
  client().send_raw(request + "\r\n");
  auto response = client().read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_TRUE(client().wait_for_close());
}

TEST_F(HttpEdge, AConnectionServesABoundedNumberOfRequests) {
  for (int i = 1; i <= 50; ++i) {
    client().send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    auto response = client().read_response();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->header("connection") == "close", i == 50) << i;
  }
  EXPECT_TRUE(client().wait_for_close());
}

TEST_F(HttpEdge, EveryResponseCarriesARequestId) {
  const auto first = client().request("GET", "/healthz", "", "").header("x-request-id");
  const auto second = client().request("GET", "/nope", "", "").header("x-request-id");
  EXPECT_EQ(first.size(), 16u);
  EXPECT_NE(first, second);
}

TEST_F(HttpEdge, ConnectionCloseIsHonoured) {
  client().send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto response = client().read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client().wait_for_close());
}

TEST_F(HttpEdge, SlowClientIsCutOff) {
  // Half a request, then silence: the 1 s request timeout must close the connection.
  client().send_raw("POST /auth/login HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(client().wait_for_close(std::chrono::seconds(5)));
}

TEST_F(HttpEdge, IdleKeepAliveConnectionIsClosed) {
  client().send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(client().read_response());
  EXPECT_TRUE(client().wait_for_close(std::chrono::seconds(6)));
}

// A raw NUL byte inside a JSON string (invalid JSON: control characters must be escaped).
constexpr char kRawNul[] = "{\"email\":\"raw@example.com\",\"password\":\"pa\0ss\"}";

TEST_F(HttpEdge, NulAndInvalidUtf8AreClientErrors) {
  const std::vector<std::string> bodies = {
      "{\"email\":\"a\\u0000@example.com\",\"password\":\"password-1\"}",
      "{\"email\":\"nul@example.com\",\"password\":\"pass\\u0000word\"}",
      std::string("{\"email\":\"\xff\xfe@example.com\",\"password\":\"password-1\"}"),
      std::string(kRawNul, sizeof kRawNul - 1),
  };
  for (const auto& body : bodies) {
    for (const char* target : {"/auth/register", "/api/auth/register"}) {
      auto response = client().request("POST", target, body);
      EXPECT_GE(response.status, 400) << target;
      EXPECT_LT(response.status, 500) << target;
      EXPECT_TRUE(response.json().is_object());
    }
    auto seed002 = client().request(
        "POST", "/auth",
        body.substr(0, body.size() - 1) + ",\"first_name\":\"a\",\"last_name\":\"b\"}");
    EXPECT_GE(seed002.status, 400);
    EXPECT_LT(seed002.status, 500);
  }
}

TEST_F(HttpEdge, DeeplyNestedJsonIsRejected) {
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  auto response = client().request("POST", "/api/auth/login", deep);
  EXPECT_EQ(response.status, 400);
}

TEST_F(HttpEdge, OverlongPasswordIs400NotTruncated) {
  const std::string password(2000, 'p');
  auto response = client().post_json("/auth/register",
                                     object{{"email", "long@example.com"}, {"password", password}});
  EXPECT_EQ(response.status, 400);
}

TEST(HttpEdgeLimits, OneClientCannotHoldEveryConnection) {
  AuthdProcess server({.args = {"--max-connections-per-client", "3"}});
  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(std::make_unique<HttpClient>(server.port()));
  // Each of the three is registered before the next is refused: one answered request apiece.
  for (auto& connection : idle) {
    EXPECT_EQ(connection->request("GET", "/healthz", "", "").status, 200);
  }
  HttpClient fourth(server.port());
  EXPECT_TRUE(fourth.wait_for_close()) << "a fourth connection from the same address is closed";
  idle.pop_back();
  // The released slot is free again (retried: the server notices the close asynchronously).
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    HttpClient again(server.port());
    again.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto response = again.read_response(std::chrono::milliseconds(200));
    served = response && response->status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace authd::test
