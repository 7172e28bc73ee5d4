#include "api/v1_common.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>

#include "api/json_response.hpp"
#include "util/time.hpp"

namespace authd::api {

using boost::json::object;

http::Response problem(Problem problem, std::string_view detail) {
  return respond(kV1, problem_info(problem).status, detail, problem);
}

object user_json(const core::UserView& user) {
  boost::json::array roles;
  for (const auto& role : user.roles) roles.emplace_back(role);
  return object{{"id", user.id},
                {"email", user.email},
                {"first_name", optional_text(user.first_name)},
                {"last_name", optional_text(user.last_name)},
                {"roles", std::move(roles)},
                {"email_verified", user.email_verified},
                {"created_at", util::to_iso8601(user.created_at)},
                {"last_login", optional_time(user.last_login)}};
}

http::Response no_content() {
  return {.status = 204, .body = {}, .content_type = {}};
}

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

std::optional<http::Response> require_string(const object& body, std::string_view name,
                                             StringField& out) {
  out = string_field(body, name);
  if (out.present_and_non_empty()) return std::nullopt;
  return problem(Problem::invalid_field,
                 std::string(name).append(" is required and must be a non-empty string"));
}

std::optional<http::Response> optional_string(const object& body, std::string_view name,
                                              std::optional<std::string>& out) {
  auto field = string_field(body, name);
  if (field.status == FieldStatus::wrong_type) {
    return problem(Problem::invalid_field, std::string(name).append(" must be a string or null"));
  }
  if (field.status == FieldStatus::present) out = std::move(field.value);
  return std::nullopt;
}

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

}  // namespace authd::api
