#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "glacier/auth/policy.hpp"

namespace glacier::auth {

/// Parses a vault access or Vault Lock policy with Glacier's rules: statements indexed by
/// Glacier action, only the condition keys glacier-mock supplies. Throws policy_error.
policy parse_vault_policy(std::string_view text);

/// The resource policies in force on one vault; either may be null.
struct vault_policies {
  std::shared_ptr<const policy> lock;    ///< the Vault Lock policy, InProgress or Locked
  std::shared_ptr<const policy> access;  ///< the vault access policy
};

/// How a request fared against a vault's policies.
enum class verdict {
  allowed,
  explicit_deny,  ///< a Deny statement matched
  no_allow,       ///< cross-account and no Allow statement matched
};

/// A verdict and the statement behind it.
struct authorization {
  auth::verdict verdict = verdict::allowed;
  const statement* by = nullptr;  ///< the deciding statement, when one decided
  std::string_view source;        ///< "vault lock policy" or "vault access policy"
};

/// IAM's evaluation for a resource policy pair (spec Part 3B.7): any matching Deny in
/// either policy refuses, root included. A caller of the vault's own account is otherwise
/// allowed (glacier-mock has no identity policies: each caller's own are taken to allow
/// glacier:*); a caller from another account needs a matching Allow in one of them.
authorization authorize(const vault_policies& policies, const request_view& request,
                        bool cross_account);

/// Parsed policies by vault, so a request does not parse its vault's 20 KB lock policy
/// again: an entry is used while the vault's policy revision (store::access_facts) is the
/// one it was parsed at. Thread-safe; the lock is held for map access only, never while
/// parsing.
class policy_cache {
 public:
  /// Policies parsed at one revision of a vault's policies.
  struct cached {
    std::uint64_t revision = 0;
    vault_policies policies;
  };

  /// What is cached for `vault_key`, at whatever revision it was parsed.
  std::optional<cached> find(const std::string& vault_key) const;

  /// Parses the texts (null: no such policy) and keeps them as `vault_key`'s policies at
  /// `revision`. A text that does not parse (one stored before a rule was added) yields
  /// null, and is logged, once per revision.
  vault_policies put(const std::string& vault_key, std::uint64_t revision,
                     const std::string* lock_text, const std::string* access_text);

  /// Most entries kept; past it the cache starts over.
  static constexpr std::size_t max_entries = 4096;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, cached> entries_;
};

}  // namespace glacier::auth
