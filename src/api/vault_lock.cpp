#include "glacier/api/policy_document.hpp"
#include "glacier/api/responses.hpp"
#include "glacier/api/vault_config.hpp"
#include "glacier/api/vaults.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

http::response initiate_vault_lock(call& c) {
  const auto& vault = existing_vault_name(c);
  auto policy = policy_document(c.request.body, "vault lock policy");
  const auto lock_id = c.services.store.initiate_lock(c.scope, vault, std::move(policy));
  auto r = empty_response(201);
  r.headers["x-amz-lock-id"] = lock_id;
  return r;
}

http::response get_vault_lock(call& c) {
  const auto lock = c.services.store.lock(c.scope, existing_vault_name(c));
  nlohmann::ordered_json body;
  body["Policy"] = lock.policy;
  body["State"] = lock.locked ? "Locked" : "InProgress";
  body["ExpirationDate"] = lock.expiration_date
                               ? nlohmann::ordered_json(format_iso8601(*lock.expiration_date))
                               : nlohmann::ordered_json(nullptr);
  body["CreationDate"] = format_iso8601(lock.creation_date);
  return json_response(200, body);
}

http::response complete_vault_lock(call& c) {
  c.services.store.complete_lock(c.scope, existing_vault_name(c), c.path("lock_id"));
  return empty_response(204);
}

http::response abort_vault_lock(call& c) {
  c.services.store.abort_lock(c.scope, existing_vault_name(c));
  return empty_response(204);
}

}  // namespace glacier::api
