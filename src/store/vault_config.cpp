// The vault-subresource half of glacier::store: access policy, notifications, lock, tags.
#include "glacier/core/error.hpp"
#include "state.hpp"

namespace glacier {

namespace {

constexpr std::size_t max_tags_per_vault = 50;
constexpr duration lock_lifetime{24LL * 3600 * 1000};

}  // namespace

void store::set_access_policy(const scope& where, const std::string& vault_name,
                              std::string policy) {
  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  auto before = settings_before(vault);
  vault.access_policy = std::move(policy);
  policies_changed(vault);
  commit_settings(vault, std::move(before));
}

std::string store::access_policy(const scope& where, const std::string& vault_name) const {
  std::lock_guard lock(mutex_);
  const auto& vault = vault_or_throw(where, vault_name);
  if (!vault.access_policy) {
    throw error(error_code::resource_not_found,
                "No vault access policy is set for vault: " + vault.arn);
  }
  return *vault.access_policy;
}

void store::delete_access_policy(const scope& where, const std::string& vault_name) {
  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  auto before = settings_before(vault);
  vault.access_policy.reset();
  policies_changed(vault);
  commit_settings(vault, std::move(before));
}

void store::set_notifications(const scope& where, const std::string& vault_name,
                              notification_config n) {
  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  auto before = settings_before(vault);
  vault.notifications = std::move(n);
  commit_settings(vault, std::move(before));
}

notification_config store::notifications(const scope& where, const std::string& vault_name) const {
  std::lock_guard lock(mutex_);
  const auto& vault = vault_or_throw(where, vault_name);
  if (!vault.notifications) {
    throw error(error_code::resource_not_found,
                "No notification configuration is set for vault: " + vault.arn);
  }
  return *vault.notifications;
}

void store::delete_notifications(const scope& where, const std::string& vault_name) {
  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  auto before = settings_before(vault);
  vault.notifications.reset();
  commit_settings(vault, std::move(before));
}

std::optional<store::vault_settings> store::settings_before(const vault_state& vault) const {
  if (!journal_) return std::nullopt;
  return vault_settings{vault.access_policy, vault.notifications, vault.lock, vault.tags,
                        vault.policy_revision};
}

void store::commit_settings(vault_state& vault, std::optional<vault_settings> before) {
  if (!before) return;
  try {
    record_vault_config(vault);
  } catch (...) {
    vault.access_policy = std::move(before->access_policy);
    vault.notifications = std::move(before->notifications);
    vault.lock = std::move(before->lock);
    vault.tags = std::move(before->tags);
    vault.policy_revision = before->policy_revision;
    throw;
  }
}

void store::policies_changed(vault_state& vault) {
  vault.policy_revision = next_policy_revision_++;
}

vault_access store::access_facts(const scope& where, const std::string& vault_name,
                                 std::uint64_t known_revision, bool with_tags) const {
  const auto now = clock_.now();
  vault_access out;
  std::lock_guard lock(mutex_);
  const auto s = scopes_.find(where);
  if (s == scopes_.end()) return out;
  const auto v = s->second.vaults.find(vault_name);
  if (v == s->second.vaults.end()) return out;
  const auto& vault = *v->second;
  out.exists = true;
  // An InProgress lock past its expiration is gone (expire_lock), even if not yet removed.
  out.lock_in_force = vault.lock && vault.lock->in_force(now);
  out.has_access_policy = vault.access_policy.has_value();
  out.policy_revision = vault.policy_revision;
  if (known_revision == flags_only || (!out.lock_in_force && !out.has_access_policy)) return out;
  if (known_revision != vault.policy_revision) {
    out.texts = true;
    if (out.lock_in_force) out.lock_policy = vault.lock->policy;
    if (out.has_access_policy) out.access_policy = *vault.access_policy;
  }
  if (with_tags) out.tags = vault.tags;
  return out;
}

std::optional<time_point> store::archive_creation_date(const scope& where,
                                                       const std::string& vault_name,
                                                       const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto s = scopes_.find(where);
  if (s == scopes_.end()) return std::nullopt;
  const auto v = s->second.vaults.find(vault_name);
  if (v == s->second.vaults.end()) return std::nullopt;
  const auto& vault = *v->second;
  const auto a = vault.archive_index.find(id);
  if (a == vault.archive_index.end()) return std::nullopt;
  return vault.archives.at(a->second).creation_date;
}

void store::expire_lock(vault_state& vault, time_point now) const {
  // An InProgress lock that was not completed in time disappears with its policy.
  if (vault.lock && !vault.lock->in_force(now)) vault.lock.reset();
}

std::string store::initiate_lock(const scope& where, const std::string& vault_name,
                                 std::string policy) {
  const auto now = clock_.now();
  auto lock_id = ids_.lock_id();
  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  auto before = settings_before(vault);
  expire_lock(vault, now);
  if (vault.lock) {
    throw error(error_code::access_denied,
                vault.lock->locked ? "The vault is locked and cannot start a new lock: " + vault.arn
                                   : "A vault lock is already in progress for vault: " + vault.arn);
  }
  vault.lock = vault_lock{std::move(policy), lock_id, false, now, now + lock_lifetime};
  policies_changed(vault);
  commit_settings(vault, std::move(before));
  return lock_id;
}

vault_lock store::lock(const scope& where, const std::string& vault_name) const {
  const auto now = clock_.now();
  std::lock_guard guard(mutex_);
  auto& vault = const_cast<vault_state&>(vault_or_throw(where, vault_name));
  expire_lock(vault, now);
  if (!vault.lock) {
    throw error(error_code::resource_not_found,
                "No vault lock policy is set for vault: " + vault.arn);
  }
  return *vault.lock;
}

void store::complete_lock(const scope& where, const std::string& vault_name,
                          const std::string& lock_id) {
  const auto now = clock_.now();
  std::lock_guard guard(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  auto before = settings_before(vault);
  expire_lock(vault, now);
  if (!vault.lock) {
    throw error(error_code::invalid_parameter_value,
                "No vault lock is in progress for vault: " + vault.arn);
  }
  if (vault.lock->lock_id != lock_id) {
    if (vault.lock->locked) {
      throw error(error_code::access_denied,
                  "The vault is already locked with another lock ID: " + vault.arn);
    }
    throw error(error_code::invalid_parameter_value, "Invalid lock ID: " + lock_id);
  }
  vault.lock->locked = true;
  vault.lock->expiration_date.reset();
  commit_settings(vault, std::move(before));
}

void store::abort_lock(const scope& where, const std::string& vault_name) {
  const auto now = clock_.now();
  std::lock_guard guard(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  auto before = settings_before(vault);
  expire_lock(vault, now);
  if (vault.lock && vault.lock->locked) {
    throw error(error_code::access_denied,
                "The vault lock is complete and cannot be aborted: " + vault.arn);
  }
  vault.lock.reset();
  policies_changed(vault);
  commit_settings(vault, std::move(before));
}

void store::add_tags(const scope& where, const std::string& vault_name, const vault_tags& tags) {
  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  auto before = settings_before(vault);
  auto merged = vault.tags;
  for (const auto& [key, value] : tags) merged[key] = value;
  if (merged.size() > max_tags_per_vault) {
    throw error(error_code::limit_exceeded,
                "A vault can have at most 50 tags; this request would give it " +
                    std::to_string(merged.size()));
  }
  vault.tags = std::move(merged);
  commit_settings(vault, std::move(before));
}

void store::remove_tags(const scope& where, const std::string& vault_name,
                        const std::vector<std::string>& keys) {
  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  auto before = settings_before(vault);
  for (const auto& key : keys) vault.tags.erase(key);
  commit_settings(vault, std::move(before));
}

vault_tags store::tags(const scope& where, const std::string& vault_name) const {
  std::lock_guard lock(mutex_);
  return vault_or_throw(where, vault_name).tags;
}

}  // namespace glacier
