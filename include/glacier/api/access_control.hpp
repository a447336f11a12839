#pragma once

#include <cstddef>
#include <string>

#include "glacier/api/call.hpp"

namespace glacier::api {

/// Applies a vault's Vault Lock policy (InProgress or Locked) and access policy to a routed
/// Glacier request (spec Part 3B): an explicit Deny in either refuses it, as does a caller
/// of another account (`cross_account`) that no Allow grants. Throws
/// AccessDeniedException in AWS's words and counts the denial in the metrics.
void enforce_vault_policies(call& c, std::size_t action_id, bool cross_account);

/// AWS's message for an explicit deny by a vault policy: "User: <caller ARN> is not
/// authorized to perform: glacier:<Action> on resource: <ARN> with an explicit deny in a
/// resource-based policy".
std::string explicit_deny_message(const auth::caller& who, std::string_view iam_action,
                                  std::string_view resource);

/// AWS's message for an account in the path that is not the caller's: "Access denied for
/// account ID: <id>".
std::string account_denied_message(std::string_view account);

}  // namespace glacier::api
