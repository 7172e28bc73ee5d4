#include "api/seed000.hpp"

#include "api/client_info.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "util/time.hpp"

namespace authd::api {
namespace {

using boost::json::object;
using core::AuthError;

http::Response message(unsigned status, std::string_view text) {
  return json_response(status, object{{"message", text}});
}

http::Response format_error(unsigned status, std::string_view text) {
  return status == 503 ? unavailable_response(object{{"message", text}}) : message(status, text);
}

http::Response from_error(const core::AuthFailure& failure, const core::AuthService& auth) {
  if (auto text =
          common_message(failure, auth.max_password_bytes(), auth.min_password_characters())) {
    if (failure.code == AuthError::throttled) {
      return throttled_response(object{{"message", *text}}, failure.retry_after);
    }
    return message(400, *text);
  }
  switch (failure.code) {
    case AuthError::invalid_email:
      return message(400, "Invalid email address");
    case AuthError::invalid_name:
      return message(400, "Invalid name");
    case AuthError::email_taken:
      return message(409, "User already exists");
    case AuthError::user_not_found:
      return message(404, "User not found");
    case AuthError::wrong_password:
      return message(409, "Invalid email or password");
    case AuthError::account_disabled:
      return message(403, "Account is disabled");
    case AuthError::store_unavailable:
      return format_error(503, "Service temporarily unavailable");
    default:
      break;  // internal
  }
  return message(500, "Internal server error");
}

constexpr std::string_view kCredentialsRequired = "email and password are required strings";

http::Response register_user(core::AuthService& auth, const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return message(400, body.error);
  auto email = string_field(*body.object, "email");
  auto password = string_field(*body.object, "password");
  if (!email.present_and_non_empty() || !password.present_and_non_empty()) {
    return message(400, kCredentialsRequired);
  }
  auto outcome = auth.register_user({.email = std::move(email.value),
                                     .password = std::move(password.value),
                                     .client = client_of(request)});
  if (!outcome) return from_error(outcome.error(), auth);
  const auto& user = outcome->user;
  return json_response(201, object{
                                {"id", user.id},
                                {"email", user.email},
                                {"createdAt", util::to_iso8601(user.created_at)},
                                {"updatedAt", util::to_iso8601(user.updated_at)},
                            });
}

http::Response login(core::AuthService& auth, const core::TokenIssuer& tokens,
                     const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return message(400, body.error);
  auto email = string_field(*body.object, "email");
  auto password = string_field(*body.object, "password");
  if (!email.present_and_non_empty() || !password.present_and_non_empty()) {
    return message(400, kCredentialsRequired);
  }
  auto outcome = auth.login({.email = std::move(email.value),
                             .password = std::move(password.value),
                             .client = client_of(request)});
  if (!outcome) return from_error(outcome.error(), auth);
  const auto& user = outcome->user;
  boost::json::object claims{{"id", user.id}, {"username", user.email}};
  return json_response(200, object{{"token", tokens.issue(std::move(claims), kSeed000TokenTtl)}});
}

}  // namespace

void add_seed000_routes(http::Router& router, core::AuthService& auth,
                        const core::TokenIssuer& tokens) {
  router.add({.method = "POST",
              .path = "/auth/register",
              .handler = [&auth](const http::Request& r) { return register_user(auth, r); },
              .json_body = true,
              .errors = format_error});
  router.add(
      {.method = "POST",
       .path = "/auth/login",
       .handler = [&auth, &tokens](const http::Request& r) { return login(auth, tokens, r); },
       .json_body = true,
       .errors = format_error});
}

}  // namespace authd::api
