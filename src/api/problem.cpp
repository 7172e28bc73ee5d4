#include "api/problem.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace authd::api {
namespace {

struct ProblemInfo {
  std::string_view slug;
  unsigned status;
  std::string_view title;
};

ProblemInfo info(Problem problem) {
  switch (problem) {
    case Problem::malformed_body:
      return {"malformed-body", 400, "Request body is not a valid JSON object"};
    case Problem::invalid_field:
      return {"invalid-field", 400, "A field is missing, unknown or invalid"};
    case Problem::weak_password:
      return {"weak-password", 400, "Password does not meet the password policy"};
    case Problem::missing_token:
      return {"missing-token", 401, "Bearer access token required"};
    case Problem::invalid_token:
      return {"invalid-token", 401, "Access token is invalid, expired or revoked"};
    case Problem::invalid_credentials:
      return {"invalid-credentials", 401, "Email or password is incorrect"};
    case Problem::invalid_refresh_token:
      return {"invalid-refresh-token", 400, "Refresh token is invalid, expired or revoked"};
    case Problem::refresh_token_reused:
      return {"refresh-token-reused", 400,
              "Refresh token was already used; the session has been revoked"};
    case Problem::session_not_found:
      return {"session-not-found", 404, "No such session"};
    case Problem::not_found:
      return {"not-found", 404, "Not found"};
    case Problem::method_not_allowed:
      return {"method-not-allowed", 405, "Method not allowed"};
    case Problem::email_taken:
      return {"email-taken", 409, "An account with this email already exists"};
    case Problem::payload_too_large:
      return {"payload-too-large", 413, "Request body too large"};
    case Problem::unsupported_media_type:
      return {"unsupported-media-type", 415, "Content-Type must be application/json"};
    case Problem::too_many_attempts:
      return {"too-many-attempts", 429, "Too many attempts; try again later"};
    case Problem::internal:
      return {"internal", 500, "Internal server error"};
    case Problem::unavailable:
      return {"unavailable", 503, "Service temporarily unavailable"};
  }
  return {"internal", 500, "Internal server error"};
}

}  // namespace

std::string problem_type(Problem problem) {
  return std::string("urn:authd:problem:").append(info(problem).slug);
}

http::Response problem_response(Problem problem, std::string_view detail,
                                std::chrono::seconds retry_after) {
  const ProblemInfo about = info(problem);
  boost::json::object body{
      {"type", problem_type(problem)}, {"title", about.title}, {"status", about.status}};
  if (!detail.empty()) body["detail"] = detail;
  http::Response response{.status = about.status,
                          .body = boost::json::serialize(body),
                          .content_type = "application/problem+json"};
  if (about.status == 429 || about.status == 503) {
    response.headers.emplace_back("Retry-After",
                                  std::to_string(std::max<long>(1, retry_after.count())));
  }
  if (about.status == 401) {
    // RFC 9110 §15.5.2 asks every 401 for a challenge; RFC 6750 §3 adds the error code when a
    // token was sent and failed.
    response.headers.emplace_back("WWW-Authenticate", problem == Problem::invalid_token
                                                          ? "Bearer error=\"invalid_token\""
                                                          : "Bearer");
  }
  return response;
}

http::Response problem_for_status(unsigned status, std::string_view detail) {
  switch (status) {
    case 400:
      return problem_response(Problem::malformed_body, detail);
    case 404:
      return problem_response(Problem::not_found, detail);
    case 405:
      return problem_response(Problem::method_not_allowed, detail);
    case 413:
      return problem_response(Problem::payload_too_large, detail);
    case 415:
      return problem_response(Problem::unsupported_media_type, detail);
    case 503:
      return problem_response(Problem::unavailable, detail);
    default:
      return problem_response(Problem::internal);
  }
}

}  // namespace authd::api
