#include "glacier/api/json_body.hpp"
#include "glacier/api/responses.hpp"
#include "glacier/api/vault_config.hpp"
#include "glacier/api/vaults.hpp"
#include "glacier/core/error.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

namespace {

// Letters (any non-ASCII byte is taken as part of a UTF-8 letter), digits, space and
// _ . / = + - @, as the tagging rules allow.
bool is_tag_text(std::string_view text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c >= 0x80 || std::string_view(" _./=+-@").find(ch) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

void check_tag_key(const std::string& key) {
  if (key.starts_with("aws:")) {
    throw error(error_code::invalid_parameter_value,
                "Invalid tag key: " + key + ". Keys may not start with aws:");
  }
  if (key.empty() || key.size() > 128 || !is_tag_text(key)) {
    throw error(error_code::invalid_parameter_value,
                "Invalid tag key: " + key +
                    ". Keys are 1 to 128 letters, digits, spaces and _ . / = + - @");
  }
}

void check_tag_value(const std::string& key, const std::string& value) {
  if (value.size() > 255 || !is_tag_text(value)) {
    throw error(error_code::invalid_parameter_value,
                "Invalid tag value for key " + key +
                    ". Values are 0 to 255 letters, digits, spaces and _ . / = + - @");
  }
}

}  // namespace

http::response add_tags_to_vault(call& c) {
  const auto& vault = existing_vault_name(c);
  const auto parsed = parse_json_object(c.request.body, "tags ({\"Tags\": {...}})");
  const auto tags = parsed.find("Tags");
  if (tags == parsed.end() || tags->is_null()) {
    throw error(error_code::missing_parameter_value, "Required parameter missing: Tags");
  }
  if (!tags->is_object()) {
    throw error(
        error_code::serialization,
        std::string("Invalid type for parameter Tags: expected a map, got ") + tags->type_name());
  }
  vault_tags add;
  for (const auto& [key, value] : tags->items()) {
    if (!value.is_string()) {
      throw error(error_code::serialization,
                  "Invalid type for the value of tag " + key + ": expected a string");
    }
    check_tag_key(key);
    check_tag_value(key, value.get<std::string>());
    add[key] = value.get<std::string>();
  }
  c.services.store.add_tags(c.scope, vault, add);
  return empty_response(204);
}

http::response remove_tags_from_vault(call& c) {
  const auto& vault = existing_vault_name(c);
  std::vector<std::string> keys;
  if (!c.request.body.empty()) {
    const auto parsed = parse_json_object(c.request.body, "tag keys ({\"TagKeys\": [...]})");
    const auto list = parsed.find("TagKeys");
    if (list != parsed.end() && !list->is_null()) {
      if (!list->is_array()) {
        throw error(error_code::serialization,
                    "Invalid type for parameter TagKeys: expected a list of strings");
      }
      for (const auto& key : *list) {
        if (!key.is_string()) {
          throw error(error_code::serialization,
                      "Invalid type in TagKeys: expected a list of strings");
        }
        keys.push_back(key.get<std::string>());
      }
    }
  }
  c.services.store.remove_tags(c.scope, vault, keys);
  return empty_response(204);
}

http::response unknown_tags_operation(call& c) {
  existing_vault_name(c);
  throw error(error_code::invalid_parameter_value,
              "Invalid operation: " + c.query("operation").value_or("(none)") +
                  ". Valid values are: add, remove");
}

http::response list_tags_for_vault(call& c) {
  nlohmann::ordered_json body;
  body["Tags"] = nlohmann::ordered_json::object();
  for (const auto& [key, value] : c.services.store.tags(c.scope, existing_vault_name(c))) {
    body["Tags"][key] = value;
  }
  return json_response(200, body);
}

}  // namespace glacier::api
