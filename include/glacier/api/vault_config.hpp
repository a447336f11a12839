#pragma once

#include "glacier/api/call.hpp"

namespace glacier::api {

/// PUT /{account}/vaults/{vault}/access-policy
http::response set_vault_access_policy(call& c);
/// GET /{account}/vaults/{vault}/access-policy
http::response get_vault_access_policy(call& c);
/// DELETE /{account}/vaults/{vault}/access-policy
http::response delete_vault_access_policy(call& c);

/// PUT /{account}/vaults/{vault}/notification-configuration
http::response set_vault_notifications(call& c);
/// GET /{account}/vaults/{vault}/notification-configuration
http::response get_vault_notifications(call& c);
/// DELETE /{account}/vaults/{vault}/notification-configuration
http::response delete_vault_notifications(call& c);

/// POST /{account}/vaults/{vault}/lock-policy
http::response initiate_vault_lock(call& c);
/// GET /{account}/vaults/{vault}/lock-policy
http::response get_vault_lock(call& c);
/// POST /{account}/vaults/{vault}/lock-policy/{lock_id}
http::response complete_vault_lock(call& c);
/// DELETE /{account}/vaults/{vault}/lock-policy
http::response abort_vault_lock(call& c);

/// POST /{account}/vaults/{vault}/tags?operation=add
http::response add_tags_to_vault(call& c);
/// POST /{account}/vaults/{vault}/tags?operation=remove
http::response remove_tags_from_vault(call& c);
/// POST /{account}/vaults/{vault}/tags with any other operation: a clear 400.
http::response unknown_tags_operation(call& c);
/// GET /{account}/vaults/{vault}/tags
http::response list_tags_for_vault(call& c);

}  // namespace glacier::api
