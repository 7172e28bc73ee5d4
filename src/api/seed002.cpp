#include "api/seed002.hpp"

#include "api/client_info.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"

namespace authd::api {
namespace {

using boost::json::object;
using core::AuthError;

constexpr std::string_view kAllFieldsRequired = "All fields are required";

http::Response error(unsigned status, std::string_view text) {
  return json_response(status, object{{"error", text}});
}

http::Response format_error(unsigned status, std::string_view text) {
  return status == 503 ? unavailable_response(object{{"error", text}}) : error(status, text);
}

http::Response from_error(const core::AuthFailure& failure, const core::AuthService& auth) {
  if (auto text =
          common_message(failure, auth.max_password_bytes(), auth.min_password_characters())) {
    if (failure.code == AuthError::throttled) {
      return throttled_response(object{{"error", *text}}, failure.retry_after);
    }
    return error(400, *text);
  }
  switch (failure.code) {
    case AuthError::invalid_email:
      return error(400, "Invalid email address");
    case AuthError::invalid_name:
      return error(400, "Invalid name");
    case AuthError::email_taken:
      return error(400, "Account already exists with this email");
    case AuthError::user_not_found:
      return error(404, "Account not found");
    case AuthError::wrong_password:
      return error(401, "Incorrect password");
    case AuthError::account_disabled:
      return error(403, "Account is disabled");
    case AuthError::store_unavailable:
      return format_error(503, "Service temporarily unavailable");
    default:
      break;  // internal
  }
  return error(500, "Internal server error");
}

// "Provided" means present as a non-empty string (DESIGN.md §6); a number or an empty string in a
// required field is the same mistake as leaving it out.
http::Response register_user(core::AuthService& auth, const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return error(400, "Invalid JSON: " + body.error);
  auto password = string_field(*body.object, "password");
  auto first_name = string_field(*body.object, "first_name");
  auto last_name = string_field(*body.object, "last_name");
  auto email = string_field(*body.object, "email");
  if (!password.present_and_non_empty() || !first_name.present_and_non_empty() ||
      !last_name.present_and_non_empty() || !email.present_and_non_empty()) {
    return error(400, kAllFieldsRequired);
  }
  auto outcome = auth.register_user({.email = std::move(email.value),
                                     .password = std::move(password.value),
                                     .first_name = std::move(first_name.value),
                                     .last_name = std::move(last_name.value),
                                     .open_session = store::SessionKind::seed002,
                                     .client = client_of(request)});
  if (!outcome) return from_error(outcome.error(), auth);
  return json_response(201, object{{"message", "User registered successfully"},
                                   {"sessionToken", *outcome->session_token}});
}

http::Response login(core::AuthService& auth, const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return error(400, "Invalid JSON: " + body.error);
  auto email = string_field(*body.object, "email");
  auto password = string_field(*body.object, "password");
  if (!email.present_and_non_empty() || !password.present_and_non_empty()) {
    return error(400, kAllFieldsRequired);
  }
  auto outcome = auth.login({.email = std::move(email.value),
                             .password = std::move(password.value),
                             .open_session = store::SessionKind::seed002,
                             .client = client_of(request)});
  if (!outcome) return from_error(outcome.error(), auth);
  return json_response(200, object{{"message", "User logged in successfully"},
                                   {"sessionToken", *outcome->session_token}});
}

}  // namespace

void add_seed002_routes(http::Router& router, core::AuthService& auth) {
  router.add({.method = "POST",
              .path = "/auth",
              .handler = [&auth](const http::Request& r) { return register_user(auth, r); },
              .json_body = true,
              .errors = format_error});
  router.add({.method = "PUT",
              .path = "/auth",
              .handler = [&auth](const http::Request& r) { return login(auth, r); },
              .json_body = true,
              .errors = format_error});
}

}  // namespace authd::api
