#include "api/json_body.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/stream_parser.hpp>
#include <string>
#include <unordered_set>

namespace authd::api {
namespace {

std::string describe_error(std::string_view body, std::size_t position) {
  if (position >= body.size()) return "Unexpected end of JSON input";
  const char c = body[position];
  const std::string where = " in JSON at position " + std::to_string(position);
  if (c > 0x20 && c < 0x7f) return std::string("Unexpected token ") + c + where;
  return "Unexpected character" + where;
}

// A first pass over the body that builds nothing and refuses a key repeated in the top-level
// object: with {"password": "a", "password": "b"} two components could disagree about which one
// counts (Boost.JSON keeps the last). It refuses U+0000 in any string or key, once for every
// field: C APIs downstream (libpq among them) would cut the string there ("admin\u0000junk"
// would become "admin"). It also finds every syntax error, with its position.
class DuplicateKeyCheck {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  bool duplicate = false;
  bool nul = false;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return ++depth_, true; }
  bool on_object_end(std::size_t, boost::system::error_code&) { return --depth_, true; }
  bool on_array_begin(boost::system::error_code&) { return ++depth_, true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return --depth_, true; }
  bool on_key_part(boost::json::string_view part, std::size_t, boost::system::error_code& ec) {
    if (has_nul(part, ec)) return false;
    if (depth_ == 1) key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(boost::json::string_view part, std::size_t, boost::system::error_code& ec) {
    if (has_nul(part, ec)) return false;
    if (depth_ != 1) return true;
    key_.append(part.data(), part.size());
    if (!keys_.insert(std::move(key_)).second) {
      duplicate = true;
      ec = boost::json::error::syntax;
      return false;
    }
    key_.clear();
    return true;
  }
  bool on_string_part(boost::json::string_view part, std::size_t, boost::system::error_code& ec) {
    return !has_nul(part, ec);
  }
  bool on_string(boost::json::string_view part, std::size_t, boost::system::error_code& ec) {
    return !has_nul(part, ec);
  }
  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_uint64(std::uint64_t, boost::json::string_view, boost::system::error_code&) {
    return true;
  }
  bool on_double(double, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

 private:
  bool has_nul(boost::json::string_view part, boost::system::error_code& ec) {
    if (part.find('\0') == boost::json::string_view::npos) return false;
    nul = true;
    ec = boost::json::error::syntax;
    return true;
  }

  int depth_ = 0;
  std::string key_;
  std::unordered_set<std::string> keys_;
};

}  // namespace

ParsedBody parse_json_object(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  {
    boost::json::basic_parser<DuplicateKeyCheck> check(options);
    boost::system::error_code ec;
    const std::size_t consumed = check.write_some(false, body.data(), body.size(), ec);
    if (check.handler().duplicate) return {std::nullopt, "Duplicate key in JSON object"};
    if (check.handler().nul) return {std::nullopt, "Strings must not contain U+0000"};
    if (ec || consumed < body.size()) return {std::nullopt, describe_error(body, consumed)};
  }
  // The body is valid JSON now; this pass builds the value.
  boost::json::stream_parser parser({}, options);
  boost::system::error_code ec;
  parser.write(body.data(), body.size(), ec);
  if (!ec) parser.finish(ec);
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
