#include "api/gateway.hpp"

#include <boost/url/parse_query.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "api/v1_common.hpp"
#include "core/auth_service.hpp"
#include "util/text.hpp"

namespace authd::api {
namespace {

// More ?role= alternatives than any route needs; beyond this the query is refused.
constexpr std::size_t kMaxRoleAlternatives = 16;

// The ?role= alternatives, or the problem to answer with. Any other parameter is refused: a
// misspelt "?roles=" must not quietly let everyone through.
std::optional<http::Response> read_roles(std::string_view query, std::vector<std::string>& roles) {
  if (query.empty()) return std::nullopt;
  const auto params = boost::urls::parse_query(query);
  if (!params) return problem(Problem::invalid_field, "the query string is malformed");
  for (const auto param : *params) {
    if (param.key.decode() != "role") {
      return problem(Problem::invalid_field, "the only query parameter is role");
    }
    std::string role = param.has_value ? param.value.decode() : "";
    if (!core::valid_role_name(role)) {
      return problem(Problem::invalid_field,
                     "role must be 1 to 64 ASCII letters, digits and . _ - :");
    }
    if (roles.size() == kMaxRoleAlternatives) {
      return problem(Problem::invalid_field, "at most 16 role parameters");
    }
    roles.push_back(std::move(role));
  }
  return std::nullopt;
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

std::string display_name(const core::UserView& user) {
  std::vector<std::string> parts;
  if (user.first_name && !user.first_name->empty()) parts.push_back(*user.first_name);
  if (user.last_name && !user.last_name->empty()) parts.push_back(*user.last_name);
  return joined(parts, " ");
}

// The holder in the headers the proxy copies to the app: all of them on every answer, empty
// when there is nothing to say (no session for a seed JWT, no name, no roles), so that a proxy
// that copies only what authd sent still overwrites anything a client sent, and one that copies
// a fixed list never makes up a value (Caddy 2.6 copies a missing header as its placeholder's
// text). Every value was checked when it was stored (email grammar, names without control
// characters, role charset); one that would still break a header line is sent empty.
http::Response allowed(const core::CheckedIdentity& identity) {
  http::Response response{.status = 200, .body = {}, .content_type = ""};
  const auto add = [&response](std::string_view name, std::string value) {
    if (util::has_control_characters(value)) value.clear();
    response.headers.emplace_back(name, std::move(value));
  };
  const core::UserView& user = identity.user;
  const std::string roles = joined(user.roles, ",");
  add("X-Auth-User-Id", std::to_string(user.id));
  add("X-Auth-User-Email", user.email);
  add("X-Auth-User-Roles", roles);
  add("X-Auth-Session-Id", identity.session_id);
  add("Remote-User", user.email);
  add("Remote-Email", user.email);
  add("Remote-Name", display_name(user));
  add("Remote-Groups", roles);
  return response;
}

// The answer to a check request, or nothing when `identify` (the token and the roles asked for
// -> the check's result, or nothing) has none. `roles_query`: the query that names the roles,
// empty when the query is the app's.
template <class Identify>
std::optional<http::Response> answer(const http::Request& request, std::string_view roles_query,
                                     Identify&& identify) {
  std::vector<std::string> roles;
  if (auto refused = read_roles(roles_query, roles)) return std::move(*refused);
  const auto token = bearer_token(request);
  if (!token) return problem(Problem::missing_token);
  std::optional<core::GatewayCheck::Result<core::CheckedIdentity>> identity =
      identify(*token, std::span<const std::string>(roles));
  if (!identity) return std::nullopt;
  if (!*identity) return respond(kV1, identity->error());
  return allowed(**identity);
}

// On the I/O thread: the answer remembered for a credential that nothing has changed since.
std::optional<http::Response> check_from_memory(core::GatewayCheck& gateway,
                                                const http::Request& request,
                                                std::string_view roles_query) {
  return answer(request, roles_query, [&gateway](std::string_view token, auto roles) {
    return gateway.remembered(token, roles);
  });
}

// On a worker: the full check, which reads the store.
http::Response check(core::GatewayCheck& gateway, const http::Request& request,
                     std::string_view roles_query) {
  return *answer(request, roles_query, [&gateway](std::string_view token, auto roles) {
    return std::optional(gateway.check(token, roles));
  });
}

}  // namespace

void add_gateway_routes(http::Router& router, core::GatewayCheck& gateway) {
  for (const std::string_view method : kCheckMethods) {
    router.add(
        {.method = std::string(method),
         .path = "/v1/check",
         .handler = [&gateway](const http::Request& r) { return check(gateway, r, r.query); },
         .try_inline =
             [&gateway](const http::Request& r) { return check_from_memory(gateway, r, r.query); },
         .errors = http_errors<kV1>});
    router.add(
        {.method = std::string(method),
         .path = "/v1/check/{path}",
         .rest_of_path = true,
         .handler = [&gateway](const http::Request& r) { return check(gateway, r, {}); },
         .try_inline =
             [&gateway](const http::Request& r) { return check_from_memory(gateway, r, {}); },
         .errors = http_errors<kV1>});
  }
}

}  // namespace authd::api
