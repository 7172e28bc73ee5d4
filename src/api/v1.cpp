#include "api/v1.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <initializer_list>

#include "api/client_info.hpp"
#include "api/dialect.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "api/problem.hpp"
#include "util/time.hpp"

namespace authd::api {
namespace {

using boost::json::object;
using core::AuthError;

constexpr std::pair<AuthError, Wording> kRows[] = {
    {AuthError::invalid_email, {400, "email is not a valid address", Problem::invalid_field}},
    {AuthError::invalid_password,
     {400, "password must be at most {} bytes and contain no NUL character",
      Problem::invalid_field}},
    {AuthError::password_too_short,
     {400, "password must be at least {} characters", Problem::weak_password}},
    {AuthError::password_too_common, {400, "password is too common", Problem::weak_password}},
    {AuthError::invalid_name,
     {400, "first_name and last_name must be at most 128 bytes of text", Problem::invalid_field}},
    {AuthError::invalid_roles, {400, "", Problem::invalid_field}},
    {AuthError::email_taken, {409, "", Problem::email_taken}},
    // One login failure whatever the reason: the answer never tells which emails have accounts.
    {AuthError::user_not_found, {401, "", Problem::invalid_credentials}},
    {AuthError::wrong_password, {401, "", Problem::invalid_credentials}},
    {AuthError::account_disabled, {401, "", Problem::invalid_credentials}},
    {AuthError::throttled, {429, "", Problem::too_many_attempts}},
    {AuthError::invalid_token, {401, "", Problem::invalid_token}},
    {AuthError::invalid_refresh_token, {400, "", Problem::invalid_refresh_token}},
    {AuthError::refresh_token_reused, {400, "", Problem::refresh_token_reused}},
    {AuthError::session_not_found, {404, "", Problem::session_not_found}},
    {AuthError::role_not_found, {400, "no such role", Problem::invalid_field}},
    {AuthError::store_unavailable, {503, "", Problem::unavailable}},
    {AuthError::internal, {500, "", Problem::internal}},
};
constexpr Dialect kV1{"v1", Envelope::problem, error_table(kRows)};

object user_json(const core::UserView& user) {
  boost::json::array roles;
  for (const auto& role : user.roles) roles.emplace_back(role);
  return object{{"id", user.id},
                {"email", user.email},
                {"first_name", optional_text(user.first_name)},
                {"last_name", optional_text(user.last_name)},
                {"roles", std::move(roles)},
                {"created_at", util::to_iso8601(user.created_at)},
                {"last_login", optional_time(user.last_login)}};
}

http::Response tokens_json(unsigned status, const core::TokenPair& pair) {
  return json_response(status, object{{"access_token", pair.access_token},
                                      {"token_type", "Bearer"},
                                      {"expires_in", pair.expires_in.count()},
                                      {"refresh_token", pair.refresh_token},
                                      {"session_id", pair.session_id}});
}

http::Response no_content() {
  return {.status = 204, .body = {}, .content_type = {}};
}

http::Response problem(Problem problem, std::string_view detail = {}) {
  return respond(kV1, problem_info(problem).status, detail, problem);
}

// The body as an object holding only `allowed` fields: a typo in a field name is an error the
// client hears about, not a value silently ignored.
struct Body {
  std::optional<object> fields;
  http::Response error;
};

Body read_body(const http::Request& request, std::initializer_list<std::string_view> allowed) {
  auto parsed = parse_json_object(request.body);
  if (!parsed.object) return {std::nullopt, problem(Problem::malformed_body, parsed.error)};
  for (const auto& member : *parsed.object) {
    if (std::find(allowed.begin(), allowed.end(), member.key()) == allowed.end()) {
      return {std::nullopt,
              problem(Problem::invalid_field, "unknown field: " + std::string(member.key()))};
    }
  }
  return {std::move(parsed.object), {}};
}

// A required non-empty string field, or the problem to answer with.
std::optional<http::Response> require_string(const object& body, std::string_view name,
                                             StringField& out) {
  out = string_field(body, name);
  if (out.present_and_non_empty()) return std::nullopt;
  return problem(Problem::invalid_field,
                 std::string(name).append(" is required and must be a non-empty string"));
}

// An optional string field (absent or null means not given).
std::optional<http::Response> optional_string(const object& body, std::string_view name,
                                              std::optional<std::string>& out) {
  auto field = string_field(body, name);
  if (field.status == FieldStatus::wrong_type) {
    return problem(Problem::invalid_field, std::string(name).append(" must be a string or null"));
  }
  if (field.status == FieldStatus::present) out = std::move(field.value);
  return std::nullopt;
}

// The token of "Authorization: Bearer <token>" (RFC 6750 §2.1; the scheme is case-insensitive).
std::optional<std::string_view> bearer_token(const http::Request& request) {
  constexpr std::string_view kScheme = "bearer ";
  std::string_view header = request.authorization;
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  if (header.empty()) return std::nullopt;
  return header;
}

// Session ids are 16 random bytes in base64url: anything else names no session, and is answered
// without asking the store.
bool is_session_id(std::string_view id) {
  return id.size() == 22 && std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

class V1 {
 public:
  V1(core::CredentialService& credentials, core::SessionService& sessions)
      : credentials_(credentials), sessions_(sessions) {}

  http::Response register_user(const http::Request& request) {
    auto body = read_body(request, {"email", "password", "first_name", "last_name"});
    if (!body.fields) return std::move(body.error);
    StringField email, password;
    std::optional<std::string> first_name, last_name;
    if (auto refused = require_string(*body.fields, "email", email)) return std::move(*refused);
    if (auto refused = require_string(*body.fields, "password", password)) {
      return std::move(*refused);
    }
    if (auto refused = optional_string(*body.fields, "first_name", first_name)) {
      return std::move(*refused);
    }
    if (auto refused = optional_string(*body.fields, "last_name", last_name)) {
      return std::move(*refused);
    }
    auto done = credentials_.register_user({.email = std::move(email.value),
                                            .password = std::move(password.value),
                                            .first_name = std::move(first_name),
                                            .last_name = std::move(last_name),
                                            .client = client_of(request)},
                                           {});
    if (!done) return respond(kV1, done.error());
    return json_response(201, user_json(done->user));
  }

  http::Response login(const http::Request& request) {
    auto body = read_body(request, {"email", "password"});
    if (!body.fields) return std::move(body.error);
    StringField email, password;
    if (auto refused = require_string(*body.fields, "email", email)) return std::move(*refused);
    if (auto refused = require_string(*body.fields, "password", password)) {
      return std::move(*refused);
    }
    auto done = credentials_.login({.email = std::move(email.value),
                                    .password = std::move(password.value),
                                    .client = client_of(request)},
                                   core::RotatingSession{});
    if (!done) return respond(kV1, done.error());
    return tokens_json(201, std::get<core::TokenPair>(done->credential));
  }

  http::Response refresh(const http::Request& request) {
    auto body = read_body(request, {"refresh_token"});
    if (!body.fields) return std::move(body.error);
    StringField token;
    if (auto refused = require_string(*body.fields, "refresh_token", token)) {
      return std::move(*refused);
    }
    auto pair = sessions_.refresh(token.value, client_of(request));
    if (!pair) return respond(kV1, pair.error());
    return tokens_json(200, *pair);
  }

  http::Response me(const http::Request& request) {
    return authenticated(request, [&](const core::Principal& caller) {
      auto user = sessions_.user(caller);
      if (!user) return respond(kV1, user.error());
      return json_response(200, user_json(*user));
    });
  }

  http::Response list_sessions(const http::Request& request) {
    return authenticated(request, [&](const core::Principal& caller) {
      auto sessions = sessions_.list(caller);
      if (!sessions) return respond(kV1, sessions.error());
      boost::json::array list;
      for (const auto& session : *sessions) {
        list.push_back(object{{"id", session.public_id},
                              {"created_at", util::to_iso8601(session.created_at)},
                              {"last_used_at", optional_time(session.last_used_at)},
                              {"expires_at", util::to_iso8601(session.expires_at)},
                              {"user_agent", session.user_agent},
                              {"current", session.public_id == caller.session_id}});
      }
      return json_response(200, object{{"sessions", std::move(list)}});
    });
  }

  http::Response revoke_current(const http::Request& request) { return revoke(request, true); }
  http::Response revoke_one(const http::Request& request) { return revoke(request, false); }

  http::Response revoke_all(const http::Request& request) {
    return authenticated(request, [&](const core::Principal& caller) {
      auto revoked = sessions_.revoke_all(caller, client_of(request));
      if (!revoked) return respond(kV1, revoked.error());
      return no_content();
    });
  }

 private:
  // Runs `then` for the caller of a valid access token, or answers 401.
  template <class Then>
  http::Response authenticated(const http::Request& request, Then&& then) {
    const auto token = bearer_token(request);
    if (!token) return problem(Problem::missing_token);
    auto principal = sessions_.authenticate(*token);
    if (!principal) return respond(kV1, principal.error());
    return then(*principal);
  }

  http::Response revoke(const http::Request& request, bool current) {
    return authenticated(request, [&](const core::Principal& caller) {
      const std::string_view id =
          current ? std::string_view(caller.session_id) : http::path_param(request, "id");
      if (!is_session_id(id)) return problem(Problem::session_not_found);
      auto revoked = sessions_.revoke(caller, id, client_of(request));
      if (!revoked) return respond(kV1, revoked.error());
      return no_content();
    });
  }

  core::CredentialService& credentials_;
  core::SessionService& sessions_;
};

}  // namespace

void add_v1_routes(http::Router& router, core::CredentialService& credentials,
                   core::SessionService& sessions, core::KeyRing& keys) {
  auto v1 = std::make_shared<V1>(credentials, sessions);
  using Handler = http::Response (V1::*)(const http::Request&);
  const auto route = [&](std::string method, std::string path, bool json_body, Handler handler) {
    router.add({.method = std::move(method),
                .path = std::move(path),
                .handler = [v1, handler](const http::Request& r) { return ((*v1).*handler)(r); },
                .json_body = json_body,
                .errors = http_errors<kV1>});
  };
  route("POST", "/v1/users", true, &V1::register_user);
  route("POST", "/v1/sessions", true, &V1::login);
  route("POST", "/v1/sessions/refresh", true, &V1::refresh);
  route("GET", "/v1/sessions", false, &V1::list_sessions);
  route("DELETE", "/v1/sessions", false, &V1::revoke_all);
  route("DELETE", "/v1/sessions/current", false, &V1::revoke_current);
  route("DELETE", "/v1/sessions/{id}", false, &V1::revoke_one);
  route("GET", "/v1/me", false, &V1::me);
  router.set_errors_under("/v1/", http_errors<kV1>);

  router.add(
      {.method = "GET", .path = "/.well-known/jwks.json", .handler = [&keys](const http::Request&) {
         http::Response response = json_response(200, keys.jwks());
         // Clients may cache the key set briefly; new keys are published well
         // before they sign (see KeyRing), so a cached set stays sufficient.
         response.headers.emplace_back("Cache-Control", "public, max-age=300");
         return response;
       }});
}

}  // namespace authd::api
