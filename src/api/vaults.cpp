#include "glacier/api/vaults.hpp"

#include <charconv>

#include "glacier/api/responses.hpp"
#include "glacier/core/error.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

namespace {

nlohmann::ordered_json vault_json(const vault_info& v) {
  nlohmann::ordered_json j;
  j["CreationDate"] = format_iso8601(v.creation_date);
  j["LastInventoryDate"] = v.last_inventory_date
                               ? nlohmann::ordered_json(format_iso8601(*v.last_inventory_date))
                               : nlohmann::ordered_json(nullptr);
  j["NumberOfArchives"] = v.number_of_archives;
  j["SizeInBytes"] = v.size_in_bytes;
  j["VaultARN"] = v.arn;
  j["VaultName"] = v.name;
  return j;
}

}  // namespace

const std::string& existing_vault_name(const call& c) {
  const auto& name = c.path("vault");
  if (!is_valid_vault_name(name)) {
    throw error(error_code::resource_not_found, "Vault not found for ARN: " + name);
  }
  return name;
}

std::optional<std::string> marker_parameter(const call& c) {
  auto marker = c.query("marker");
  if (marker && marker->empty()) marker.reset();
  return marker;
}

std::size_t parse_limit(const call& c, std::size_t max, std::size_t fallback,
                        limit_above_max above) {
  const auto text = c.query("limit");
  if (!text) return fallback;
  std::size_t value = 0;
  const auto result = std::from_chars(text->data(), text->data() + text->size(), value);
  const bool number = result.ec == std::errc{} && result.ptr == text->data() + text->size();
  if (number && value > max && above == limit_above_max::capped) return max;
  if (!number || value < 1 || value > max) {
    throw error(error_code::invalid_parameter_value,
                "Invalid limit: " + *text +
                    (above == limit_above_max::capped
                         ? std::string(". The limit must be a positive integer")
                         : ". The limit must be an integer from 1 to " + std::to_string(max)));
  }
  return value;
}

http::response create_vault(call& c) {
  const auto& name = c.path("vault");
  if (!is_valid_vault_name(name)) {
    throw error(error_code::invalid_parameter_value,
                "Invalid vault name: " + name +
                    ". Vault names are 1 to 255 characters from a-z, A-Z, 0-9, '_', '-' and '.'");
  }
  c.services.store.create_vault(c.scope, name);
  auto r = empty_response(201);
  r.headers["Location"] = "/" + c.scope.account + "/vaults/" + name;
  return r;
}

http::response describe_vault(call& c) {
  return json_response(
      200, vault_json(c.services.store.describe_vault(c.scope, existing_vault_name(c))));
}

http::response delete_vault(call& c) {
  c.services.store.delete_vault(c.scope, existing_vault_name(c));
  return empty_response(204);
}

http::response list_vaults(call& c) {
  // AWS lists at most 10 vaults and answers a larger limit with 10 of them, not an error
  // (github.com/aws/aws-sdk-net/issues/895: limit 1000 returned 10).
  const auto limit = parse_limit(c, 10, 10, limit_above_max::capped);
  const auto result = c.services.store.list_vaults(c.scope, marker_parameter(c), limit);
  nlohmann::ordered_json body;
  body["Marker"] = result.marker ? nlohmann::ordered_json(*result.marker) : nullptr;
  body["VaultList"] = nlohmann::ordered_json::array();
  for (const auto& v : result.items) body["VaultList"].push_back(vault_json(v));
  return json_response(200, body);
}

}  // namespace glacier::api
