#include "api/dialect.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace authd::api {
namespace {

using boost::json::object;

// The body of an error answer in `envelope`.
object envelope_body(Envelope envelope, const Wording& wording, std::string_view text) {
  if (wording.bare) return object{{"message", text}};
  switch (envelope) {
    case Envelope::message:
      return object{{"message", text}};
    case Envelope::error:
      return object{{"error", text}};
    case Envelope::success_error:
      return object{{"success", false}, {"error", object{{"message", text}}}};
    case Envelope::problem: {
      const ProblemInfo info = problem_info(wording.problem);
      object body{
          {"type", problem_type(wording.problem)}, {"title", info.title}, {"status", info.status}};
      if (!text.empty()) body["detail"] = text;
      return body;
    }
  }
  return object{{"error", text}};
}

// The one place an error answer is built: body, media type, and the headers its status needs.
http::Response shape(const Dialect& dialect, const Wording& wording, std::string_view text,
                     std::chrono::seconds retry_after = std::chrono::seconds(0)) {
  const bool problem = dialect.envelope == Envelope::problem;
  const unsigned status = problem ? problem_info(wording.problem).status : wording.status;
  http::Response response{
      .status = status,
      .body = boost::json::serialize(envelope_body(dialect.envelope, wording, text)),
      .content_type = problem ? "application/problem+json" : "application/json"};
  // RFC 9110 §10.2.3: when to try again, at least a second from now.
  if (status == 429 || status == 503) {
    response.headers.emplace_back("Retry-After",
                                  std::to_string(std::max<long>(1, retry_after.count())));
  }
  // RFC 9110 §11.6.1: every 401 carries a challenge; RFC 6750 §3 adds the error code when a
  // bearer token was sent and failed.
  if (status == 401) {
    response.headers.emplace_back("WWW-Authenticate", wording.problem == Problem::invalid_token
                                                          ? "Bearer error=\"invalid_token\""
                                                          : "Bearer");
  }
  // RFC 6750 §3.1: a valid token without the privileges the resource needs.
  if (wording.problem == Problem::insufficient_role) {
    response.headers.emplace_back("WWW-Authenticate", "Bearer error=\"insufficient_scope\"");
  }
  return response;
}

// The problem an HTTP-layer status stands for under /v1.
Problem problem_for_status(unsigned status) {
  switch (status) {
    case 400:
      return Problem::malformed_body;
    case 404:
      return Problem::not_found;
    case 405:
      return Problem::method_not_allowed;
    case 413:
      return Problem::payload_too_large;
    case 415:
      return Problem::unsupported_media_type;
    case 503:
      return Problem::unavailable;
    default:
      return Problem::internal;
  }
}

}  // namespace

http::Response respond(const Dialect& dialect, const core::AuthFailure& failure) {
  const Wording& wording = dialect.errors[core::index_of(failure.code)];
  const std::string text = wording.text.find("{}") == std::string_view::npos
                               ? std::string(wording.text)
                               : fmt::format(fmt::runtime(wording.text), failure.limit);
  return shape(dialect, wording, text, failure.retry_after);
}

http::Response respond(const Dialect& dialect, unsigned status, std::string_view text,
                       Problem problem) {
  return shape(dialect, Wording{.status = status, .problem = problem}, text);
}

http::Response respond(const Dialect& dialect, unsigned status, std::string_view text) {
  const Problem problem = problem_for_status(status);
  // An unexpected failure says nothing more than its title under /v1.
  const bool quiet = dialect.envelope == Envelope::problem && problem == Problem::internal;
  return respond(dialect, status, quiet ? std::string_view() : text, problem);
}

}  // namespace authd::api
