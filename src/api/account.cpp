#include "glacier/api/account.hpp"

#include "glacier/api/json_body.hpp"
#include "glacier/api/responses.hpp"
#include "glacier/core/error.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

namespace {

[[noreturn]] void invalid_account_parameter(std::string message) {
  throw error(error_code::invalid_parameter_value, std::move(message));
}

retrieval_policy parse_policy(std::string_view body) {
  const auto parsed = parse_json_object(body, "data retrieval policy ({\"Policy\": {...}})");
  const auto policy = parsed.find("Policy");
  if (policy == parsed.end() || policy->is_null()) {
    throw error(error_code::missing_parameter_value, "Required parameter missing: Policy");
  }
  if (!policy->is_object()) {
    throw error(error_code::serialization, "Invalid type for parameter Policy: expected an object");
  }
  const auto rules = policy->find("Rules");
  if (rules == policy->end() || !rules->is_array() || rules->size() != 1) {
    invalid_account_parameter("Invalid Policy: Rules must hold exactly one rule");
  }
  const auto& rule = rules->front();
  if (!rule.is_object()) invalid_account_parameter("Invalid Policy: a rule must be an object");
  retrieval_policy result;
  result.strategy = required_string_member(rule, "Strategy");
  if (result.strategy != "BytesPerHour" && result.strategy != "FreeTier" &&
      result.strategy != "None") {
    invalid_account_parameter("Invalid Strategy: " + result.strategy +
                              ". Valid values are: BytesPerHour, FreeTier, None");
  }
  const auto bytes = rule.find("BytesPerHour");
  const bool has_bytes = bytes != rule.end() && !bytes->is_null();
  if (result.strategy == "BytesPerHour") {
    if (!has_bytes)
      invalid_account_parameter("BytesPerHour is required when the Strategy is BytesPerHour");
    if (!bytes->is_number_integer() || bytes->get<std::int64_t>() < 1) {
      invalid_account_parameter("Invalid BytesPerHour: " + bytes->dump() +
                                ". It must be an integer from 1 to 9223372036854775807");
    }
    result.bytes_per_hour = bytes->get<std::uint64_t>();
  } else if (has_bytes) {
    invalid_account_parameter(
        "BytesPerHour is only allowed when the Strategy is BytesPerHour, not " + result.strategy);
  }
  return result;
}

}  // namespace

http::response get_data_retrieval_policy(call& c) {
  const auto policy = c.services.store.data_retrieval_policy(c.scope);
  nlohmann::ordered_json rule;
  rule["Strategy"] = policy.strategy;
  if (policy.bytes_per_hour) rule["BytesPerHour"] = *policy.bytes_per_hour;
  nlohmann::ordered_json body;
  body["Policy"]["Rules"] = nlohmann::ordered_json::array({rule});
  return json_response(200, body);
}

http::response set_data_retrieval_policy(call& c) {
  c.services.store.set_data_retrieval_policy(c.scope, parse_policy(c.request.body));
  return empty_response(204);
}

http::response purchase_provisioned_capacity(call& c) {
  const auto unit = c.services.store.purchase_capacity(c.scope);
  auto r = empty_response(201);
  r.headers["x-amz-capacity-id"] = unit.id;
  return r;
}

http::response list_provisioned_capacity(call& c) {
  nlohmann::ordered_json body;
  body["ProvisionedCapacityList"] = nlohmann::ordered_json::array();
  for (const auto& unit : c.services.store.capacity(c.scope)) {
    nlohmann::ordered_json item;
    item["CapacityId"] = unit.id;
    item["StartDate"] = format_iso8601(unit.start_date);
    item["ExpirationDate"] = format_iso8601(unit.expiration_date);
    body["ProvisionedCapacityList"].push_back(std::move(item));
  }
  return json_response(200, body);
}

}  // namespace glacier::api
