#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glacier/auth/caller.hpp"
#include "glacier/auth/condition.hpp"
#include "glacier/auth/policy_error.hpp"

namespace glacier::auth {

/// A statement's Effect.
enum class effect { allow, deny };

/// The principals a Principal or NotPrincipal element names.
struct principal_list {
  bool everyone = false;              ///< "*" or {"AWS": "*"}
  std::vector<std::string> accounts;  ///< from "<12 digits>" and "arn:...:iam::<id>:root"
  std::vector<std::string> arns;      ///< user, role, assumed-role and federated-user ARNs
};

/// One statement, checked and ready to evaluate.
struct statement {
  std::string sid;
  glacier::auth::effect effect = effect::deny;
  bool not_principal = false;
  principal_list principals;
  bool not_action = false;
  std::vector<std::string> actions;  ///< lower case patterns ("glacier:delete*")
  bool not_resource = false;
  std::vector<std::string> resources;  ///< ARN patterns, or "*"
  std::vector<condition> conditions;   ///< all must hold
};

/// A resource policy, parsed once and evaluated for every request it applies to.
struct policy {
  std::string version;
  std::vector<statement> statements;
  /// Every distinct condition key the statements test; condition::key_slot indexes it.
  std::vector<std::string> condition_keys;
  /// For each action of parse_options::actions, the statements whose Action/NotAction
  /// covers it, in order; empty when no action list was given.
  std::vector<std::vector<std::uint32_t>> statements_by_action;
  /// For each action of parse_options::actions, whether a statement that covers it has
  /// a condition on `parse_options::costly_key` (so the caller can skip computing it).
  std::vector<bool> action_uses_costly_key;
};

/// What parse_policy accepts beyond the policy language itself.
struct parse_options {
  /// Condition keys (lower case) the evaluating service supplies; null accepts any key.
  std::function<bool(std::string_view)> key_supported;
  /// Action names (lower case, "glacier:deletearchive") to index statements by.
  const std::vector<std::string>* actions = nullptr;
  /// A key (lower case) whose value is costly to compute; see policy::action_uses_costly_key.
  std::string costly_key;
};

/// Parses and checks a policy document: Version, Id and Statement (an object or a list);
/// Sid, Effect, Principal/NotPrincipal, Action/NotAction, Resource/NotResource, Condition.
/// Throws policy_error naming the first element, operator, key or value that is malformed
/// or unsupported.
policy parse_policy(std::string_view text, const parse_options& options);

/// The request's values of a condition key.
class condition_context {
 public:
  virtual ~condition_context() = default;
  /// Fills `out` with the values of `lower_key` and returns true, or returns false when
  /// the request has no such key.
  virtual bool lookup(std::string_view lower_key, std::vector<std::string>& out) const = 0;
};

/// One request as a policy sees it.
struct request_view {
  const glacier::auth::caller& caller;
  std::string_view action;    ///< lower case, "glacier:deletearchive"
  std::string_view resource;  ///< the resource ARN
  const condition_context& context;
  /// Index of `action` in parse_options::actions, to use the policy's index.
  std::optional<std::size_t> action_index;
};

/// The outcome of evaluating one policy.
enum class decision { not_applicable, allow, deny };

/// A decision and the statement that made it (null when not applicable).
struct evaluation {
  glacier::auth::decision decision = decision::not_applicable;
  const statement* by = nullptr;
};

/// Evaluates `p` for `request`: an explicit Deny from any matching statement wins over
/// every Allow; no matching statement is not_applicable.
evaluation evaluate(const policy& p, const request_view& request);

/// Whether the statement's Action (or NotAction) covers `lower_action`.
bool covers_action(const statement& s, std::string_view lower_action);

/// Whether the principal element covers the caller (Principal) or, for NotPrincipal,
/// excludes it; exposed for tests.
bool principal_applies(const statement& s, const caller& who);

}  // namespace glacier::auth
