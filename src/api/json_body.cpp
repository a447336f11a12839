#include "glacier/api/json_body.hpp"

#include "glacier/core/error.hpp"

namespace glacier::api {

nlohmann::json parse_json_object(std::string_view body, std::string_view what) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    throw error(error_code::serialization,
                "The request body is not valid JSON: expected " + std::string(what));
  }
  if (!parsed.is_object()) {
    throw error(error_code::serialization, "The request body must be a JSON object of " +
                                               std::string(what) + ", got " + parsed.type_name());
  }
  return parsed;
}

std::optional<std::string> optional_string_member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    throw error(error_code::serialization, std::string("Invalid type for parameter ") + key +
                                               ": expected a string, got " + it->type_name());
  }
  return it->get<std::string>();
}

std::string required_string_member(const nlohmann::json& object, const char* key) {
  auto value = optional_string_member(object, key);
  if (!value) {
    throw error(error_code::missing_parameter_value,
                std::string("Required parameter missing: ") + key);
  }
  return std::move(*value);
}

}  // namespace glacier::api
