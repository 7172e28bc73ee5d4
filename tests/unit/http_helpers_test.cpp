// The small pieces under the dialects: the router, the media-type check, ISO-8601
// timestamps, the bounded worker pool and the strict JSON body reader. No I/O.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/json_body.hpp"
#include "http/request_checks.hpp"
#include "http/request_id.hpp"
#include "http/router.hpp"
#include "util/text.hpp"
#include "util/time.hpp"
#include "util/worker_pool.hpp"

namespace authd {
namespace {

// ---------------------------------------------------------------------------------------------
// Router

http::Route route(const char* method, const char* path) {
  // The body names the route, so a test can tell which handler matched.
  std::string name = std::string(method).append(" ").append(path);
  return {.method = method,
          .path = path,
          .handler =
              [name](const http::Request&) {
                return http::Response{
                    .status = 200, .body = name, .content_type = "text/plain", .headers = {}};
              },
          .json_body = false,
          .errors = http::plain_error};
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.add(route("POST", "/auth"));
    router_.add(route("PUT", "/auth"));
    router_.add(route("POST", "/auth/register"));
    router_.add(route("GET", "/healthz"));
  }

  std::string handled_by(std::string_view method, std::string_view target) {
    const http::RouteMatch match = router_.match(method, target);
    if (match.outcome != http::RouteMatch::Outcome::found || match.route == nullptr) {
      ADD_FAILURE() << method << " " << target << " did not match";
      return {};
    }
    return match.route->handler(http::Request{}).body;
  }

  http::Router router_;
};

TEST_F(RouterTest, ExactMatch) {
  EXPECT_EQ(handled_by("POST", "/auth"), "POST /auth");
  EXPECT_EQ(handled_by("PUT", "/auth"), "PUT /auth");
  EXPECT_EQ(handled_by("POST", "/auth/register"), "POST /auth/register");
  EXPECT_EQ(handled_by("GET", "/healthz"), "GET /healthz");
  EXPECT_EQ(router_.routes().size(), 4u);

  const http::RouteMatch match = router_.match("POST", "/auth/register");
  EXPECT_EQ(match.path, "/auth/register");
  EXPECT_TRUE(match.allowed_methods.empty());
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
  for (const char* target :
       {"/", "/nope", "/auth/", "/AUTH", "/auth/register/", "/authx", "/api/auth/register"}) {
    const http::RouteMatch match = router_.match("POST", target);
    EXPECT_EQ(match.outcome, http::RouteMatch::Outcome::not_found) << target;
    EXPECT_EQ(match.route, nullptr) << target;
    EXPECT_EQ(match.path, target);
  }
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  http::RouteMatch match = router_.match("GET", "/auth");
  EXPECT_EQ(match.outcome, http::RouteMatch::Outcome::method_not_allowed);
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allowed_methods, "POST, PUT");

  match = router_.match("DELETE", "/auth/register");
  EXPECT_EQ(match.outcome, http::RouteMatch::Outcome::method_not_allowed);
  EXPECT_EQ(match.allowed_methods, "POST");

  // Methods are case-sensitive (RFC 9110 §9.1).
  match = router_.match("post", "/auth");
  EXPECT_EQ(match.outcome, http::RouteMatch::Outcome::method_not_allowed);
}

TEST_F(RouterTest, QueryIsIgnored) {
  EXPECT_EQ(handled_by("POST", "/auth/register?next=/home&x=1"), "POST /auth/register");
  EXPECT_EQ(handled_by("GET", "/healthz?"), "GET /healthz");
  EXPECT_EQ(router_.match("GET", "/auth?x").allowed_methods, "POST, PUT");
}

TEST_F(RouterTest, PathsAreMatchedAsReceived) {
  // An encoded "/" must never act as a separator; nothing else is normalised either.
  EXPECT_EQ(router_.match("POST", "/auth%2Fregister").outcome,
            http::RouteMatch::Outcome::not_found);
  EXPECT_EQ(router_.match("POST", "/a%75th/register").outcome,
            http::RouteMatch::Outcome::not_found);
  EXPECT_EQ(router_.match("POST", "/auth%2Fregister").path, "/auth%2Fregister");
}

TEST_F(RouterTest, BadTargets) {
  for (const char* target : {"http://x/ y", "", "http://x/auth", "*", "auth", "/a b", "/%zz"}) {
    const http::RouteMatch match = router_.match("POST", target);
    EXPECT_EQ(match.outcome, http::RouteMatch::Outcome::bad_target) << '"' << target << '"';
    EXPECT_EQ(match.route, nullptr);
  }
}

TEST(RouterTemplateTest, ARestOfPathSegmentTakesEverySegmentLeft) {
  http::Router router;
  router.add(route("GET", "/v1/check"));
  http::Route rest = route("GET", "/v1/check/{path}");
  rest.rest_of_path = true;
  router.add(rest);
  router.add(route("GET", "/v1/sessions/{id}"));  // without the flag: one segment

  auto match = router.match("GET", "/v1/check/app/page/1?q=a/b");
  ASSERT_EQ(match.outcome, http::RouteMatch::Outcome::found);
  EXPECT_EQ(match.route->path, "/v1/check/{path}");
  EXPECT_EQ(match.params,
            (std::vector<std::pair<std::string, std::string>>{{"path", "app/page/1"}}));
  EXPECT_EQ(match.query, "q=a/b");
  match = router.match("GET", "/v1/check/x");
  ASSERT_EQ(match.outcome, http::RouteMatch::Outcome::found);
  EXPECT_EQ(match.params, (std::vector<std::pair<std::string, std::string>>{{"path", "x"}}));
  match = router.match("GET", "/v1/check?role=a");
  ASSERT_EQ(match.outcome, http::RouteMatch::Outcome::found);
  EXPECT_EQ(match.route->path, "/v1/check");
  // The rest may be empty (Envoy's check of "/"); a plain template still takes one segment.
  match = router.match("GET", "/v1/check/");
  ASSERT_EQ(match.outcome, http::RouteMatch::Outcome::found);
  EXPECT_EQ(match.params, (std::vector<std::pair<std::string, std::string>>{{"path", ""}}));
  EXPECT_EQ(router.match("GET", "/v1/sessions/a/b").outcome, http::RouteMatch::Outcome::not_found);
}

TEST(RouterTemplateTest, NamedSegmentsMatchOneSegmentAndLiteralsWin) {
  http::Router router;
  router.add(route("DELETE", "/v1/sessions/{id}"));
  router.add(route("DELETE", "/v1/sessions/current"));
  router.add(route("POST", "/v1/sessions/refresh"));
  router.add(route("DELETE", "/v1/sessions"));

  auto match = router.match("DELETE", "/v1/sessions/abc_DEF-1?x=1");
  ASSERT_EQ(match.outcome, http::RouteMatch::Outcome::found);
  EXPECT_EQ(match.route->path, "/v1/sessions/{id}");
  EXPECT_EQ(match.params, (std::vector<std::pair<std::string, std::string>>{{"id", "abc_DEF-1"}}));

  match = router.match("DELETE", "/v1/sessions/current");
  ASSERT_EQ(match.outcome, http::RouteMatch::Outcome::found);
  EXPECT_EQ(match.route->path, "/v1/sessions/current") << "the literal route wins";
  EXPECT_TRUE(match.params.empty());

  // A template matches exactly one non-empty segment.
  for (const char* target : {"/v1/sessions/", "/v1/sessions/a/b", "/v1/sessions//"}) {
    EXPECT_EQ(router.match("DELETE", target).outcome, http::RouteMatch::Outcome::not_found)
        << target;
  }
  // A path a literal route owns is answered by the literal routes alone.
  for (const char* method : {"GET", "DELETE"}) {
    match = router.match(method, "/v1/sessions/refresh");
    EXPECT_EQ(match.outcome, http::RouteMatch::Outcome::method_not_allowed) << method;
    EXPECT_EQ(match.allowed_methods, "POST");
  }
  match = router.match("GET", "/v1/sessions/abc");
  EXPECT_EQ(match.outcome, http::RouteMatch::Outcome::method_not_allowed);
  EXPECT_EQ(match.allowed_methods, "DELETE");
}

TEST(RouterTemplateTest, ErrorWordingByPrefix) {
  http::Router router;
  const http::ErrorFormatter special = [](unsigned status, std::string_view) {
    return http::Response{.status = status, .body = "special"};
  };
  router.set_errors_under("/v1/", special);
  EXPECT_EQ(router.errors_for("/v1/anything"), special);
  EXPECT_EQ(router.errors_for("/v10"), http::plain_error);
  EXPECT_EQ(router.errors_for("/auth"), http::plain_error);
}

TEST(PlainErrorTest, BusyCarriesRetryAfter) {
  const http::Response response = http::plain_error(503, "busy");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"Retry-After", "1"}));
}

TEST(PlainErrorTest, IsAJsonErrorObject) {
  const http::Response response = http::plain_error(404, "Not \"found\"");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.body, R"({"error":"Not \"found\""})");
  EXPECT_EQ(response.content_type, "application/json");
}

// ---------------------------------------------------------------------------------------------
// Request checks

TEST(RequestChecksTest, JsonMediaType) {
  using http::is_json_media_type;
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("application/json; charset=utf-8"));
  EXPECT_TRUE(is_json_media_type("application/json;charset=UTF-8"));
  EXPECT_TRUE(is_json_media_type("Application/JSON"));
  EXPECT_TRUE(is_json_media_type(" application/json "));

  EXPECT_FALSE(is_json_media_type("text/plain"));
  EXPECT_FALSE(is_json_media_type("application/jsonx"));
  EXPECT_FALSE(is_json_media_type("application/json-patch+json"));
  EXPECT_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
  EXPECT_FALSE(is_json_media_type("xapplication/json"));
  EXPECT_FALSE(is_json_media_type(""));
  EXPECT_FALSE(is_json_media_type(";application/json"));

  // JSON is UTF-8 (RFC 8259 §8.1): a body declared in any other charset is not read as UTF-8.
  EXPECT_TRUE(is_json_media_type("application/json; charset=\"utf-8\""));
  EXPECT_TRUE(is_json_media_type("application/json;"));
  EXPECT_TRUE(is_json_media_type("application/json; foo=bar"));
  for (const char* other : {"application/json; charset=utf-16", "application/json;charset=UTF-16LE",
                            "application/json; charset=iso-8859-1", "application/json; charset=",
                            "application/json; charset=utf8", "application/json; charset",
                            "application/json; charset=utf-8; charset=utf-16"}) {
    EXPECT_FALSE(is_json_media_type(other)) << other;
  }
}

TEST(TextTest, PrintableTextKeepsOnlyValidUtf8WithoutControls) {
  using util::printable_text;
  EXPECT_EQ(printable_text("curl/8.0", 512), "curl/8.0");
  EXPECT_EQ(printable_text("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 512),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(printable_text("a\xFF"
                           "b",
                           512),
            "a\xEF\xBF\xBD"
            "b")
      << "invalid bytes: U+FFFD";
  EXPECT_EQ(printable_text("\xC0\xAF", 512), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong";
  EXPECT_EQ(printable_text("\xED\xA0\x80", 512), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")
      << "a surrogate";
  EXPECT_EQ(printable_text("\xE2\x82", 512), "\xEF\xBF\xBD\xEF\xBF\xBD") << "truncated";
  EXPECT_EQ(printable_text(std::string("a\0b\x01\tc\x7f", 8), 512), "abc");
  EXPECT_EQ(printable_text("abcdef", 4), "abcd");
  EXPECT_EQ(printable_text("ab\xE2\x82\xAC", 4), "ab") << "cut on a character boundary";
  EXPECT_EQ(printable_text("a\xC2\x85"
                           "b\xE2\x80\xAE"
                           "c\xE2\x81\xA6"
                           "d",
                           512),
            "abcd")
      << "C1 controls (NEL) and bidi overrides (RLO, LRI) are dropped";
}

TEST(TextTest, ControlCharactersAreFoundWherever) {
  using util::has_control_characters;
  EXPECT_FALSE(has_control_characters("Ada Lovelace-Byron \xC3\xA9 \xF0\x9F\x98\x80"));
  for (const std::string& bad :
       {std::string("a\tb"), std::string("a\x7f"), std::string("a\xC2\x85"),
        std::string("\xE2\x80\xAE"
                    "evil"),
        std::string("\xE2\x81\xA9"), std::string("\xFF"), std::string("a\0b", 3)}) {
    EXPECT_TRUE(has_control_characters(bad)) << bad;
  }
}

TEST(RequestChecksTest, OnlyChunkedIsATransferCodingAuthdApplies) {
  using http::is_chunked_only;
  for (const char* ok : {"chunked", "Chunked", " chunked ", ", chunked", "chunked,", ",,chunked"}) {
    EXPECT_TRUE(is_chunked_only(ok)) << ok;
  }
  for (const char* not_ok : {"gzip, chunked", "chunked, chunked", "deflate", "", " , ",
                             "chunked;q=1", "x-gzip, chunked", "identity, chunked"}) {
    EXPECT_FALSE(is_chunked_only(not_ok)) << not_ok;
  }
}

TEST(RequestChecksTest, FieldsThatMustComeOnce) {
  using http::header_field_problem;
  EXPECT_FALSE(header_field_problem({.version = 11, .hosts = 1}));
  EXPECT_TRUE(header_field_problem({.version = 11, .hosts = 0}));
  EXPECT_FALSE(header_field_problem({.version = 10, .hosts = 0})) << "HTTP/1.0 may omit Host";
  EXPECT_TRUE(header_field_problem({.version = 10, .hosts = 2}));
  EXPECT_TRUE(header_field_problem({.version = 11, .hosts = 1, .authorizations = 2}));
  EXPECT_TRUE(header_field_problem({.version = 11, .hosts = 1, .content_types = 2}));
  EXPECT_FALSE(header_field_problem({.version = 11, .hosts = 1, .authorizations = 1}));
}

// ---------------------------------------------------------------------------------------------
// Time

TEST(TimeTest, Iso8601KnownValues) {
  using util::from_unix_millis;
  using util::to_iso8601;
  EXPECT_EQ(to_iso8601(from_unix_millis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(to_iso8601(from_unix_millis(1742995117241)), "2025-03-26T13:18:37.241Z");
  EXPECT_EQ(to_iso8601(from_unix_millis(1742892534000)), "2025-03-25T08:48:54.000Z");
  EXPECT_EQ(to_iso8601(from_unix_millis(951782400000)), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(to_iso8601(from_unix_millis(1)), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(to_iso8601(from_unix_millis(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(to_iso8601(from_unix_millis(253402300799999)), "9999-12-31T23:59:59.999Z");
}

TEST(TimeTest, UnixConversions) {
  const util::TimePoint t = util::from_unix_millis(1742995117241);
  EXPECT_EQ(util::to_unix_millis(t), 1742995117241);
  EXPECT_EQ(util::to_unix_seconds(t), 1742995117);
  EXPECT_EQ(util::to_unix_seconds(util::from_unix_millis(-1)), -1) << "seconds round down";
}

// ---------------------------------------------------------------------------------------------
// WorkerPool

TEST(WorkerPoolTest, RunsTasks) {
  util::WorkerPool pool(2, 64);
  EXPECT_EQ(pool.thread_count(), 2u);
  constexpr int kTasks = 50;
  std::atomic<int> ran{0};
  std::latch done(kTasks);
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(pool.try_submit([&] {
      ran.fetch_add(1);
      done.count_down();
    }));
  }
  done.wait();
  EXPECT_EQ(ran.load(), kTasks);
}

TEST(WorkerPoolTest, FullQueueRefusesAtOnce) {
  util::WorkerPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::latch started(1);
  ASSERT_TRUE(pool.try_submit([&started, released] {
    started.count_down();
    released.wait();
  }));
  started.wait();  // the only worker is now busy and the queue is empty

  std::atomic<int> ran{0};
  EXPECT_TRUE(pool.try_submit([&] { ran.fetch_add(1); }));
  EXPECT_TRUE(pool.try_submit([&] { ran.fetch_add(1); }));
  EXPECT_EQ(pool.queue_depth(), 2u);
  EXPECT_FALSE(pool.try_submit([&] { ran.fetch_add(100); }));
  EXPECT_EQ(pool.queue_depth(), 2u);

  release.set_value();
  pool.shutdown();
  EXPECT_EQ(ran.load(), 2) << "the refused task must never run";
  EXPECT_EQ(pool.thread_count(), 0u);
  EXPECT_FALSE(pool.try_submit([] {})) << "a stopped pool takes no work";
  pool.shutdown();  // idempotent
}

TEST(WorkerPoolTest, ShutdownDrainsQueuedTasks) {
  util::WorkerPool pool(1, 1 << 20);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::latch started(1);
  ASSERT_TRUE(pool.try_submit([&started, released] {
    started.count_down();
    released.wait();
  }));
  started.wait();

  std::atomic<int> ran{0};
  constexpr int kQueued = 5;
  for (int i = 0; i < kQueued; ++i) ASSERT_TRUE(pool.try_submit([&] { ran.fetch_add(1); }));

  // Release the worker only once shutdown has begun (try_submit starts refusing), so the queued
  // tasks can only run as part of shutdown's drain. Every probe accepted before that counts too.
  int probes = 0;
  std::jthread releaser([&] {
    while (pool.try_submit([&] { ran.fetch_add(1); })) ++probes;
    release.set_value();
  });
  pool.shutdown();
  releaser.join();
  EXPECT_LT(probes, 1 << 20) << "the probe loop ended because the queue filled, not on shutdown";
  EXPECT_EQ(ran.load(), kQueued + probes);
  EXPECT_EQ(pool.queue_depth(), 0u);
}

// ---------------------------------------------------------------------------------------------
// JSON bodies

std::string nested(std::size_t depth) {
  // An object holding `depth - 1` nested arrays: `depth` containers in all.
  std::string body = R"({"a":)";
  body.append(depth - 1, '[');
  body.append(depth - 1, ']');
  body.append("}");
  return body;
}

TEST(JsonBodyTest, AcceptsAnObject) {
  const api::ParsedBody parsed = api::parse_json_object(R"({"email":"a@b.c","n":1})");
  ASSERT_TRUE(parsed.object);
  EXPECT_TRUE(parsed.error.empty());
  EXPECT_EQ(parsed.object->at("email").as_string(), "a@b.c");
  EXPECT_TRUE(api::parse_json_object(" {}\r\n").object) << "whitespace around is allowed";
  EXPECT_TRUE(api::parse_json_object("{\"name\":\"Ren\xC3\xA9\"}").object);
}

TEST(JsonBodyTest, DepthLimit) {
  EXPECT_TRUE(api::parse_json_object(nested(api::kMaxJsonDepth)).object);
  const api::ParsedBody too_deep = api::parse_json_object(nested(api::kMaxJsonDepth + 1));
  EXPECT_FALSE(too_deep.object);
  EXPECT_FALSE(too_deep.error.empty());
  const api::ParsedBody far_too_deep = api::parse_json_object(nested(100'000));
  EXPECT_FALSE(far_too_deep.object);
}

TEST(JsonBodyTest, InvalidUtf8IsRejected) {
  for (const char* body : {"{\"a\":\"\xFF\"}", "{\"a\":\"\xC0\xAF\"}", "{\"a\":\"\xED\xA0\x80\"}",
                           "{\"a\":\"\xC3\"}", "{\"\xFE\":1}", "{\"a\":\"\\ud800\"}"}) {
    const api::ParsedBody parsed = api::parse_json_object(body);
    EXPECT_FALSE(parsed.object) << body;
    EXPECT_TRUE(parsed.error.starts_with("Unexpected")) << parsed.error;
  }
}

TEST(JsonBodyTest, TrailingGarbageIsRejected) {
  struct Case {
    const char* body;
    const char* error;
  };
  for (const Case& c : {
           Case{"{} x", "Unexpected token x in JSON at position 3"},
           Case{"{}{}", "Unexpected token { in JSON at position 2"},
           Case{"{}]", "Unexpected token ] in JSON at position 2"},
           Case{"{}\n\n,", "Unexpected token , in JSON at position 4"},
       }) {
    const api::ParsedBody parsed = api::parse_json_object(c.body);
    EXPECT_FALSE(parsed.object) << c.body;
    EXPECT_EQ(parsed.error, c.error) << c.body;
  }
  EXPECT_FALSE(api::parse_json_object(std::string("{}\0", 3)).object);
}

TEST(JsonBodyTest, ErrorMessagesAreJsonParseStyle) {
  struct Case {
    std::string body;
    const char* error;
  };
  for (const Case& c : {
           Case{"{\"a\":}", "Unexpected token } in JSON at position 5"},
           Case{"{\"a\":", "Unexpected end of JSON input"},
           Case{"", "Unexpected end of JSON input"},
           Case{"   ", "Unexpected end of JSON input"},
           Case{"{'a':1}", "Unexpected token ' in JSON at position 1"},
           Case{"{\"a\":1,}", "Unexpected token } in JSON at position 7"},
           Case{"{\"a\"\x01:1}", "Unexpected character in JSON at position 4"},
           Case{"[]", "Request body must be a JSON object"},
           Case{"\"text\"", "Request body must be a JSON object"},
           Case{"42", "Request body must be a JSON object"},
           Case{"null", "Request body must be a JSON object"},
       }) {
    const api::ParsedBody parsed = api::parse_json_object(c.body);
    EXPECT_FALSE(parsed.object) << c.body;
    EXPECT_EQ(parsed.error, c.error) << c.body;
  }
}

TEST(JsonBodyTest, DuplicateTopLevelKeysAreRejected) {
  // Which "password" would count? Refuse instead of guessing (Boost.JSON keeps the last).
  for (const char* body :
       {R"({"password":"a","email":"x@y.z","password":"b"})",
        R"({"email":"x@y.z","email":"y@y.z"})", R"({"pass\u0077ord":"a","password":"b"})"}) {
    const api::ParsedBody parsed = api::parse_json_object(body);
    EXPECT_FALSE(parsed.object) << body;
    EXPECT_EQ(parsed.error, "Duplicate key in JSON object") << body;
  }
  // The same key in different nested objects is fine.
  EXPECT_TRUE(api::parse_json_object(R"({"a":{"k":1},"b":{"k":2}})").object);
}

TEST(JsonBodyTest, StringFields) {
  const api::ParsedBody parsed =
      api::parse_json_object(R"({"s":"x","e":"","n":1,"z":null,"a":["x"],"o":{},"b":true})");
  ASSERT_TRUE(parsed.object);
  const auto& body = *parsed.object;

  api::StringField field = api::string_field(body, "s");
  EXPECT_EQ(field.status, api::FieldStatus::present);
  EXPECT_EQ(field.value, "x");
  EXPECT_TRUE(field.present_and_non_empty());

  field = api::string_field(body, "e");
  EXPECT_EQ(field.status, api::FieldStatus::present);
  EXPECT_FALSE(field.present_and_non_empty());

  for (const char* name : {"z", "missing"}) {
    EXPECT_EQ(api::string_field(body, name).status, api::FieldStatus::missing) << name;
  }
  for (const char* name : {"n", "a", "o", "b"}) {
    field = api::string_field(body, name);
    EXPECT_EQ(field.status, api::FieldStatus::wrong_type) << name;
    EXPECT_FALSE(field.present_and_non_empty()) << name;
  }
}

TEST(JsonBodyTest, StringListFields) {
  const api::ParsedBody parsed = api::parse_json_object(
      R"({"one":"admin","many":["admin","seller,buyer"],"empty":[],"mixed":["a",1],)"
      R"("num":3,"obj":{"a":"b"},"z":null})");
  ASSERT_TRUE(parsed.object);
  const auto& body = *parsed.object;

  api::StringListField field = api::string_list_field(body, "one");
  EXPECT_EQ(field.status, api::FieldStatus::present);
  EXPECT_EQ(field.values, std::vector<std::string>{"admin"});

  field = api::string_list_field(body, "many");
  EXPECT_EQ(field.status, api::FieldStatus::present);
  EXPECT_EQ(field.values, (std::vector<std::string>{"admin", "seller,buyer"}));

  field = api::string_list_field(body, "empty");
  EXPECT_EQ(field.status, api::FieldStatus::present);
  EXPECT_TRUE(field.values.empty());

  for (const char* name : {"mixed", "num", "obj"}) {
    field = api::string_list_field(body, name);
    EXPECT_EQ(field.status, api::FieldStatus::wrong_type) << name;
    EXPECT_TRUE(field.values.empty()) << name;
  }
  EXPECT_EQ(api::string_list_field(body, "z").status, api::FieldStatus::missing);
  EXPECT_EQ(api::string_list_field(body, "absent").status, api::FieldStatus::missing);
}

}  // namespace
}  // namespace authd

TEST(RequestIdTest, IdsAreUniqueAcrossThreadsAndHeaderSafe) {
  const auto draw = [] {
    std::vector<std::string> ids;
    for (int i = 0; i < 10000; ++i) ids.push_back(authd::http::next_request_id());
    return ids;
  };
  auto other = std::async(std::launch::async, draw);
  std::set<std::string> seen;
  for (const auto& batch : {draw(), other.get()}) {
    for (const auto& id : batch) {
      EXPECT_EQ(id.size(), 16u);
      EXPECT_EQ(
          id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
          std::string::npos)
          << id;
      EXPECT_TRUE(seen.insert(id).second) << "repeated: " << id;
    }
  }
  EXPECT_EQ(seen.size(), 20000u);
}
