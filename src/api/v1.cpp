#include "api/v1.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <initializer_list>

#include "api/client_info.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "api/problem.hpp"
#include "util/time.hpp"

namespace authd::api {
namespace {

using boost::json::object;
using boost::json::value;
using core::AuthError;

object user_json(const store::UserRecord& user) {
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

// Every failure of the core, as a problem. Login failures are one answer whatever the reason,
// so that the response never tells which emails have accounts.
http::Response from_error(const core::AuthFailure& failure, const core::AuthService& auth) {
  switch (failure.code) {
    case AuthError::invalid_email:
      return problem_response(Problem::invalid_field, "email is not a valid address");
    case AuthError::invalid_password:
      return problem_response(Problem::invalid_field,
                              "password must be at most " +
                                  std::to_string(auth.max_password_bytes()) +
                                  " bytes and contain no NUL character");
    case AuthError::password_too_short:
      return problem_response(Problem::weak_password,
                              "password must be at least " +
                                  std::to_string(auth.min_password_characters()) + " characters");
    case AuthError::password_too_common:
      return problem_response(Problem::weak_password, "password is too common");
    case AuthError::invalid_name:
      return problem_response(Problem::invalid_field,
                              "first_name and last_name must be at most 128 bytes of text");
    case AuthError::invalid_roles:
      return problem_response(Problem::invalid_field);
    case AuthError::email_taken:
      return problem_response(Problem::email_taken);
    case AuthError::user_not_found:
    case AuthError::wrong_password:
    case AuthError::account_disabled:
      return problem_response(Problem::invalid_credentials);
    case AuthError::throttled:
      return problem_response(Problem::too_many_attempts, {}, failure.retry_after);
    case AuthError::invalid_token:
      return problem_response(Problem::invalid_token);
    case AuthError::invalid_refresh_token:
      return problem_response(Problem::invalid_refresh_token);
    case AuthError::refresh_token_reused:
      return problem_response(Problem::refresh_token_reused);
    case AuthError::session_not_found:
      return problem_response(Problem::session_not_found);
    case AuthError::store_unavailable:
      return problem_response(Problem::unavailable);
    case AuthError::internal:
      break;
  }
  return problem_response(Problem::internal);
}

// The body as an object holding only `allowed` fields: a typo in a field name is an error the
// client hears about, not a value silently ignored.
struct Body {
  std::optional<object> fields;
  http::Response error;
};

Body read_body(const http::Request& request, std::initializer_list<std::string_view> allowed) {
  auto parsed = parse_json_object(request.body);
  if (!parsed.object)
    return {std::nullopt, problem_response(Problem::malformed_body, parsed.error)};
  for (const auto& member : *parsed.object) {
    if (std::find(allowed.begin(), allowed.end(), member.key()) == allowed.end()) {
      return {std::nullopt, problem_response(Problem::invalid_field,
                                             "unknown field: " + std::string(member.key()))};
    }
  }
  return {std::move(parsed.object), {}};
}

// A required non-empty string field, or the problem to answer with.
std::optional<http::Response> require_string(const object& body, std::string_view name,
                                             StringField& out) {
  out = string_field(body, name);
  if (out.present_and_non_empty()) return std::nullopt;
  return problem_response(Problem::invalid_field,
                          std::string(name).append(" is required and must be a non-empty string"));
}

// An optional string field (absent or null means not given).
std::optional<http::Response> optional_string(const object& body, std::string_view name,
                                              std::optional<std::string>& out) {
  auto field = string_field(body, name);
  if (field.status == FieldStatus::wrong_type) {
    return problem_response(Problem::invalid_field,
                            std::string(name).append(" must be a string or null"));
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
  V1(core::AuthService& auth, core::SessionService& sessions) : auth_(auth), sessions_(sessions) {}

  http::Response register_user(const http::Request& request) {
    auto body = read_body(request, {"email", "password", "first_name", "last_name"});
    if (!body.fields) return std::move(body.error);
    StringField email, password;
    std::optional<std::string> first_name, last_name;
    if (auto problem = require_string(*body.fields, "email", email)) return std::move(*problem);
    if (auto problem = require_string(*body.fields, "password", password)) {
      return std::move(*problem);
    }
    if (auto problem = optional_string(*body.fields, "first_name", first_name)) {
      return std::move(*problem);
    }
    if (auto problem = optional_string(*body.fields, "last_name", last_name)) {
      return std::move(*problem);
    }
    auto outcome = auth_.register_user({.email = std::move(email.value),
                                        .password = std::move(password.value),
                                        .first_name = std::move(first_name),
                                        .last_name = std::move(last_name),
                                        .client = client_of(request)});
    if (!outcome) return from_error(outcome.error(), auth_);
    return json_response(201, user_json(outcome->user));
  }

  http::Response login(const http::Request& request) {
    auto body = read_body(request, {"email", "password"});
    if (!body.fields) return std::move(body.error);
    StringField email, password;
    if (auto problem = require_string(*body.fields, "email", email)) return std::move(*problem);
    if (auto problem = require_string(*body.fields, "password", password)) {
      return std::move(*problem);
    }
    auto outcome = auth_.login({.email = std::move(email.value),
                                .password = std::move(password.value),
                                .open_session = store::SessionKind::v1,
                                .client = client_of(request)});
    if (!outcome) return from_error(outcome.error(), auth_);
    return tokens_json(201, sessions_.start(outcome->user.id, outcome->session_id,
                                            *outcome->session_token, auth_.clock().now()));
  }

  http::Response refresh(const http::Request& request) {
    auto body = read_body(request, {"refresh_token"});
    if (!body.fields) return std::move(body.error);
    StringField token;
    if (auto problem = require_string(*body.fields, "refresh_token", token)) {
      return std::move(*problem);
    }
    auto pair = sessions_.refresh(token.value, client_of(request));
    if (!pair) return from_error(pair.error(), auth_);
    return tokens_json(200, *pair);
  }

  // Runs `then` for the caller of a valid access token, or answers 401.
  template <class Then>
  http::Response authenticated(const http::Request& request, Then&& then) {
    const auto token = bearer_token(request);
    if (!token) return problem_response(Problem::missing_token);
    auto principal = sessions_.authenticate(*token);
    if (!principal) return from_error(principal.error(), auth_);
    return then(*principal);
  }

  http::Response me(const http::Request& request) {
    return authenticated(request, [&](const core::Principal& caller) {
      auto user = sessions_.user(caller);
      if (!user) return from_error(user.error(), auth_);
      return json_response(200, user_json(*user));
    });
  }

  http::Response list_sessions(const http::Request& request) {
    return authenticated(request, [&](const core::Principal& caller) {
      auto sessions = sessions_.list(caller);
      if (!sessions) return from_error(sessions.error(), auth_);
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

  http::Response revoke(const http::Request& request, bool current) {
    return authenticated(request, [&](const core::Principal& caller) {
      const std::string_view id =
          current ? std::string_view(caller.session_id) : http::path_param(request, "id");
      if (!is_session_id(id)) return problem_response(Problem::session_not_found);
      auto revoked = sessions_.revoke(caller, id, client_of(request));
      if (!revoked) return from_error(revoked.error(), auth_);
      return no_content();
    });
  }

  http::Response revoke_all(const http::Request& request) {
    return authenticated(request, [&](const core::Principal& caller) {
      auto revoked = sessions_.revoke_all(caller, client_of(request));
      if (!revoked) return from_error(revoked.error(), auth_);
      return no_content();
    });
  }

 private:
  core::AuthService& auth_;
  core::SessionService& sessions_;
};

}  // namespace

void add_v1_routes(http::Router& router, core::AuthService& auth, core::SessionService& sessions,
                   core::KeyRing& keys) {
  auto v1 = std::make_shared<V1>(auth, sessions);
  const auto route = [&](std::string method, std::string path, bool json_body, auto handler) {
    router.add({.method = std::move(method),
                .path = std::move(path),
                .handler = [v1, handler](const http::Request& r) { return handler(*v1, r); },
                .json_body = json_body,
                .errors = problem_for_status});
  };
  route("POST", "/v1/users", true,
        [](V1& api, const http::Request& r) { return api.register_user(r); });
  route("POST", "/v1/sessions", true, [](V1& api, const http::Request& r) { return api.login(r); });
  route("POST", "/v1/sessions/refresh", true,
        [](V1& api, const http::Request& r) { return api.refresh(r); });
  route("GET", "/v1/sessions", false,
        [](V1& api, const http::Request& r) { return api.list_sessions(r); });
  route("DELETE", "/v1/sessions", false,
        [](V1& api, const http::Request& r) { return api.revoke_all(r); });
  route("DELETE", "/v1/sessions/current", false,
        [](V1& api, const http::Request& r) { return api.revoke(r, true); });
  route("DELETE", "/v1/sessions/{id}", false,
        [](V1& api, const http::Request& r) { return api.revoke(r, false); });
  route("GET", "/v1/me", false, [](V1& api, const http::Request& r) { return api.me(r); });
  router.set_errors_under("/v1/", problem_for_status);

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
