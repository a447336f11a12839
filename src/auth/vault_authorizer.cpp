#include "glacier/auth/vault_authorizer.hpp"

#include <spdlog/spdlog.h>

#include "glacier/auth/actions.hpp"

namespace glacier::auth {

policy parse_vault_policy(std::string_view text) {
  parse_options options;
  options.key_supported = supported_condition_key;
  options.actions = &lower_action_names();
  options.costly_key = std::string(archive_age_key);
  return parse_policy(text, options);
}

authorization authorize(const vault_policies& policies, const request_view& request,
                        bool cross_account) {
  authorization allowed_by;
  const std::pair<const policy*, std::string_view> sources[] = {
      {policies.lock.get(), "vault lock policy"}, {policies.access.get(), "vault access policy"}};
  for (const auto& [p, source] : sources) {
    if (p == nullptr) continue;
    const auto result = evaluate(*p, request);
    if (result.decision == decision::deny) return {verdict::explicit_deny, result.by, source};
    if (result.decision == decision::allow && allowed_by.by == nullptr) {
      allowed_by = {verdict::allowed, result.by, source};
    }
  }
  if (cross_account && allowed_by.by == nullptr) return {verdict::no_allow, nullptr, {}};
  return allowed_by;
}

std::optional<policy_cache::cached> policy_cache::find(const std::string& vault_key) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(vault_key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

namespace {

std::shared_ptr<const policy> parse_stored(const std::string& vault_key, const std::string* text,
                                           std::string_view what) {
  if (text == nullptr) return nullptr;
  try {
    return std::make_shared<const policy>(parse_vault_policy(*text));
  } catch (const policy_error& e) {
    spdlog::warn(
        "the stored {} of {} is not a policy glacier-mock can evaluate, so it is not "
        "enforced: {}",
        what, vault_key, e.what());
    return nullptr;
  }
}

}  // namespace

vault_policies policy_cache::put(const std::string& vault_key, std::uint64_t revision,
                                 const std::string* lock_text, const std::string* access_text) {
  vault_policies parsed{parse_stored(vault_key, lock_text, "vault lock policy"),
                        parse_stored(vault_key, access_text, "vault access policy")};
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries) entries_.clear();
  entries_[vault_key] = cached{revision, parsed};
  return parsed;
}

}  // namespace glacier::auth
