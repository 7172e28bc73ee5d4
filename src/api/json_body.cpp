#include "api/json_body.hpp"

#include <boost/json/stream_parser.hpp>

namespace authd::api {
namespace {

std::string describe_error(std::string_view body, std::size_t position) {
  if (position >= body.size()) return "Unexpected end of JSON input";
  const char c = body[position];
  const std::string where = " in JSON at position " + std::to_string(position);
  if (c > 0x20 && c < 0x7f) return std::string("Unexpected token ") + c + where;
  return "Unexpected character" + where;
}

}  // namespace

ParsedBody parse_json_object(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::stream_parser parser({}, options);
  boost::system::error_code ec;
  const std::size_t consumed = parser.write_some(body.data(), body.size(), ec);
  if (ec) return {std::nullopt, describe_error(body, consumed)};
  if (consumed < body.size()) return {std::nullopt, describe_error(body, consumed)};
  parser.finish(ec);
  if (ec) return {std::nullopt, describe_error(body, body.size())};
  boost::json::value value = parser.release();
  if (!value.is_object()) return {std::nullopt, "Request body must be a JSON object"};
  return {std::move(value.as_object()), {}};
}

StringField string_field(const boost::json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (!value || value->is_null()) return {};
  if (!value->is_string()) return {FieldStatus::wrong_type, {}};
  return {FieldStatus::present, std::string(value->get_string())};
}

StringListField string_list_field(const boost::json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (!value || value->is_null()) return {};
  if (value->is_string()) return {FieldStatus::present, {std::string(value->get_string())}};
  if (!value->is_array()) return {FieldStatus::wrong_type, {}};
  StringListField field{FieldStatus::present, {}};
  for (const auto& element : value->get_array()) {
    if (!element.is_string()) return {FieldStatus::wrong_type, {}};
    field.values.emplace_back(element.get_string());
  }
  return field;
}

}  // namespace authd::api
