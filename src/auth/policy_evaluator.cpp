// Evaluates a parsed resource policy for one request, with IAM's rules.
#include <algorithm>
#include <optional>
#include <vector>

#include "glacier/auth/policy.hpp"
#include "glacier/auth/wildcard.hpp"

namespace glacier::auth {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return !value.empty() && std::find(list.begin(), list.end(), value) != list.end();
}

bool resource_applies(const statement& s, std::string_view resource) {
  const bool listed =
      std::any_of(s.resources.begin(), s.resources.end(),
                  [&](const std::string& p) { return wildcard_match(p, resource); });
  return listed != s.not_resource;
}

// The request's values of each condition key the policy tests, looked up once per
// evaluation: a large policy tests the same few keys (aws:SourceIp, aws:username) in dozens
// of statements.
class looked_up_keys {
 public:
  looked_up_keys(const policy& p, const condition_context& context)
      : policy_(p), context_(context), slots_(p.condition_keys.size()) {}

  /// The request's values of `c`'s key, or null when it has none.
  const key_values* values(const condition& c) {
    auto& entry = slots_[c.key_slot];
    if (!entry.looked_up) {
      entry.looked_up = true;
      std::vector<std::string> texts;
      if (context_.lookup(policy_.condition_keys[c.key_slot], texts)) {
        entry.values.emplace(std::move(texts));
      }
    }
    return entry.values ? &*entry.values : nullptr;
  }

 private:
  struct slot {
    bool looked_up = false;
    std::optional<key_values> values;  // empty when the request has no such key
  };
  const policy& policy_;
  const condition_context& context_;
  std::vector<slot> slots_;
};

bool conditions_hold(const statement& s, looked_up_keys& keys) {
  return std::all_of(s.conditions.begin(), s.conditions.end(),
                     [&](const condition& c) { return condition_holds(c, keys.values(c)); });
}

}  // namespace

bool covers_action(const statement& s, std::string_view action) {
  const bool listed = std::any_of(s.actions.begin(), s.actions.end(),
                                  [&](const std::string& p) { return wildcard_match(p, action); });
  return listed != s.not_action;
}

bool principal_applies(const statement& s, const caller& who) {
  const auto& p = s.principals;
  const bool account = p.everyone || contains(p.accounts, who.account);
  const bool self = p.everyone || contains(p.arns, who.arn);
  const bool role = p.everyone || contains(p.arns, who.role_arn);
  if (!s.not_principal) return account || self || role;
  // NotPrincipal leaves out a caller only when it names every identity the request
  // carries: the account, and the user (or the role and its session). Naming a user
  // without its account still covers the request, as IAM's NotPrincipal page warns.
  const bool root = who.type == principal_type::account;
  const bool excluded =
      account && (root || self || who.arn.empty()) && (who.role_arn.empty() || role);
  return !excluded;
}

evaluation evaluate(const policy& p, const request_view& request) {
  evaluation result;
  looked_up_keys keys(p, request.context);
  const auto consider = [&](const statement& s) {
    if (!resource_applies(s, request.resource) || !principal_applies(s, request.caller) ||
        !conditions_hold(s, keys)) {
      return false;
    }
    if (s.effect == effect::deny) {
      result = {decision::deny, &s};
      return true;  // an explicit deny ends the evaluation
    }
    if (result.decision == decision::not_applicable) result = {decision::allow, &s};
    return false;
  };
  if (request.action_index && *request.action_index < p.statements_by_action.size()) {
    for (const auto i : p.statements_by_action[*request.action_index]) {
      if (consider(p.statements[i])) break;
    }
    return result;
  }
  for (const auto& s : p.statements) {
    if (covers_action(s, request.action) && consider(s)) break;
  }
  return result;
}

}  // namespace glacier::auth
