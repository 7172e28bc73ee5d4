// RFC 9457 problem details for the /v1 API: every error is application/problem+json with a
// stable "type" per kind of error, so clients branch on the type, never on the wording.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace authd::api {

enum class Problem {
  malformed_body,       // 400: not JSON, not an object, too deep, duplicate keys
  invalid_field,        // 400: a field missing, of the wrong type, unknown, or invalid
  weak_password,        // 400: too short or too common
  missing_token,        // 401: no bearer token
  invalid_token,        // 401: bad, expired or revoked access token
  invalid_credentials,  // 401: login failed (one answer for every reason)
  // The refresh grant failed: 400, as RFC 6749 §5.2 answers invalid_grant.
  invalid_refresh_token,   // 400: unknown, expired or revoked refresh token
  refresh_token_reused,    // 400: a rotated refresh token came back; the session is revoked
  session_not_found,       // 404
  not_found,               // 404: no such route
  method_not_allowed,      // 405
  email_taken,             // 409
  payload_too_large,       // 413
  unsupported_media_type,  // 415
  too_many_attempts,       // 429, with Retry-After
  internal,                // 500
  unavailable,             // 503, with Retry-After
};

// "urn:authd:problem:<slug>": stable identifiers, documented in the OpenAPI document.
std::string problem_type(Problem problem);

// The response for `problem`; `detail` is optional human-readable text for this occurrence.
http::Response problem_response(Problem problem, std::string_view detail = {},
                                std::chrono::seconds retry_after = std::chrono::seconds(0));

// The HTTP layer's own errors (413, 415, 500, 503 ...) in problem form, for /v1 routes.
http::Response problem_for_status(unsigned status, std::string_view detail);

}  // namespace authd::api
