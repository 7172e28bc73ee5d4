#include "api/seed003.hpp"

#include "api/client_info.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "util/time.hpp"

namespace authd::api {
namespace {

using boost::json::object;
using boost::json::value;
using core::AuthError;

object envelope_error(std::string_view text) {
  return object{{"success", false}, {"error", object{{"message", text}}}};
}

http::Response error(unsigned status, std::string_view text) {
  return json_response(status, envelope_error(text));
}

http::Response format_error(unsigned status, std::string_view text) {
  return status == 503 ? unavailable_response(envelope_error(text)) : error(status, text);
}

http::Response from_error(const core::AuthFailure& failure, const core::AuthService& auth) {
  if (auto text =
          common_message(failure, auth.max_password_bytes(), auth.min_password_characters())) {
    if (failure.code == AuthError::throttled) {
      return throttled_response(envelope_error(*text), failure.retry_after);
    }
    return error(400, *text);
  }
  switch (failure.code) {
    case AuthError::invalid_email:
      return error(400, "Invalid email address");
    case AuthError::invalid_name:
      return error(400, "Invalid firstName or lastName");
    case AuthError::email_taken:
      return error(409, "Email is already registered");
    case AuthError::user_not_found:
      return json_response(404, object{{"message", "User Not found."}});
    case AuthError::wrong_password:
      return error(401, "Incorrect email or password");
    case AuthError::account_disabled:
      return error(403, "Account is disabled");
    case AuthError::store_unavailable:
      return format_error(503, "Service temporarily unavailable");
    default:
      break;  // internal
  }
  return error(500, "Internal server error");
}

// The first assigned role: assignment keeps the requested order (DESIGN.md §6).
std::string_view primary_role(const store::UserRecord& user) {
  return user.roles.empty() ? std::string_view("user") : std::string_view(user.roles.front());
}

http::Response success(unsigned status, std::string token, object user) {
  return json_response(status, object{{"success", true},
                                      {"token", std::move(token)},
                                      {"data", object{{"user", std::move(user)}}}});
}

http::Response register_user(core::AuthService& auth, const core::TokenIssuer& tokens,
                             const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return error(400, body.error);
  auto email = string_field(*body.object, "email");
  auto password = string_field(*body.object, "password");
  auto first_name = string_field(*body.object, "firstName");
  auto last_name = string_field(*body.object, "lastName");
  auto roles = string_list_field(*body.object, "role");
  if (!email.present_and_non_empty() || !password.present_and_non_empty()) {
    return error(400, "email and password are required strings");
  }
  if (first_name.status == FieldStatus::wrong_type || last_name.status == FieldStatus::wrong_type) {
    return error(400, "firstName and lastName must be strings");
  }
  if (roles.status == FieldStatus::wrong_type) {
    return error(400, "role must be an array of role names");
  }
  auto optional = [](StringField& field) -> std::optional<std::string> {
    if (field.status != FieldStatus::present) return std::nullopt;
    return std::move(field.value);
  };
  auto outcome = auth.register_user({.email = std::move(email.value),
                                     .password = std::move(password.value),
                                     .first_name = optional(first_name),
                                     .last_name = optional(last_name),
                                     .requested_roles = std::move(roles.values),
                                     .client = client_of(request)});
  if (!outcome) return from_error(outcome.error(), auth);
  const auto& user = outcome->user;
  return success(201, tokens.issue({{"id", user.id}}, kSeed003TokenTtl),
                 object{
                     {"isActive", user.is_active},
                     {"id", user.id},
                     {"email", user.email},
                     {"firstName", optional_text(user.first_name)},
                     {"lastName", optional_text(user.last_name)},
                     {"role", primary_role(user)},
                     {"updatedAt", util::to_iso8601(user.updated_at)},
                     {"createdAt", util::to_iso8601(user.created_at)},
                 });
}

http::Response login(core::AuthService& auth, const core::TokenIssuer& tokens,
                     const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return error(400, body.error);
  auto email = string_field(*body.object, "email");
  auto password = string_field(*body.object, "password");
  if (!email.present_and_non_empty() || !password.present_and_non_empty()) {
    return error(400, "email and password are required strings");
  }
  auto outcome = auth.login({.email = std::move(email.value),
                             .password = std::move(password.value),
                             .client = client_of(request)});
  if (!outcome) return from_error(outcome.error(), auth);
  const auto& user = outcome->user;
  return success(200, tokens.issue({{"id", user.id}}, kSeed003TokenTtl),
                 object{
                     {"id", user.id},
                     {"email", user.email},
                     {"firstName", optional_text(user.first_name)},
                     {"lastName", optional_text(user.last_name)},
                     {"role", primary_role(user)},
                     {"isActive", user.is_active},
                     {"lastLogin", optional_time(user.last_login)},
                     // The reset token is stored hashed and is never echoed back.
                     {"passwordResetToken", nullptr},
                     {"passwordResetExpires", optional_time(user.password_reset_expires)},
                     {"createdAt", util::to_iso8601(user.created_at)},
                     {"updatedAt", util::to_iso8601(user.updated_at)},
                 });
}

}  // namespace

void add_seed003_routes(http::Router& router, core::AuthService& auth,
                        const core::TokenIssuer& tokens) {
  router.add({.method = "POST",
              .path = "/api/auth/register",
              .handler = [&auth, &tokens](
                             const http::Request& r) { return register_user(auth, tokens, r); },
              .json_body = true,
              .errors = format_error});
  router.add(
      {.method = "POST",
       .path = "/api/auth/login",
       .handler = [&auth, &tokens](const http::Request& r) { return login(auth, tokens, r); },
       .json_body = true,
       .errors = format_error});
}

}  // namespace authd::api
