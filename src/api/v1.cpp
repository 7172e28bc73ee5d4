#include "api/v1.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/system/result.hpp>
#include <cctype>
#include <initializer_list>

#include "api/client_info.hpp"
#include "api/dialect.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "api/problem.hpp"
#include "api/v1_common.hpp"
#include "util/time.hpp"

namespace authd::api {
namespace {

using boost::json::object;

http::Response tokens_json(unsigned status, const core::TokenPair& pair) {
  return json_response(status, object{{"access_token", pair.access_token},
                                      {"token_type", "Bearer"},
                                      {"expires_in", pair.expires_in.count()},
                                      {"refresh_token", pair.refresh_token},
                                      {"session_id", pair.session_id}});
}

class V1 {
 public:
  V1(core::CredentialService& credentials, core::SessionService& sessions,
     core::AccountService& accounts, core::MailedLinks& links)
      : credentials_(credentials), sessions_(sessions), accounts_(accounts), links_(links) {}

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
    return authenticated(request, [](const core::Principal& caller) {
      return json_response(200, user_json(caller.user));
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

  // The owner's own account, each change proven with the current password.
  http::Response change_password(const http::Request& request) {
    return authenticated(request, [&](const core::Principal& caller) {
      auto body = read_body(request, {"current_password", "new_password"});
      if (!body.fields) return std::move(body.error);
      StringField current, next;
      if (auto refused = require_string(*body.fields, "current_password", current)) {
        return std::move(*refused);
      }
      if (auto refused = require_string(*body.fields, "new_password", next)) {
        return std::move(*refused);
      }
      auto done = accounts_.change_password(caller, current.value, next.value, client_of(request));
      if (!done) return respond(kV1, done.error());
      return no_content();
    });
  }

  http::Response deactivate(const http::Request& request) {
    return with_current_password(request, &core::AccountService::deactivate);
  }
  http::Response remove(const http::Request& request) {
    return with_current_password(request, &core::AccountService::remove);
  }

  // Mailed links. One answer whether or not the address has an account.
  http::Response forgot_password(const http::Request& request) {
    auto body = read_body(request, {"email"});
    if (!body.fields) return std::move(body.error);
    StringField email;
    if (auto refused = require_string(*body.fields, "email", email)) return std::move(*refused);
    auto done = links_.forgot_password(email.value, client_of(request));
    if (!done) return respond(kV1, done.error());
    return json_response(202, object{});
  }

  http::Response reset_password(const http::Request& request) {
    auto body = read_body(request, {"token", "new_password"});
    if (!body.fields) return std::move(body.error);
    StringField token, password;
    if (auto refused = require_string(*body.fields, "token", token)) return std::move(*refused);
    if (auto refused = require_string(*body.fields, "new_password", password)) {
      return std::move(*refused);
    }
    auto done = links_.reset_password(token.value, password.value, client_of(request));
    if (!done) return respond(kV1, done.error());
    return no_content();
  }

  http::Response request_verification(const http::Request& request) {
    return authenticated(request, [&](const core::Principal& caller) {
      auto done = links_.request_verification(caller, client_of(request));
      if (!done) return respond(kV1, done.error());
      return json_response(202, object{});
    });
  }

  http::Response confirm_verification(const http::Request& request) {
    auto token = token_of(request);
    if (!token) return token.error();
    auto email = links_.confirm_verification(*token, client_of(request));
    if (!email) return respond(kV1, email.error());
    return json_response(200, object{{"email", *email}, {"email_verified", true}});
  }

  http::Response request_email_change(const http::Request& request) {
    return authenticated(request, [&](const core::Principal& caller) {
      auto body = read_body(request, {"new_email", "current_password"});
      if (!body.fields) return std::move(body.error);
      StringField email, current;
      if (auto refused = require_string(*body.fields, "new_email", email)) {
        return std::move(*refused);
      }
      if (auto refused = require_string(*body.fields, "current_password", current)) {
        return std::move(*refused);
      }
      auto done =
          links_.request_email_change(caller, email.value, current.value, client_of(request));
      if (!done) return respond(kV1, done.error());
      return json_response(202, object{});
    });
  }

  http::Response confirm_email_change(const http::Request& request) {
    auto token = token_of(request);
    if (!token) return token.error();
    auto email = links_.confirm_email_change(*token, client_of(request));
    if (!email) return respond(kV1, email.error());
    return json_response(200, object{{"email", *email}});
  }

  http::Response revert_email_change(const http::Request& request) {
    auto token = token_of(request);
    if (!token) return token.error();
    auto done = links_.revert_email_change(*token, client_of(request));
    if (!done) return respond(kV1, done.error());
    return no_content();
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
  // The {token} body of the routes that spend a mailed token, or the answer refusing it.
  static boost::system::result<std::string, http::Response> token_of(const http::Request& request) {
    auto body = read_body(request, {"token"});
    if (!body.fields) return std::move(body.error);
    StringField token;
    if (auto refused = require_string(*body.fields, "token", token)) return std::move(*refused);
    return std::move(token.value);
  }

  // Runs `then` for the caller of a valid access token, or answers 401.
  template <class Then>
  http::Response authenticated(const http::Request& request, Then&& then) {
    const auto token = bearer_token(request);
    if (!token) return problem(Problem::missing_token);
    auto principal = sessions_.authenticate(*token);
    if (!principal) return respond(kV1, principal.error());
    return then(*principal);
  }

  // A change to the caller's account whose body is {current_password} alone.
  using AccountChange = core::Result<void> (core::AccountService::*)(const core::Principal&,
                                                                     const std::string&,
                                                                     const core::ClientInfo&);
  http::Response with_current_password(const http::Request& request, AccountChange change) {
    return authenticated(request, [&](const core::Principal& caller) {
      auto body = read_body(request, {"current_password"});
      if (!body.fields) return std::move(body.error);
      StringField current;
      if (auto refused = require_string(*body.fields, "current_password", current)) {
        return std::move(*refused);
      }
      auto done = (accounts_.*change)(caller, current.value, client_of(request));
      if (!done) return respond(kV1, done.error());
      return no_content();
    });
  }

  http::Response revoke(const http::Request& request, bool current) {
    return authenticated(request, [&](const core::Principal& caller) {
      const std::string_view id =
          current ? std::string_view(caller.session_id) : http::path_param(request, "id");
      if (!core::is_session_id(id)) return problem(Problem::session_not_found);
      auto revoked = sessions_.revoke(caller, id, client_of(request));
      if (!revoked) return respond(kV1, revoked.error());
      return no_content();
    });
  }

  core::CredentialService& credentials_;
  core::SessionService& sessions_;
  core::AccountService& accounts_;
  core::MailedLinks& links_;
};

}  // namespace

void add_v1_routes(http::Router& router, core::CredentialService& credentials,
                   core::SessionService& sessions, core::AccountService& accounts,
                   core::MailedLinks& links, core::KeyRing& keys) {
  MemberRoutes<kV1, V1> routes(router,
                               std::make_shared<V1>(credentials, sessions, accounts, links));
  routes.add("POST", "/v1/users", true, &V1::register_user);
  routes.add("POST", "/v1/sessions", true, &V1::login);
  routes.add("POST", "/v1/sessions/refresh", true, &V1::refresh);
  routes.add("GET", "/v1/sessions", false, &V1::list_sessions);
  routes.add("DELETE", "/v1/sessions", false, &V1::revoke_all);
  routes.add("DELETE", "/v1/sessions/current", false, &V1::revoke_current);
  routes.add("DELETE", "/v1/sessions/{id}", false, &V1::revoke_one);
  routes.add("GET", "/v1/me", false, &V1::me);
  routes.add("POST", "/v1/me/password", true, &V1::change_password);
  routes.add("POST", "/v1/me/deactivate", true, &V1::deactivate);
  routes.add("POST", "/v1/me/delete", true, &V1::remove);
  routes.add("POST", "/v1/password/forgot", true, &V1::forgot_password);
  routes.add("POST", "/v1/password/reset", true, &V1::reset_password);
  routes.add("POST", "/v1/email/verification", false, &V1::request_verification);
  routes.add("POST", "/v1/email/verification/confirm", true, &V1::confirm_verification);
  routes.add("POST", "/v1/me/email", true, &V1::request_email_change);
  routes.add("POST", "/v1/email/change/confirm", true, &V1::confirm_email_change);
  routes.add("POST", "/v1/email/change/revert", true, &V1::revert_email_change);
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
