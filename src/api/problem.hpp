// RFC 9457 problem details for the /v1 API: every error is application/problem+json with a
// stable "type" per kind of error, so clients branch on the type, never on the wording. The
// answers themselves are built in dialect.cpp.
#pragma once

#include <string>
#include <string_view>

namespace authd::api {

enum class Problem {
  malformed_body,              // 400: not JSON, not an object, too deep, duplicate keys
  invalid_field,               // 400: a field missing, of the wrong type, unknown, or invalid
  weak_password,               // 400: too short or too common
  current_password_incorrect,  // 400: self-service proven with a wrong current password
  action_token_invalid,        // 400: a mailed token, whatever is wrong with it
  missing_token,               // 401: no bearer token
  invalid_token,               // 401: bad, expired or revoked access token
  invalid_credentials,         // 401: login failed (one answer for every reason)
  // The refresh grant failed: 400, as RFC 6749 §5.2 answers invalid_grant.
  invalid_refresh_token,   // 400: unknown, expired or revoked refresh token
  refresh_token_reused,    // 400: a rotated refresh token came back; the session is revoked
  session_not_found,       // 404
  forbidden,               // 403: the admin API, for a caller who is not an administrator
  insufficient_role,       // 403: the gateway check, for a holder of none of the roles asked for
  user_not_found,          // 404: the admin API
  role_not_found,          // 404: the admin API
  last_administrator,      // 409: the change would leave no active administrator
  confirmation_required,   // 409: an administrator acting on themself without "force"
  role_taken,              // 409
  role_in_use,             // 409: deleting a role someone holds, without force
  not_found,               // 404: no such route
  method_not_allowed,      // 405
  email_taken,             // 409
  payload_too_large,       // 413
  unsupported_media_type,  // 415
  too_many_attempts,       // 429, with Retry-After
  internal,                // 500
  mail_not_configured,     // 501: a route that sends mail, on a server without mail
  unavailable,             // 503, with Retry-After
};

struct ProblemInfo {
  std::string_view slug;  // the type is "urn:authd:problem:<slug>"
  unsigned status;
  std::string_view title;
};

ProblemInfo problem_info(Problem problem);

// "urn:authd:problem:<slug>": stable identifiers, documented in the OpenAPI document.
std::string problem_type(Problem problem);

}  // namespace authd::api
