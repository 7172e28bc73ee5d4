// What every /v1 adapter shares: the two error tables (the token lifecycle's and the admin
// API's, which differ only in how an unknown user is answered), the user's JSON shape, and
// strict reading of bodies, fields and bearer tokens.
#pragma once

#include <boost/json/object.hpp>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/dialect.hpp"
#include "api/json_body.hpp"
#include "core/user_view.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace authd::api {

inline constexpr std::pair<core::AuthError, Wording> kV1SharedRows[] = {
    {core::AuthError::invalid_email, {400, "email is not a valid address", Problem::invalid_field}},
    {core::AuthError::invalid_password,
     {400, "password must be at most {} bytes and contain no NUL character",
      Problem::invalid_field}},
    {core::AuthError::password_too_short,
     {400, "password must be at least {} characters", Problem::weak_password}},
    {core::AuthError::password_too_common, {400, "password is too common", Problem::weak_password}},
    {core::AuthError::invalid_name,
     {400, "first_name and last_name must be at most 128 bytes of text", Problem::invalid_field}},
    {core::AuthError::email_taken, {409, "", Problem::email_taken}},
    // One login failure whatever the reason: the answer never tells which emails have accounts
    // (user_not_found, the other reason, differs between the two tables below).
    {core::AuthError::wrong_password, {401, "", Problem::invalid_credentials}},
    {core::AuthError::throttled, {429, "", Problem::too_many_attempts}},
    {core::AuthError::invalid_token, {401, "", Problem::invalid_token}},
    {core::AuthError::invalid_refresh_token, {400, "", Problem::invalid_refresh_token}},
    {core::AuthError::refresh_token_reused, {400, "", Problem::refresh_token_reused}},
    {core::AuthError::session_not_found, {404, "", Problem::session_not_found}},
    {core::AuthError::role_not_found, {400, "no such role", Problem::invalid_field}},
    {core::AuthError::role_taken, {409, "", Problem::role_taken}},
    {core::AuthError::role_in_use, {409, "", Problem::role_in_use}},
    {core::AuthError::role_protected,
     {400, "authd's own roles and the default role of registrations cannot be deleted",
      Problem::invalid_field}},
    {core::AuthError::not_administrator, {403, "", Problem::forbidden}},
    {core::AuthError::last_administrator, {409, "", Problem::last_administrator}},
    {core::AuthError::confirmation_required, {409, "", Problem::confirmation_required}},
    {core::AuthError::role_required, {403, "", Problem::insufficient_role}},
    {core::AuthError::current_password_incorrect, {400, "", Problem::current_password_incorrect}},
    {core::AuthError::action_token_invalid, {400, "", Problem::action_token_invalid}},
    {core::AuthError::mail_not_configured, {501, "", Problem::mail_not_configured}},
    {core::AuthError::store_unavailable, {503, "", Problem::unavailable}},
    {core::AuthError::internal, {500, "", Problem::internal}},
};
// The token lifecycle: an unknown user is a failed login like any other.
inline constexpr std::pair<core::AuthError, Wording> kV1LoginRows[] = {
    {core::AuthError::account_disabled, {401, "", Problem::invalid_credentials}},
    {core::AuthError::user_not_found, {401, "", Problem::invalid_credentials}},
    {core::AuthError::invalid_roles, {400, "", Problem::invalid_field}},  // /v1 takes no roles
};
inline constexpr Dialect kV1{"v1", Envelope::problem, error_table(kV1SharedRows, kV1LoginRows)};

// The admin API: an administrator names accounts, so an unknown one is a 404.
inline constexpr std::pair<core::AuthError, Wording> kV1AdminRows[] = {
    // Setting the password of, or a recovery link for, a disabled account.
    {core::AuthError::account_disabled,
     {400, "the account is disabled: enable it first", Problem::invalid_field}},
    {core::AuthError::user_not_found, {404, "", Problem::user_not_found}},
    {core::AuthError::invalid_roles,
     {400,
      "roles: at most 16 distinct names, each 1 to 64 ASCII letters, digits and . _ - :, and not "
      "starting with authd: (reserved)",
      Problem::invalid_field}},
};
inline constexpr Dialect kV1Admin{"v1-admin", Envelope::problem,
                                  error_table(kV1SharedRows, kV1AdminRows)};

// Registers the routes of an adapter object: each calls one member function of `api` (shared by
// all of them), with the HTTP layer's errors worded by the dialect `D`.
template <const Dialect& D, class Api>
class MemberRoutes {
 public:
  using Handler = http::Response (Api::*)(const http::Request&);
  MemberRoutes(http::Router& router, std::shared_ptr<Api> api)
      : router_(router), api_(std::move(api)) {}

  void add(std::string_view method, std::string_view path, bool json_body, Handler handler) {
    router_.add(
        {.method = std::string(method),
         .path = std::string(path),
         .handler = [api = api_, handler](const http::Request& r) { return ((*api).*handler)(r); },
         .json_body = json_body,
         .errors = http_errors<D>});
  }

 private:
  http::Router& router_;
  std::shared_ptr<Api> api_;
};

// A problem the adapter words itself (the same in both tables).
http::Response problem(Problem problem, std::string_view detail = {});

http::Response no_content();

// The user as /v1/me shows it.
boost::json::object user_json(const core::UserView& user);

// The body as an object holding only `allowed` fields: a typo in a field name is an error the
// client hears about, not a value silently ignored.
struct Body {
  std::optional<boost::json::object> fields;
  http::Response error;
};
Body read_body(const http::Request& request, std::initializer_list<std::string_view> allowed);

// A required non-empty string field, or the problem to answer with.
std::optional<http::Response> require_string(const boost::json::object& body, std::string_view name,
                                             StringField& out);
// An optional string field (absent or null means not given).
std::optional<http::Response> optional_string(const boost::json::object& body,
                                              std::string_view name,
                                              std::optional<std::string>& out);

// The token of "Authorization: Bearer <token>" (RFC 6750 §2.1; the scheme is case-insensitive).
std::optional<std::string_view> bearer_token(const http::Request& request);

}  // namespace authd::api
