#include "glacier/api/json_body.hpp"
#include "glacier/api/policy_document.hpp"
#include "glacier/api/responses.hpp"
#include "glacier/api/vault_config.hpp"
#include "glacier/api/vaults.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

http::response set_vault_access_policy(call& c) {
  const auto& vault = existing_vault_name(c);
  auto policy = policy_document(c.request.body, "vault access policy");
  c.services.store.set_access_policy(c.scope, vault, std::move(policy));
  return empty_response(204);
}

http::response get_vault_access_policy(call& c) {
  nlohmann::ordered_json body;
  body["Policy"] = c.services.store.access_policy(c.scope, existing_vault_name(c));
  return json_response(200, body);
}

http::response delete_vault_access_policy(call& c) {
  c.services.store.delete_access_policy(c.scope, existing_vault_name(c));
  return empty_response(204);
}

}  // namespace glacier::api
