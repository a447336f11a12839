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

std::shared_ptr<const policy> policy_cache::get(const std::string& key, const std::string& text) {
  entry found;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(key); it != entries_.end()) found = it->second;
  }
  if (found.text && *found.text == text) return found.parsed;

  entry fresh{std::make_shared<const std::string>(text), nullptr};
  try {
    fresh.parsed = std::make_shared<const policy>(parse_vault_policy(text));
  } catch (const policy_error& e) {
    spdlog::warn(
        "the stored {} is not a policy glacier-mock can evaluate, so it is not "
        "enforced: {}",
        key, e.what());
  }
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries) entries_.clear();
  entries_[key] = fresh;
  return fresh.parsed;
}

}  // namespace glacier::auth
