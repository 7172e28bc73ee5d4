#include "api/seed000.hpp"

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
    {AuthError::invalid_name, {400, "Invalid name"}},
    {AuthError::email_taken, {409, "User already exists"}},
    {AuthError::user_not_found, {404, "User not found"}},
    {AuthError::wrong_password, {409, "Invalid email or password"}},
    {AuthError::account_disabled, {403, "Account is disabled"}},
};
constexpr Dialect kSeed000{"seed000", Envelope::message, error_table(kSeedCommonRows, kOwnRows)};

constexpr std::string_view kCredentialsRequired = "email and password are required strings";

object token_claims(const core::UserView& user) {
  return {{"id", user.id}, {"username", user.email}};
}

http::Response register_user(core::CredentialService& credentials, const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return respond(kSeed000, 400, body.error);
  auto email = string_field(*body.object, "email");
  auto password = string_field(*body.object, "password");
  if (!email.present_and_non_empty() || !password.present_and_non_empty()) {
    return respond(kSeed000, 400, kCredentialsRequired);
  }
  auto done = credentials.register_user({.email = std::move(email.value),
                                         .password = std::move(password.value),
                                         .client = client_of(request)},
                                        {});
  if (!done) return respond(kSeed000, done.error());
  const core::UserView& user = done->user;
  return json_response(201, object{
                                {"id", user.id},
                                {"email", user.email},
                                {"createdAt", util::to_iso8601(user.created_at)},
                                {"updatedAt", util::to_iso8601(user.updated_at)},
                            });
}

http::Response login(core::CredentialService& credentials, const http::Request& request) {
  auto body = parse_json_object(request.body);
  if (!body.object) return respond(kSeed000, 400, body.error);
  auto email = string_field(*body.object, "email");
  auto password = string_field(*body.object, "password");
  if (!email.present_and_non_empty() || !password.present_and_non_empty()) {
    return respond(kSeed000, 400, kCredentialsRequired);
  }
  auto done = credentials.login({.email = std::move(email.value),
                                 .password = std::move(password.value),
                                 .client = client_of(request)},
                                core::SignedToken{kSeed000TokenTtl, token_claims});
  if (!done) return respond(kSeed000, done.error());
  return json_response(200, object{{"token", std::get<core::Jwt>(done->credential).token}});
}

}  // namespace

void add_seed000_routes(http::Router& router, core::CredentialService& credentials) {
  router.add(
      {.method = "POST",
       .path = "/auth/register",
       .handler = [&credentials](const http::Request& r) { return register_user(credentials, r); },
       .json_body = true,
       .errors = http_errors<kSeed000>});
  router.add({.method = "POST",
              .path = "/auth/login",
              .handler = [&credentials](const http::Request& r) { return login(credentials, r); },
              .json_body = true,
              .errors = http_errors<kSeed000>});
}

}  // namespace authd::api
