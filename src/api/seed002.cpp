#include "api/seed002.hpp"

#include "api/client_info.hpp"
#include "api/dialect.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"

namespace authd::api {
namespace {

using boost::json::object;
using core::AuthError;

constexpr std::pair<AuthError, Wording> kOwnRows[] = {
    {AuthError::invalid_email, {400, "Invalid email address"}},
    {AuthError::invalid_name, {400, "Invalid name"}},
    {AuthError::email_taken, {400, "Account already exists with this email"}},
    {AuthError::user_not_found, {404, "Account not found"}},
    {AuthError::wrong_password, {401, "Incorrect password"}},
    {AuthError::account_disabled, {403, "Account is disabled"}},
};
constexpr Dialect kSeed002{"seed002", Envelope::error, error_table(kSeedCommonRows, kOwnRows)};

constexpr std::string_view kAllFieldsRequired = "All fields are required";

http::Response session(unsigned status, std::string_view message, const core::Authenticated& done) {
  return json_response(
      status, object{{"message", message},
                     {"sessionToken", std::get<core::OpaqueToken>(done.credential).token}});
}

// "Provided" means present as a non-empty string (DESIGN.md §6); a number or an empty string in a
// required field is the same mistake as leaving it out.
http::Response register_user(core::CredentialService& credentials, const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return respond(kSeed002, 400, "Invalid JSON: " + body.error);
  auto password = string_field(*body.object, "password");
  auto first_name = string_field(*body.object, "first_name");
  auto last_name = string_field(*body.object, "last_name");
  auto email = string_field(*body.object, "email");
  if (!password.present_and_non_empty() || !first_name.present_and_non_empty() ||
      !last_name.present_and_non_empty() || !email.present_and_non_empty()) {
    return respond(kSeed002, 400, kAllFieldsRequired);
  }
  auto done = credentials.register_user({.email = std::move(email.value),
                                         .password = std::move(password.value),
                                         .first_name = std::move(first_name.value),
                                         .last_name = std::move(last_name.value),
                                         .client = client_of(request)},
                                        core::OpaqueSession{});
  if (!done) return respond(kSeed002, done.error());
  return session(201, "User registered successfully", *done);
}

http::Response login(core::CredentialService& credentials, const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return respond(kSeed002, 400, "Invalid JSON: " + body.error);
  auto email = string_field(*body.object, "email");
  auto password = string_field(*body.object, "password");
  if (!email.present_and_non_empty() || !password.present_and_non_empty()) {
    return respond(kSeed002, 400, kAllFieldsRequired);
  }
  auto done = credentials.login({.email = std::move(email.value),
                                 .password = std::move(password.value),
                                 .client = client_of(request)},
                                core::OpaqueSession{});
  if (!done) return respond(kSeed002, done.error());
  return session(200, "User logged in successfully", *done);
}

}  // namespace

void add_seed002_routes(http::Router& router, core::CredentialService& credentials) {
  router.add(
      {.method = "POST",
       .path = "/auth",
       .handler = [&credentials](const http::Request& r) { return register_user(credentials, r); },
       .json_body = true,
       .errors = http_errors<kSeed002>});
  router.add({.method = "PUT",
              .path = "/auth",
              .handler = [&credentials](const http::Request& r) { return login(credentials, r); },
              .json_body = true,
              .errors = http_errors<kSeed002>});
}

}  // namespace authd::api
