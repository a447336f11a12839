#include "glacier/api/job_parameters.hpp"
#include "glacier/api/json_body.hpp"
#include "glacier/api/responses.hpp"
#include "glacier/api/vault_config.hpp"
#include "glacier/api/vaults.hpp"
#include "glacier/core/error.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

namespace {

notification_config parse_notification_config(std::string_view body) {
  const auto parsed = parse_json_object(body, "vault notification configuration");
  notification_config n;
  n.sns_topic = required_string_member(parsed, "SNSTopic");
  if (!is_sns_topic_arn(n.sns_topic)) {
    throw error(error_code::invalid_parameter_value,
                "Invalid SNSTopic: " + n.sns_topic +
                    ". Expected an SNS topic ARN, e.g. arn:aws:sns:us-east-1:123456789012:topic");
  }
  const auto events = parsed.find("Events");
  if (events == parsed.end() || events->is_null()) {
    throw error(error_code::missing_parameter_value, "Required parameter missing: Events");
  }
  if (!events->is_array()) {
    throw error(error_code::serialization,
                std::string("Invalid type for parameter Events: expected a list, got ") +
                    events->type_name());
  }
  for (const auto& event : *events) {
    if (!event.is_string() ||
        (event != "ArchiveRetrievalCompleted" && event != "InventoryRetrievalCompleted")) {
      throw error(error_code::invalid_parameter_value,
                  "Invalid Events: " + event.dump() +
                      ". Valid values are: ArchiveRetrievalCompleted, InventoryRetrievalCompleted");
    }
    if (std::find(n.events.begin(), n.events.end(), event) == n.events.end()) {
      n.events.push_back(event);
    }
  }
  return n;
}

}  // namespace

http::response set_vault_notifications(call& c) {
  const auto& vault = existing_vault_name(c);
  c.services.store.set_notifications(c.scope, vault, parse_notification_config(c.request.body));
  return empty_response(204);
}

http::response get_vault_notifications(call& c) {
  const auto n = c.services.store.notifications(c.scope, existing_vault_name(c));
  nlohmann::ordered_json body;
  body["SNSTopic"] = n.sns_topic;
  body["Events"] = n.events;
  return json_response(200, body);
}

http::response delete_vault_notifications(call& c) {
  c.services.store.delete_notifications(c.scope, existing_vault_name(c));
  return empty_response(204);
}

}  // namespace glacier::api
