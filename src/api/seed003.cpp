#include "api/seed003.hpp"

#include "api/client_info.hpp"
#include "api/dialect.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "util/time.hpp"

namespace authd::api {
namespace {

using boost::json::object;
using core::AuthError;

constexpr std::pair<AuthError, Wording> kOwnRows[] = {
    {AuthError::invalid_email, {400, "Invalid email address"}},
    {AuthError::invalid_name, {400, "Invalid firstName or lastName"}},
    {AuthError::email_taken, {409, "Email is already registered"}},
    {AuthError::user_not_found, {.status = 404, .text = "User Not found.", .bare = true}},
    {AuthError::wrong_password, {401, "Incorrect email or password"}},
    {AuthError::account_disabled, {403, "Account is disabled"}},
};
constexpr Dialect kSeed003{"seed003", Envelope::success_error,
                           error_table(kSeedCommonRows, kOwnRows)};

const core::SignedToken kToken{kSeed003TokenTtl, [](const core::UserView& user) {
                                 return object{{"id", user.id}};
                               }};

// The first assigned role: assignment keeps the requested order (DESIGN.md §6).
std::string_view primary_role(const core::UserView& user) {
  return user.roles.empty() ? std::string_view("user") : std::string_view(user.roles.front());
}

http::Response success(unsigned status, const core::Authenticated& done, object user) {
  return json_response(status, object{{"success", true},
                                      {"token", std::get<core::Jwt>(done.credential).token},
                                      {"data", object{{"user", std::move(user)}}}});
}

http::Response register_user(core::CredentialService& credentials, const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return respond(kSeed003, 400, body.error);
  auto email = string_field(*body.object, "email");
  auto password = string_field(*body.object, "password");
  auto first_name = string_field(*body.object, "firstName");
  auto last_name = string_field(*body.object, "lastName");
  auto roles = string_list_field(*body.object, "role");
  if (!email.present_and_non_empty() || !password.present_and_non_empty()) {
    return respond(kSeed003, 400, "email and password are required strings");
  }
  if (first_name.status == FieldStatus::wrong_type || last_name.status == FieldStatus::wrong_type) {
    return respond(kSeed003, 400, "firstName and lastName must be strings");
  }
  if (roles.status == FieldStatus::wrong_type) {
    return respond(kSeed003, 400, "role must be an array of role names");
  }
  auto optional = [](StringField& field) -> std::optional<std::string> {
    if (field.status != FieldStatus::present) return std::nullopt;
    return std::move(field.value);
  };
  auto done = credentials.register_user({.email = std::move(email.value),
                                         .password = std::move(password.value),
                                         .first_name = optional(first_name),
                                         .last_name = optional(last_name),
                                         .requested_roles = std::move(roles.values),
                                         .client = client_of(request)},
                                        kToken);
  if (!done) return respond(kSeed003, done.error());
  const core::UserView& user = done->user;
  return success(201, *done,
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

http::Response login(core::CredentialService& credentials, const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return respond(kSeed003, 400, body.error);
  auto email = string_field(*body.object, "email");
  auto password = string_field(*body.object, "password");
  if (!email.present_and_non_empty() || !password.present_and_non_empty()) {
    return respond(kSeed003, 400, "email and password are required strings");
  }
  auto done = credentials.login({.email = std::move(email.value),
                                 .password = std::move(password.value),
                                 .client = client_of(request)},
                                kToken);
  if (!done) return respond(kSeed003, done.error());
  const core::UserView& user = done->user;
  return success(200, *done,
                 object{
                     {"id", user.id},
                     {"email", user.email},
                     {"firstName", optional_text(user.first_name)},
                     {"lastName", optional_text(user.last_name)},
                     {"role", primary_role(user)},
                     {"isActive", user.is_active},
                     {"lastLogin", optional_time(user.last_login)},
                     // Reset tokens are stored hashed and never echoed back.
                     {"passwordResetToken", nullptr},
                     {"passwordResetExpires", optional_time(user.password_reset_expires)},
                     {"createdAt", util::to_iso8601(user.created_at)},
                     {"updatedAt", util::to_iso8601(user.updated_at)},
                 });
}

}  // namespace

void add_seed003_routes(http::Router& router, core::CredentialService& credentials) {
  router.add(
      {.method = "POST",
       .path = "/api/auth/register",
       .handler = [&credentials](const http::Request& r) { return register_user(credentials, r); },
       .json_body = true,
       .errors = http_errors<kSeed003>});
  router.add({.method = "POST",
              .path = "/api/auth/login",
              .handler = [&credentials](const http::Request& r) { return login(credentials, r); },
              .json_body = true,
              .errors = http_errors<kSeed003>});
}

}  // namespace authd::api
