#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace glacier::api {

/// Parses a request body that must be a JSON object; anything else is a
/// SerializationException that says what `what` was expected to be.
nlohmann::json parse_json_object(std::string_view body, std::string_view what);

/// A string member of `object`, absent when missing or null; another JSON type is a
/// SerializationException naming the member.
std::optional<std::string> optional_string_member(const nlohmann::json& object, const char* key);

/// A string member that must be present: MissingParameterValueException otherwise.
std::string required_string_member(const nlohmann::json& object, const char* key);

}  // namespace glacier::api
