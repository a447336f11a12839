#include "glacier/api/access_control.hpp"

#include <nlohmann/json.hpp>

#include "glacier/auth/actions.hpp"
#include "glacier/auth/request_context.hpp"
#include "glacier/auth/vault_authorizer.hpp"
#include "glacier/core/error.hpp"
#include "glacier/core/metrics.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

namespace {

// The archive a request names, for glacier:ArchiveAgeInDays: DeleteArchive's path, or
// InitiateJob's ArchiveId from the JSON body (or, with an empty body, the query form of
// spec Part 1 §2). A body that does not parse names none; the handler then refuses it.
std::optional<std::string> named_archive(const call& c, const auth::glacier_action& action) {
  if (action.operation == "DeleteArchive") return c.path("archive_id");
  if (c.request.body.empty()) return c.query("ArchiveId");
  const auto body = nlohmann::json::parse(c.request.body, nullptr, false);
  if (!body.is_object()) return std::nullopt;
  const auto it = body.find("ArchiveId");
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool uses_archive_age(const auth::vault_policies& policies, std::size_t action_id) {
  for (const auto* p : {policies.lock.get(), policies.access.get()}) {
    if (p != nullptr && action_id < p->action_uses_costly_key.size() &&
        p->action_uses_costly_key[action_id]) {
      return true;
    }
  }
  return false;
}

// The policies in force on the vault, parsed once per revision of their texts.
auth::vault_policies policies_in_force(const call& c, const std::string& vault_key,
                                       const vault_access& facts,
                                       const std::optional<auth::policy_cache::cached>& cached) {
  auth::vault_policies policies;
  if (facts.texts || !cached) {
    policies = c.services.policies.put(vault_key, facts.policy_revision,
                                       facts.lock_in_force ? &facts.lock_policy : nullptr,
                                       facts.has_access_policy ? &facts.access_policy : nullptr);
  } else {
    policies = cached->policies;
  }
  // A lock that expired since it was parsed no longer applies.
  if (!facts.lock_in_force) policies.lock.reset();
  if (!facts.has_access_policy) policies.access.reset();
  return policies;
}

[[noreturn]] void deny(const call& c, std::string_view operation, std::string_view reason,
                       std::string message) {
  c.services.metrics.record_denial(operation, reason);
  throw error(error_code::access_denied, std::move(message), error_origin::front_end);
}

}  // namespace

std::string explicit_deny_message(const auth::caller& who, std::string_view iam_action,
                                  std::string_view resource) {
  std::string out = "User: ";
  out.append(who.arn).append(" is not authorized to perform: ").append(iam_action);
  out.append(" on resource: ").append(resource);
  out.append(" with an explicit deny in a resource-based policy");
  return out;
}

std::string account_denied_message(std::string_view account) {
  return "Access denied for account ID: " + std::string(account);
}

void enforce_vault_policies(call& c, std::size_t action_id, bool cross_account) {
  const auto& action = auth::glacier_actions()[action_id];
  if (!action.vault_resource) {
    // Account-level operations have no vault and so no vault policy: another account's
    // can never be granted.
    if (cross_account)
      deny(c, action.operation, "account", account_denied_message(c.scope.account));
    return;
  }
  const auto& vault = c.path("vault");
  // Most vaults have no policy: that costs one look at the vault, no ARN and no cache.
  const auto flags = c.services.store.access_facts(c.scope, vault, store::flags_only, false);
  if (!flags.lock_in_force && !flags.has_access_policy) {
    if (cross_account)
      deny(c, action.operation, "account", account_denied_message(c.scope.account));
    return;
  }
  const auto resource = auth::resource_arn(action, c.scope.region, c.scope.account, vault);
  const auto cached = c.services.policies.find(resource);
  const auto facts = c.services.store.access_facts(c.scope, vault, cached ? cached->revision : 0,
                                                   action.resource_tag);
  if (!facts.lock_in_force && !facts.has_access_policy) {
    // Lapsed or removed between the two looks: as if never there.
    if (cross_account)
      deny(c, action.operation, "account", account_denied_message(c.scope.account));
    return;
  }
  const auto policies = policies_in_force(c, resource, facts, cached);

  auth::glacier_request_context context(c.caller, action);
  context.now = c.services.clk.now();
  context.tags = &facts.tags;
  context.source_ip = c.request.remote_address;
  context.region = c.scope.region;
  context.user_agent = c.header("User-Agent");
  if (action.archive_age && uses_archive_age(policies, action_id)) {
    if (const auto archive = named_archive(c, action)) {
      context.archive_created = c.services.store.archive_creation_date(c.scope, vault, *archive);
    }
  }
  const auto& iam_action = auth::lower_action_names()[action_id];
  const auth::request_view request{c.caller, iam_action, resource, context, action_id};
  const auto result = auth::authorize(policies, request, cross_account);
  switch (result.verdict) {
    case auth::verdict::allowed:
      return;
    case auth::verdict::explicit_deny:
      deny(c, action.operation, result.source,
           explicit_deny_message(c.caller, action.iam_action, resource));
    case auth::verdict::no_allow:
      deny(c, action.operation, "account", account_denied_message(c.scope.account));
  }
}

}  // namespace glacier::api
