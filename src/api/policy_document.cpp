#include "glacier/api/policy_document.hpp"

#include "glacier/api/json_body.hpp"
#include "glacier/auth/vault_authorizer.hpp"
#include "glacier/core/error.hpp"

namespace glacier::api {

std::string policy_document(std::string_view body, std::string_view what) {
  const auto parsed = parse_json_object(body, std::string(what) + " ({\"Policy\": \"...\"})");
  auto policy = required_string_member(parsed, "Policy");
  if (policy.size() > max_policy_bytes) {
    throw error(error_code::invalid_parameter_value,
                "Invalid Policy: the " + std::string(what) + " is " +
                    std::to_string(policy.size()) + " bytes; the limit is 20 KB (20480 bytes)");
  }
  if (!nlohmann::json::parse(policy, nullptr, false).is_object()) {
    throw error(error_code::invalid_parameter_value,
                "Invalid Policy: the " + std::string(what) + " must be a JSON policy document");
  }
  // A policy glacier-mock could not enforce is refused now, never stored and ignored.
  try {
    auth::parse_vault_policy(policy);
  } catch (const auth::policy_error& e) {
    throw error(
        error_code::invalid_parameter_value,
        "The specified " + std::string(what) + " is invalid. Provide a valid policy. " + e.what());
  }
  return policy;
}

}  // namespace glacier::api
