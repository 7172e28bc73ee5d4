// Reading request bodies, shared by every dialect: strict JSON (valid UTF-8, bounded nesting)
// that must be an object, and typed access to its fields. Wording of the errors is left to each
// dialect; this file only says what is wrong.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authd::api {

inline constexpr std::size_t kMaxJsonDepth = 16;

struct ParsedBody {
  std::optional<boost::json::object> object;  // set on success
  std::string
      error;  // otherwise a JSON.parse-style message: "Unexpected token } in JSON at position 9"
};

ParsedBody parse_json_object(std::string_view body);

// How a field was found: missing (absent or null), present with the wrong JSON type, or usable.
enum class FieldStatus { missing, wrong_type, present };

struct StringField {
  FieldStatus status = FieldStatus::missing;
  std::string value;
  bool present_and_non_empty() const { return status == FieldStatus::present && !value.empty(); }
};

StringField string_field(const boost::json::object& object, std::string_view name);

struct StringListField {
  FieldStatus status = FieldStatus::missing;
  std::vector<std::string> values;
};

// An array of strings; a lone string is taken as a one-element list.
StringListField string_list_field(const boost::json::object& object, std::string_view name);

}  // namespace authd::api
