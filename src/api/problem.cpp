#include "api/problem.hpp"

namespace authd::api {

ProblemInfo problem_info(Problem problem) {
  switch (problem) {
    case Problem::malformed_body:
      return {"malformed-body", 400, "Request body is not a valid JSON object"};
    case Problem::invalid_field:
      return {"invalid-field", 400, "A field is missing, unknown or invalid"};
    case Problem::weak_password:
      return {"weak-password", 400, "Password does not meet the password policy"};
    case Problem::current_password_incorrect:
      return {"current-password-incorrect", 400, "The current password is incorrect"};
    case Problem::action_token_invalid:
      return {"action-token-invalid", 400,
              "The link is invalid, was already used, or has expired; request a new one"};
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
    case Problem::forbidden:
      return {"forbidden", 403, "Administrators only"};
    case Problem::insufficient_role:
      return {"insufficient-role", 403, "The account holds none of the roles this needs"};
    case Problem::user_not_found:
      return {"user-not-found", 404, "No such user"};
    case Problem::role_not_found:
      return {"role-not-found", 404, "No such role"};
    case Problem::last_administrator:
      return {"last-administrator", 409,
              "The change would leave no active administrator; appoint another one first"};
    case Problem::confirmation_required:
      return {"confirmation-required", 409,
              "This takes your own administrator access away; repeat it with force"};
    case Problem::role_taken:
      return {"role-taken", 409, "A role with this name already exists"};
    case Problem::role_in_use:
      return {"role-in-use", 409, "Someone holds this role; delete it with force"};
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
    case Problem::mail_not_configured:
      return {"mail-not-configured", 501, "This server sends no mail: it has no mail transport"};
    case Problem::unavailable:
      return {"unavailable", 503, "Service temporarily unavailable"};
  }
  return {"internal", 500, "Internal server error"};
}

std::string problem_type(Problem problem) {
  return std::string("urn:authd:problem:").append(problem_info(problem).slug);
}

}  // namespace authd::api
